// The view worker's work after a restart, in one process and without the
// server: the saved accumulator restored, the saved first view, the warm-up
// behind it, then two appended lines (the first and the next update), each
// with its wall time and the process's CPU time. Run on a log folder and an
// index a dashboard left (bench/serve.ts's or bench/profile-serve.ts's): the
// index is copied once and made current (a view built and saved on the copy),
// then each of RUNS runs starts from that copy; the appended lines are taken
// out again and the file's times put back, so the data stays as it was.
// TWIN_ROOT=path/to/another/checkout measures that checkout's sources.
//
//   npx tsx bench/restart-update.ts LOGDIR INDEX_FILE [STUDY=scan] [RUNS=3]
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdtempSync, rmSync, statSync, truncateSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Session } from "node:inspector/promises";
import { writeFileSync } from "node:fs";
import type { LogDirSource as LogDirSourceType } from "../src/report/index.ts";
import type { ViewBuilder as ViewBuilderType } from "../src/serve/view-builder.ts";

const [root, index, study = "scan", runsArg = "3"] = process.argv.slice(2);
if (!root || !index) throw new Error("usage: npx tsx bench/restart-update.ts LOGDIR INDEX_FILE [STUDY] [RUNS]");
const checkout = resolve(process.env.TWIN_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), ".."));
const { LogDirSource } = (await import(join(checkout, "src/report/index.ts"))) as { LogDirSource: typeof LogDirSourceType };
const { ViewBuilder } = (await import(join(checkout, "src/serve/view-builder.ts"))) as { ViewBuilder: typeof ViewBuilderType };

const work = mkdtempSync(join(tmpdir(), "twin-restart-update-"));
const current = join(work, "current.sqlite");
const run = join(work, "run.sqlite");
const fresh = (file: string): void => {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}.accumulators`]) rmSync(f, { force: true, recursive: true });
};
/** An index with the folder of saved accumulators beside it (log-index.ts), where it has one. */
const copyIndex = (from: string, to: string): void => {
  copyFileSync(from, to);
  if (existsSync(`${from}.accumulators`)) cpSync(`${from}.accumulators`, `${to}.accumulators`, { recursive: true });
};

try {
  // The copy made current: a view built (only the seeds whose stamps changed are read) and saved with its accumulator at close.
  copyIndex(index, current);
  {
    const source = new LogDirSource(root, { index: current });
    const b = new ViewBuilder(source);
    await b.view(study, {});
    await b.close();
    await source.close?.();
  }
  const file = join(root, study, "baseline", "seed-1", "metrics.jsonl");
  const changed = new Set(["baseline/seed-1/metrics.jsonl"]);
  const rows: Record<string, string>[] = [];
  for (let i = 0; i < Number(runsArg); i++) {
    fresh(run);
    copyIndex(current, run);
    const source = new LogDirSource(root, { index: run });
    const b = new ViewBuilder(source);
    const row: Record<string, string> = {};
    let wall = performance.now();
    let cpu = process.cpuUsage();
    const lap = (what: string): void => {
      const c = process.cpuUsage(cpu);
      row[what] = `${Math.round(performance.now() - wall)} ms (${Math.round((c.user + c.system) / 1000)} ms CPU)`;
      wall = performance.now();
      cpu = process.cpuUsage();
    };
    const ses = new Session(); ses.connect(); await ses.post("Profiler.enable"); await ses.post("Profiler.setSamplingInterval", { interval: 200 });
    const prof = async (name: string, f: () => Promise<unknown> | unknown) => { await ses.post("Profiler.start"); await f(); const { profile } = await ses.post("Profiler.stop"); writeFileSync(`${process.env.PROF_OUT}/${name}-${i}.cpuprofile`, JSON.stringify(profile)); };
    await prof("restore", () => b.restoreAhead());
    lap("restore");
    const first = await b.view(study, {});
    if (first?.seedsRead !== 0) throw new Error(`the first view was built (${first?.seedsRead} seeds read), not the saved one: is another dashboard using ${root}?`);
    lap("saved view");
    await prof("warm", () => b.warm());
    lap("warm-up");
    const st = statSync(file);
    try {
      for (const [what, step] of [["first update", 501], ["second update", 502]] as const) {
        appendFileSync(file, JSON.stringify({ kind: "scalars", step, wall_time: 0, values: { "train/loss": 0.31 } }) + "\n");
        let v: Awaited<ReturnType<typeof b.view>> | undefined;
        await prof(what.replace(" ", "-"), async () => { v = await b.view(study, {}, changed); });
        if (v?.error !== undefined || v?.seedsRead !== 1) throw new Error(`${what}: ${v?.error ?? `${v?.seedsRead} seeds read`}`);
        lap(what);
      }
    } finally {
      truncateSync(file, st.size);
      utimesSync(file, st.atime, st.mtime);
    }
    rows.push(row);
    await source.close?.();
  }
  console.log(`${checkout}, load ${(await import("node:os")).loadavg()[0]!.toFixed(2)}`);
  console.table(rows);
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(0);
