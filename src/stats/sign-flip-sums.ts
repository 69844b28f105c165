/**
 * The Monte Carlo counts of the paired sign-flip permutation test
 * (permutation.ts): `resamples` draws of which pairs flip, bit j of a draw's
 * w-th 32-bit word flipping pair 32w + j (⌈n/32⌉ words a draw, the last
 * word's bits past n unused), and for each draw whether the sum of the
 * flipped differences, added in index order, is ≥ `fLo` and ≤ `fHi`.
 *
 * Adding ~n/2 values per draw was the test's cost (9,999 draws of 5,000
 * pairs). Here each draw is first summed from lookup tables: for every byte
 * of the draw (8 pairs), the sum of those of its 8 differences it flips,
 * tabled for all 256 bytes once (n/8 lookups a draw instead of n/2 additions).
 * That sum is added in another order than index order, so its rounding
 * differs, but by a bound: a sum whose terms each pass through at most k
 * additions is within γ_k·Σ|xᵢ| of the exact sum, γ_k = ku/(1 − ku), u =
 * 2⁻⁵³ (N. J. Higham, "Accuracy and Stability of Numerical Algorithms", 2nd
 * ed. 2002, §4.2), for the tabled sum (k ≤ 7 + n/32 + 2) and for the index
 * order's (k ≤ n − 1) alike. Where the tabled sum is farther than both
 * bounds from a threshold, the index order's sum lies on the same side; where
 * not, that draw is summed again in index order (its bits are kept). So the
 * counts are those of the plain loop, draw for draw.
 */
import type { Xoshiro128 } from "./random.ts";

/** 2⁻⁵³, the unit roundoff of doubles. */
const U = 2 ** -53;

/** How many draws flipped a sum ≥ fLo (`le`) and ≤ fHi (`ge`); `d` has no NaN (checked by the caller). */
export function signFlipCounts(d: Float64Array, rng: Xoshiro128, resamples: number, fLo: number, fHi: number): { le: number; ge: number } {
  const n = d.length;
  let magnitude = 0;
  for (let i = 0; i < n; i++) magnitude += Math.abs(d[i]!);
  const words = Math.ceil(n / 32);
  // Both sums' bounds, γ_k ≤ 1.01·ku, times 4: the margin over them covers the rounding of `magnitude`, of this
  // product and of f ± bound (each within u·Σ|dᵢ| or 2⁻¹⁰⁷⁵, below the margin of ≥ 2.9·(n + 25)·u·Σ|dᵢ| unless
  // Σ|dᵢ| < 2⁻¹⁰²⁸, where every sum is subnormal, so exact, and rounding f ± bound cannot cross f).
  const bound = 4 * (n + words + 16) * U * magnitude;
  // Sums that could overflow (the bounds hold only without: every partial sum is within Σ|dᵢ|·(1 + γₙ)), or
  // thresholds that are not numbers: every draw in index order.
  if (!(magnitude < 1e300) || !(Math.abs(fLo) < Infinity) || !(Math.abs(fHi) < Infinity)) return plainCounts(d, rng, resamples, fLo, fHi);
  const table = byteSums(d, words);
  const lastMask = n % 32 === 0 ? -1 : (1 << n % 32) - 1;
  const draw = new Int32Array(words);
  let le = 0, ge = 0;
  for (let r = 0; r < resamples; r++) {
    let f0 = 0, f1 = 0, f2 = 0, f3 = 0;
    for (let w = 0, at = 0; w < words; w++, at += 1024) {
      let bits = rng.nextUint32() | 0;
      if (w === words - 1) bits &= lastMask;
      draw[w] = bits;
      f0 += table[at + (bits & 255)]!;
      f1 += table[at + 256 + ((bits >>> 8) & 255)]!;
      f2 += table[at + 512 + ((bits >>> 16) & 255)]!;
      f3 += table[at + 768 + (bits >>> 24)]!;
    }
    const f = f0 + f1 + (f2 + f3);
    const low = f - bound, high = f + bound;
    // Certain: the index order's sum is ≥ fLo (or < fLo), and ≤ fHi (or > fHi).
    if ((low >= fLo || high < fLo) && (high <= fHi || low > fHi)) {
      if (low >= fLo) le++;
      if (high <= fHi) ge++;
    } else {
      const exact = indexOrderSum(d, draw);
      if (exact >= fLo) le++;
      if (exact <= fHi) ge++;
    }
  }
  return { le, ge };
}

/**
 * table[256·b + byte]: the sum of the differences of pairs 8b + j for the bits
 * j set in `byte` (pairs past the end count 0), each entry one addition more
 * than the entry without its lowest bit (at most 7 additions).
 */
function byteSums(d: Float64Array, words: number): Float64Array {
  const table = new Float64Array(words * 1024);
  for (let b = 0, at = 0; b < words * 4; b++, at += 256) {
    for (let byte = 1; byte < 256; byte++) {
      const low = 31 - Math.clz32(byte & -byte);
      const i = 8 * b + low;
      table[at + byte] = table[at + (byte & (byte - 1))]! + (i < d.length ? d[i]! : 0);
    }
  }
  return table;
}

/** The flipped differences of one draw (its words' set bits, lowest first) added in index order. */
function indexOrderSum(d: Float64Array, draw: Int32Array): number {
  let f = 0;
  for (let w = 0, base = 31; w < draw.length; w++, base += 32) {
    let bits = draw[w]!;
    while (bits !== 0) {
      const low = bits & -bits;
      f += d[base - Math.clz32(low)]!;
      bits ^= low;
    }
  }
  return f;
}

/** signFlipCounts with every draw summed in index order. */
function plainCounts(d: Float64Array, rng: Xoshiro128, resamples: number, fLo: number, fHi: number): { le: number; ge: number } {
  const n = d.length, words = Math.ceil(n / 32), lastMask = n % 32 === 0 ? -1 : (1 << n % 32) - 1;
  const draw = new Int32Array(words);
  let le = 0, ge = 0;
  for (let r = 0; r < resamples; r++) {
    for (let w = 0; w < words; w++) draw[w] = w === words - 1 ? rng.nextUint32() & lastMask : rng.nextUint32() | 0;
    const f = indexOrderSum(d, draw);
    if (f >= fLo) le++;
    if (f <= fHi) ge++;
  }
  return { le, ge };
}
