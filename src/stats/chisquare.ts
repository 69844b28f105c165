/**
 * Chi-square distribution with k > 0 degrees of freedom:
 * F(x) = P(k/2, x/2) (regularized lower incomplete gamma). Matches
 * `scipy.stats.chi2.cdf`, `chi2.sf`, `chi2.ppf`; the quantile is found with
 * Brent's method started from the Wilson–Hilferty approximation.
 */
import { gammaIncLower, gammaIncUpper } from "./special.ts";
import { normalQuantile } from "./normal.ts";
import { brentRoot } from "./solve.ts";

/** CDF of chi-square (`scipy.stats.chi2.cdf`). */
export function chiSquareCdf(x: number, k: number): number {
  if (!(k > 0)) throw new Error(`stats.chiSquareCdf: degrees of freedom must be > 0, got ${k}`);
  return x <= 0 ? 0 : gammaIncLower(k / 2, x / 2);
}

/** Survival function of chi-square (`scipy.stats.chi2.sf`). */
export function chiSquareSf(x: number, k: number): number {
  if (!(k > 0)) throw new Error(`stats.chiSquareSf: degrees of freedom must be > 0, got ${k}`);
  return x <= 0 ? 1 : gammaIncUpper(k / 2, x / 2);
}

/** Quantile of chi-square (`scipy.stats.chi2.ppf`). */
export function chiSquareQuantile(p: number, k: number): number {
  if (!(k > 0)) throw new Error(`stats.chiSquareQuantile: degrees of freedom must be > 0, got ${k}`);
  if (Number.isNaN(p) || p < 0 || p > 1) throw new Error(`stats.chiSquareQuantile: p must be in [0, 1], got ${p}`);
  if (p === 0) return 0;
  if (p === 1) return Infinity;
  const z = normalQuantile(p);
  const h = 2 / (9 * k);
  let guess = k * Math.pow(Math.max(1 - h + z * Math.sqrt(h), 0.01), 3);
  if (!(guess > 0)) guess = k;
  // Work on the tail that is small, to keep relative accuracy.
  const f = p < 0.5 ? (x: number) => Math.log(chiSquareCdf(x, k)) - Math.log(p) : (x: number) => Math.log(chiSquareSf(x, k)) - Math.log(1 - p);
  let lo = guess, hi = guess;
  while (f(lo) * (p < 0.5 ? 1 : -1) > 0 && lo > 1e-300) lo /= 2;
  while (f(hi) * (p < 0.5 ? 1 : -1) < 0 && hi < 1e300) hi *= 2;
  if (lo === hi) {
    if (f(lo) === 0) return lo;
    lo = lo / 2;
  }
  return brentRoot(f, lo, hi, 1e-15 * guess, 500);
}
