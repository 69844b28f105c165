// The cold read of a log folder's metrics.jsonl files, alone: every run's file
// read once as `twin serve` reads it without an index (run-state.ts:
// readAppended into a fresh state) and as `twin report` / `twin stats` read it
// (metrics-jsonl.ts: readMetricsJsonl), on the synthetic studies of
// bench/synthetic-study.ts (2 variants, 500 steps). Prints the process's CPU
// seconds per pass and the megabytes read per CPU second.
// Usage: nice -n 5 tsx bench/cold-read.ts [runs ...]   (default 1000 10000)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readMetricsJsonl } from "../src/log/metrics-jsonl.ts";
import { emptyRunState, readAppended } from "../src/report/sources/run-state.ts";
import { writeSyntheticStudy } from "./synthetic-study.ts";

const STEPS = 500;
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

for (const runs of sizes.length ? sizes : [1000, 10000]) {
  const root = join(work, `r${runs}`);
  writeSyntheticStudy(root, "scan", runs / 2, STEPS);
  const files = metricsFiles(root);
  const mb = files.reduce((a, f) => a + f.size, 0) / 1e6;
  const serve = cpuSeconds(() => {
    let points = 0;
    for (const f of files) {
      const state = emptyRunState();
      readAppended(f.path, state, f.size);
      for (const s of state.series.values()) points += s.n;
    }
    return points;
  });
  const report = cpuSeconds(() => {
    let points = 0;
    for (const f of files) points += readMetricsJsonl(f.path).scalars.length;
    return points;
  });
  const load = readFileSync("/proc/loadavg", "utf8").split(" ")[0];
  console.log(JSON.stringify({ runs: files.length, mb: Math.round(mb), points: serve.check, serve_cpu_s: serve.cpu_s, serve_mb_per_cpu_s: Math.round(mb / serve.cpu_s), report_cpu_s: report.cpu_s, report_mb_per_cpu_s: Math.round(mb / report.cpu_s), load_1min: Number(load) }));
}
