/**
 * The report model's deployment section: ensemble curve, validation against
 * test, gain, churn and both choices from runs' predictions, checked against
 * numbers worked out by hand (3 seeds × 4 examples × 3 classes); the bounded
 * seed sample; predictions read from a log folder's run folders.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildReport, buildReportModel, DeploymentAccumulator, loadStudyDir, reportCharts, type Chart, type RunData, type SplitPredictions, type StudyData } from "../../src/report/index.ts";
import { bySeedHash } from "../../src/report/model/sample.ts";
import { writeNpy } from "../../src/data/host/npy.ts";
import { writeFixture } from "./fixture.ts";
import { formatDeployment } from "../../src/study/deployment.ts";
import { writePredictionFixture } from "./fixture-predictions.ts";
import { seriesOf } from "../../src/report/series.ts";

const close = (a: number, b: number, msg: string) => assert.ok(Math.abs(a - b) < 1e-12, `${msg}: ${a} vs ${b}`);

// Variant "a": three seeds on four examples (labels 0 1 2 0). Predicted classes:
// seed 1: 0 0 2 1 (2 right), seed 2: 1 1 2 0 (3 right), seed 3: 0 2 0 1 (1 right).
const LABELS = Int32Array.from([0, 1, 2, 0]);
const A: number[][] = [
  [0.6, 0.3, 0.1, 0.5, 0.4, 0.1, 0.2, 0.3, 0.5, 0.4, 0.5, 0.1],
  [0.35, 0.55, 0.1, 0.2, 0.7, 0.1, 0.1, 0.2, 0.7, 0.7, 0.2, 0.1],
  [0.8, 0.1, 0.1, 0.3, 0.2, 0.5, 0.5, 0.35, 0.15, 0.3, 0.6, 0.1],
];
// Test set: the same outputs, labels 0 1 2 1: single-seed test accuracy 0.75, 0.5, 0.5.
const TEST_LABELS = Int32Array.from([0, 1, 2, 1]);
// Variant "b": every seed one-hot, predicting 0 1 2 1 (validation accuracy 0.75, test 1, no spread).
const B = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0];

const split = (probs: number[], labels: Int32Array): SplitPredictions => ({ probabilities: Float32Array.from(probs), labels, classes: 3 });

function run(variant: string, seed: string, probs: number[] | undefined): RunData {
  const r: RunData = { variant, seed, status: "finished", scalars: { "val/accuracy": seriesOf([{ step: 10, value: 0.5 }]) }, where: `mem ${variant}/${seed}` };
  if (probs) r.predictions = { validation: split(probs, LABELS), test: split(probs, TEST_LABELS) };
  return r;
}

function study(runs: RunData[]): StudyData {
  return { name: "deploy", runs, checks: [], source: "memory", variantOrder: ["a", "b"] };
}

test("ensemble curve, gain, churn and validation against test equal the numbers worked out by hand", () => {
  const runs = [1, 2, 3].flatMap((s) => [run("a", String(s), A[s - 1]), run("b", String(s), B)]);
  const d = buildReportModel(study(runs)).deployments[0]!;
  assert.equal(d.available, true);
  assert.equal(d.sharedValidation, true);
  assert.deepEqual(d.variants.map((v) => [v.name, v.seeds, v.ensembleSeeds, v.testSeeds]), [["a", 3, 3, 3], ["b", 3, 3, 3]]);
  const a = d.analysis!.variants.find((v) => v.variant === "a")!;
  // Pairs of seeds: {1,2} right on all 4, {1,3} on 1 (only example 0), {2,3} on 4; all three on 4.
  const curve = a.validation.curve.map((p) => [p.k, p.mean, p.min, p.max, p.subsets, p.exhaustive]);
  const expected = [[1, 0.5, 0.25, 0.75, 3, true], [2, 0.75, 0.25, 1, 3, true], [3, 1, 1, 1, 1, true]];
  curve.forEach((p, i) => p.forEach((x, j) => (typeof x === "number" ? close(x, expected[i]![j] as number, `k=${p[0]} field ${j}`) : assert.equal(x, expected[i]![j]))));
  close(a.validation.ensemble, 1, "full ensemble on validation");
  close(a.validation.range, 0.5, "single-seed range");
  close(a.test!.curve[0]!.mean, (0.75 + 0.5 + 0.5) / 3, "test k=1 mean");
  // Gain on test: the ensemble (0 1 2 0) gets 3 of 4 right; the mean seed 1.75/3.
  close(a.gain!.estimate, 0.75 - 1.75 / 3, "gain on test");
  assert.equal(a.gain!.set, "test");
  // Churn: seeds 1–2 differ on 3 examples, 1–3 on 2, 2–3 on 4; every example is unstable.
  close(a.churn!.mean, (3 / 4 + 2 / 4 + 4 / 4) / 3, "churn");
  close(a.churn!.unstable, 1, "unstable share");
  assert.deepEqual(d.scatter.filter((p) => p.variant === "a").map((p) => [p.seed, p.validation, p.test]), [["1", 0.5, 0.75], ["2", 0.75, 0.5], ["3", 0.25, 0.5]]);
  // The ensemble of a (1.0 on validation) beats b's (0.75); b's worst seed (0.75) beats a's (0.25).
  assert.equal(d.analysis!.ensemble!.variant, "a");
  close(d.analysis!.ensemble!.validation, 1, "chosen ensemble on validation");
  assert.equal(d.analysis!.singleSeed!.variant, "b");
  close(d.analysis!.singleSeed!.validation, 0.75, "chosen worst seed");
  assert.ok(d.analysis!.singleSeed!.versusRunnerUp?.twoLevel, "the single-seed choice carries its two-level interval");
});

test("a study without predictions says so in one line", () => {
  const d = buildReportModel(study([run("a", "1", undefined), run("b", "1", undefined)])).deployments[0]!;
  assert.equal(d.available, false);
  assert.match(d.reason!, /no run of this study kept per-example predictions/);
  assert.equal(d.analysis, null);
});

test("predictions that do not fit their labels are left out with a note naming the run", () => {
  const bad = run("a", "2", A[1]);
  bad.predictions!.validation = { probabilities: Float32Array.from(A[1]!), labels: Int32Array.from([0, 1, 7, 0]), classes: 3 };
  const d = buildReportModel(study([run("a", "1", A[0]), bad, run("b", "1", B), run("b", "2", B)])).deployments[0]!;
  assert.ok(d.notes.some((n) => /^a seed 2: validation predictions not used: label 2 is 7/.test(n)), d.notes.join("\n"));
  assert.equal(d.variants.find((v) => v.name === "a")!.ensembleSeeds, 1);
});

test("ensembles keep the probabilities of a fixed sample of seeds, whatever order the runs come in", () => {
  const seeds = Array.from({ length: 9 }, (_, i) => String(i + 1));
  const expected = [...seeds].sort(bySeedHash).slice(0, 4).sort((x, y) => Number(x) - Number(y));
  for (const order of [seeds, [...seeds].reverse()]) {
    const acc = new DeploymentAccumulator(4);
    for (const s of order) acc.add(run("a", s, A[Number(s) % 3]));
    const d = acc.finish(["a"]);
    assert.deepEqual(d.variants[0], { name: "a", seeds: 9, ensembleSeeds: 4, testSeeds: 9 });
    assert.deepEqual(d.analysis!.variants[0]!.validationVsTest!.points.map((p) => p.seed), expected);
    assert.equal(d.scatter.length, 9, "every seed's single accuracies are kept");
  }
  // A seed taken out (the dashboard re-reads it) leaves the sample; added again, it is back.
  const acc = new DeploymentAccumulator(4);
  for (const s of seeds) acc.add(run("a", s, A[Number(s) % 3]));
  acc.removeSeed(expected[0]!);
  assert.equal(acc.finish(["a"]).variants[0]!.ensembleSeeds, 3);
  acc.add(run("a", expected[0]!, A[Number(expected[0]) % 3]));
  assert.equal(acc.finish(["a"]).variants[0]!.ensembleSeeds, 4);
});

test("a log folder's run folders with predictions.npy and labels.npy give the deployment section", () => {
  const root = mkdtempSync(join(tmpdir(), "twin-ens-"));
  try {
    const dir = writeFixture(root, { variants: ["a", "b"], seeds: 3, steps: 10, checks: false });
    for (let s = 0; s < 3; s++) {
      for (const [variant, probs] of [["a", A[s]!], ["b", B]] as const) {
        const runDir = join(dir, variant, `seed-${s}`);
        writeNpy(join(runDir, "predictions.npy"), { dtype: "float32", shape: [4, 3], data: Float32Array.from(probs) });
        writeNpy(join(runDir, "labels.npy"), { dtype: "int64", shape: [4], data: BigInt64Array.from([0n, 1n, 2n, 0n]) });
        writeNpy(join(runDir, "test_predictions.npy"), { dtype: "float32", shape: [4, 3], data: Float32Array.from(probs) });
        writeNpy(join(runDir, "test_labels.npy"), { dtype: "int64", shape: [4], data: BigInt64Array.from([0n, 1n, 2n, 1n]) });
      }
    }
    // A run folder whose predictions have no labels beside them: a note on the run.
    writeFileSync(join(dir, "a", "seed-0", "labels.npy"), "");
    const m = buildReportModel(loadStudyDir(dir));
    assert.equal(m.deployments[0]!.available, true);
    assert.deepEqual(m.deployments[0]!.variants.map((v) => [v.name, v.seeds, v.testSeeds]), [["a", 3, 3], ["b", 3, 3]]);
    assert.equal(m.deployments[0]!.variants[0]!.ensembleSeeds, 2, "seed 0 of a has test predictions only");
    const notes = m.runs.find((r) => r.variant === "a" && r.seed === "0")!.notes.join(" ");
    assert.match(notes, /validation predictions not used: .*labels\.npy/);
    // b predicts 0 1 2 1: 3 of 4 on validation, all 4 on test.
    const b = m.deployments[0]!.analysis!.variants.find((v) => v.variant === "b")!;
    close(b.validation.ensemble, 0.75, "b's ensemble on validation");
    close(b.test!.ensemble, 1, "b's ensemble on test");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the report's deployment section: its charts carry the model's numbers, its table and choices are on the page; without predictions one line", async () => {
  const root = mkdtempSync(join(tmpdir(), "twin-ens-report-"));
  try {
    const dir = writeFixture(root, { seeds: 4, steps: 10, checks: false });
    const plain = await buildReport(loadStudyDir(dir));
    assert.deepEqual(plain.charts.filter((c) => /ensemble|validation-test/.test(c)), []);
    assert.match(plain.html, /id="deployment-unavailable">Not available: no run of this study kept per-example predictions/);

    writePredictionFixture(dir);
    const r = await buildReport(loadStudyDir(dir));
    const d = r.model.deployments[0]!;
    const charts = reportCharts(r.model).deployment[0]!;
    assert.deepEqual(charts.map((c) => c.id), ["ensemble-curve", "validation-test", "ensemble-gain-churn"]);
    for (const id of charts.map((c) => c.id)) assert.ok(r.charts.includes(id), id);
    const layer = (c: Chart, name: string) => ((c.spec.layer ?? (c.spec.vconcat as { layer: unknown[] }[]).flatMap((v) => v.layer)) as { name: string; data: { values: Record<string, unknown>[] } }[]).find((l) => l.name === name)!.data.values;
    // Ensemble curve: every variant's mean per k on both sets, in percent.
    const curve = layer(charts[0]!, "mean");
    for (const v of d.analysis!.variants) {
      for (const set of ["validation", "test"] as const) {
        const want = v[set]!.curve.map((p) => [p.k, 100 * p.mean]);
        assert.deepEqual(curve.filter((x) => x.variant === v.variant && x.set === set).map((x) => [x.k, x.mean]), want, `${v.variant} ${set}`);
        assert.equal(want.length, 4);
      }
    }
    assert.match(charts[0]!.caption, /baseline 4 seeds, dropout 4 seeds, wider 4 seeds/);
    // Validation against test: one dot per seed, one diamond per variant.
    assert.deepEqual(layer(charts[1]!, "seeds").map((x) => [x.variant, x.seed, x.validation, x.test]), d.scatter.map((p) => [p.variant, p.seed, 100 * p.validation, 100 * p.test]));
    assert.equal(layer(charts[1]!, "ensembles").length, 3);
    assert.match(charts[1]!.caption, /Spearman ρ = /);
    // Gain with its interval, and churn.
    assert.deepEqual(layer(charts[2]!, "gain").map((x) => [x.variant, x.gain, x.lo]), d.analysis!.variants.map((v) => [v.variant, 100 * v.gain!.estimate, 100 * v.gain!.lo]));
    assert.deepEqual(layer(charts[2]!, "churn").filter((x) => String(x.what).startsWith("mean")).map((x) => x.value), d.analysis!.variants.map((v) => 100 * v.churn!.mean));
    // The table and both choices.
    assert.equal((r.html.match(/<tr data-variant="[a-z]+"><td>[a-z]+<\/td><td>4<\/td>/g) ?? []).length, 6, "a row per variant in the verdict table and in the deployment table");
    assert.match(r.html, new RegExp(`id="choice-ensemble"><b>As an ensemble: ${d.analysis!.ensemble!.variant}</b>`));
    // One wording: the report's ensemble choice reads as the CLI's line (twin compare/seeds/stats/sweep).
    const ensembleHtml = /<p class="choice" id="choice-ensemble">(.*?)<\/p>/.exec(r.html)![1]!.replace(/<\/?b>/g, "").replace(/&#39;/g, "'");
    const cliLine = formatDeployment(d.analysis!).split("\n").find((l) => l.startsWith("as an ensemble:"))!;
    assert.equal(ensembleHtml, cliLine.replace(/^as/, "As"));
    assert.match(ensembleHtml, /^As an ensemble: \w+\. Its ensemble of 4 seeds is the best on validation: \d+\.\d\d pp on validation, \d+\.\d\d pp on test\. Against \w+'s ensemble on test: \d+ examples only \w+'s gets right, \d+ only \w+'s; exact McNemar p = [\d.e-]+ \(these seeds fixed: the uncertainty of the examples only\)\.$/);
    // One unit: accuracies and gains in pp, as the verdict's table; only churn (a share of examples) in %.
    const titles = JSON.stringify(charts.map((c) => c.spec)).match(/"title":"[^"]*\((?:%|pp)\)[^"]*"/g)!;
    assert.deepEqual(titles.sort(), ['"title":"accuracy (pp)"', '"title":"accuracy gain of the full ensemble over the mean seed (pp), 95% interval"', '"title":"examples predicted differently (%)"', '"title":"test accuracy (pp)"', '"title":"validation accuracy (pp)"']);
    assert.match(r.html, /<th colspan="3">validation \(pp\)<\/th><th colspan="3">test \(pp\)<\/th><th rowspan="2">ensemble gain \(pp\) \[95% CI\]<\/th>/);
    assert.doesNotMatch(r.html, /\d% on (validation|test)|\d points/, "no accuracy level in % and no difference in 'points' in the section");
    const single = /<p class="choice" id="choice-single">(.*?)<\/p>/.exec(r.html)![1]!;
    assert.match(single, /^<b>As one seed: \w+<\/b>\. The worst of its 4 seeds is the best worst case on validation, .*95% CI \[/);
    assert.doesNotMatch(single, /[()]/, "plain sentences, no bracketed asides");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
