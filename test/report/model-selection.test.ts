// The band quantiles' order statistics by brackets (selection.ts
// bracketedOrderStatistics): every answer must be the k-th smallest value a
// sort gives, on columns made to trip a shortcut: ties on the brackets'
// bounds (few distinct values), sorted, reversed, constant, a constant column
// with a few outliers, infinities, values that repeat with the sample's stride
// (the brackets miss: no answer, and orderStatistics still right).
import { test } from "node:test";
import assert from "node:assert/strict";
import { BRACKET_FROM, bracketedOrderStatistics, orderStatistics, quantilesBySelection, SAMPLE, selectPair } from "../../src/report/model/selection.ts";
import { BAND_QUANTILES } from "../../src/report/model/curves.ts";
import { quantileSorted, Xoshiro128 } from "../../src/stats/index.ts";

/** The ranks the band quantiles of n values interpolate between (as quantilesBySelection asks them). */
function bandRanks(n: number): number[] {
  const ranks = new Set<number>();
  for (const q of BAND_QUANTILES) {
    const lo = Math.floor((n - 1) * q);
    ranks.add(lo);
    if (lo < n - 1) ranks.add(lo + 1);
  }
  return [...ranks].sort((a, b) => a - b);
}

function columns(n: number, r: Xoshiro128): [string, Float64Array][] {
  return [
    ["normal", Float64Array.from({ length: n }, () => 0.88 + 0.01 * r.nextNormal())],
    ["four values", Float64Array.from({ length: n }, () => Math.floor(r.nextFloat() * 4) / 4)],
    ["two values, mostly one", Float64Array.from({ length: n }, () => (r.nextFloat() < 0.9 ? 1 : 2))],
    ["sorted", Float64Array.from({ length: n }, (_, i) => i)],
    ["reversed", Float64Array.from({ length: n }, (_, i) => n - i)],
    ["constant", new Float64Array(n).fill(0.5)],
    ["constant with outliers", Float64Array.from({ length: n }, (_, i) => (i % 97 === 0 ? (i % 2 ? 1e300 : -1e300) : 3))],
    ["infinities", Float64Array.from({ length: n }, (_, i) => (i % 50 === 0 ? Infinity : i % 50 === 1 ? -Infinity : r.nextNormal()))],
    ["heavy tail", Float64Array.from({ length: n }, () => Math.exp(8 * r.nextNormal()))],
  ];
}

test("order statistics by brackets are a sort's, on ties, sorted, constant and heavy-tailed columns", () => {
  const r = new Xoshiro128(11);
  for (const n of [BRACKET_FROM, BRACKET_FROM + 1, 3001, 5000, 20000]) {
    for (const [name, values] of columns(n, r)) {
      const sorted = values.slice().sort();
      for (const ranks of [bandRanks(n), [0], [n - 1], [0, n - 1], [0, 1, 2, 3, n - 4, n - 3, n - 2, n - 1], [Math.floor(n / 2), Math.floor(n / 2) + 1]]) {
        const want = Float64Array.from(ranks, (k) => sorted[k]!);
        const before = values.slice();
        const got = bracketedOrderStatistics(values, ranks);
        assert.deepStrictEqual(values, before, `${name}: the column is left as it was`);
        if (got) assert.deepStrictEqual(got, want, `${name}, n ${n}, ranks ${ranks}`);
        assert.deepStrictEqual(orderStatistics(values.slice(), ranks), want, `${name}, n ${n}, ranks ${ranks} (orderStatistics)`);
      }
    }
  }
});

test("the brackets answer for most columns of normal values, and not where the values repeat with the sample's stride", () => {
  const r = new Xoshiro128(12);
  const n = 5000;
  let answered = 0;
  for (let c = 0; c < 200; c++) {
    const values = Float64Array.from({ length: n }, () => r.nextNormal());
    if (bracketedOrderStatistics(values, bandRanks(n))) answered++;
  }
  // ≈ 98% (a rank outside its bracket ≈ 1.6% of columns): the bracketed path is the one the tests above exercise.
  assert.ok(answered >= 180, `answered ${answered} of 200`);
  // Ties on the brackets' bounds are inside them (x ≥ low, x ≤ high, brackets that touch joined): columns of few values are answered too.
  for (const levels of [2, 4, 16]) {
    let tied = 0;
    for (let c = 0; c < 50; c++) if (bracketedOrderStatistics(Float64Array.from({ length: n }, () => Math.floor(r.nextFloat() * levels)), bandRanks(n))) tied++;
    assert.ok(tied >= 45, `${levels} values: answered ${tied} of 50`);
  }
  // The values the sample takes (the middle of each of SAMPLE equal stretches) made the smallest: the brackets sit far too low.
  const strided = Float64Array.from({ length: n }, () => r.nextFloat());
  for (let i = 0; i < SAMPLE; i++) strided[Math.floor(((2 * i + 1) * n) / (2 * SAMPLE))] = -1 - r.nextFloat();
  assert.equal(bracketedOrderStatistics(strided, bandRanks(n)), undefined);
  const sorted = strided.slice().sort();
  assert.deepStrictEqual(orderStatistics(strided.slice(), bandRanks(n)), Float64Array.from(bandRanks(n), (k) => sorted[k]!));
  // More ranks than one pass serves: no answer by brackets, the whole column's selection instead.
  const many = [10, 600, 1200, 1800, 2400, 3000, 3600, 4200, 4800];
  assert.equal(bracketedOrderStatistics(strided, many), undefined);
  assert.deepStrictEqual(orderStatistics(strided.slice(), many), Float64Array.from(many, (k) => sorted[k]!));
});

test("a rank just outside its bracket is never read from it: columns whose sample is shifted against the rest", () => {
  // The values the sample takes shifted by δ: the brackets miss their ranks by a few values, one, or none.
  const r = new Xoshiro128(14);
  const n = 2 * SAMPLE;
  const taken = new Set(Array.from({ length: SAMPLE }, (_, i) => Math.floor(((2 * i + 1) * n) / (2 * SAMPLE))));
  let answered = 0, missed = 0;
  for (let c = 0; c < 3000; c++) {
    const shift = (r.nextFloat() - 0.5) * 0.2;
    const values = Float64Array.from({ length: n }, (_, i) => r.nextFloat() + (taken.has(i) ? shift : 0));
    const ranks = bandRanks(n);
    const got = bracketedOrderStatistics(values, ranks);
    if (!got) {
      missed++;
      continue;
    }
    answered++;
    const sorted = values.slice().sort();
    assert.deepStrictEqual(got, Float64Array.from(ranks, (k) => sorted[k]!), `column ${c}, shift ${shift}`);
  }
  assert.ok(answered > 300 && missed > 300, `answered ${answered}, missed ${missed}`);
});

test("band quantiles of long columns equal numpy's linear quantiles of a sort (quantileSorted)", () => {
  const r = new Xoshiro128(13);
  for (const n of [BRACKET_FROM, 4097, 10000]) {
    for (const [name, values] of columns(n, r)) {
      for (const qs of [[...BAND_QUANTILES], [0, 0.5, 1], [0.95, 0.05]]) {
        const sorted = values.slice().sort();
        const want = qs.map((q) => quantileSorted(sorted, q));
        assert.deepStrictEqual(quantilesBySelection(values.slice(), qs), want, `${name}, n ${n}, qs ${qs}`);
      }
    }
  }
});

test("selectPair: the k-th and (k+1)-th smallest, as a sort's, on ties, constant runs, infinities and every k of short arrays", () => {
  const r = new Xoshiro128(13);
  const kinds: [string, (m: number) => Float64Array][] = [
    ["normal", (m) => Float64Array.from({ length: m }, () => r.nextNormal())],
    ["three values", (m) => Float64Array.from({ length: m }, () => Math.floor(r.nextFloat() * 3))],
    ["mostly one value", (m) => Float64Array.from({ length: m }, () => (r.nextFloat() < 0.95 ? 7 : r.nextNormal()))],
    ["constant", (m) => new Float64Array(m).fill(0.25)],
    ["sorted", (m) => Float64Array.from({ length: m }, (_, i) => i)],
    ["reversed", (m) => Float64Array.from({ length: m }, (_, i) => -i)],
    ["infinities", (m) => Float64Array.from({ length: m }, (_, i) => (i % 5 === 0 ? Infinity : i % 5 === 1 ? -Infinity : r.nextNormal()))],
    ["huge and tiny", (m) => Float64Array.from({ length: m }, (_, i) => (i % 2 ? 1e300 : 5e-324) * (r.nextFloat() < 0.5 ? -1 : 1))],
  ];
  for (const m of [1, 2, 3, 4, 5, 8, 33, 300, 517]) {
    for (const [name, make] of kinds) {
      const values = make(m);
      const sorted = values.slice().sort();
      const ks = m <= 33 ? Array.from({ length: m }, (_, k) => k) : [0, 1, Math.floor(m / 2), m - 2, m - 1, Math.floor(r.nextFloat() * m)];
      for (const k of ks) {
        const got = { ...selectPair(values.slice(), k) };
        assert.ok(Object.is(got.kth, sorted[k]), `${name}, m ${m}, k ${k}: ${got.kth} against ${sorted[k]}`);
        assert.ok(Object.is(got.next, k + 1 < m ? sorted[k + 1] : Infinity), `${name}, m ${m}, k ${k}: next ${got.next} against ${sorted[k + 1]}`);
      }
    }
  }
});

test("each call's brackets are planned for its own ranks and length (a plan kept from another call would miss)", () => {
  const r = new Xoshiro128(14);
  const small = Float64Array.from({ length: BRACKET_FROM }, () => r.nextNormal());
  const large = Float64Array.from({ length: 20000 }, () => r.nextNormal());
  for (const [values, ranks] of [[small, [0]], [small, [BRACKET_FROM - 1]], [small, [1000]], [large, [1000]], [large, [0, 1]], [small, [0, 1]]] as const) {
    const sorted = values.slice().sort();
    assert.deepStrictEqual(bracketedOrderStatistics(values, ranks), Float64Array.from(ranks, (k) => sorted[k]!), `n ${values.length}, ranks ${ranks}: answered by its brackets`);
  }
});
