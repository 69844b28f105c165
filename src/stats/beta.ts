/**
 * Beta distribution quantile (`scipy.stats.beta.ppf(p, a, b)`): the x with
 * I_x(a, b) = p, found by bisection refined with Brent's method on the
 * regularized incomplete beta. Used by the Clopper–Pearson interval.
 */
import { betaIncReg } from "./special.ts";
import { brentRoot } from "./solve.ts";

/** Quantile of Beta(a, b) at probability p ∈ [0, 1]. */
export function betaQuantile(p: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new Error(`stats.betaQuantile: a and b must be > 0, got a = ${a}, b = ${b}`);
  if (!(p >= 0 && p <= 1)) throw new Error(`stats.betaQuantile: p must be in [0, 1], got ${p}`);
  if (p === 0) return 0;
  if (p === 1) return 1;
  return brentRoot((x) => betaIncReg(a, b, x) - p, 0, 1, 1e-16);
}
