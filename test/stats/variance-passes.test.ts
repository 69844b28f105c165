// varianceUnchecked and sdUnchecked compute the mean and the largest deviation
// once (an sd computed them again through the variance). The answers must be
// the earlier code's bit for bit (kept below as the reference): ordinary,
// constant, n = 2 and 3, deviations beyond 1e140 or below 1e-140 (scaled),
// and values whose deviations straddle those bounds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sdUnchecked, sum, varianceUnchecked, Xoshiro128 } from "../../src/stats/index.ts";

function referenceVariance(values: number[]): number {
  const n = values.length;
  const m = sum(values) / n;
  let big = 0;
  for (let i = 0; i < n; i++) big = Math.max(big, Math.abs(values[i]! - m));
  if (big === 0) return 0;
  if (big > 1e-140 && big < 1e140) {
    let ss = 0, comp = 0;
    for (let i = 0; i < n; i++) {
      const d = values[i]! - m;
      ss += d * d;
      comp += d;
    }
    return (ss - (comp * comp) / n) / (n - 1);
  }
  return referenceSd(values) ** 2;
}

function referenceSd(values: number[]): number {
  const n = values.length;
  const m = sum(values) / n;
  let big = 0;
  for (let i = 0; i < n; i++) big = Math.max(big, Math.abs(values[i]! - m));
  if (big === 0) return 0;
  if (big > 1e-140 && big < 1e140) return Math.sqrt(referenceVariance(values));
  let ss = 0, comp = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i]! - m) / big;
    ss += d * d;
    comp += d;
  }
  return big * Math.sqrt(Math.max(0, ss - (comp * comp) / n) / (n - 1));
}

test("variance and sd with the mean and largest deviation computed once equal the earlier code's", () => {
  const r = new Xoshiro128(6);
  const samples: number[][] = [
    [1, 2],
    [0.1, 0.2, 0.3],
    [5, 5, 5, 5],
    [1e200, -1e200, 3e199],
    [1e-200, 3e-200, -2e-200, 0],
    [1e140, 0, 1e140],
    [1e-140, 0, 2e-140],
    [1.5e140, 1.4e140],
    [0, 2e-140],
    [0, 2e140],
    // A large mean and a small spread: the mean's rounding shows in the deviations' sum (the correction matters).
    Array.from({ length: 1000 }, () => 1e8 + 1e-7 * r.nextNormal()),
    Array.from({ length: 5000 }, () => 0.88 + 0.006 * r.nextNormal()),
    Array.from({ length: 333 }, () => r.nextNormal() * 10 ** Math.floor(r.nextFloat() * 600 - 300)),
  ];
  for (const s of samples) {
    assert.ok(Object.is(varianceUnchecked(s), referenceVariance(s)), `variance of ${s.slice(0, 4)}: ${varianceUnchecked(s)} against ${referenceVariance(s)}`);
    assert.ok(Object.is(sdUnchecked(s), referenceSd(s)), `sd of ${s.slice(0, 4)}: ${sdUnchecked(s)} against ${referenceSd(s)}`);
    assert.ok(Object.is(sdUnchecked(Float64Array.from(s)), referenceSd(s)), "a Float64Array too");
  }
});
