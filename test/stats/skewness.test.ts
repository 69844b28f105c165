import { test } from "node:test";
import assert from "node:assert/strict";
import * as s from "../../src/stats/index.ts";

// scipy.stats.skew(x, bias=False), SciPy 1.10.1
const SCIPY: [number[], number][] = [
  [[0.8534, 0.85607, 0.83882, 0.86171, 0.8457], -0.4135941853832714],
  [[1, 2, 3, 4, 100], 2.232395911636458],
  [[0.1, 0.2, 0.2, 0.5, 0.9, 1.5, 3.0, 7.0, 0.3, 0.25], 2.347941997459391],
  [[5, 4, 3, 2, 1.5, 1.2, 1.1, 1.0], 0.9500146218450498],
];

test("sampleSkewness matches scipy.stats.skew(bias=False), at any scale", () => {
  for (const [x, want] of SCIPY) {
    assert.ok(Math.abs(s.sampleSkewness(x) - want) < 1e-12 * Math.max(1, Math.abs(want)), `${x}: ${s.sampleSkewness(x)} vs ${want}`);
    for (const scale of [1e-300, 1e-170, 1e200, 1e300]) {
      const y = x.map((v) => v * scale);
      assert.ok(Math.abs(s.sampleSkewness(y) - want) < 1e-9, `scale ${scale}: ${s.sampleSkewness(y)}`);
    }
  }
  assert.equal(s.sampleSkewness([2, 2, 2]), 0);
  assert.throws(() => s.sampleSkewness([1, 2]), /stats\.sampleSkewness: needs at least 3 values/);
  assert.throws(() => s.skewThreshold(10, 0.2 as never), /falseAlarm must be one of/);
});

test("skew cut-offs: ≈ 5% false alarms on normal seeds, agree with D'Agostino's skewtest at 20 and 50 seeds, smooth beyond 100", () => {
  // |G1| where scipy.stats.skewtest's two-sided p = 0.05 (D'Agostino 1970 transformation; brentq)
  assert.ok(Math.abs(s.skewThreshold(20) - 1.0183191201160593) < 0.03, `n = 20: ${s.skewThreshold(20)}`);
  assert.ok(Math.abs(s.skewThreshold(50) - 0.6677519790597558) < 0.02, `n = 50: ${s.skewThreshold(50)}`);
  assert.ok(Math.abs(s.skewThreshold(101) - s.skewThreshold(100)) < 0.01);
  const r = s.rng(31);
  const N = 4000;
  for (const n of [5, 10, 20]) {
    let fa = 0;
    for (let k = 0; k < N; k++) if (s.detectSkew(Array.from({ length: n }, () => r.nextNormal())).skewed) fa++;
    const sd = Math.sqrt(0.05 * 0.95 / N);
    assert.ok(Math.abs(fa / N - 0.05) < 3.5 * sd, `n = ${n}: false alarms ${fa / N}`);
  }
});

test("robust verdict: skewed differences warn in words; a significant p without swans carries the caveat of what the seeds cannot rule out", () => {
  // right-skewed differences with a clearly positive mean
  const a = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const b = [0.11, 0.12, 0.1, 0.14, 0.13, 0.12, 0.11, 0.15, 0.13, 0.9];
  const v = s.robustVerdict(a, b, { names: ["base", "new"] });
  assert.equal(v.skew.length, 1);
  assert.equal(v.skew[0]!.where, "pair");
  assert.ok(v.skew[0]!.skewness > v.skew[0]!.threshold);
  // the outlier is also a black swan here; the skew reason still speaks in the variants' names
  assert.ok(v.warning);
  assert.match(v.reasons.join("\n"), /the differences new − base are skewed \(skewness 3\.1\d?; 95% of normal 10-seed samples stay within ±1\.3\d\)/);
  // clean, normal-looking improvement: no warning, but the caveat
  const c = [0.80, 0.81, 0.79, 0.82, 0.80, 0.81, 0.80, 0.79, 0.81, 0.80];
  const d = c.map((x, i) => x + 0.01 + [0.001, -0.002, 0.0005, 0.0015, -0.001, 0.002, -0.0005, 0.001, -0.0015, 0][i]!);
  const w = s.robustVerdict(c, d);
  assert.equal(w.warning, false, w.reasons.join("; "));
  assert.equal(w.skewed, false);
  assert.ok(Math.abs(w.unseenRate! - (1 - Math.pow(0.05, 0.1))) < 1e-15);
  assert.match(w.caveat!, /10 seeds cannot rule out that up to 25\.9% of seeds do/);
  // Many clean seeds: the bound is small but not 0 (one decimal would print "up to 0%").
  const many = Array.from({ length: 8000 }, (_, i) => Math.sin(i * 12.9898) * 0.01);
  const big = s.robustVerdict(many, many.map((x, i) => x + 0.002 + Math.cos(i * 7.31) * 0.001));
  assert.match(big.caveat!, /8000 seeds cannot rule out that up to 0\.0374% of seeds do/, big.caveat!);
  // not significant: no caveat
  const e = s.robustVerdict(c, c.map((x, i) => x + (i % 2 ? 0.01 : -0.01)));
  assert.equal(e.caveat, null);
  // unpaired: one skew line per variant, at 2.5% each
  const u = s.robustVerdict([1, 2, 3, 4, 5, 6], [1, 1.1, 1.2, 1.1, 1.3, 9], { paired: false, names: ["A", "B"] });
  assert.deepEqual(u.skew.map((k) => k.where), ["a", "b"]);
  assert.equal(u.skew[1]!.threshold, s.skewThreshold(6, 0.025));
});

test("skewness-corrected t (Johnson–Hall) matches an independent NumPy computation; the verdict warns when it does not confirm the plain p", () => {
  // numpy: g = n Σ(d − d̄)³/((n − 1)(n − 2))/s³, T = √n d̄/s, t₁ = T + g(1 + 2T²)/(6√n) + g²T³/(27n); scipy.stats.t.sf
  const d1 = [-0.9, -0.7, -0.85, -0.6, -0.95, -0.8, -0.75, 0.4, -0.65, -0.7];
  const d2 = [0.3, -0.2, 0.5, 0.1, 0.05, -0.1, 0.4, 0.25];
  const zeros = (n: number) => new Array(n).fill(0);
  const r1 = s.skewCorrectedTTest(zeros(10), d1), r2 = s.skewCorrectedTTest(zeros(8), d2);
  assert.ok(Math.abs(r1.statistic - -1.1930842702935731) < 1e-12 && Math.abs(r1.p - 0.2633387074444777) < 1e-12, JSON.stringify(r1));
  assert.ok(Math.abs(r2.statistic - 1.813177136330802) < 1e-12 && Math.abs(r2.p - 0.11268925728658345) < 1e-12, JSON.stringify(r2));
  // the same at any scale
  const big = s.skewCorrectedTTest(zeros(10), d1.map((x) => x * 1e300));
  assert.ok(Math.abs(big.p - r1.p) < 1e-12);
  assert.throws(() => s.skewCorrectedTTest([1, 2], [2, 3]), /needs at least 3/);
  // constant differences: the same explaining error as the plain paired t, naming the function called
  assert.throws(() => s.skewCorrectedTTest([1, 2, 3], [1.5, 2.5, 3.5]), /stats\.skewCorrectedTTest: all 3 paired differences b − a are identical \(all equal to 0\.5\).*standard deviation is 0/);
  // plain p = 0.00047 on right-skewed differences: the corrected t does not confirm it
  const v = s.robustVerdict(zeros(10), d1);
  assert.ok(v.plain!.p < 0.001 && v.leansOnSymmetry && v.warning);
  assert.equal(v.skewCorrected!.test, "skewness-corrected t (Johnson–Hall)");
  assert.match(v.reasons.join("\n"), /the skewness-corrected t \(Johnson 1978, Hall 1992\) gives p = 0\.263 .*leans on the differences being symmetric/);
  // a clean normal-looking improvement is confirmed; unpaired verdicts have no such line
  const clean = s.robustVerdict(zeros(10), [0.5, 0.62, 0.41, 0.55, 0.48, 0.6, 0.52, 0.45, 0.58, 0.5]);
  assert.ok(clean.plain!.significant && clean.skewCorrected!.significant && !clean.leansOnSymmetry);
  assert.equal(s.robustVerdict([1, 2, 3, 4], [2, 3, 5, 4.5], { paired: false }).skewCorrected, null);
});

test("skewness-corrected check (small version of bench:validity's skewAware): fewer quiet false positives under paired lognormal nulls at 10 seeds, few extra warnings on normal nulls", () => {
  const run = (lognormal: boolean, seed: number) => {
    const r = s.rng(seed);
    let quietWithout = 0, quietWith = 0, warnedWithout = 0, warnedWith = 0;
    for (let k = 0; k < 400; k++) {
      const a: number[] = [], b: number[] = [];
      for (let i = 0; i < 10; i++) { const z = r.nextNormal(), e = 2 * r.nextNormal(); a.push(e); b.push(e + (lognormal ? Math.exp(z) - Math.exp(0.5) : z)); }
      const v = s.robustVerdict(a, b, { seed: k });
      const without = v.swans.length > 0 || v.disagree || v.restsOnNormality || v.skewed;
      const significant = v.plain!.significant;
      quietWithout += Number(significant && !without);
      quietWith += Number(significant && !v.warning);
      warnedWithout += Number(without);
      warnedWith += Number(v.warning);
    }
    return { quietWithout: quietWithout / 400, quietWith: quietWith / 400, extraWarned: (warnedWith - warnedWithout) / 400 };
  };
  const lognormal = run(true, 41);
  assert.ok(lognormal.quietWith < lognormal.quietWithout - 0.01, JSON.stringify(lognormal));
  const normal = run(false, 42);
  assert.ok(normal.extraWarned <= 0.02, JSON.stringify(normal));
});

test("skew reason at 3 seeds: value and cut-off written with the digits that tell them apart, and why 1.732 is reached", () => {
  // Two of three differences equal (a 100%-accuracy variant against one that missed on one seed): |G1| = √3, its largest value.
  const v = s.robustVerdict([0.9688, 1, 1], [1, 1, 1], { paired: true });
  assert.match(
    v.reasons.join("\n"),
    /the differences b − a are skewed \(skewness 1\.732; 95% of normal 3-seed samples stay within ±1\.727; with 3 seeds it is at most 1\.73, reached when two of them are equal\)/,
  );
});
