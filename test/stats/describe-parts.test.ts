// describe() sorts once for its median and IQM, and describedMean/describedSd
// give its mean or sd alone (callers that needed one of them paid for two sorts,
// the rounding cleaning and everything else). Each must be what describe gives
// and what the plain definitions give, bit for bit: samples constant up to
// rounding (cleaned to one value), ties, −0, huge and tiny values, n = 1, 2, 3.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describe, describedMean, describedSd, quantile, sd, sum, Xoshiro128 } from "../../src/stats/index.ts";
import { silvermanBandwidth } from "../../src/stats/kde.ts";
import { withoutRounding } from "../../src/stats/rounding.ts";

const r = new Xoshiro128(8);
const samples: number[][] = [
  [0.88],
  [0.88, 0.9],
  [0.1 + 0.2, 0.3, 0.30000000000000004],
  [0.7, 0.7 + 1e-16, 0.7 - 1e-16, 0.7],
  [-0, 0, -0, 1, 1, 1],
  [1e300, -1e300, 3, 1e-300],
  [5e-324, 1e-310, 0, 2e-323],
  [0, 5e-324, 5e-324, 1],
  [3, 1, 2, 2, 2, 9, 9, 0.5],
  Array.from({ length: 5000 }, () => 0.88 + 0.006 * r.nextNormal()),
  Array.from({ length: 101 }, () => Math.round(r.nextFloat() * 4) / 4),
];

/** numpy.median: the middle value of a sorted copy, or the mean of the two middle ones. */
function plainMedian(values: number[]): number {
  const s = [...values].sort((a, b) => a - b || (Object.is(a, -0) ? -1 : Object.is(b, -0) ? 1 : 0));
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** scipy.stats.trim_mean(x, 0.25): cut ⌊n/4⌋ values from each end of a sorted copy, average the rest (the compensated sum twin uses). */
function plainIqm(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const cut = Math.floor(0.25 * s.length);
  return sum(s.slice(cut, s.length - cut)) / (s.length - 2 * cut);
}

test("describe's median and IQM from one sorted copy equal a plain median and trimmed mean of the cleaned values", () => {
  for (const s of samples) {
    const d = describe(s);
    // The values describe reads: rounding removed (values equal up to rounding made one).
    const values = [...withoutRounding(s).values];
    assert.ok(Object.is(d.median, plainMedian(values)), `median of ${s.slice(0, 8)}: ${d.median} against ${plainMedian(values)}`);
    assert.ok(Object.is(d.iqm, plainIqm(values)), `iqm of ${s.slice(0, 8)}: ${d.iqm} against ${plainIqm(values)}`);
  }
});

test("describedMean and describedSd equal describe's mean and sd", () => {
  for (const s of samples) {
    const d = describe(s);
    assert.ok(Object.is(describedMean(s), d.mean), `mean of ${s.slice(0, 8)}: ${describedMean(s)} against ${d.mean}`);
    assert.ok(Object.is(describedSd(s), d.sd), `sd of ${s.slice(0, 8)}: ${describedSd(s)} against ${d.sd}`);
  }
  // Runs that differ by rounding alone: one constant, sd 0 (a plain sd would not be 0).
  const rounding = [0.7, 0.7 + 1e-16, 0.7 - 1e-16, 0.7];
  assert.equal(describedSd(rounding), 0);
  assert.notEqual(sd(rounding), 0);
  assert.throws(() => describedMean([]), /describedMean/);
  assert.throws(() => describedSd([1, NaN]), /describedSd/);
});

test("Silverman's bandwidth from one sort of both quartiles equals the quartiles' one by one", () => {
  for (const s of samples.filter((x) => x.length > 1)) {
    const spread = Math.min(sd(s), (quantile(s, 0.75) - quantile(s, 0.25)) / 1.34);
    if (!(spread > 0)) continue;
    assert.ok(Object.is(silvermanBandwidth(s), 0.9 * spread * Math.pow(s.length, -0.2)), `bandwidth of ${s.slice(0, 8)}`);
  }
});
