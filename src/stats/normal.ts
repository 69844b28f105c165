/**
 * Standard normal distribution.
 *
 * - `normalCdf` / `normalSf`: Φ(x) through erfc(x) = Q(1/2, x²) (regularized
 *   upper incomplete gamma), relative accuracy ~1e-14 in both tails
 *   (`scipy.stats.norm.cdf` / `norm.sf`, i.e. `scipy.special.ndtr`).
 * - `normalQuantile`: Acklam's rational approximation (P. J. Acklam, 2003,
 *   relative error 1.15e-9) refined by two Halley steps on the accurate CDF
 *   (`scipy.stats.norm.ppf`, i.e. `scipy.special.ndtri`).
 */
import { gammaIncLower, gammaIncUpper } from "./special.ts";

const SQRT2 = Math.SQRT2;
const SQRT2PI = 2.5066282746310002;

/** erf(x). `scipy.special.erf`. */
export function erf(x: number): number {
  if (x === 0) return 0;
  const v = gammaIncLower(0.5, x * x);
  return x < 0 ? -v : v;
}

/** erfc(x) = 1 − erf(x), accurate in the upper tail. `scipy.special.erfc`. */
export function erfc(x: number): number {
  if (x === Infinity) return 0;
  if (x === -Infinity) return 2;
  if (x >= 0) return x === 0 ? 1 : gammaIncUpper(0.5, x * x);
  return 1 + gammaIncLower(0.5, x * x);
}

/** Standard normal density. */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT2PI;
}

/** Standard normal CDF Φ(x) (`scipy.stats.norm.cdf`). */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 0.5 * erfc(-x / SQRT2);
  return 1 - 0.5 * erfc(x / SQRT2);
}

/** Standard normal survival function 1 − Φ(x) (`scipy.stats.norm.sf`). */
export function normalSf(x: number): number {
  return normalCdf(-x);
}

const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

function acklamLower(p: number): number {
  // p in (0, 0.5]
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) /
      ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) /
    (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1);
}

function lowerQuantile(p: number): number {
  let x = acklamLower(p);
  for (let i = 0; i < 3; i++) {
    const e = normalCdf(x) - p;
    const u = e * SQRT2PI * Math.exp(0.5 * x * x);
    const nx = x - u / (1 + 0.5 * x * u);
    if (!Number.isFinite(nx)) break;
    if (Math.abs(nx - x) <= 1e-16 * Math.abs(nx)) { x = nx; break; }
    x = nx;
  }
  return x;
}

/** Standard normal quantile Φ⁻¹(p) (`scipy.stats.norm.ppf`). */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) throw new Error(`stats.normalQuantile: p must be in [0, 1], got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  return p < 0.5 ? lowerQuantile(p) : -lowerQuantile(1 - p);
}
