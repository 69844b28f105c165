// Behaviour of the non-SciPy parts: PRNG, bootstrap, effect sizes, ASO, multiple
// comparisons, power, variance decomposition, black swans, expected max,
// ensembles, sequential design, verdicts.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as s from "../../src/stats/index.ts";

const near = (a: number, b: number, tol: number, msg = ""): void => assert.ok(Math.abs(a - b) <= tol, `${msg} ${a} vs ${b} (tol ${tol})`);

test("xoshiro128**: deterministic, seeds differ, uniform and unbiased integers", () => {
  const a = s.rng(42), b = s.rng(42), c = s.rng(43);
  const xa = Array.from({ length: 5 }, () => a.nextUint32());
  assert.deepEqual(xa, Array.from({ length: 5 }, () => b.nextUint32()));
  assert.notDeepEqual(xa, Array.from({ length: 5 }, () => c.nextUint32()));
  const r = s.rng(1);
  const counts = new Array(7).fill(0);
  let m = 0, m2 = 0;
  const N = 70000;
  for (let i = 0; i < N; i++) { counts[r.nextInt(7)]++; const u = r.nextFloat(); assert.ok(u >= 0 && u < 1); const z = r.nextNormal(); m += z; m2 += z * z; }
  for (const k of counts) near(k, N / 7, 5 * Math.sqrt(N / 7));
  near(m / N, 0, 0.02);
  near(m2 / N, 1, 0.03);
});

test("bootstrap: reproducible by seed, brackets the estimate, warns at small n", () => {
  const x = [0.81, 0.83, 0.82, 0.86, 0.84, 0.8, 0.85, 0.83, 0.87, 0.82, 0.84, 0.81];
  const r1 = s.bootstrapInterval(x, { seed: 3 });
  const r2 = s.bootstrapInterval(x, { seed: 3 });
  assert.deepEqual(r1, r2);
  assert.equal(r1.method, "bootstrap-bca");
  assert.ok(r1.lo < r1.estimate && r1.estimate < r1.hi);
  assert.match(r1.warnings[0]!, /n = 12 values/); // below BOOTSTRAP_MIN_N.bca = 20
  assert.deepEqual(s.bootstrapInterval([...x, ...x], { resamples: 1000 }).warnings, []);
  // close to the t interval for well-behaved data
  const t = s.tInterval(x);
  near(r1.lo, t.lo, 0.003);
  near(r1.hi, t.hi, 0.003);
  const small = s.bootstrapInterval([1, 2, 4], { method: "percentile" });
  assert.match(small.warnings[0]!, /n = 3 .*undercover/);
  assert.equal(s.bootstrapInterval([1, 2, 4, 5, 6], { method: "bca" }).warnings.length, 1);
  const med = s.bootstrapInterval(x, { statistic: "median", method: "percentile", resamples: 2000 });
  assert.equal(med.estimate, s.median(x));
  const p = s.pairedBootstrapInterval([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1.2, 2.1, 3.4, 4.1, 5.3, 6.2, 7.1, 8.4, 9.2, 10.3]);
  assert.ok(p.lo > 0 && p.hi < 0.4);
  const two = s.twoSampleBootstrapInterval(x, x.map((v) => v + 0.02), { method: "percentile" });
  near(two.estimate, 0.02, 1e-12);
  assert.ok(two.lo < 0.02 && two.hi > 0.02);
  const strat = s.stratifiedBootstrapInterval([x, x.map((v) => v * 2)], (g) => s.meanUnchecked(g[0]!) + s.meanUnchecked(g[1]!), { method: "bca" });
  near(strat.estimate, 3 * s.mean(x), 1e-12);
  const constant = s.bootstrapInterval([2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
  assert.equal(constant.lo, 2);
  assert.equal(constant.hi, 2);
});

test("effect sizes", () => {
  const a = [1, 2, 3, 4, 5], b = [2, 3, 4, 5, 7];
  // pooled sd = sqrt((2.5 + 3.7)/2)
  near(s.cohensD(a, b), 1.2 / Math.sqrt(3.1), 1e-14);
  near(s.hedgesG(a, b), (1.2 / Math.sqrt(3.1)) * s.hedgesCorrection(8), 1e-14);
  near(s.hedgesCorrection(8), 1 - 3 / (4 * 8 - 1), 2e-3);
  const pe = s.pairedEffectSizes(a, b);
  near(pe.dz, 1.2 / Math.sqrt(0.2), 1e-12);
  near(pe.dav, 1.2 / ((Math.sqrt(2.5) + Math.sqrt(3.7)) / 2), 1e-12);
  const pi = s.probabilityOfImprovement([1, 2, 3], [2, 3, 4]);
  near(pi.estimate, 7 / 9, 1e-15);
  assert.ok(pi.lo <= pi.estimate && pi.estimate <= pi.hi);
  // P(B > A) equals U_B/(nA nB)
  const u = s.mannWhitneyU([1, 2, 3], [2, 3, 4]);
  near(pi.estimate, u.statistic / 9, 1e-15);
  const pp = s.pairedProbabilityOfImprovement([1, 2, 3, 4], [2, 2, 1, 5]);
  near(pp.estimate, (1 + 0.5 + 0 + 1) / 4, 1e-15);
});

test("almost stochastic order", () => {
  const a = Array.from({ length: 10 }, (_, i) => 0.8 + i * 0.01);
  const b = a.map((v) => v - 0.05);
  assert.equal(s.almostStochasticOrder(a, b).epsMin, 0); // A dominates B everywhere
  assert.equal(s.almostStochasticOrder(b, a).epsMin, 1);
  const sa = Float64Array.from(a), sb = Float64Array.from([0.79, 0.8, 0.84, 0.83, 0.9, 0.85, 0.86, 0.81, 0.82, 0.88]).sort();
  near(s.violationRatio(sa, sb) + s.violationRatio(sb, sa), 1, 1e-12);
  const r = s.almostStochasticOrder(a, [0.79, 0.8, 0.84, 0.83, 0.9, 0.85, 0.86, 0.81, 0.82, 0.88], { seed: 1 });
  assert.ok(r.epsMin >= r.violationRatio && r.sigma > 0);
  assert.deepEqual(r, s.almostStochasticOrder(a, [0.79, 0.8, 0.84, 0.83, 0.9, 0.85, 0.86, 0.81, 0.82, 0.88], { seed: 1 }));
});

test("multiple comparisons are monotone and capped", () => {
  const p = [0.01, 0.04, 0.03, 0.005, 0.2, 0.9];
  for (const f of [s.holm, s.benjaminiHochberg, s.bonferroni]) {
    const adj = f(p);
    const order = p.map((_, i) => i).sort((i, j) => p[i]! - p[j]!);
    for (let k = 1; k < order.length; k++) assert.ok(adj[order[k]!]! >= adj[order[k - 1]!]!);
    adj.forEach((v, i) => assert.ok(v >= p[i]! && v <= 1));
  }
});

test("power, sample size and minimum detectable effect agree", () => {
  const n = s.sampleSize(0.5, 0.4).n;
  assert.ok(s.tTestPower(n, 0.5, 0.4) >= 0.8 && s.tTestPower(n - 1, 0.5, 0.4) < 0.8);
  const mde = s.minimumDetectableEffect(10, 0.4);
  near(s.tTestPower(10, mde, 0.4), 0.8, 1e-9);
  near(s.tTestPower(10, 0, 0.4), 0.05, 1e-12); // power at no effect is alpha
  const plan = s.seedsNeeded({ a: [0.8, 0.82, 0.81, 0.83, 0.8], b: [0.81, 0.83, 0.83, 0.83, 0.82] }, 0.005);
  assert.equal(plan.n, s.sampleSize(0.005, plan.pilotSd).n);
  assert.equal(plan.pilotDf, 4);
  const cons = s.seedsNeeded({ a: [0.8, 0.82, 0.81, 0.83, 0.8], b: [0.81, 0.83, 0.83, 0.83, 0.82] }, 0.005, { conservative: 0.8 });
  assert.ok(cons.n > plan.n && cons.sd > plan.pilotSd);
  assert.throws(() => s.sampleSize(1e-9, 1), /too small to detect/);
});

test("variance decomposition by factor", () => {
  const r = s.rng(5);
  const gen = (sd: number, n: number): number[] => Array.from({ length: n }, () => 0.9 + sd * r.nextNormal());
  const init = gen(0.02, 20), order = gen(0.01, 20), all = gen(Math.sqrt(0.02 ** 2 + 0.01 ** 2), 30);
  const dec = s.varianceDecomposition({ init, order }, all);
  assert.equal(dec.factors.length, 2);
  const [fi, fo] = dec.factors;
  assert.ok(fi!.share > fo!.share);
  assert.ok(fi!.varianceCi[0] < 0.02 ** 2 && 0.02 ** 2 < fi!.varianceCi[1]);
  assert.ok(fi!.shareCi![0] < 0.8 && 0.8 < fi!.shareCi![1]);
  near(dec.interaction!, dec.total - fi!.variance - fo!.variance, 1e-15);
  const noAll = s.varianceDecomposition({ init, order });
  near(noAll.factors[0]!.share + noAll.factors[1]!.share, 1, 1e-12);
  assert.equal(noAll.factors[0]!.shareCi, null);
});

test("black swans: robust z by MAD and ranks", () => {
  const x = [0.86, 0.87, 0.865, 0.872, 0.868, 0.861, 0.5, 0.869];
  const r = s.blackSwans(x);
  assert.deepEqual(r.flagged, [6]);
  assert.equal(r.seeds[6]!.rank, 8);
  assert.equal(r.seeds[3]!.rank, 1);
  near(r.seeds[0]!.z, (0.6744897501960817 * (0.86 - s.median(x))) / s.mad(x), 1e-12);
  const tied = s.blackSwans([1, 1, 1, 1, 2]);
  assert.ok(tied.notes[0]!.includes("MAD is 0"));
});

test("expected maximum over n runs", () => {
  const x = [0.7, 0.9, 0.8, 0.85];
  const c = s.expectedMaxCurve(x);
  near(c[0]!.mean, s.mean(x), 1e-15);
  for (let i = 1; i < c.length; i++) assert.ok(c[i]!.mean >= c[i - 1]!.mean);
  const far = s.expectedMaxCurve(x, { nMax: 200 });
  near(far[199]!.mean, 0.9, 1e-12);
  const low = s.expectedMaxCurve([1, 2, 3], { higherIsBetter: false, nMax: 50 });
  near(low[49]!.mean, 1, 1e-8);
});

test("seed ensembles: averaged probabilities and the size curve", () => {
  const labels = [0, 1, 1];
  const p1: s.Predictions = { data: new Float32Array([0.9, 0.1, 0.6, 0.4, 0.4, 0.6]), shape: [3, 2] };
  const p2: s.Predictions = { data: [0.4, 0.6, 0.2, 0.8, 0.45, 0.55], shape: [3, 2] };
  const p3: s.Predictions = { data: [0.7, 0.3, 0.45, 0.55, 0.7, 0.3], shape: [3, 2] };
  assert.equal(s.ensembleAccuracy([p1], labels), 2 / 3);
  assert.equal(s.ensembleAccuracy([p2], labels), 2 / 3);
  assert.equal(s.ensembleAccuracy([p1, p2], labels), 1);
  const curve = s.ensembleCurve([p1, p2, p3], labels);
  assert.deepEqual(curve.map((c) => c.subsets), [3, 3, 1]);
  near(curve[0]!.mean, (2 / 3 + 2 / 3 + 2 / 3) / 3, 1e-15);
  assert.equal(curve[2]!.mean, s.ensembleAccuracy([p1, p2, p3], labels));
  assert.throws(() => s.ensembleAccuracy([p1, { data: [1, 0], shape: [1, 2] }], labels), /shape/);
  const sampled = s.ensembleCurve([p1, p2, p3, p1, p2, p3], labels, { subsets: 4, seed: 9 });
  assert.equal(sampled[2]!.subsets, 4);
});

test("sequential design: boundaries, decisions, and type-I error by simulation", () => {
  const d = s.sequentialDesign({ looks: [4, 8, 12] });
  near(d.alphaSpent[2]!, 0.05, 1e-12);
  assert.ok(d.zBoundaries[0]! > d.zBoundaries[1]! && d.zBoundaries[1]! > d.zBoundaries[2]!);
  assert.ok(d.tBoundaries[0]! > d.tBoundaries[2]!);
  const one = s.sequentialDesign({ looks: [10] });
  near(one.zBoundaries[0]!, 1.959963984540054, 1e-9);
  // the (independent-seed) simulated type-I error stays at alpha
  for (const design of [d, s.sequentialDesign({ looks: [3, 5, 8, 10], spending: "pocock" })]) {
    const N = 20000;
    const sim = s.sequentialRejectionRate(design, { studies: N, seed: 99 });
    assert.ok(sim.rate <= 0.05 + 3 * Math.sqrt((0.05 * 0.95) / N), `type-I error ${sim.rate}`);
    assert.ok(sim.rate >= 0.05 - 3 * Math.sqrt((0.05 * 0.95) / N), `type-I error ${sim.rate}`);
  }
  const pw = s.sequentialRejectionRate(d, { studies: 2000, seed: 1, effect: 1 });
  assert.ok(pw.rate > 0.8 && pw.meanSeeds < 12);
  const a = [0.8, 0.81, 0.82, 0.83], b = [0.9, 0.92, 0.91, 0.93];
  const dec = s.sequentialPairedTest(a, b, d);
  assert.equal(dec.look, 0);
  assert.equal(dec.decision, "reject");
  const dec2 = s.sequentialPairedTest(a, [0.81, 0.8, 0.83, 0.835], d);
  assert.equal(dec2.decision, "continue");
  assert.throws(() => s.sequentialPairedTest([1, 2, 3, 4, 5], [1, 2, 3, 4, 6], d), /not a planned look/);
});

test("verdicts: paired and unpaired", () => {
  const a = [86.21, 86.9, 87.1, 87.62, 86.8, 87.3, 86.95, 86.9];
  const b = [86.9, 87.2, 87.6, 88.02, 87.1, 87.7, 87.4, 87.1];
  const v = s.comparePaired(a, b);
  assert.equal(v.paired, true);
  assert.equal(v.test, "paired t");
  near(v.diff, s.mean(b) - s.mean(a), 1e-12);
  const iv = s.pairedTInterval(a, b);
  assert.deepEqual(v.ci, [iv.lo, iv.hi]);
  assert.equal(v.p, s.pairedTTest(a, b).p);
  assert.ok(v.pairing!.varianceRatio > 1);
  near(v.pairing!.equivalentUnpairedSeeds, 8 * v.pairing!.estimate, 1e-9);
  assert.equal(v.effect_size.name, "d_z");
  assert.ok(v.prob_improvement.estimate > 0.8);
  for (const test of ["wilcoxon", "sign", "permutation"] as const) {
    const w = s.comparePaired(a, b, { test });
    assert.ok(w.p > 0 && w.p < 0.05, `${test}: ${w.p}`);
  }
  const boot = s.comparePaired(a, b, { interval: "bca" });
  assert.ok(boot.warnings.some((w) => /BCa/.test(w) === false || /bootstrap/.test(w)));
  const u = s.compareUnpaired(a, b);
  assert.equal(u.paired, false);
  assert.equal(u.test, "Welch t");
  assert.equal(u.p, s.welchTTest(a, b).p);
  assert.ok(u.ci[1] - u.ci[0] > v.ci[1] - v.ci[0]);
  assert.equal(s.compareUnpaired(a, b, { test: "mannwhitney" }).test, "Mann–Whitney U");
  const d = s.describe(a);
  assert.deepEqual(Object.keys(d), ["n", "mean", "sd", "se", "min", "max", "median", "iqm", "range"]);
});
