import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { readResults } from "../../src/study/results-file.ts";
import { analyzeResults } from "../../src/study/analyze.ts";
import { RunLogger } from "../../src/log/index.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-stats-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

// Paired accuracies over 5 seeds: b is better on every seed by 0.4–0.6 points.
const A = [0.861, 0.872, 0.866, 0.869, 0.858];
const B = [0.866, 0.877, 0.872, 0.873, 0.864];
const CSV = ["variant,seed,accuracy,loss", ...A.map((v, i) => `base,${i},${v},${1 - v}`), ...B.map((v, i) => `new,${i},${v},${1 - v}`)].join("\n");

test("CSV long form: paired by default, documented JSON fields, reference values", () => {
  const a = analyzeResults(readResults(file("r.csv", CSV)), { metric: "accuracy" });
  assert.equal(a.metric, "accuracy");
  assert.equal(a.higher_is_better, true);
  assert.deepEqual(a.variants.map((v) => v.name), ["base", "new"]);
  assert.deepEqual(Object.keys(a.variants[0]).sort(),
    ["diverged", "errors", "failed", "failure_rate", "failure_rate_ci", "iqm", "max", "mean", "median", "min", "missing", "n", "name", "runs", "sd", "se", "skipped", "unfinished"]);
  const c = a.comparisons[0];
  assert.deepEqual(Object.keys(c).sort(),
    ["a", "b", "black_swans", "ci", "diff", "effect_size", "effect_size_name", "excluded", "excluded_pairs", "method", "n", "n_pairs", "notes", "p", "p_adjusted",
      "paired", "pairing_gain", "pairing_gain_ci", "pairing_gain_ci_note", "prob_improvement", "prob_improvement_ci", "prob_improvement_method", "reading", "robust", "statistic", "test",
      "variance_notes", "variance_p", "variance_p_pitman_morgan", "variance_ratio", "variance_ratio_ci", "variance_ratio_method"]);
  assert.deepEqual(Object.keys(a).sort(),
    ["advice", "comparisons", "direction", "failure_comparisons", "higher_is_better", "level", "metric", "not_compared", "paired", "pairing", "problems", "seeds", "set_aside", "variants"]);
  assert.equal(c.paired, true);
  assert.equal(c.a, "base");
  // scipy.stats.ttest_rel(B, A): statistic = 14.0 exactly? Reference computed by hand:
  // d = [5, 5, 6, 4, 6] e-3, mean 5.2e-3, sd 0.8367e-3, t = 5.2/ (0.83666/sqrt(5)) = 13.897
  assert.ok(Math.abs(c.diff - 0.0052) < 1e-12);
  assert.ok(Math.abs(c.statistic - 13.8976) < 1e-3, String(c.statistic));
  assert.equal(c.prob_improvement, 1);
  assert.ok(c.ci[0] > 0);
});

test("lower-is-better flips the probability of improvement, not the difference", () => {
  const a = analyzeResults(readResults(file("r2.csv", CSV)), { metric: "loss", lowerIsBetter: true });
  assert.equal(a.higher_is_better, false);
  assert.ok(a.comparisons[0].diff < 0);
  assert.equal(a.comparisons[0].prob_improvement, 1);
});

test("JSON Lines and unpaired tests", () => {
  const lines = [...A.map((v, i) => ({ variant: "base", seed: i, accuracy: v })), ...B.map((v, i) => ({ variant: "new", seed: i + 10, accuracy: v }))];
  const p = file("r.jsonl", lines.map((l) => JSON.stringify(l)).join("\n"));
  const a = analyzeResults(readResults(p), { metric: "accuracy" });
  assert.equal(a.comparisons[0].paired, false);
  assert.equal(a.comparisons[0].test.toLowerCase().includes("welch"), true);
  const mw = analyzeResults(readResults(p), { metric: "accuracy", test: "mannwhitney" });
  assert.match(mw.comparisons[0].test.toLowerCase(), /mann/);
});

test("a TensorBoard log directory in twin's layout", () => {
  const logs = join(dir, "logs");
  A.forEach((v, i) => { const l = new RunLogger({ logdir: logs, study: "s", variant: "base", seed: i }); l.log(10, { "val/accuracy": v }); l.close(); });
  B.forEach((v, i) => { const l = new RunLogger({ logdir: logs, study: "s", variant: "new", seed: i }); l.log(10, { "val/accuracy": v }); l.close(); });
  const a = analyzeResults(readResults(logs), { metric: "val/accuracy" });
  assert.equal(a.comparisons[0].paired, true);
  assert.ok(Math.abs(a.comparisons[0].diff - 0.0052) < 1e-6);
});

test("bad files name the row and column", () => {
  assert.throws(() => readResults(file("bad1.csv", "name,seed,acc\nx,1,0.5")), /missing column "variant"/);
  assert.throws(() => readResults(file("bad2.csv", "variant,seed,acc\nx,1,0.5\nx,2,abc")), /row 3, column "acc": "abc" is not a number/);
  const missing = file("bad3.csv", "variant,seed,acc\na,1,0.5\na,2,0.6\nb,1,0.5");
  assert.throws(() => analyzeResults(readResults(missing), { metric: "acc", paired: true }), /variant "b" has no run for seed 2/);
  assert.throws(() => analyzeResults(readResults(file("ok.csv", CSV)), { metric: "nope" }), /no metric "nope"/);
  assert.throws(() => analyzeResults(readResults(file("ok2.csv", CSV)), { metric: "accuracy", test: "mannwhitney" }), /unpaired data/);
});

test("twin stats --json from the command line", () => {
  const r = spawnSync(process.execPath, ["bin/twin.js", "stats", file("cli.csv", CSV), "--metric", "accuracy", "--json"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.comparisons[0].b, "new");
  const bad = spawnSync(process.execPath, ["bin/twin.js", "stats", join(dir, "missing.csv")], { encoding: "utf8" });
  assert.equal(bad.status, 2, "a path on the command line that does not exist is a wrong command line");
  assert.match(bad.stderr, /no such file/);
});
