/**
 * Binomial distribution (`scipy.stats.binom`), used by the exact sign test.
 * CDF through the regularized incomplete beta: P(X ≤ k) = I_{1−p}(n − k, k + 1).
 */
import { betaIncReg, logGamma } from "./special.ts";

/** P(X = k) for X ~ Binomial(n, p) (`scipy.stats.binom.pmf`). */
export function binomialPmf(k: number, n: number, p: number): number {
  if (k < 0 || k > n || !Number.isInteger(k)) return 0;
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  return Math.exp(logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

/** P(X ≤ k) (`scipy.stats.binom.cdf`). */
export function binomialCdf(k: number, n: number, p: number): number {
  k = Math.floor(k);
  if (k < 0) return 0;
  if (k >= n) return 1;
  return betaIncReg(n - k, k + 1, 1 - p, p);
}

/** P(X > k) = 1 − P(X ≤ k) (`scipy.stats.binom.sf`). */
export function binomialSf(k: number, n: number, p: number): number {
  k = Math.floor(k);
  if (k < 0) return 1;
  if (k >= n) return 0;
  return betaIncReg(k + 1, n - k, p, 1 - p);
}

/** Binomial coefficient C(n, k), exact while it is below 2^53 (`scipy.special.comb(n, k, exact=False)`). */
export function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  k = Math.min(k, n - k);
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}
