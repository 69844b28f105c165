// The paired permutation test's Monte Carlo resamples: the loop over set bits
// gives exactly the counts of the plain loop over every pair (same draws, same
// pairs added in the same order), including where the order of additions
// decides a comparison (values of very different magnitudes).
import { test } from "node:test";
import assert from "node:assert/strict";
import { pairedPermutationTest } from "../../src/stats/permutation.ts";
import { Xoshiro128 } from "../../src/stats/random.ts";

/**
 * The sign-flip resamples pair by pair: bit j of the w-th word of a resample
 * flips pair 32w + j, the flipped pairs added in index order (`descending`:
 * the other way round); p for "less" and "greater" ((count + 1)/(N + 1)).
 */
function referenceCounts(d: number[], resamples: number, seed: number, descending = false): { less: number; greater: number } {
  const n = d.length;
  let total0 = 0;
  for (const x of d) total0 += x;
  const observed = total0 / n;
  let big = 0;
  for (const x of d) big = Math.max(big, Math.abs(x));
  const gamma = Math.max(1e-14 * Math.min(1, big), Math.abs(1e-14 * observed));
  const fHi = (total0 - (observed - gamma) * n) / 2;
  const fLo = (total0 - (observed + gamma) * n) / 2;
  const rng = new Xoshiro128(seed);
  let le = 0, ge = 0;
  for (let r = 0; r < resamples; r++) {
    const flipped: number[] = [];
    for (let i = 0; i < n; i += 32) {
      const bits = rng.nextUint32();
      for (let j = 0; j < 32 && i + j < n; j++) if ((bits >>> j) & 1) flipped.push(i + j);
    }
    if (descending) flipped.reverse();
    let f = 0;
    for (const i of flipped) f += d[i]!;
    if (f >= fLo) le++;
    if (f <= fHi) ge++;
  }
  return { less: (le + 1) / (resamples + 1), greater: (ge + 1) / (resamples + 1) };
}

/** Differences mixing ±1e8 with values near 1e-8, so that the rounding of a resample's sum depends on the order of its additions. */
function mixedMagnitudes(n: number, seed: number): number[] {
  const rng = new Xoshiro128(seed);
  return Array.from({ length: n }, (_, i) => (i % 3 === 0 ? (rng.nextUint32() & 1 ? 1e8 : -1e8) : (rng.nextFloat() - 0.45) * 3e-8));
}

test("Monte Carlo sign flips: the same p-values as flipping pair by pair, for every length around the 32-bit words", () => {
  let orderMatters = 0;
  for (const n of [17, 31, 32, 33, 63, 64, 65, 100, 257, 1000]) {
    for (const seed of [0, 1, 7]) {
      for (const d of [mixedMagnitudes(n, seed + 100), Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.05 + 0.004)]) {
        const zero = new Array<number>(n).fill(0);
        const ref = referenceCounts(d, 999, seed);
        const less = pairedPermutationTest(zero, d, { alternative: "less", resamples: 999, seed });
        const greater = pairedPermutationTest(zero, d, { alternative: "greater", resamples: 999, seed });
        assert.equal(less.method, "monte-carlo");
        assert.equal(less.p, ref.less, `n = ${n}, seed ${seed}: less`);
        assert.equal(greater.p, ref.greater, `n = ${n}, seed ${seed}: greater`);
        // Added the other way round, would the counts differ? Then this case checks the order of additions too.
        const other = referenceCounts(d, 999, seed, true);
        if (other.less !== ref.less || other.greater !== ref.greater) orderMatters++;
      }
    }
  }
  assert.ok(orderMatters >= 3, `the order of additions changed the counts in ${orderMatters} cases only`);
});
