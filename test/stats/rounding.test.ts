import { test } from "node:test";
import assert from "node:assert/strict";
import * as s from "../../src/stats/index.ts";

// b = a + 0.1 on every seed, typed as decimals: 0.7 − 0.6 = 0.09999999999999998, 0.8 − 0.7 = 0.10000000000000009, …
const A = [0.6, 0.7, 0.8, 0.65, 0.75, 0.55, 0.72, 0.68];
const B = [0.7, 0.8, 0.9, 0.75, 0.85, 0.65, 0.82, 0.78];
// b equals a on every seed, but b was computed: 0.1 + 0.2 = 0.30000000000000004
const Z = [0.3, 0.6, 0.9, 1.2, 0.7, 0.5];
const ZB = [0.1 + 0.2, 0.2 + 0.4, 0.4 + 0.5, 0.6 + 0.6, 0.3 + 0.4, 0.2 + 0.3];

test("rounding: the unit follows the inputs' format, the tolerance their scale, constants read as short decimals", () => {
  assert.notEqual(B[1]! - A[1]!, B[0]! - A[0]!); // the premise: the differences are not bit-equal
  assert.equal(s.roundingUnit(A, B), 2 ** -53);
  assert.equal(s.roundingUnit(A.map(Math.fround)), 2 ** -24);
  assert.equal(s.roundingUnit([1, 2, 3]), 2 ** -53); // integers are exact in both formats
  // One run read at float32 (its event files, its metrics.jsonl damaged) beside runs read at float64: float32's unit.
  assert.equal(s.roundingUnit([0.6934, 0.7021], [Math.fround(0.6934), 0.7021]), 2 ** -24);
  assert.equal(s.roundingTolerance([0.3, -2]), 16 * 2 ** -53 * 2);
  assert.equal(s.roundingTolerance([0.5, -2]), 16 * 2 ** -24 * 2); // both float32 numbers
  assert.equal(s.shortestWithin(0.09999999999999998, 1e-15), 0.1);
  assert.equal(s.shortestWithin(0.123456, 1e-15), 0.123456);
  assert.equal(s.shortestWithin(5e-17, 1e-15), 0);
  const c = s.withoutRounding([0.3, 0.1 + 0.2, 0.3]);
  assert.ok(c.constant && c.roundingOnly);
  assert.equal(c.value, 0.3);
  assert.deepEqual(Array.from(c.values), [0.3, 0.3, 0.3]);
  const exact = s.withoutRounding([2, 2, 2]);
  assert.ok(exact.constant && !exact.roundingOnly);
  const d = s.pairedDifferencesWithoutRounding(A, B);
  assert.ok(d.constant && d.roundingOnly);
  assert.equal(d.value, 0.1);
});

test("rounding: real variation is kept — a spread of 1e-12 in float64 values, or one example in 10^6 in float32", () => {
  const a = [0.5, 0.6, 0.7, 0.8];
  const b = a.map((x, i) => x + 0.1 + i * 1e-12);
  assert.ok(!s.pairedDifferencesWithoutRounding(a, b).constant);
  assert.equal(s.comparePaired(a, b).test, "paired t");
  const fa = [0.5, 0.6, 0.7, 0.8].map(Math.fround);
  const fb = fa.map((x, i) => Math.fround(x + 0.1 + (i % 2) * 1e-6));
  assert.ok(!s.pairedDifferencesWithoutRounding(fa, fb).constant);
  assert.ok(!s.withoutRounding([0.7, 0.7 + 1e-12, 0.7]).constant);
});

test("paired verdict: a constant difference up to rounding is reported as the constant, with no t, swan, skew or pairing noise", () => {
  const v = s.comparePaired(A, B);
  assert.equal(v.diff, 0.1);
  assert.deepEqual(v.ci, [0.1, 0.1]);
  assert.equal(v.test, "sign");
  assert.ok(Math.abs(v.p - 2 / 256) < 1e-15); // the exact sign test: 8 of 8 seeds up
  assert.match(v.notes.join(" "), /same difference 0\.1 up to floating-point rounding/);
  assert.ok(v.robust);
  assert.deepEqual(v.robust.swans, []);
  assert.equal(v.robust.skewed, false);
  assert.equal(v.robust.skew[0]!.skewness, 0);
  assert.equal(v.robust.warning, false);
  assert.equal(v.robust.plain, null);
  assert.equal(v.pairing!.varianceRatio, Infinity); // pairing removed all the variance: not 4.9e30
  assert.equal(v.pairing!.ci, null);
  assert.equal(v.effect_size.value, Infinity);
  assert.deepEqual(v.prob_improvement.ci, [s.clopperPearson(8, 8, 0.95)[0], 1]);
  assert.equal(v.prob_improvement.estimate, 1);
  // the same with values logged as float32 (0.7f − 0.6f vs 0.8f − 0.7f differ by 6e-8)
  const f = s.comparePaired(A.map(Math.fround), B.map(Math.fround));
  assert.equal(f.test, "sign");
  assert.equal(f.diff, 0.1);
  assert.equal(f.robust!.warning, false);
});

test("paired verdict: b = a up to rounding (0.1 + 0.2 vs 0.3) is identical results, p = 1, every seed a tie", () => {
  const v = s.comparePaired(Z, ZB);
  assert.equal(v.p, 1);
  assert.equal(v.test, "none");
  assert.equal(v.diff, 0);
  assert.deepEqual(v.ci, [0, 0]);
  assert.match(v.notes.join(" "), /are 0 up to floating-point rounding/);
  assert.equal(v.prob_improvement.estimate, 0.5);
  const pi = s.pairedImprovementInterval(Z, ZB);
  assert.deepEqual([pi.lo, pi.hi], [0, 1]);
  assert.throws(() => s.signTest(Z, ZB), /all 6 differences b − a are zero/);
  assert.throws(() => s.wilcoxonSignedRank(Z, ZB), /all 6 differences b − a are zero/);
  // one seed tied by rounding among real differences counts as a tie, not a win
  const a = [0.3, 0.5, 0.6, 0.4], b = [0.1 + 0.2, 0.52, 0.65, 0.43];
  const t = s.comparePaired(a, b);
  assert.match(t.notes.join(" "), /1 seed\(s\) give b = a up to floating-point rounding: counted as ties/);
  assert.equal(t.prob_improvement.estimate, 3.5 / 4);
  assert.ok(Math.abs(s.signTest(a, b).p - 0.25) < 1e-15); // 3 of 3 non-tied seeds up
});

test("library functions called directly see no rounding noise: t-tests, robust verdict, pairing gain, swans, skew, plans", () => {
  assert.throws(() => s.pairedTTest(A, B), /identical \(equal up to floating-point rounding, all 0\.1\).*t statistic is undefined/);
  assert.throws(() => s.welchTTest([0.3, 0.1 + 0.2, 0.3], [0.4, 0.1 + 0.3, 0.4]), /identical \(a: equal up to floating-point rounding, all 0\.3; b: all equal to 0\.4\)/);
  assert.throws(() => s.oneSampleTTest([0.3, 0.1 + 0.2, 0.3]), /identical/);
  assert.throws(() => s.trimmedPairedTest(A, B), /zero winsorized spread/);
  const rv = s.robustVerdict(A, B);
  assert.deepEqual(rv.swans, []);
  assert.equal(rv.skewed, false);
  assert.equal(rv.warning, false);
  assert.equal(rv.exact!.estimate, 0.1);
  const d = A.map((x, i) => B[i]! - x);
  assert.deepEqual(s.detectBlackSwans(d).flagged, []);
  assert.match(s.detectBlackSwans(d).notes.join(" "), /same value up to floating-point rounding/);
  assert.equal(s.detectSkew(d).skewness, 0);
  assert.equal(s.sampleSkewness(d), 0);
  const g = s.pairingGainInterval(A, B);
  assert.equal(g.estimate, Infinity);
  assert.equal(g.ci, null);
  assert.match(g.notes.join(" "), /do not vary at all/);
  const pg = s.pairingGain(A, B);
  assert.equal(pg.varianceRatio, Infinity);
  assert.deepEqual(s.pairedEffectSizes(A, B).dz, Infinity);
  assert.throws(() => s.planSeeds({ a: A, b: B }, 0.01), /zero spread \(sd = 0, or only floating-point rounding\)/);
  const design = s.sequentialDesign({ looks: [4, 8], calibration: "nominal" });
  const look = s.sequentialPairedTest(A, B, design);
  assert.equal(look.t, Infinity);
  assert.match(look.notes.join(" "), /identical, up to floating-point rounding/);
});

test("unpaired verdict: runs that vary only by rounding are constants; equal constants are identical results", () => {
  const a = [0.3, 0.1 + 0.2, 0.3, 0.3], b = [0.4, 0.1 + 0.3, 0.4, 0.2 + 0.2];
  const v = s.compareUnpaired(a, b);
  assert.equal(v.diff, 0.1);
  assert.deepEqual(v.ci, [0.1, 0.1]);
  assert.equal(v.test, "permutation");
  assert.equal(v.a.sd, 0);
  assert.equal(v.b.range, 0);
  assert.match(v.notes.join(" "), /same value on every run up to floating-point rounding \(0\.3 and 0\.4\)/);
  assert.equal(v.robust!.warning, false);
  const same = s.compareUnpaired(a, [0.3, 0.3, 0.2 + 0.1, 0.1 + 0.2]);
  assert.equal(same.p, 1);
  assert.equal(same.diff, 0);
  assert.equal(same.prob_improvement.estimate, 0.5);
  // one variant constant up to rounding, the other varies: Welch on the other's spread, no swan in the constant one
  const one = s.compareUnpaired(a, [0.4, 0.5, 0.45, 0.41]);
  assert.equal(one.test, "Welch t");
  assert.deepEqual(one.robust!.swans, []);
  assert.equal(one.robust!.skewed, false);
  assert.match(one.notes.join(" "), /every run of a gives 0\.3 up to floating-point rounding/);
  assert.equal(s.describe(a).sd, 0);
});

test("paired verdict: one run read at float32 beside identical runs read at float64 ties with them (a damaged metrics.jsonl read from its event files)", () => {
  const a = [0.6934, 0.7021, 0.6655, 0.7189, 0.6901];
  const b = [...a];
  b[1] = Math.fround(b[1]!); // this seed's run came from its TensorBoard event files
  const d = s.pairedDifferencesWithoutRounding(a, b);
  assert.ok(d.constant && d.roundingOnly, "float32's rounding of one run is not a difference");
  assert.equal(d.value, 0);
  const v = s.comparePaired(a, b);
  assert.equal(v.diff, 0);
  assert.deepEqual(v.ci, [0, 0]);
  // A short decimal both formats hold (0.75) does not make float64 values coarse: 1e-12 of real spread is kept.
  const c = [0.75, 0.6, 0.7, 0.8], e = c.map((x, i) => x + 0.1 + i * 1e-12);
  assert.equal(s.roundingUnit(c, e), 2 ** -53);
  assert.ok(!s.pairedDifferencesWithoutRounding(c, e).constant);
});

test("paired verdict: nine seeds with one difference up to the training's own rounding beside a black swan are nine equal differences", () => {
  // Each run accumulates its metric over 40 steps (as a training loop does); "wide" adds the same 0.0005 a step,
  // so b − a is the same on every seed but for the last bits of the arithmetic, except seed 7, which collapsed.
  const run = (seed: number, extra: number): number => {
    let acc = 0.5, x = seed + 1;
    for (let step = 0; step < 40; step++) {
      x = (x * 16807) % 2147483647;
      acc += (0.9 - acc) * 0.1 + (x / 2147483647 - 0.5) * 0.008 + extra;
    }
    return acc;
  };
  const a = Array.from({ length: 10 }, (_, seed) => run(seed, 0));
  const b = Array.from({ length: 10 }, (_, seed) => (seed === 7 ? 0.1 : run(seed, 0.0005)));
  const raw = b.map((v, i) => v - a[i]!).filter((_, i) => i !== 7);
  assert.ok(new Set(raw).size > 1, "the premise: the nine differences are not bit-equal");
  const d = s.pairedDifferencesWithoutRounding(a, b).values;
  assert.equal(new Set(Array.from(d).filter((_, i) => i !== 7)).size, 1);
  const v = s.robustVerdict(a, b);
  assert.deepEqual(v.swans.map((w) => w.index), [7]);
  assert.ok(Math.abs(v.swans[0]!.z) < 100, `robust z ${v.swans[0]!.z}: the MAD of rounding noise`);
  assert.equal(v.withoutSwans, null, "a t-test of nine equal differences has no p");
  // A real spread beside the swan is kept: 1e-12 is data in float64.
  const real = b.map((x, i) => (i === 7 ? x : x + i * 1e-12));
  assert.equal(new Set(Array.from(s.pairedDifferencesWithoutRounding(a, real).values)).size, 10);
});

test("unpaired verdict: nine runs equal up to rounding beside a black swan are nine equal runs (robust z, trimmed t, MAD as for the exact values)", () => {
  // base is 0.7 on nine seeds, logged as 0.7, 0.7000000000000001 and 0.6999999999999998, and 0.1 on one.
  const base = [0.7, 0.7 + 1e-16, 0.7 - 1e-16, 0.7, 0.7 + 1e-16, 0.7 - 1e-16, 0.7, 0.7 + 1e-16, 0.7 - 1e-16, 0.1];
  const exactBase = [...Array(9).fill(0.7), 0.1];
  const other = [0.8, 0.8 + 2e-16, 0.8 - 1e-16, 0.8, 0.8 + 2e-16, 0.8 - 1e-16, 0.8, 0.8 + 2e-16, 0.8 - 1e-16, 0.75];
  const exactOther = [...Array(9).fill(0.8), 0.75];
  assert.equal(new Set(base.slice(0, 9)).size, 3, "the premise: the nine runs are not bit-equal");
  assert.deepEqual(Array.from(s.withoutRounding(base).values), exactBase);
  const swans = s.detectBlackSwans(base);
  // SciPy on the exact values: MAD = 0, so z = (0.1 − 0.7)/(√(π/2) · mean|x − 0.7|) = −7.978845608028655.
  assert.ok(Math.abs(swans.z[9]! - -7.978845608028655) < 1e-12, `robust z ${swans.z[9]}`);
  assert.ok(Math.abs(s.sampleSkewness(base) - -3.162277660168378) < 1e-12); // scipy.stats.skew(bias=False)
  const new_ = [0.71, 0.72, 0.705, 0.715, 0.725, 0.7, 0.718, 0.712, 0.709, 0.721];
  // Every figure of the verdict is the exact values' (Welch t, intervals, P(A>B), spread, skew flag, swans).
  assert.deepStrictEqual(s.compareUnpaired(base, new_), s.compareUnpaired(exactBase, new_));
  const both = s.compareUnpaired(base, other), exactBoth = s.compareUnpaired(exactBase, exactOther);
  assert.deepStrictEqual(both, exactBoth);
  assert.equal(both.robust!.robust, null, "a trimmed t of two constant trimmed samples has no p (was 1e-147 from the rounding)");
  assert.match(both.robust!.reasons.join(" "), /a: all equal to 0\.7; b: all equal to 0\.8/);
  assert.deepEqual(both.robust!.swans.map((w) => [w.where, w.index, Math.round(w.z * 1e6) / 1e6]), [["a", 9, -7.978846], ["b", 9, -7.978846]]);
});

test("equalWithinRounding: values tie at their own scale, so a diverged pair's rounding ties nothing else", () => {
  const values = Float64Array.from([0.3, 0.1 + 0.2, 1e20, 0.31, 1e20 + 2 ** 16]); // 1e20 + 4 ulps
  const moved = s.equalWithinRounding(values, values.map(Math.abs), 16 * 2 ** -53);
  assert.deepEqual(Array.from(values), [0.3, 0.3, 1e20, 0.31, 1e20]);
  assert.equal(moved, 2);
});

test("paired differences cleaned again from the values, not the arrays: a pair changed in place is cleaned anew, and each caller gets its own copy", () => {
  const a = Float64Array.from({ length: 50 }, (_, i) => 0.5 + i / 100);
  const b = Float64Array.from(a, (x, i) => x + (i % 7) / 1000);
  const first = s.pairedDifferencesWithoutRounding(a, b);
  const again = s.pairedDifferencesWithoutRounding(Float64Array.from(a), Array.from(b));
  assert.deepStrictEqual(again, first);
  again.values[0] = 99;
  assert.notEqual(s.pairedDifferencesWithoutRounding(a, b).values[0], 99);
  // Changed in place: a larger difference on seed 3.
  a[3] = a[3]! - 0.25;
  const changed = s.pairedDifferencesWithoutRounding(a, b);
  assert.equal(changed.values[3], b[3]! - a[3]!);
  // A −0 where a 0 was: a difference of −0 (the values are told apart as Object.is does).
  const zeros = s.pairedDifferencesWithoutRounding([0, 0, 1], [0, 0, 2]);
  const signed = s.pairedDifferencesWithoutRounding([0, 0, 1], [0, -0, 2]);
  assert.deepStrictEqual(zeros.values, Float64Array.from([0, 0, 1]));
  assert.deepStrictEqual(signed.values, Float64Array.from([0, -0, 1]));
  // Older pairs drop out after a few others: the result is the same, computed again.
  for (let k = 0; k < 6; k++) s.pairedDifferencesWithoutRounding([k, 1, 2], [k, 2, 4]);
  assert.deepStrictEqual(s.pairedDifferencesWithoutRounding(a, b), changed);
});
