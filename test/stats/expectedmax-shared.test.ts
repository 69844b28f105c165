// expectedMaxCurves shares the weights (i/N)ⁿ − ((i−1)/N)ⁿ between samples of
// one size. Each curve must be, bit for bit, what session 9's expectedMaxCurve
// gave for the mean and sd, and the band the percentiles of the best of n (its loop kept below as the reference): samples of equal and unequal
// sizes, ties, both directions, a cap on the runs below and above N.
import { test } from "node:test";
import assert from "node:assert/strict";
import { expectedMaxCurve, expectedMaxCurves, Xoshiro128, type ExpectedMaxPoint } from "../../src/stats/index.ts";

/** Session 9's expectedMaxCurve (Dodge et al. 2019, eq. 1–2), one sample at a time. */
function reference(scores: number[], nMax: number, higherIsBetter: boolean): ExpectedMaxPoint[] {
  const N = scores.length;
  const sign = higherIsBetter ? 1 : -1;
  const v = Float64Array.from(scores, (x) => sign * x).sort();
  const out: ExpectedMaxPoint[] = [];
  for (let n = 1; n <= nMax; n++) {
    const w = new Float64Array(N);
    let m = 0, prev = 0;
    for (let i = 1; i <= N; i++) {
      const c = Math.pow(i / N, n);
      w[i - 1] = c - prev;
      prev = c;
      m += w[i - 1]! * v[i - 1]!;
    }
    let vv = 0;
    for (let i = 0; i < N; i++) vv += w[i]! * (v[i]! - m) ** 2;
    const sd = Math.sqrt(vv);
    const mean = sign * m;
    // The band's quantiles by the definition: the first v_(i) whose (i/N)ⁿ reaches Φ(∓1), found by a plain scan.
    const quantile = (q: number) => sign * v[Array.from({ length: N }, (_, i) => i).find((i) => Math.pow((i + 1) / N, n) >= q)!]!;
    const [q1, q2] = [quantile(0.15865525393145707), quantile(0.8413447460685429)] as [number, number];
    out.push({ n, mean, sd, lo: Math.min(q1, q2), hi: Math.max(q1, q2) });
  }
  return out;
}

test("expected-maximum curves of several samples, weights shared by size, equal the one-sample loop bit for bit", () => {
  const r = new Xoshiro128(21);
  const normal = (n: number) => Array.from({ length: n }, () => 0.88 + 0.01 * r.nextNormal());
  const samples = [normal(300), normal(300), normal(7), [0.5, 0.5, 0.5, 0.75], normal(300).map((x) => Math.round(x * 100) / 100), [3], normal(150)];
  for (const higherIsBetter of [true, false]) {
    for (const maxRuns of [undefined, 1, 100, 1000]) {
      const got = expectedMaxCurves(samples, { higherIsBetter, ...(maxRuns !== undefined ? { maxRuns } : {}) });
      samples.forEach((x, s) => {
        const want = reference(x, Math.min(x.length, maxRuns ?? x.length), higherIsBetter);
        assert.deepStrictEqual(got[s], want, `sample ${s}, maxRuns ${maxRuns}, higherIsBetter ${higherIsBetter}`);
      });
    }
    for (const x of samples) for (const nMax of [1, x.length, 2 * x.length]) assert.deepStrictEqual(expectedMaxCurve(x, { higherIsBetter, nMax }), reference(x, nMax, higherIsBetter));
  }
  assert.throws(() => expectedMaxCurves([[1, 2]], { maxRuns: 0 }), /maxRuns must be an integer ≥ 1, got 0/);
  assert.throws(() => expectedMaxCurves([[1, 2], []]), /expectedMaxCurves/);
});

test("the band holds at least the middle 68% of the best of n and stays within the seeds' range, also beside a black swan", () => {
  const swan = [89.1, 88.2, 90.3, 87.28, 91.84, 89.9, 90.1, 10, 89.7, 90.6];
  const [one] = expectedMaxCurves([swan]);
  // One run: nine in ten land at 87.28 or more; E ± sd (58–106) would leave the range.
  assert.equal(one![0]!.lo, 87.28);
  assert.ok(one![0]!.mean < one![0]!.lo, "the mean, dragged by the swan, lies below the band: the band says where runs land");
  for (const higherIsBetter of [true, false]) {
    const sorted = [...swan].sort((x, y) => x - y);
    for (const p of expectedMaxCurves([swan], { higherIsBetter })[0]!) {
      assert.ok(p.lo >= sorted[0]! && p.hi <= sorted[9]! && p.lo <= p.hi);
      // Exact probability that the best of n lies in [lo, hi]: best = max (or min) of n draws.
      const below = (x: number) => sorted.filter((v) => v <= x).length / 10, strictlyBelow = (x: number) => sorted.filter((v) => v < x).length / 10;
      const inside = higherIsBetter
        ? below(p.hi) ** p.n - strictlyBelow(p.lo) ** p.n
        : (1 - strictlyBelow(p.lo)) ** p.n - (1 - below(p.hi)) ** p.n;
      assert.ok(inside >= 0.6826, `n = ${p.n}: the band holds ${inside}`);
    }
  }
});
