/**
 * Permutation tests (Fisher 1935; Pitman 1937) for the mean difference,
 * p-values computed like `scipy.stats.permutation_test` 1.10:
 *
 * - `pairedPermutationTest(a, b)`: sign-flip test of mean(b − a) = 0
 *   (`permutation_test((b, a), lambda x, y: mean(x − y), permutation_type='samples')`).
 * - `permutationTest(a, b)`: two-sample label permutation of mean(b) − mean(a)
 *   (`permutation_type='independent'`).
 *
 * Exact enumeration when the number of arrangements (2ⁿ, or C(nA+nB, nB)) is at
 * most `maxExact` (default 100,000): p = #{null ≥ observed}/N (one-sided),
 * two-sided p = 2·min(p_less, p_greater) capped at 1. Otherwise Monte Carlo
 * with `resamples` (default 9,999) seeded draws and p = (count + 1)/(N + 1)
 * (Phipson & Smyth 2010), which keeps the test valid. Values within a
 * relative 1e-14 of the observed statistic count as equal, as in SciPy; SciPy's
 * absolute floor of 1e-14 is scaled by the data's magnitude when that is below 1
 * (the largest |b − a|, or the largest |value|), so that values near 1e-300 are
 * not all counted as ties.
 */
import { checkAlternative, checkSample, checkPairs, type Alternative, type Sample } from "./validate.ts";
import { pairedDifferencesWithoutRounding } from "./rounding.ts";
import { Xoshiro128 } from "./random.ts";
import { signFlipCounts } from "./sign-flip-sums.ts";
import { logGamma } from "./special.ts";
import { sum } from "./descriptive.ts";
import { minPNote, type TestOptions, type TestResult } from "./types.ts";

export interface PermutationOptions extends TestOptions {
  /** Enumerate exactly when the number of arrangements is ≤ this (default 100,000). */
  maxExact?: number;
  /** Monte Carlo resamples when not exact (default 9,999). */
  resamples?: number;
  /** Seed of the Monte Carlo draws (default 0). */
  seed?: number;
}

function pFromCounts(nLessEq: number, nGreaterEq: number, total: number, exact: boolean, alternative: Alternative): number {
  const adj = exact ? 0 : 1;
  const pl = (nLessEq + adj) / (total + adj);
  const pg = (nGreaterEq + adj) / (total + adj);
  const p = alternative === "less" ? pl : alternative === "greater" ? pg : 2 * Math.min(pl, pg);
  return Math.min(1, Math.max(0, p));
}

function minP(total: number, exact: boolean, alternative: Alternative): number {
  const one = exact ? 1 / total : 1 / (total + 1);
  return Math.min(1, alternative === "two-sided" ? 2 * one : one);
}

/**
 * Paired sign-flip permutation test of mean(b − a) = 0. Statistic: mean(b − a).
 */
export function pairedPermutationTest(a: Sample, b: Sample, opts: PermutationOptions = {}): TestResult {
  const alternative = opts.alternative ?? "two-sided";
  checkAlternative("pairedPermutationTest", alternative);
  checkPairs("pairedPermutationTest", a, b, 1);
  const d = pairedDifferencesWithoutRounding(a, b).values;
  const n = d.length;
  const maxExact = opts.maxExact ?? 100000;
  const total0 = sum(d);
  const observed = total0 / n;
  let big = 0;
  for (let i = 0; i < n; i++) big = Math.max(big, Math.abs(d[i]!));
  const gamma = Math.max(1e-14 * Math.min(1, big), Math.abs(1e-14 * observed));
  const hiT = (observed + gamma) * n; // null sum ≤ hiT  ⇔ null mean ≤ observed + γ
  const loT = (observed - gamma) * n;
  let le = 0, ge = 0, total: number, exact: boolean;
  if (Math.pow(2, n) <= maxExact) {
    exact = true;
    total = Math.pow(2, n);
    // Direct enumeration: bit i of k set = pair i swapped (sign flipped).
    for (let k = 0; k < total; k++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (k >> i) & 1 ? -d[i]! : d[i]!;
      if (s <= hiT) le++;
      if (s >= loT) ge++;
    }
  } else {
    exact = false;
    total = opts.resamples ?? 9999;
    // Null sum = Σ d − 2 Σ_{flipped} d; compare Σ_{flipped} d against thresholds.
    const fHi = (total0 - loT) / 2; // s ≥ loT ⇔ flipped ≤ fHi
    const fLo = (total0 - hiT) / 2; // s ≤ hiT ⇔ flipped ≥ fLo
    // Each resample flips the pairs of its draws' set bits and adds the flipped differences in index order (sign-flip-sums.ts).
    const counts = signFlipCounts(Float64Array.from(d), new Xoshiro128(opts.seed ?? 0), total, fLo, fHi);
    le = counts.le;
    ge = counts.ge;
  }
  const res: TestResult = {
    test: "paired permutation (sign-flip)", statistic: observed, p: pFromCounts(le, ge, total, exact, alternative),
    method: exact ? "exact" : "monte-carlo", n, alternative, minAchievableP: minP(total, exact, alternative),
  };
  return minPNote(res, opts.alpha ?? 0.05, "pairs");
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * Two-sample permutation test of mean(b) − mean(a) = 0 (labels shuffled).
 */
export function permutationTest(a: Sample, b: Sample, opts: PermutationOptions = {}): TestResult {
  const alternative = opts.alternative ?? "two-sided";
  checkAlternative("permutationTest", alternative);
  checkSample("permutationTest", a, 1, "", "a value");
  checkSample("permutationTest", b, 1, "", "b value");
  const nA = a.length, nB = b.length, N = nA + nB;
  const pooled = new Float64Array(N);
  for (let i = 0; i < nB; i++) pooled[i] = b[i]!;
  for (let i = 0; i < nA; i++) pooled[nB + i] = a[i]!;
  const grand = sum(pooled);
  const sumB0 = sum(b);
  const observed = sumB0 / nB - (grand - sumB0) / nA;
  let big = 0;
  for (let i = 0; i < N; i++) big = Math.max(big, Math.abs(pooled[i]!));
  const gamma = Math.max(1e-14 * Math.min(1, big), Math.abs(1e-14 * observed));
  // stat(sB) = sB/nB − (grand − sB)/nA = sB (1/nB + 1/nA) − grand/nA, increasing in sB.
  const stat = (sB: number): number => sB / nB - (grand - sB) / nA;
  const maxExact = opts.maxExact ?? 100000;
  const lc = logChoose(N, nB);
  let le = 0, ge = 0, total: number, exact: boolean;
  if (lc <= Math.log(maxExact) + 1e-9) {
    exact = true;
    total = Math.round(Math.exp(lc));
    const k = nB;
    const idx = new Int32Array(k);
    for (let i = 0; i < k; i++) idx[i] = i;
    let count = 0;
    for (;;) {
      let sB = 0;
      for (let i = 0; i < k; i++) sB += pooled[idx[i]!]!;
      const s = stat(sB);
      if (s <= observed + gamma) le++;
      if (s >= observed - gamma) ge++;
      count++;
      let i = k - 1;
      while (i >= 0 && idx[i] === N - k + i) i--;
      if (i < 0) break;
      idx[i]!++;
      for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
    }
    total = count;
  } else {
    exact = false;
    total = opts.resamples ?? 9999;
    const rng = new Xoshiro128(opts.seed ?? 0);
    const work = Float64Array.from(pooled);
    for (let r = 0; r < total; r++) {
      // Partial Fisher–Yates: the first nB slots form a uniformly random subset.
      let sB = 0;
      for (let i = 0; i < nB; i++) {
        const j = i + rng.nextInt(N - i);
        const t = work[i]!;
        work[i] = work[j]!;
        work[j] = t;
        sB += work[i]!;
      }
      const s = stat(sB);
      if (s <= observed + gamma) le++;
      if (s >= observed - gamma) ge++;
    }
  }
  const res: TestResult = {
    test: "permutation", statistic: observed, p: pFromCounts(le, ge, total, exact, alternative),
    method: exact ? "exact" : "monte-carlo", n: N, sizes: [nA, nB], alternative, minAchievableP: minP(total, exact, alternative),
  };
  return minPNote(res, opts.alpha ?? 0.05, "runs");
}
