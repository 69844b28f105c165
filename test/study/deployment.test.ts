/**
 * The deployment section: per variant single seeds, ensemble, gain, churn and
 * validation against test; both choices (best ensemble on validation; best
 * worst case, then smallest range) with their uncertainty, on synthetic
 * predictions whose answer is known.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as s from "../../src/stats/index.ts";
import { deploymentAnalysis, formatDeployment, singleSeedSentences, type DeploymentChoice, type VariantPredictions } from "../../src/study/deployment.ts";

/** Seeds of one variant: `skill` raises the true class's logit, `noise` is each seed's own noise; shared examples per set. */
function variant(name: string, seeds: number, skill: number, noise: number, seed: number, withTest = true): VariantPredictions {
  const C = 5;
  const make = (E: number, set: number) => {
    const rng = new s.Xoshiro128(1000 + set); // the same examples for every variant and seed
    const labels = Int32Array.from({ length: E }, () => rng.nextInt(C));
    const base = Float64Array.from({ length: E * C }, () => rng.nextNormal());
    const own = new s.Xoshiro128(seed * 100 + set);
    const preds = Array.from({ length: seeds }, () => {
      const p = new Float64Array(E * C);
      for (let e = 0; e < E; e++) {
        let sum = 0;
        for (let c = 0; c < C; c++) sum += (p[e * C + c] = Math.exp(base[e * C + c]! + (c === labels[e] ? skill : 0) + noise * own.nextNormal()));
        for (let c = 0; c < C; c++) p[e * C + c]! /= sum;
      }
      return { data: p, shape: [E, C] as [number, number] };
    });
    return { labels, preds };
  };
  const val = make(400, 1), tst = make(800, 2);
  return {
    variant: name,
    seeds: val.preds.map((p, i) => ({ seed: String(i), validation: p, ...(withTest ? { test: tst.preds[i]! } : {}) })),
    validationLabels: val.labels,
    seedValidationLabels: val.preds.map(() => val.labels),
    ...(withTest ? { testLabels: tst.labels } : {}),
  };
}

test("the better-skilled variant is chosen both ways; numbers equal the stats functions on the same predictions", () => {
  const good = variant("good", 5, 1.6, 0.8, 1), weak = variant("weak", 5, 0.9, 0.8, 2);
  const d = deploymentAnalysis([weak, good]);
  assert.equal(d.ensemble!.variant, "good");
  assert.equal(d.ensemble!.runnerUp, "weak");
  assert.equal(d.singleSeed!.variant, "good");
  const g = d.variants.find((v) => v.variant === "good")!;
  const testPreds = good.seeds.map((x) => x.test!);
  assert.equal(g.test!.ensemble, s.ensembleAccuracy(testPreds, good.testLabels!));
  assert.deepEqual(g.gain!.estimate, s.ensembleGain(testPreds, good.testLabels!).estimate);
  assert.equal(g.gain!.set, "test");
  assert.ok(g.validationVsTest && g.validationVsTest.points.length === 5);
  const m = d.ensemble!.versusRunnerUp!.mcnemar!;
  assert.ok(m.onlyB > m.onlyA && m.p < 0.05, `good's ensemble beats weak's on test: ${m.onlyB} vs ${m.onlyA}, p ${m.p}`);
  const t = d.singleSeed!.versusRunnerUp!.twoLevel!;
  assert.ok(t.estimate > 0 && t.lo > 0, "the two-level interval of good − weak lies above 0");
  const text = formatDeployment(d);
  assert.match(text, /as an ensemble: good\. Its ensemble of 5 seeds is the best on validation: \d+\.\d\d pp on validation, \d+\.\d\d pp on test\. Against weak's ensemble on test: \d+ examples only good's gets right, \d+ only weak's; exact McNemar p = /);
  const single = text.split("\n").find((l) => l.startsWith("as one seed:"))!;
  assert.match(single, /^as one seed: good\. The worst of its 5 seeds is the best worst case on validation, and its seeds span \d+\.\d\d pp there\. Its worst seed scores \d+\.\d\d pp on validation and \d+\.\d\d pp on test\. Against weak on test, .*CI \[\+\d/);
  assert.doesNotMatch(single, /[()]/, "plain sentences, no bracketed asides");
  assert.match(text, /validation vs test, good \(5 seeds\): Spearman ρ = /);
});

test("a steadier variant wins the single-seed choice; without a test set, or with per-seed splits, the notes say so", () => {
  const steady = variant("steady", 4, 1.2, 0.2, 3), erratic = variant("erratic", 4, 1.25, 2.5, 4);
  const d = deploymentAnalysis([steady, erratic]);
  const st = d.variants.find((v) => v.variant === "steady")!, er = d.variants.find((v) => v.variant === "erratic")!;
  assert.ok(st.validation.range < er.validation.range && st.validation.min > er.validation.min, "the set-up: steady's seeds are closer and its worst is better");
  assert.equal(d.singleSeed!.variant, "steady");
  const noTest = deploymentAnalysis([variant("a", 3, 1.2, 0.5, 5, false), variant("b", 3, 1, 0.5, 6, false)]);
  assert.ok(noTest.notes.some((n) => /no held-out test set/.test(n)));
  assert.equal(noTest.variants[0]!.gain!.set, "validation");
  const split = variant("c", 3, 1.2, 0.5, 7);
  const { validationLabels: _, ...perSeedSplits } = split;
  const d2 = deploymentAnalysis([perSeedSplits, variant("d", 3, 1, 0.5, 8)]);
  assert.ok(Number.isNaN(d2.variants[0]!.validation.ensemble));
  assert.ok(d2.notes.some((n) => /validated on different splits/.test(n)));
  assert.match(d2.ensemble!.note, /best on test/);
});

test("the one-seed choice says where its interval's variance comes from in shares that add up, never 'seeds dominate' with 0% from seeds", () => {
  // Two seeds whose seed part was estimated at 0: the variance is examples plus interaction (each seed's own errors).
  const twoLevel = s.twoLevelDifference([[1, 0, 1, 1], [1, 1, 0, 1]], [[1, 1, 1, 0], [0, 1, 1, 1]], { paired: true });
  const parts = { seeds: 0, examples: 0.0001, interaction: 0.0003 };
  const choice: DeploymentChoice = {
    kind: "single seed", variant: "b", validation: 0.7, test: 0.69, runnerUp: "a",
    versusRunnerUp: { set: "validation", twoLevel: { ...twoLevel, parts, narrowsMore: "more seeds" } },
    note: "as one seed: b.",
  };
  const text = singleSeedSentences(choice).join(" ");
  assert.match(text, /0% of its variance comes from seeds, 25% from the validation examples and 75% from each seed's own errors on each example; more seeds would narrow it more\./);
  assert.doesNotMatch(text, /dominate|test examples/);
  const byExamples = singleSeedSentences({ ...choice, versusRunnerUp: { set: "test", twoLevel: { ...twoLevel, parts: { seeds: 1, examples: 3, interaction: 0 }, narrowsMore: "more test examples" } } }).join(" ");
  assert.match(byExamples, /25% of its variance comes from seeds, 75% from the test examples and 0% from .*; more test examples would narrow it more\./);
  // Two variants right on exactly the same examples for every seed: the interval is [0, 0] and nothing would narrow it.
  const tie = singleSeedSentences({ ...choice, versusRunnerUp: { set: "test", twoLevel: { ...twoLevel, estimate: 0, lo: 0, hi: 0, parts: { seeds: 0, examples: 0, interaction: 0 }, narrowsMore: "more seeds" } } }).join(" ");
  assert.match(tie, /That interval has no width: on every seed the two variants get exactly the same test examples right, so neither more seeds nor more test examples would change it\./);
  assert.doesNotMatch(tie, /would narrow it more|no variance left/);
});

test("two variants with identical predictions: both choices say they tie, and the one-seed interval has no width", () => {
  const a = variant("a", 4, 1.2, 0.7, 3), same = { ...variant("a", 4, 1.2, 0.7, 3), variant: "same" };
  const text = formatDeployment(deploymentAnalysis([a, same]));
  assert.match(text, /as an ensemble: a\. Its ensemble of 4 seeds ties with same's for the best on validation \(equal scores: the one listed first is named\)/);
  assert.match(text, /as one seed: a\. The worst of its 4 seeds ties with same's for the best worst case on validation, with the same span of \d+\.\d\d pp/);
  assert.match(text, /CI \[\+0\.00, \+0\.00\]\. That interval has no width: on every seed the two variants get exactly the same test examples right/);
  assert.doesNotMatch(text, /is the best|would narrow it more/);
});
