// A cold read of a study through the dashboard's index, two ways, alternating
// on a fresh index each time: every seed stamped first, then the study read
// (LogDirSource seedStamps, then openStudy: the cold first view before session
// 9) against each seed stamped just before its runs are read (openStudyStamped).
// Prints per round the wall time until the first seed group (the first reader
// thread's answer: the serial path before any run is folded), until the last,
// and this thread's CPU (the view worker's share: stamping, sending, reading
// from the back; the reader threads' CPU is not counted). Nothing is folded.
//
//   npx tsx bench/cold-stamps.ts LOGDIR STUDY [ROUNDS=3]
import { rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { LogDirSource } from "../src/report/sources/log-dir.ts";
import type { StudyStream } from "../src/report/types.ts";

const [root, study, roundsArg = "3"] = process.argv.slice(2);
if (!root || !study) throw new Error("usage: npx tsx bench/cold-stamps.ts LOGDIR STUDY [ROUNDS]");
const index = join(tmpdir(), `twin-cold-stamps-${process.pid}.sqlite`);
const clean = (): void => {
  for (const f of [index, `${index}-wal`, `${index}-shm`]) rmSync(f, { force: true });
};

async function read(way: "stamps first" | "stamped as read"): Promise<{ first: number; all: number; cpu: number; seeds: number }> {
  clean();
  const source = new LogDirSource(root!, { index });
  source.logIndex();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let stream: StudyStream | undefined;
  let stamps: () => Map<string, string>;
  if (way === "stamps first") {
    const taken = (await source.seedStamps(study!))!
    stream = await source.openStudy(study!, new Set(taken.keys()));
    stamps = () => taken;
  } else {
    const opened = (await source.openStudyStamped(study!))!
    stream = opened.stream;
    stamps = opened.stamps;
  }
  let first = NaN;
  for await (const _g of stream!.groups) if (Number.isNaN(first)) first = performance.now() - t0;
  const seeds = stamps().size;
  const all = performance.now() - t0;
  const c = process.cpuUsage(c0);
  await source.close();
  return { first, all, cpu: (c.user + c.system) / 1000, seeds };
}

const rounds = Number(roundsArg);
try {
  for (let r = 1; r <= rounds; r++) {
    for (const way of ["stamps first", "stamped as read"] as const) {
      const l0 = loadavg()[0]!;
      const t = await read(way);
      console.log(JSON.stringify({ round: r, way, first_group_ms: Math.round(t.first), all_ms: Math.round(t.all), thread_cpu_s: Number((t.cpu / 1000).toFixed(2)), seeds: t.seeds, load_1min: `${l0.toFixed(2)}-${loadavg()[0]!.toFixed(2)}` }));
    }
  }
} finally {
  clean();
}
