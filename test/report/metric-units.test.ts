/**
 * One convention for printing a metric everywhere: an accuracy of fractions
 * in percentage points (the CLI's rule, study/metric-units.ts), in the
 * report/dashboard body as in `twin compare` and `twin stats`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFixture } from "./fixture.ts";
import { buildReportModel, loadStudyDir, renderStudyBody } from "../../src/report/index.ts";
import { showsPercentPoints } from "../../src/study/metric-units.ts";
import { formatAnalysis } from "../../src/cli/stats.ts";
import { analyzeResults } from "../../src/study/analyze.ts";
import { readResults } from "../../src/study/results-file.ts";

const root = mkdtempSync(join(tmpdir(), "twin-units-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));
const abDir = writeFixture(join(root, "logs"), { seeds: 4, steps: 20 });

test("the rule: accuracies of fractions in pp; other metrics, and accuracies logged in percent, as logged", () => {
  for (const m of ["accuracy", "val/accuracy", "eval/accuracy", "val_accuracy", "test_acc", "top1_accuracy"]) assert.equal(showsPercentPoints(m, [0.7, 0.9]), true, m);
  for (const m of ["loss", "val/loss", "val/accuracy_error", "f1", "acc_loss", "accumulated"]) assert.equal(showsPercentPoints(m, [0.7]), false, m);
  assert.equal(showsPercentPoints("val/accuracy", [0.7, 73.2]), false, "an accuracy logged in percent");
  assert.equal(showsPercentPoints("val/accuracy", [0.7, NaN]), true, "a diverged run's NaN does not decide");
});

test("the report's verdict prints an accuracy in percentage points, as twin compare does", async () => {
  const m = buildReportModel(loadStudyDir(abDir));
  assert.equal(m.metric, "val/accuracy");
  assert.equal(m.percent, true);
  const { html } = await renderStudyBody(m);
  const a = m.analysis!;
  const baseline = a.variants.find((v) => v.name === "baseline")!;
  const row = html.match(/<tr data-variant="baseline">(.*?)<\/tr>/)![1]!;
  assert.ok(row.includes(`<td>${(baseline.mean * 100).toFixed(2)} ± ${(baseline.sd * 100).toFixed(2)}</td>`), row);
  assert.doesNotMatch(row, /0\.\d{4}/, "no fraction left in the row");
  const c = a.comparisons[0]!;
  const comparison = html.match(new RegExp(`<tr data-comparison="${c.b}"[^>]*>(.*?)</tr>`))![1]!;
  const signed = (x: number) => (x > 0 ? "+" : "") + (x * 100).toFixed(2);
  assert.ok(comparison.includes(`<td>${signed(c.diff)} pp</td><td>[${signed(c.ci[0])}, ${signed(c.ci[1])}] pp</td>`), comparison);
  assert.match(html, /<th>mean ± sd \(pp\)<\/th>/);
  assert.match(html, /<th>final val\/accuracy \(pp\)<\/th>/);
});

test("a loss keeps its logged units in the report", async () => {
  const m = buildReportModel(loadStudyDir(abDir), { metric: "val/loss" });
  assert.equal(m.percent, false);
  const { html } = await renderStudyBody(m);
  const v = m.analysis!.variants[0]!;
  assert.ok(html.includes(`<td>${v.mean.toFixed(4)} ± ${v.sd.toFixed(4)}</td>`));
  assert.doesNotMatch(html, / pp</);
});

test("twin stats prints an accuracy column of fractions in pp; a column in percent as it is", () => {
  const fractions = join(root, "fractions.csv");
  const percents = join(root, "percents.csv");
  const rows = [0, 1, 2, 3].flatMap((s) => [["a", s, 0.85 + 0.01 * s], ["b", s, 0.86 + 0.011 * s]]);
  writeFileSync(fractions, "variant,seed,val_accuracy\n" + rows.map((r) => r.join(",")).join("\n") + "\n");
  writeFileSync(percents, "variant,seed,val_accuracy\n" + rows.map(([v, s, x]) => [v, s, (x as number) * 100].join(",")).join("\n") + "\n");
  const f = formatAnalysis(analyzeResults(readResults(fractions), { metric: "val_accuracy" }));
  assert.match(f, /^a\s+4\s+86\.50 ± 1\.29/m, f);
  assert.match(f, /b − a  \+1\.15 pp  95% CI \[\+\d\.\d\d, \+\d\.\d\d\]/);
  const p = formatAnalysis(analyzeResults(readResults(percents), { metric: "val_accuracy" }));
  assert.match(p, /^a\s+4\s+86\.5000 ± 1\.2910/m, p);
  assert.doesNotMatch(p, / pp/);
});
