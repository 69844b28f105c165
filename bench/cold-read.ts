// The cold read of a log folder's metrics.jsonl files, alone: every run's file
// read once as `twin serve` reads it without an index (run-state.ts:
// readAppended into a fresh state; with the native scanner, native-scan.ts, and
// with the JavaScript path alone, as without it), as `twin report` / `twin stats` read it
// (metrics-series.ts: readMetricsSeries, with the native scanner) and as they read it before
// session 9 (metrics-jsonl.ts: readMetricsJsonl, the JavaScript reference), and as a cold `twin serve` reads it now
// (the serve path in the pool of reader threads, log-reader-pool.ts: wall and
// CPU seconds of the reading, the threads started before), on the synthetic studies of
// bench/synthetic-study.ts (2 variants, 500 steps). Each pass is made ROUNDS
// times, the two alternating; prints the process's CPU seconds per pass
// (median and range over the rounds) and megabytes read per CPU second (median).
// Usage: nice -n 5 tsx bench/cold-read.ts [runs ...]   (default 1000 10000)
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readMetricsJsonl } from "../src/log/metrics-jsonl.ts";
import { readMetricsSeries } from "../src/log/metrics-series.ts";
import { decodeRunState, emptyRunState, readAppended } from "../src/report/sources/run-state.ts";
import { LogReaderPool, readerThreads } from "../src/report/sources/log-reader-pool.ts";
import { nativeScan, nativeScanMissing } from "../src/log/native-scan.ts";
import { writeSyntheticStudy } from "./synthetic-study.ts";

const STEPS = 500;
const ROUNDS = 3;
const sizes = process.argv.slice(2).map(Number);
const work = join(tmpdir(), "twin-bench");

function metricsFiles(root: string): { path: string; size: number }[] {
  const out: { path: string; size: number }[] = [];
  for (const study of readdirSync(root, { withFileTypes: true })) {
    if (!study.isDirectory()) continue;
    for (const variant of readdirSync(join(root, study.name))) {
      for (const seed of readdirSync(join(root, study.name, variant))) {
        const path = join(root, study.name, variant, seed, "metrics.jsonl");
        out.push({ path, size: statSync(path).size });
      }
    }
  }
  return out;
}

function cpuSeconds(f: () => number): { cpu_s: number; check: number } {
  const t0 = process.cpuUsage();
  const check = f();
  const t = process.cpuUsage(t0);
  return { cpu_s: (t.user + t.system) / 1e6, check };
}

if (!nativeScan) console.log(`the native scanner is not loaded (${nativeScanMissing}): the serve rows are of the JavaScript path`);
const rows: object[] = [];
for (const runs of sizes.length ? sizes : [1000, 10000]) {
  const root = join(work, `r${runs}`);
  writeSyntheticStudy(root, "scan", runs / 2, STEPS);
  const files = metricsFiles(root);
  const mb = files.reduce((a, f) => a + f.size, 0) / 1e6;
  const serve = (scan = nativeScan): number => {
    let points = 0;
    for (const f of files) {
      const state = emptyRunState();
      readAppended(f.path, state, f.size, 0, scan);
      for (const s of state.series.values()) points += s.n;
    }
    return points;
  };
  const report = (): number => {
    let points = 0;
    for (const f of files) points += readMetricsJsonl(f.path).scalars.length;
    return points;
  };
  const reportSeries = (): number => {
    let points = 0;
    for (const f of files) for (const s of Object.values(readMetricsSeries(f.path).scalars)) points += s.steps.length;
    return points;
  };
  /**
   * The serve path in the dashboard's reader threads (log-reader-pool.ts),
   * batches of 16 runs as the dashboard sends them: wall and CPU seconds of the
   * reading, the threads started before (from the sources here, through tsx:
   * their start is not what the compiled dashboard pays, and is left out).
   */
  const pooled = async (): Promise<{ wall_s: number; cpu_s: number; check: number }> => {
    const pool = new LogReaderPool(undefined);
    await Promise.all(Array.from({ length: readerThreads() }, () => pool.read({ study: "scan", files: [] })));
    const t0 = performance.now(), c0 = process.cpuUsage();
    const answers: Promise<number>[] = [];
    for (let k = 0; k < files.length; k += 16) {
      const batch = files.slice(k, k + 16).map((f) => ({ dir: f.path, path: f.path, size: f.size, mtimeMs: 0 }));
      answers.push(pool.read({ study: "scan", files: batch }).then(({ results }) => results.reduce((n, r) => n + ("error" in r ? NaN : [...decodeRunState(r.state, true).series.values()].reduce((a, s) => a + s.n, 0)), 0)));
    }
    const check = (await Promise.all(answers)).reduce((a, b) => a + b, 0);
    const c = process.cpuUsage(c0);
    const wall = (performance.now() - t0) / 1000;
    await pool.close();
    return { wall_s: wall, cpu_s: (c.user + c.system) / 1e6, check };
  };
  const times = { serve: [] as number[], serveJs: [] as number[], report: [] as number[], reportSeries: [] as number[], poolWall: [] as number[], poolCpu: [] as number[] };
  let points = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const s = cpuSeconds(serve), j = cpuSeconds(() => serve(null)), r = cpuSeconds(report), q = cpuSeconds(reportSeries);
    const p = await pooled();
    if (s.check !== r.check || s.check !== p.check || s.check !== j.check || s.check !== q.check) throw new Error(`the readers read ${s.check}, ${j.check}, ${r.check}, ${q.check} and ${p.check} points`);
    points = s.check;
    times.serve.push(s.cpu_s);
    times.serveJs.push(j.cpu_s);
    times.report.push(r.cpu_s);
    times.reportSeries.push(q.cpu_s);
    times.poolWall.push(p.wall_s);
    times.poolCpu.push(p.cpu_s);
  }
  const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!;
  const round2 = (x: number) => Math.round(x * 100) / 100;
  const load = readFileSync("/proc/loadavg", "utf8").split(" ")[0];
  const row = { runs: files.length, mb: Math.round(mb), points, serve_cpu_s: round2(median(times.serve)), serve_cpu_s_range: [round2(Math.min(...times.serve)), round2(Math.max(...times.serve))], serve_mb_per_cpu_s: Math.round(mb / median(times.serve)), serve_native: nativeScan !== null, serve_js_cpu_s: round2(median(times.serveJs)), serve_js_cpu_s_range: [round2(Math.min(...times.serveJs)), round2(Math.max(...times.serveJs))], report_cpu_s: round2(median(times.report)), report_cpu_s_range: [round2(Math.min(...times.report)), round2(Math.max(...times.report))], report_mb_per_cpu_s: Math.round(mb / median(times.report)), report_series_cpu_s: round2(median(times.reportSeries)), report_series_cpu_s_range: [round2(Math.min(...times.reportSeries)), round2(Math.max(...times.reportSeries))], pool_threads: readerThreads(), pool_wall_s: round2(median(times.poolWall)), pool_wall_s_range: [round2(Math.min(...times.poolWall)), round2(Math.max(...times.poolWall))], pool_cpu_s: round2(median(times.poolCpu)), load_1min: Number(load) };
  console.log(JSON.stringify(row));
  rows.push(row);
}
const resultFile = join(dirname(fileURLToPath(import.meta.url)), "results", "cold-read.json");
mkdirSync(dirname(resultFile), { recursive: true });
writeFileSync(resultFile, JSON.stringify({ note: `the cold read of every metrics.jsonl of a synthetic study (bench/synthetic-study.ts: 2 variants, 500 steps), in one process: serve = run-state.ts readAppended into a fresh state in one thread (twin serve without an index; with the native scanner when serve_native, native-scan.ts; serve_js: the JavaScript path alone, as without it), report = metrics-jsonl.ts readMetricsJsonl (twin report / twin stats on a log folder before session 9; the JavaScript reference), report_series = metrics-series.ts readMetricsSeries with the native scanner (twin report / twin stats on a log folder since session 9), pool = the serve path in the dashboard's reader threads (log-reader-pool.ts; pool_wall_s and pool_cpu_s of the reading, all threads of the process, the pool_threads threads started before the pass); CPU seconds of the process per pass, median and range over ${ROUNDS} rounds; load_1min after the passes`, rows }, null, 2) + "\n");
