// What an idle `twin serve` runs after a cold start: the compiled CLI (run
// `bash scripts/build.sh` first) started with --trace-gc and no index over a
// synthetic study of RUNS runs (bench/synthetic-study.ts), its first full view,
// three lines appended and taken out again (each until a fresh view shows it),
// then each thread's CPU ticks (/proc/<pid>/task/*/stat) second by second for
// SECONDS (default 60) with the full collections V8 reports meanwhile (the
// memory reducer's are "Mark-Compact (reduce)"). RESTART=1: the index is kept.
// docs/serve-at-scale.md, "Idle CPU after a cold start".
//
//   TMPDIR=/tmp/x nice -n 5 npx tsx bench/serve-idle-threads.ts RUNS [SECONDS]
import { spawn } from "node:child_process";
import { getJson } from "./get-json.ts";
import { appendFileSync, readdirSync, readFileSync, rmSync, statSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeSyntheticStudy } from "./synthetic-study.ts";

const runs = Number(process.argv[2]);
const seconds = Number(process.argv[3] ?? 60);
if (!(runs > 0) || !(seconds > 0)) throw new Error("usage: npx tsx bench/serve-idle-threads.ts RUNS [SECONDS]");
const work = join(tmpdir(), "twin-bench");
const root = writeSyntheticStudy(join(work, `r${runs}`), "scan", runs / 2, 500);
const index = join(work, `index-idle-r${runs}.sqlite`);
if (process.env.RESTART !== "1") for (const f of [index, `${index}-wal`, `${index}-shm`, `${index}.accumulators`]) rmSync(f, { force: true, recursive: true });
const twin = join(dirname(fileURLToPath(import.meta.url)), "..", "bin", "twin.js");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const t0 = performance.now();
const at = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
const child = spawn(process.execPath, ["--trace-gc", twin, "serve", "--logdir", root, "--port", "0", "--index", index], { stdio: ["ignore", "pipe", "inherit"] });
/** Full collections reported since the last second printed. */
let fullGcs: string[] = [];
const url = await new Promise<string>((resolve) => {
  let out = "";
  child.stdout!.on("data", (c: Buffer) => {
    const text = c.toString();
    for (const line of text.split("\n")) if (line.includes("Mark-Compact")) fullGcs.push(`${at()} ${line.trim().slice(0, 140)}`);
    out += text;
    const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
    if (m) resolve(m[1]!);
  });
});

/** Asks for the study's view until a full one newer than `version` is served. */
async function viewAfter(version: number): Promise<Record<string, unknown>> {
  for (;;) {
    const v = await getJson(url + "api/studies/scan");
    if (Number(v.version ?? 0) > version && !v.partial && !v.stale) return v;
    await sleep(200);
  }
}

await getJson(url + "api/studies");
let view = await viewAfter(-1);
console.log(`first full view at ${at()}`);
for (let u = 0; u < 3; u++) {
  const file = join(root, "scan", "baseline", `seed-${1 + u}`, "metrics.jsonl");
  const size = statSync(file).size;
  appendFileSync(file, JSON.stringify({ kind: "scalars", step: 501, wall_time: 0, values: { "train/loss": 0.31 } }) + "\n");
  view = await viewAfter(Number(view.version));
  truncateSync(file, size);
  view = await viewAfter(Number(view.version));
}
console.log(`quiet from ${at()} (bench/serve.ts measures idle CPU from 3 s to 13 s after this)`);
fullGcs = [];

/** CPU ticks (user + system) of each of the process's threads, by thread id. */
function threadTicks(): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${child.pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks.set(tid === String(child.pid) ? `${tid} (server thread)` : tid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ticks;
}

let before = threadTicks();
const total = new Map<string, number>();
for (let s = 1; s <= seconds; s++) {
  await sleep(1000);
  const now = threadTicks();
  const moved: string[] = [];
  for (const [tid, n] of now) {
    const d = n - (before.get(tid) ?? 0);
    if (d === 0) continue;
    moved.push(`${tid} +${d}`);
    total.set(tid, (total.get(tid) ?? 0) + d);
  }
  if (moved.length || fullGcs.length) console.log(`+${s} s: ${moved.join(", ")}${fullGcs.length ? `\n  ${fullGcs.join("\n  ")}` : ""}`);
  fullGcs = [];
  before = now;
}
console.log(`ticks in ${seconds} s: ${[...total].map(([tid, n]) => `${tid} ${n}`).join(", ") || "none"}; load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
child.kill("SIGTERM");
await new Promise((r) => child.once("exit", r));
