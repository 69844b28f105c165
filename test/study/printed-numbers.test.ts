/**
 * One sign-and-format rule for every number a verdict prints: the sequential
 * look line of `twin compare` and `twin sweep`, `twin sweep`'s per-metric
 * summary, the report's verdict cells, the deployment sentences and the
 * factorial verdict all write differences as `signedMetricValueText` does
 * (ASCII "-", four significant digits in exponent form below 1e-3, two
 * decimals in pp) and a value that is not finite as "n/a".
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatLook, startSequential } from "../../src/study/sequential-compare.ts";
import { planAdvice } from "../../src/study/plan-advice.ts";
import { comparePaired, signTest, wilcoxonSignedRank } from "../../src/stats/index.ts";
import { formatSweep } from "../../src/cli/sweep.ts";
import type { SweepResult } from "../../src/study/sweep-types.ts";
import { metricFormat, num } from "../../src/report/html.ts";
import { singleSeedSentences, type DeploymentChoice } from "../../src/study/deployment.ts";
import { formatFactorialVerdict, factorialVerdict } from "../../src/study/factorial-verdict.ts";
import type { TwoLevelDifference } from "../../src/stats/two-level.ts";
import { readResults, type ResultTable } from "../../src/study/results-file.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeResults } from "../../src/study/analyze.ts";
import { formatVerdict } from "../../src/study/verdict.ts";

test("the sequential look line prints the difference as the verdict does (exponent form below 1e-3; pp for an accuracy of fractions)", () => {
  const plan = startSequential(["base", "new"], "base", [5, 10]);
  const look = { look: 0, n: 5, diff: -3.2e-5, t: -1.23, boundary: 4.5, pNominal: 0.3, decision: "continue" as const };
  const loss = formatLook(plan, plan.comparisons[0]!, look, false);
  assert.match(loss, /new − base -3\.200e-5, t = -1\.23/, loss);
  const accuracy = formatLook(plan, plan.comparisons[0]!, { ...look, diff: 0.0094 }, true);
  assert.match(accuracy, /new − base \+0\.94 pp, t =/, accuracy);
});

test("twin sweep's per-metric summary prints a value that is not finite as n/a, as the verdict does, not NaN", () => {
  const r = {
    name: "s", store: "x.db", vary: null, runs: [], stopped: false, table: {} as ResultTable,
    summaries: [{ metric: "val_loss", variants: [{ name: "base", n: 1, mean: 0.31, sd: NaN, min: 0.31, max: 0.31, nonFinite: 0 }, { name: "new", n: 0, mean: NaN, sd: NaN, min: NaN, max: NaN, nonFinite: 2 }] }],
  } satisfies SweepResult;
  const text = formatSweep(r);
  assert.match(text, /base +1 +0\.3100 ± n\/a/, text);
  assert.match(text, /new +0 +n\/a ± n\/a +n\/a +n\/a +\(2 NaN\/Inf left out\)/, text);
  assert.doesNotMatch(text.replace("NaN/Inf", ""), /NaN/);
});

/** Asserts that every named header column ends where each row's cell in it ends, with a space before the cell. */
function assertColumnsAlign(header: string, rows: string[], columns: string[]): void {
  for (const name of columns) {
    const end = header.indexOf(name) + name.length;
    for (const row of rows) {
      assert.ok(row[end - 1] !== " " && (row[end] === undefined || row[end] === " "), `column ${name} ends at ${end} in\n${header}\n${row}`);
      const start = row.lastIndexOf(" ", end - 1);
      assert.ok(start > 0 && row[start - 1] !== undefined, `column ${name} has no space before it in\n${row}`);
    }
  }
}

test("values near 1e300 widen the table's columns instead of running them together (twin stats, twin sweep)", () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-wide-"));
  try {
    const a = [8.55e299, 8.6e299, 8.79e299, 8.7e299];
    writeFileSync(join(dir, "r.csv"), ["variant,seed,score", ...a.map((x, i) => `base,${i},${x}`), ...a.map((x, i) => `new,${i},${x * 1.01}`)].join("\n"));
    const lines = formatVerdict("", analyzeResults(readResults(join(dir, "r.csv")), { metric: "score" }), false).split("\n");
    const at = lines.findIndex((l) => l.startsWith("variant"));
    const header = lines[at]!;
    const rows = lines.slice(at + 1, at + 3);
    assert.match(rows[0]!, /^base +4 +8\.\d{3}e\+299 ± \d\.\d{3}e\+29[78] +8\.550e\+299 +8\.790e\+299 +2\.400e\+298 +-$/, rows[0]);
    assertColumnsAlign(header, rows, ["min", "max", "range"]);
    for (const row of rows) assert.equal(row.indexOf(" -", header.indexOf("not finished") - 1), header.indexOf("not finished") - 1, row);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const r = {
    name: "s", store: "x.db", vary: null, runs: [], stopped: false, table: {} as ResultTable,
    summaries: [{ metric: "score", variants: [{ name: "base", n: 4, mean: -8.666e299, sd: 8.28e297, min: -8.79e299, max: -8.55e299, nonFinite: 0 }, { name: "new", n: 4, mean: 1.5, sd: 0.5, min: 1, max: 2, nonFinite: 1 }] }],
  } satisfies SweepResult;
  const lines = formatSweep(r).split("\n");
  const at = lines.findIndex((l) => l.trim().startsWith("variant"));
  assert.match(lines[at + 1]!, /^ {2}base +4 +-8\.666e\+299 ± 8\.280e\+297 +-8\.790e\+299 +-8\.550e\+299$/, lines[at + 1]);
  assertColumnsAlign(lines[at]!, lines.slice(at + 1, at + 3), ["mean ± sd", "min", "max"]);
});

test("the report's verdict cells: a difference or value that is not finite reads n/a, as in twin stats; signs and digits are the verdict's", () => {
  for (const percent of [false, true]) {
    const f = metricFormat(percent);
    assert.equal(f.diff(NaN), "n/a");
    assert.equal(f.diff(Infinity), "n/a");
    assert.equal(f.value(NaN), "n/a");
    assert.equal(f.value(undefined), "–");
  }
  assert.equal(metricFormat(false).diff(-3.2e-5), "-3.200e-5");
  assert.equal(metricFormat(true).diff(0.0094), "+0.94");
  assert.equal(num(Infinity, 2), "n/a", "an effect size d_z of a difference without spread");
  assert.equal(num(-Infinity, 2), "n/a");
});

test("the deployment sentences sign and format percentage points as the verdict does, n/a for an interval end that is not finite", () => {
  const twoLevel = { estimate: -0.0123, lo: NaN, hi: Infinity, level: 0.95, se: NaN, df: NaN, method: "", paired: true, seeds: [2, 2], examples: 100, parts: { seeds: 0, examples: 1, interaction: 0 }, seWithDoubleSeeds: NaN, seWithDoubleExamples: NaN, narrowsMore: "more seeds" } satisfies TwoLevelDifference;
  const choice: DeploymentChoice = { kind: "single seed", variant: "new", validation: 0.8512, runnerUp: "base", versusRunnerUp: { set: "validation", twoLevel }, note: "Best worst seed." };
  const text = singleSeedSentences(choice).join(" ");
  assert.match(text, /differs by -1\.23 pp, 95% CI \[n\/a, n\/a\]/, text);
  assert.match(text, /scores 85\.12 pp on validation/);
});

test("the factorial verdict writes a negative effect with an ASCII minus, as the stats verdict does", () => {
  const rows = ["seed,a,b,y"];
  for (let seed = 0; seed < 4; seed++) {
    for (const [a, b, y] of [["x", "p", 0.5], ["y", "p", 0.52], ["x", "q", 0.51], ["y", "q", 0.5]] as const) rows.push(`${seed},${a},${b},${(y + 0.003 * Math.sin(seed * 5 + y * 100)).toFixed(5)}`);
  }
  const dir = mkdtempSync(join(tmpdir(), "twin-printed-"));
  try {
    writeFileSync(join(dir, "grid.csv"), rows.join("\n") + "\n");
    const v = factorialVerdict(readResults(join(dir, "grid.csv"), { factors: ["a", "b"] }), { metric: "y", factors: ["a", "b"] });
    const text = formatFactorialVerdict("grid", v, false);
    assert.match(text, /a × b +-0\.\d{4} +95% CI \[-0\.\d{4}, -0\.\d{4}\]/, text);
    assert.doesNotMatch(text, /−\d/, "no U+2212 before a number");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the advice says the observed difference, not the interval, is smaller than the reference's seed range", () => {
  const a = [0.861, 0.872, 0.855, 0.868, 0.879, 0.858, 0.866, 0.874];
  const b = a.map((x, i) => x + 0.001 + 0.004 * Math.sin(i * 3));
  const v = comparePaired(a, b);
  const advice = planAdvice("new", "base", v, [a, b], Math.max(...a) - Math.min(...a), undefined, true)!;
  assert.match(advice, /^new: inconclusive against base: the 95% interval \[-\d\.\d\d pp, \+\d\.\d\d pp\] includes 0; the difference observed \(0\.\d\d pp\) is smaller than base's seed range \(2\.40 pp\); to detect a difference that large \(pass --smallest-difference/, advice);
});

test("the advice claims no equivalence from an interval without width (every seed the same difference)", () => {
  const a = [0.861, 0.872, 0.855, 0.868, 0.879, 0.858, 0.866, 0.874];
  const v = comparePaired(a, a.map((x) => x + 0.01));
  assert.equal(v.ci[0], v.ci[1]);
  const advice = planAdvice("new", "base", v, [a, a.map((x) => x + 0.01)], 0.024, 0.05, true)!;
  assert.equal(advice, "new: every seed gives the same difference (+1.00 pp), inside ±5.00 pp, but with no spread over seeds there is no interval to show equivalence");
});

test("a rank test's 'cannot reach p < 0.05' note counts the zero differences it drops (8 pairs reach 0.0078; 8 with 6 ties only 0.5)", () => {
  const a = [0.861, 0.872, 0.855, 0.868, 0.879, 0.858, 0.866, 0.874];
  const b = a.map((x, i) => (i < 6 ? x : x + 0.01));
  for (const r of [wilcoxonSignedRank(a, b), signTest(a, b)]) {
    assert.match(r.note!, /^with n = 8 pairs, 6 of them zero differences that it drops, the smallest p-value this (Wilcoxon signed-rank|sign) test can give is 0\.5,/, r.note);
  }
});

test("the advice's plan says when the sd it plans from holds a black swan", () => {
  const a = [0.861, 0.872, 0.855, 0.868, 0.879, 0.858, 0.866, 0.874];
  const b = a.map((x, i) => (i === 3 ? x - 0.08 : x + 0.01 + 0.001 * Math.sin(i * 7)));
  const v = comparePaired(a, b);
  assert.equal(v.robust!.swans.length, 1);
  const advice = planAdvice("new", "base", v, [a, b], 0.024, undefined, true)!;
  assert.match(advice, /you have 8\); the sd it plans from includes the black swan named above, which inflates it/, advice);
  const clean = planAdvice("new", "base", comparePaired(a, a.map((x, i) => x + 0.001 + 0.004 * Math.sin(i * 3))), [a, a], 0.024, undefined, true)!;
  assert.doesNotMatch(clean, /black swan/);
});
