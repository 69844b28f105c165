/**
 * t intervals whose variance is a sum of separately estimated parts (seeds,
 * test examples): Satterthwaite's (1946) approximate degrees of freedom,
 * ν = (Σ cᵢ·MSᵢ)² / Σ (cᵢ·MSᵢ)²/νᵢ. Shared by ensembleGain and
 * twoLevelDifference.
 */
import { tQuantile } from "./studentt.ts";

/** An estimate with its Satterthwaite t interval. */
export interface SatterthwaiteInterval {
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  se: number;
  /** Satterthwaite degrees of freedom (Infinity when every part is 0). */
  df: number;
  method: string;
}

/** A variance written as Σ coef · MS, each mean square with its degrees of freedom. */
export type VarianceTerms = readonly { coef: number; ms: number; df: number }[];

/** Satterthwaite's degrees of freedom of Σ coef · MS. */
export function satterthwaiteDf(terms: VarianceTerms): number {
  const v = terms.reduce((s, t) => s + t.coef * t.ms, 0);
  const denom = terms.reduce((s, t) => s + (t.coef * t.ms) ** 2 / t.df, 0);
  return denom > 0 ? (v * v) / denom : Infinity;
}

/** estimate ± t(level, max(df, 1)) · se. */
export function tBounds(estimate: number, se: number, df: number, level: number): { lo: number; hi: number } {
  const q = tQuantile(1 - (1 - level) / 2, Math.max(df, 1));
  return { lo: estimate - q * se, hi: estimate + q * se };
}
