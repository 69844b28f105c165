// Honest verdicts when seeds misbehave (issue 11): black-swan detector, robust
// verdict, failure rates, P(B > A) and pairing-gain intervals, planning,
// sequential state, numerics. Small fixed-seed simulations; the full tables
// come from bench/validity.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as s from "../../src/stats/index.ts";

const normals = (r: s.Xoshiro128, n: number, mu = 0, sd = 1): number[] => Array.from({ length: n }, () => mu + sd * r.nextNormal());
/** Upper limit for a rate whose true value is p, from N simulated studies: p + 3 binomial sds. */
const upper = (p: number, N: number): number => p + 3 * Math.sqrt((p * (1 - p)) / N);

test("black-swan detector: at most 5% false alarms on normal seeds at n = 5, 10, 20; the old fixed cut-off fires far more at n = 5", () => {
  const N = 2000;
  for (const n of [5, 10, 20]) {
    const r = s.rng(300 + n);
    let alarms = 0, old = 0;
    for (let k = 0; k < N; k++) {
      const x = normals(r, n, 0.8, 0.01);
      if (s.detectBlackSwans(x).flagged.length > 0) alarms++;
      if (s.blackSwans(x).flagged.length > 0) old++;
    }
    assert.ok(alarms / N <= upper(0.05, N), `n = ${n}: false alarms ${alarms / N}`);
    if (n === 5) assert.ok(old / N > 0.15, `old rule at n = 5 fired on ${old / N}`);
  }
});

test("black-swan detector: finds a diverged seed, names it, and the threshold depends on n", () => {
  const x = [0.81, 0.812, 0.809, 0.811, 0.35, 0.813, 0.808, 0.81];
  const d = s.detectBlackSwans(x);
  assert.deepEqual(d.flagged, [4]);
  assert.ok(d.z[4]! < -d.threshold, "d.z[4]! < -d.threshold");
  assert.ok(s.swanThreshold(5) > s.swanThreshold(20), "s.swanThreshold(5) > s.swanThreshold(20)");
  assert.ok(s.swanThreshold(5, 0.01) > s.swanThreshold(5, 0.1), "s.swanThreshold(5, 0.01) > s.swanThreshold(5, 0.1)");
  assert.ok(Number.isFinite(s.swanThreshold(500)) && s.swanThreshold(500) > s.swanThreshold(100), "Number.isFinite(s.swanThreshold(500)) && s.swanThreshold(500) > s.swanThreshold(100)");
  assert.throws(() => s.detectBlackSwans([1, 2]), /stats\.detectBlackSwans: needs at least 3/);
  assert.throws(() => s.detectBlackSwans([1, 2, 3], { falseAlarm: 0.2 as s.SwanFalseAlarm }), /falseAlarm must be one of/);
  const tied = s.detectBlackSwans([0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.91, 0.1]);
  assert.deepEqual(tied.flagged, [8]);
  assert.match(tied.notes[0]!, /MAD = 0/);
});

test("robust verdict: plain, without swans, trimmed and exact lines; warning and disagreement", () => {
  const a = [0.80, 0.81, 0.79, 0.82, 0.80, 0.81, 0.80, 0.79, 0.81, 0.80];
  const b = a.map((v, i) => v + 0.01 + (i % 3) * 0.002);
  b[6] = 0.1; // seed 6 of b diverged to a very bad value
  const v = s.robustVerdict(a, b);
  assert.equal(v.paired, true);
  assert.deepEqual(v.swans.map((x) => x.index), [6]);
  assert.equal(v.warning, true);
  assert.ok(v.plain && !v.plain.significant, "the swan hides the improvement from the plain t-test");
  assert.ok(v.withoutSwans && v.withoutSwans.significant && v.withoutSwans.n === 9, "v.withoutSwans && v.withoutSwans.significant && v.withoutSwans.n === 9");
  assert.ok(v.robust && v.robust.significant && v.robust.estimate > 0, "v.robust && v.robust.significant && v.robust.estimate > 0");
  assert.ok(v.exact && v.exact.method === "exact", "v.exact && v.exact.method === 'exact'");
  assert.equal(v.disagree, true);
  assert.match(v.reasons.join(" "), /black swan: seed 6/);
  assert.match(v.reasons.join(" "), /disagree/);
  const clean = s.robustVerdict([1, 2, 3, 4, 5, 6], [1.5, 2.4, 3.6, 4.5, 5.4, 6.6]);
  assert.equal(clean.swans.length, 0);
  assert.equal(clean.withoutSwans, null);
  assert.equal(clean.warning, clean.disagree);
  const un = s.robustVerdict([1, 1.2, 0.9, 1.1, 1.0], [1.5, 1.6, 1.4, -30, 1.5, 1.55], { paired: false });
  assert.deepEqual(un.swans, [{ where: "b", index: 3, z: un.swans[0]!.z }]);
  assert.throws(() => s.robustVerdict([1, 2], [1, 2]), /stats\.robustVerdict: needs at least 3/);
  assert.throws(() => s.robustVerdict([1, 2, 3], [1, 2]), /stats\.robustVerdict: paired samples/);
});

test("failure rates: Clopper–Pearson, exact McNemar when seeds are shared, Fisher otherwise", () => {
  const f = s.failureRate(0, 10);
  assert.equal(f.ci[0], 0);
  assert.ok(Math.abs(f.ci[1] - (1 - Math.pow(0.025, 1 / 10))) < 1e-12, "Math.abs(f.ci[1] - (1 - Math.pow(0.025, 1 / 10))) < 1e-12");
  const p = s.compareFailureRates({ aFailed: [false, false, false, false, false, false], bFailed: [true, false, true, false, false, false] });
  assert.equal(p.paired, true);
  assert.equal(p.test.test, "exact McNemar");
  assert.ok(Math.abs(p.test.p - 0.5) < 1e-12, "Math.abs(p.test.p - 0.5) < 1e-12");
  assert.equal(p.b.failures, 2);
  const u = s.compareFailureRates({ a: { failures: 0, n: 10 }, b: { failures: 6, n: 10 } });
  assert.equal(u.test.test, "Fisher exact");
  assert.ok(u.test.p < 0.05, "u.test.p < 0.05");
  assert.throws(() => s.failureRate(3, 2), /stats\.failureRate: 3 failures out of 2 runs/);
  assert.throws(() => s.compareFailureRates({ aFailed: [true], bFailed: [true, false] }), /stats\.compareFailureRates: paired failure flags/);
});

test("P(B > A) intervals cover ≥ 93% (paired and unpaired, n = 5 and 10, true 0.84 and 0.98)", () => {
  const N = 1000;
  for (const n of [5, 10]) {
    for (const theta of [0.84, 0.98]) {
      const r = s.rng(Math.round(theta * 1000) + n);
      const shiftPaired = s.normalQuantile(theta); // P(D > 0) for D ~ N(shift, 1)
      const shiftUnpaired = Math.SQRT2 * s.normalQuantile(theta); // P(B > A) for B − A ~ N(shift, 2)
      let cp = 0, cu = 0;
      for (let k = 0; k < N; k++) {
        const a = normals(r, n);
        const b = a.map((v) => v + shiftPaired + r.nextNormal());
        const ip = s.pairedImprovementInterval(a, b);
        if (ip.lo <= theta && theta <= ip.hi) cp++;
        const iu = s.improvementInterval(normals(r, n), normals(r, n, shiftUnpaired));
        if (iu.lo <= theta && theta <= iu.hi) cu++;
      }
      assert.ok(cp / N >= 0.93, `paired n = ${n}, θ = ${theta}: ${cp / N}`);
      assert.ok(cu / N >= 0.92, `unpaired n = ${n}, θ = ${theta}: ${cu / N}`);
    }
  }
});

test("pairing gain: interval covers ≈ 95% at ρ = 0.5 and 0.9 (n = 5, 10); estimate less biased than the plain ratio", () => {
  const N = 1000;
  for (const rho of [0.5, 0.9]) {
    const gain = 1 / (1 - rho);
    for (const n of [5, 10]) {
      const r = s.rng(Math.round(rho * 100) + n);
      let cover = 0, sumEst = 0, sumRatio = 0;
      for (let k = 0; k < N; k++) {
        const z = normals(r, n);
        const a = z.map((v) => 10 + v);
        const b = z.map((v) => 10 + rho * v + Math.sqrt(1 - rho * rho) * r.nextNormal());
        const g = s.pairingGainInterval(a, b);
        if (g.ci![0] <= gain && gain <= g.ci![1]) cover++;
        sumEst += g.estimate; sumRatio += g.ratio;
      }
      assert.ok(cover / N >= 0.93 && cover / N <= 0.97, `ρ = ${rho}, n = ${n}: coverage ${cover / N}`);
      assert.ok(Math.abs(sumEst / N - gain) < Math.abs(sumRatio / N - gain), `ρ = ${rho}, n = ${n}: bias`);
    }
  }
  const flat = s.pairingGainInterval([1, 2, 3], [2, 3, 4]);
  assert.equal(flat.ci, null);
});

test("pairing gain: the estimate stays inside its own interval when a black swan is present", () => {
  // seed 0 of b diverged 10 below: s and d are strongly correlated, the plain bias correction lands below the interval
  const a = [4.685, 6.542, 6.046, 6.04, 5.396];
  const b = [-5.208, 6.957, 6.103, 6.325, 5.487];
  const g = s.pairingGainInterval(a, b);
  assert.ok(g.ci, "interval");
  assert.ok(g.ci[0] <= g.estimate && g.estimate <= g.ci[1], `estimate ${g.estimate} outside [${g.ci[0]}, ${g.ci[1]}]`);
  assert.equal(g.estimate, g.ci[0]);
  assert.match(g.notes.join(" "), /fell outside its interval/);
  // many random studies with a swan in a third of them: never outside
  const r = s.rng(3);
  for (let k = 0; k < 2000; k++) {
    const n = [5, 6, 8, 10][k % 4]!;
    const x = normals(r, n).map((v) => 5 + v);
    const y = x.map((v) => v + 0.3 * r.nextNormal());
    if (k % 3 === 0) y[0] = y[0]! - 10;
    const h = s.pairingGainInterval(x, y);
    assert.ok(h.ci && h.ci[0] <= h.estimate && h.estimate <= h.ci[1], `study ${k}: ${h.estimate} vs [${h.ci}]`);
  }
});

test("planning: range from the sd's interval, plan from its upper bound; readInterval never calls a wide interval equivalent", () => {
  const a = [0.80, 0.81, 0.79, 0.82, 0.80];
  const b = [0.805, 0.818, 0.796, 0.83, 0.804];
  const p = s.planSeeds({ a, b }, 0.005);
  assert.ok(p.range[0] <= p.nMedian && p.nMedian <= p.n && p.n <= p.range[1], "p.range[0] <= p.nMedian && p.nMedian <= p.n && p.n <= p.range[1]");
  assert.ok(p.sdInterval[0] < p.pilotSd && p.pilotSd < p.sdInterval[1], "p.sdInterval[0] < p.pilotSd && p.pilotSd < p.sdInterval[1]");
  const huge = s.planSeeds({ a, b }, 1e-6);
  assert.equal(huge.capped, true);
  assert.equal(huge.n, Infinity);
  assert.throws(() => s.planSeeds({ a, b }, 0), /stats\.planSeeds: effect must be the non-zero difference that matters/);
  assert.equal(s.readInterval([-0.3, 0.4], 0.1), "inconclusive");
  assert.equal(s.readInterval([-0.05, 0.08], 0.1), "equivalent");
  assert.equal(s.readInterval([0.02, 0.4], 0.1), "higher");
  assert.equal(s.readInterval([-0.4, -0.2], 0.1), "lower");
});

test("sequential study: state survives JSON, refuses unplanned looks, type-I error ≤ 5.5% under normal nulls", () => {
  const start = s.sequentialStart({ looks: [4, 8, 12] });
  const r = s.rng(77);
  const a = normals(r, 12), b = normals(r, 12, 3);
  const json = JSON.parse(JSON.stringify(start)) as s.SequentialState;
  assert.throws(() => s.sequentialUpdate(json, a.slice(0, 5), b.slice(0, 5)), /5 seeds is not a planned look/);
  const first = s.sequentialUpdate(json, a.slice(0, 4), b.slice(0, 4));
  assert.equal(first.state.history.length, 1);
  assert.equal(json.history.length, 0, "the input state is not modified");
  const later = s.sequentialUpdate(JSON.parse(JSON.stringify(first.state)), a, b);
  assert.ok(later.state.status !== "running", "later.state.status !== 'running'");
  assert.throws(() => s.sequentialUpdate(later.state, a, b), /already decided/);
  let rejections = 0;
  const N = 3000;
  for (let k = 0; k < N; k++) {
    const x = normals(r, 12), y = normals(r, 12);
    let st = start;
    for (const n of st.looks) {
      const u = s.sequentialUpdate(st, x.slice(0, n), y.slice(0, n));
      st = u.state;
      if (st.status !== "running") break;
    }
    if (st.status === "rejected") rejections++;
  }
  assert.ok(rejections / N <= upper(0.055, N), `type-I error ${rejections / N}`);
});

test("numerics: values from 1e-300 to 1e300 give the same p as values near 1", () => {
  const a = [1, 2, 3, 4.5, 5], b = [1.4, 2.2, 3.9, 4.6, 5.8];
  const ref = s.pairedTTest(a, b).p, refW = s.welchTTest(a, b).p, refY = s.yuenTest(a, b).p, refG = s.pairingGainInterval(a, b).estimate;
  for (const scale of [1e-300, 1e-170, 1e200, 1e300]) {
    const sa = a.map((v) => v * scale), sb = b.map((v) => v * scale);
    const near = (x: number, y: number, what: string): void => assert.ok(Number.isFinite(x) && Math.abs(x - y) <= 1e-9 * Math.abs(y), `${what} at ${scale}: ${x} vs ${y}`);
    near(s.pairedTTest(sa, sb).p, ref, "paired t");
    near(s.welchTTest(sa, sb).p, refW, "Welch");
    near(s.yuenTest(sa, sb).p, refY, "Yuen");
    near(s.pairingGainInterval(sa, sb).estimate, refG, "pairing gain");
    near(s.comparePaired(sa, sb).p, ref, "comparePaired");
    near(s.sd(sa) / scale, s.sd(a), "sd");
    const iv = s.pairedTInterval(sa, sb);
    assert.ok(Number.isFinite(iv.lo) && Number.isFinite(iv.hi) && iv.hi > iv.lo, `interval at ${scale}`);
  }
});

test("verdict under nulls (small version of bench/validity.ts): 'p < 0.05 with no warning' ≤ 5% for normal and t3 seeds, and whenever a swan is in the sample", () => {
  const N = 600, n = 10;
  const r = s.rng(4242);
  let quietNormal = 0, quietT3 = 0, withSwan = 0, quietSwan = 0;
  for (let k = 0; k < N; k++) {
    const a = normals(r, n);
    const b = a.map((v) => v + r.nextNormal());
    const v = s.robustVerdict(a, b, { seed: k });
    if (v.plain!.significant && !v.warning) quietNormal++;
    const t3 = a.map((v0) => { const z = r.nextNormal(), c = [r.nextNormal(), r.nextNormal(), r.nextNormal()]; return v0 + z / Math.sqrt((c[0]! ** 2 + c[1]! ** 2 + c[2]! ** 2) / 3); });
    const w = s.robustVerdict(a, t3, { seed: k });
    if (w.plain!.significant && !w.warning) quietT3++;
    // 10% of B's seeds diverge 10 sd below; the others are 10/9 sd better, so the mean difference is 0
    let swan = false;
    const sw = a.map((v0) => { const isSwan = r.nextFloat() < 0.1; swan ||= isSwan; return v0 + r.nextNormal() + (isSwan ? -10 : 10 / 9); });
    if (swan) {
      withSwan++;
      const x = s.robustVerdict(a, sw, { seed: k });
      if (x.plain!.significant && !x.warning) quietSwan++;
    }
  }
  assert.ok(quietNormal / N <= upper(0.05, N), `normal: ${quietNormal / N}`);
  assert.ok(quietT3 / N <= upper(0.05, N), `t3: ${quietT3 / N}`);
  assert.ok(quietSwan / withSwan <= upper(0.05, withSwan), `swan in the sample: ${quietSwan / withSwan}`);
});

test("verdict under a skewed null (lognormal differences, 20 seeds): the skew check keeps 'p < 0.05 with no warning' ≤ 5%", () => {
  const N = 400, n = 20;
  const r = s.rng(4343);
  let plain = 0, quiet = 0;
  for (let k = 0; k < N; k++) {
    const a = normals(r, n);
    const b = a.map((v) => v + Math.exp(r.nextNormal()) - Math.exp(0.5));
    const v = s.robustVerdict(a, b, { seed: k });
    if (v.plain!.significant) { plain++; if (!v.warning) quiet++; }
  }
  assert.ok(plain / N > 0.07, `the plain t-test is misled here: ${plain / N}`);
  assert.ok(quiet / N <= upper(0.05, N), `lognormal: ${quiet / N}`);
});

test("verdicts carry the robust comparison, the exact P(B > A) interval and the pairing-gain interval", () => {
  const a = [0.80, 0.81, 0.79, 0.82, 0.80];
  const b = [0.82, 0.83, 0.81, 0.84, 0.825];
  const v = s.comparePaired(a, b);
  assert.equal(v.prob_improvement.method, "clopper-pearson-signs");
  assert.equal(v.prob_improvement.estimate, 1);
  assert.ok(v.prob_improvement.ci[0] > 0.4 && v.prob_improvement.ci[0] < 0.5 && v.prob_improvement.ci[1] === 1, "v.prob_improvement.ci[0] > 0.4 && v.prob_improvement.ci[0] < 0.5 && v.prob_improvement.ci[1] === 1");
  assert.ok(v.robust && v.robust.restsOnNormality && v.robust.warning, "5 seeds: p < 0.05 rests on normality");
  assert.match(v.robust!.reasons.join(" "), /rests on the normality assumption/);
  assert.ok(v.pairing!.ci && v.pairing!.ci[0] < v.pairing!.estimate, "v.pairing!.ci && v.pairing!.ci[0] < v.pairing!.estimate");
  const u = s.compareUnpaired(a, b);
  assert.equal(u.prob_improvement.method, "newcombe-score-t");
  assert.ok(u.robust && u.robust.paired === false, "u.robust && u.robust.paired === false");
  assert.equal(s.comparePaired([1, 2], [2, 3.5]).robust, undefined);
});

test("planSeeds keeps its promise: from 5-seed pilots at least half of the plans reach 80% power (the plain pilot sd does not)", () => {
  const N = 400, effect = 1; // true sd 1: 10 seeds needed
  const r = s.rng(99);
  let reach = 0, reachPlain = 0;
  for (let k = 0; k < N; k++) {
    const a = normals(r, 5);
    const b = a.map((v) => v + effect + r.nextNormal());
    if (s.tTestPower(s.planSeeds({ a, b }, effect).n, effect, 1) >= 0.8) reach++;
    if (s.tTestPower(s.seedsNeeded({ a, b }, effect).n, effect, 1) >= 0.8) reachPlain++;
  }
  assert.ok(reach / N >= 0.7, `planSeeds: ${reach / N}`);
  assert.ok(reachPlain / N < 0.55, `plain pilot sd: ${reachPlain / N}`);
});

test("numerics: rank, permutation, robust and unpaired verdicts and plans stay finite from 1e-300 to 1e300", () => {
  const a = [1, 2, 3, 4.5, 5, 2.2], b = [1.4, 2.2, 3.9, 4.6, 5.8, 2.1];
  for (const scale of [1e-300, 1e300]) {
    const sa = a.map((v) => v * scale), sb = b.map((v) => v * scale);
    assert.equal(s.wilcoxonSignedRank(sa, sb).p, s.wilcoxonSignedRank(a, b).p, `Wilcoxon at ${scale}`);
    assert.equal(s.mannWhitneyU(sa, sb).p, s.mannWhitneyU(a, b).p, `Mann–Whitney at ${scale}`);
    assert.ok(Math.abs(s.pairedPermutationTest(sa, sb).p - s.pairedPermutationTest(a, b).p) < 1e-12, `sign-flip test at ${scale}`);
    assert.ok(Math.abs(s.permutationTest(sa, sb).p - s.permutationTest(a, b).p) < 1e-12, `permutation test at ${scale}`);
    const v = s.robustVerdict(sa, sb);
    assert.ok(v.plain && Number.isFinite(v.plain.p) && v.robust && Number.isFinite(v.robust.p), `robust verdict at ${scale}`);
    const u = s.compareUnpaired(sa, sb);
    assert.ok(Math.abs(u.p - s.compareUnpaired(a, b).p) < 1e-9, `unpaired at ${scale}`);
    assert.ok(Number.isFinite(u.effect_size.value), `effect size at ${scale}`);
    assert.equal(s.planSeeds({ a: sa, b: sb }, 0.5 * scale).n, s.planSeeds({ a, b }, 0.5).n, `plan at ${scale}`);
  }
});

test("exact conditional rank tests with ties: a small group against many tied runs, groups swapped, and the 4-pair case of issue 11", () => {
  const r = s.rng(3);
  const a = Array.from({ length: 6 }, () => Math.round(r.nextNormal() * 3) / 3);
  const b = Array.from({ length: 80 }, () => Math.round((r.nextNormal() + 0.3) * 3) / 3);
  const x = s.mannWhitneyU(a, b), y = s.mannWhitneyU(b, a);
  assert.equal(x.method, "exact");
  assert.match(x.methodDetail!, /exact conditional/);
  assert.ok(Math.abs(x.p - y.p) < 1e-12, `swap: ${x.p} vs ${y.p}`);
  const big = s.mannWhitneyU(b.slice(0, 45), b.slice(30, 80));
  assert.equal(big.method, "asymptotic", "95 tied runs in groups over 8: normal approximation");
  // 4 pairs with tied differences: the smallest p a 4-pair signed-rank test can give is 0.125
  const w = s.wilcoxonSignedRank([0.80, 0.81, 0.82, 0.83], [0.82, 0.83, 0.83, 0.84]);
  assert.equal(w.method, "exact");
  assert.ok(w.p >= 0.125, `p = ${w.p}`);
});
