import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { readResults } from "../../src/study/results-file.ts";
import { analyzeResults } from "../../src/study/analyze.ts";
import { formatVerdict } from "../../src/study/verdict.ts";
import { defaultMetric, describeDirection, isBookkeeping, metricDirection } from "../../src/study/metric-direction.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-verdict-stats-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const csv = (name: string, a: number[], b: number[], seeds = a.map((_, i) => String(i + 10))) => {
  const p = join(dir, name);
  writeFileSync(p, ["variant,seed,acc", ...a.map((v, i) => `a,${seeds[i]},${v}`), ...b.map((v, i) => `b,${seeds[i]},${v}`)].join("\n"));
  return p;
};
const twin = (args: string[]) => spawnSync(process.execPath, ["bin/twin.js", ...args], { encoding: "utf8", timeout: 120_000 });

test("one direction rule: losses, errors and perplexities are lower-is-better, scores higher, flags win", () => {
  for (const m of ["loss", "val/loss", "train_loss", "valLoss", "top1_err", "error_rate", "perplexity", "val/ppl", "wer", "nll", "FID"]) {
    assert.equal(metricDirection(m).higherIsBetter, false, m);
  }
  for (const m of ["accuracy", "val/acc", "top1", "power", "lower_bound_score", "f1", "bleu", "answer_accuracy", "accuracy_error_bar", "reward"]) {
    assert.equal(metricDirection(m).higherIsBetter, true, m);
  }
  assert.deepEqual(metricDirection("loss", { higherIsBetter: true }), { higherIsBetter: true, source: "flag" });
  assert.match(describeDirection(metricDirection("val/loss")), /lower is better \(from its name; --higher-is-better to change\)/);
  for (const m of ["epoch", "step", "global_step", "lr", "train/lr", "learning_rate", "lr-adam", "wall_time", "paired/val/accuracy"]) assert.ok(isBookkeeping(m), m);
  for (const m of ["val/accuracy", "loss", "train/loss"]) assert.ok(!isBookkeeping(m), m);
  assert.equal(defaultMetric(["epoch", "lr", "train/loss", "val/loss", "val/accuracy"]), "val/accuracy");
  assert.equal(defaultMetric(["epoch", "step", "train/loss", "val/loss"]), "val/loss");
  assert.equal(defaultMetric(["epoch", "step", "lr"]), undefined);
  // twin's logs: eval/* is one shared batch, val/* the whole validation set; a test set is never the default over validation.
  assert.equal(defaultMetric(["epoch", "train/loss", "eval/loss", "eval/accuracy", "val/loss", "val/accuracy", "test/accuracy"]), "val/accuracy");
  assert.equal(defaultMetric(["test_accuracy", "val_accuracy"]), "val_accuracy");
  assert.equal(defaultMetric(["test_accuracy", "eval_accuracy"]), "eval_accuracy");
  assert.equal(defaultMetric(["test_loss", "val_loss"]), "val_loss");
});

test("a black swan is named by seed, with the comparison without it, the robust ones and their disagreement", () => {
  // Six seeds: b is better by 0.4–0.6 points except on seed 15, where it collapsed.
  const a = [0.861, 0.872, 0.866, 0.869, 0.858, 0.860, 0.864, 0.870];
  const b = [0.866, 0.877, 0.872, 0.873, 0.864, 0.465, 0.869, 0.875];
  const an = analyzeResults(readResults(csv("swan.csv", a, b)), { metric: "acc" });
  const c = an.comparisons[0]!;
  assert.deepEqual(c.black_swans.map((s) => s.seed), ["15"]);
  assert.ok(c.robust && c.robust.warning && c.robust.disagree, JSON.stringify(c.robust));
  assert.ok(c.robust.without_swans!.p < 0.001 && c.p > 0.05);
  const text = formatVerdict("", an, false);
  assert.match(text, /black swan: seed 15, robust z -\d+/);
  assert.match(text, /robust check: without the swans \+0\.0051, p = .* \(7 pairs\)/);
  assert.match(text, /warning: the plain and robust comparisons disagree/);
});

test("P(B>A) with its exact interval, pairing gain with its interval; no library names in the text", () => {
  const a = [0.861, 0.872, 0.866, 0.869, 0.858, 0.860, 0.864, 0.870, 0.859, 0.868];
  const b = a.map((x, i) => x + 0.004 + 0.001 * ((i * 7) % 3));
  const an = analyzeResults(readResults(csv("gain.csv", a, b)), { metric: "acc" });
  const c = an.comparisons[0]!;
  assert.equal(c.prob_improvement, 1);
  // scipy.stats.binomtest(10, 10).proportion_ci(method="exact").low
  assert.ok(Math.abs(c.prob_improvement_ci![0] - 0.6915028921812097) < 1e-9, String(c.prob_improvement_ci));
  assert.ok(c.pairing_gain_ci && c.pairing_gain_ci[0] > 1);
  const text = formatVerdict("", an, false);
  assert.match(text, /P\(b better than a\) = 1\.00 \(95% CI 0\.69–1\.00\); pairing cut the variance of the difference \d+× \(95% CI \d+(\.\d)?–\d+(\.\d)?×\)/);
  // significant, no swan: the caveat of what 10 clean seeds cannot rule out, in the text and the JSON
  assert.ok(c.p < 0.05 && c.robust && !c.robust.warning, JSON.stringify(c.robust));
  assert.ok(Math.abs(c.robust.unseen_rate! - (1 - Math.pow(0.05, 1 / 10))) < 1e-12);
  assert.match(text, /note: no seed went badly wrong here, but 10 seeds cannot rule out that up to 25\.9% of seeds do \(95% bound\)/);
  assert.deepEqual(c.robust.skew.map((k) => [k.variant, k.skewed]), [[null, false]]);
  const small = analyzeResults(readResults(csv("small.csv", [0.86, 0.87, 0.865], [0.862, 0.866, 0.869])), { metric: "acc" });
  const t = formatVerdict("", small, false);
  assert.doesNotMatch(t, /\w+\(\)/, "no library call names in CLI text");
  assert.doesNotMatch(t, /made .* noisier/, "noisier only when the whole interval says so");
});

test("rank tests say how the p-value was computed; advice gives a range and never says indistinguishable", () => {
  const a = [0.86, 0.87, 0.865, 0.871, 0.862, 0.868];
  const b = [0.862, 0.869, 0.864, 0.873, 0.862, 0.867];
  const p = csv("rank.csv", a, b);
  const w = analyzeResults(readResults(p), { metric: "acc", test: "wilcoxon" });
  assert.match(formatVerdict("", w, false), /b − a .* wilcoxon[^,]*\((exact|normal approximation)\)/i);
  const text = formatVerdict("", analyzeResults(readResults(p), { metric: "acc" }), false);
  assert.match(text, /advice: b: inconclusive against a: .* plan \d+ seeds in all \(range \d+–(\d+|more than \d+) from the uncertainty of the sd; you have 6\)/);
  assert.doesNotMatch(text, /indistinguishable/);
  const eq = analyzeResults(readResults(p), { metric: "acc", smallestDifference: 0.01 });
  assert.equal(eq.comparisons[0]!.reading, "equivalent");
  const wide = analyzeResults(readResults(p), { metric: "acc", smallestDifference: 0.0005 });
  assert.equal(wide.comparisons[0]!.reading, "inconclusive", "an interval wider than the difference that matters is never 'equivalent'");
});

test("every seed the same difference: the JSON's reading says 'no interval', as the text does, never 'equivalent' or a direction", () => {
  // Values exact in binary, so every difference is exactly the same and the interval has no width.
  const a = [0.5, 0.625, 0.75, 0.875, 0.5625, 0.6875];
  const same = csv("same.csv", a, a);
  const v = analyzeResults(readResults(same), { metric: "acc", smallestDifference: 0.01 });
  assert.deepEqual(v.comparisons[0]!.ci, [0, 0]);
  assert.equal(v.comparisons[0]!.reading, "no interval");
  const text = formatVerdict("", v, false);
  assert.match(text, /no interval \(no spread over seeds\)/);
  assert.match(text, /every seed gives the same difference \(\+0\.0000\), inside ±0\.0100, but with no spread over seeds there is no interval to show equivalence/);
  assert.doesNotMatch(text, /equivalent to/);
  const shifted = analyzeResults(readResults(csv("shifted.csv", a, a.map((x) => x + 0.25))), { metric: "acc", smallestDifference: 0.01 });
  assert.deepEqual(shifted.comparisons[0]!.ci, [0.25, 0.25]);
  assert.equal(shifted.comparisons[0]!.reading, "no interval");
  const json = JSON.parse(twin(["stats", same, "--metric", "acc", "--smallest-difference", "0.01", "--json"]).stdout);
  assert.equal(json.comparisons[0].reading, "no interval");
  assert.equal(json.comparisons[0].effect_size, null, "d_z of differences that are all 0 is 0/0: undefined, not 0");
  assert.equal(shifted.comparisons[0]!.effect_size, null);
  assert.match(text, /; effect size d_z n\/a \(no spread\)$/m);
  const spread = analyzeResults(readResults(csv("spread.csv", a, a.map((x, i) => x + [0.25, -0.25][i % 2]!))), { metric: "acc" });
  assert.equal(spread.comparisons[0]!.effect_size, 0, "a mean difference of 0 with spread is a measured d_z of 0");
  assert.match(formatVerdict("", spread, false), /; effect size d_z = 0\.00$/m);
});

test("twin stats: --higher-is-better overrides the name; --smallest-difference is checked", () => {
  const p = join(dir, "loss.csv");
  writeFileSync(p, ["variant,seed,loss", ...[0.5, 0.4, 0.45].map((v, i) => `a,${i},${v}`), ...[0.48, 0.41, 0.43].map((v, i) => `b,${i},${v}`)].join("\n"));
  const r = twin(["stats", p, "--higher-is-better"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /loss, higher is better \(as asked\)/);
  assert.equal(twin(["stats", p, "--smallest-difference", "-1"]).status, 2);
});

test("twin stats: a difference that is constant up to floating-point rounding is said plainly, text and JSON (no t, swan, skew or pairing noise)", () => {
  // Typed as decimals, b − a is 0.09999999999999998 on some seeds and 0.10000000000000009 on others.
  const p = csv("rounding.csv", [0.6, 0.7, 0.8, 0.65, 0.75, 0.55, 0.72, 0.68], [0.7, 0.8, 0.9, 0.75, 0.85, 0.65, 0.82, 0.78]);
  const r = twin(["stats", p]);
  assert.equal(r.status, 0, r.stderr);
  // An accuracy column of fractions prints in percentage points, as twin compare prints it (study/metric-units.ts).
  assert.match(r.stdout, /b − a {2}\+10\.00 pp {2}no interval \(no spread over seeds\) {2}paired sign \(exact\), p = 0\.008/);
  assert.match(r.stdout, /every seed gives the same difference 10\.00 pp up to floating-point rounding \(the computed differences vary by [\d.]+e-\d+ pp/, "the note in the verdict's unit");
  assert.match(r.stdout, /pairing removed all the noise of the difference/);
  assert.doesNotMatch(r.stdout, /p = [\d.]+e-|e\+\d\d|black swan|skewed|warning/);
  const j = twin(["stats", p, "--json"]);
  assert.equal(j.status, 0, j.stderr);
  const c = JSON.parse(j.stdout).comparisons[0];
  assert.equal(c.diff, 0.1);
  assert.deepEqual(c.ci, [0.1, 0.1]);
  assert.equal(c.test, "sign");
  assert.deepEqual(c.black_swans, []);
  assert.equal(c.robust.warning, false);
  assert.equal(c.robust.skew[0].skewed, false);
  assert.equal(c.pairing_gain, null); // infinite: JSON has no Infinity
  // unpaired: each variant one value up to rounding (0.1 + 0.2 next to 0.3)
  const u = join(dir, "rounding-unpaired.csv");
  writeFileSync(u, ["variant,seed,acc", "a,1,0.3", `a,2,${0.1 + 0.2}`, "a,3,0.3", `b,4,${0.1 + 0.2}`, "b,5,0.3", "b,6,0.3"].join("\n"));
  const ru = twin(["stats", u, "--json"]);
  assert.equal(ru.status, 0, ru.stderr);
  const cu = JSON.parse(ru.stdout);
  assert.equal(cu.comparisons[0].p, 1);
  assert.equal(cu.comparisons[0].diff, 0);
  assert.equal(cu.variants[0].sd, 0);
  assert.match(cu.comparisons[0].notes.join(" "), /same value up to floating-point rounding \(p = 1\)/);
});

test("a significant paired p that the skewness-corrected t does not confirm is warned, in the text and the JSON", () => {
  // Right-skewed differences whose mean is negative: the plain t says p = 0.0005, the corrected t p = 0.26.
  const d = [-0.9, -0.7, -0.85, -0.6, -0.95, -0.8, -0.75, 0.4, -0.65, -0.7];
  const a = [0.861, 0.872, 0.866, 0.869, 0.858, 0.860, 0.864, 0.870, 0.859, 0.868];
  const b = a.map((x, i) => Math.round((x + d[i]! / 100) * 1e5) / 1e5);
  const an = analyzeResults(readResults(csv("leans.csv", a, b)), { metric: "acc" });
  const c = an.comparisons[0]!;
  assert.ok(c.p < 0.01 && c.robust!.leans_on_symmetry && c.robust!.warning, JSON.stringify(c.robust));
  assert.equal(c.robust!.skew_corrected!.test, "skewness-corrected t (Johnson–Hall)");
  assert.ok(c.robust!.skew_corrected!.p > 0.2);
  const text = formatVerdict("", an, false);
  assert.match(text, /robust check: .*skew-corrected t p = 0\.2\d/);
  assert.match(text, /the skewness-corrected t \(Johnson 1978, Hall 1992\) gives p = 0\.2\d+ .*leans on the differences being symmetric/);
});

test("the advice quotes the comparison's interval exactly as the comparison line prints it (pp and plain)", () => {
  const a = [0.86, 0.87, 0.865, 0.871, 0.862, 0.868];
  const b = [0.862, 0.869, 0.864, 0.873, 0.862, 0.867];
  const p = csv("advice-interval.csv", a, b);
  for (const percent of [true, false]) {
    const text = formatVerdict("", analyzeResults(readResults(p), { metric: "acc", percent }), percent);
    const line = /b − a .*?95% CI \[([^\]]+)\]/.exec(text);
    const advice = /advice: b: inconclusive against a: the 95% interval \[([^\]]+)\]/.exec(text);
    assert.ok(line && advice, text);
    assert.equal(advice[1]!.replaceAll(" pp", ""), line[1], text);
  }
});
