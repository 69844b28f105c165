/**
 * F distribution (Snedecor), used for intervals of variance ratios:
 * P(F ≤ x) = I_{d₁x/(d₁x+d₂)}(d₁/2, d₂/2). Matches `scipy.stats.f.cdf` / `f.ppf`.
 */
import { betaIncReg } from "./special.ts";
import { brentRoot } from "./solve.ts";

/** CDF of F(d1, d2) (`scipy.stats.f.cdf`). */
export function fCdf(x: number, d1: number, d2: number): number {
  if (!(d1 > 0 && d2 > 0)) throw new Error(`stats.fCdf: degrees of freedom must be > 0, got ${d1}, ${d2}`);
  if (x <= 0) return 0;
  if (x === Infinity) return 1;
  return betaIncReg(d1 / 2, d2 / 2, (d1 * x) / (d1 * x + d2), d2 / (d1 * x + d2));
}

/** Upper tail of F(d1, d2) (`scipy.stats.f.sf`), accurate for tiny p where 1 − cdf rounds to 0. */
export function fSf(x: number, d1: number, d2: number): number {
  if (!(d1 > 0 && d2 > 0)) throw new Error(`stats.fSf: degrees of freedom must be > 0, got ${d1}, ${d2}`);
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  return betaIncReg(d2 / 2, d1 / 2, d2 / (d1 * x + d2), (d1 * x) / (d1 * x + d2));
}

/** Quantile of F(d1, d2) (`scipy.stats.f.ppf`). */
export function fQuantile(p: number, d1: number, d2: number): number {
  if (!(d1 > 0 && d2 > 0)) throw new Error(`stats.fQuantile: degrees of freedom must be > 0, got ${d1}, ${d2}`);
  if (Number.isNaN(p) || p < 0 || p > 1) throw new Error(`stats.fQuantile: p must be in [0, 1], got ${p}`);
  if (p === 0) return 0;
  if (p === 1) return Infinity;
  // Solve on the beta scale: F = d2 x / (d1 (1 − x)), I_x(d1/2, d2/2) = p.
  const f = (x: number): number => betaIncReg(d1 / 2, d2 / 2, x) - p;
  const x = brentRoot(f, 0, 1, 1e-17, 1000);
  return (d2 * x) / (d1 * (1 - x));
}
