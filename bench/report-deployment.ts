// The report's deployment section at scale: synthetic log-folder studies of
// 2 variants × N seeds with 50 steps of curves and per-example predictions in
// every run folder (2,000 validation and 4,000 test examples of 10 classes,
// float32 NPY: 0.25 MB a run), reported by the CLI in a child process under
// /usr/bin/time. Predictions are read run by run; only 10 seeds' probabilities
// per variant are kept for ensembles, so peak memory should not grow with N.
//
//   nice -n 10 npx tsx bench/report-deployment.ts [seeds...]     # default 10 100 500
//
// Writes bench/results/report-deployment.json.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeSyntheticStudy } from "./synthetic-study.ts";
import { writePredictionFixture } from "../test/report/fixture-predictions.ts";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..");
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const SEEDS = sizes.length > 0 ? sizes : [10, 100, 500];
const work = join(tmpdir(), "twin-bench-deploy");

const rows = [];
for (const seeds of SEEDS) {
  const root = join(work, `s${seeds}`);
  rmSync(root, { recursive: true, force: true });
  writeSyntheticStudy(root, "scan", seeds, 50);
  writePredictionFixture(join(root, "scan"), { validation: 2000, test: 4000, classes: 10, skill: { baseline: 0, wider: 0.1 } });
  const html = join(work, `report-${seeds}.html`);
  const run = spawnSync("/usr/bin/time", ["-f", "TIME %M %U %S %e", process.execPath, "--import", "tsx", "src/cli/main.ts", "report", join(root, "scan"), "-o", html, "--json"], { cwd: repo, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`twin report of ${seeds} seeds failed: ${run.stderr}`);
  const m = /TIME (\d+) ([\d.]+) ([\d.]+) ([\d.]+)/.exec(run.stderr)!;
  const charts = (JSON.parse(run.stdout) as { charts: string[] }).charts.filter((c) => /ensemble|validation-test/.test(c));
  const row = { runs: 2 * seeds, seeds, peak_rss_mb: Math.round(Number(m[1]) / 1024), cpu_s: Number((Number(m[2]) + Number(m[3])).toFixed(2)), wall_s: Number(m[4]), deployment_charts: charts.length };
  console.log(JSON.stringify(row));
  rows.push(row);
  rmSync(root, { recursive: true, force: true });
}
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "report-deployment.json"),
  JSON.stringify({ note: "twin report of synthetic log-folder studies with predictions in every run folder (2 variants, 2,000 validation + 4,000 test examples, 10 classes); cpu_s = user + sys of the CLI process", rows }, null, 2) + "\n",
);
