/**
 * Adjusted p-values for multiple comparisons, as
 * `statsmodels.stats.multitest.multipletests(p, method=...)` computes them
 * (monotone, capped at 1, returned in the input order):
 *
 * - `bonferroni(p)`: min(1, m·p).
 * - `holm(p)`: Holm (1979) step-down: p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j)).
 * - `benjaminiHochberg(p)`: Benjamini & Hochberg (1995) step-up FDR:
 *   p̃_(i) = min_{j ≥ i} min(1, m p_(j) / j).
 */
import { checkSample, type Sample } from "./validate.ts";

function checkP(fn: string, p: Sample): void {
  checkSample(fn, p, 1, "", "p-value");
  for (let i = 0; i < p.length; i++) {
    if (p[i]! < 0 || p[i]! > 1) throw new Error(`stats.${fn}: p-value ${i} is ${p[i]}, outside [0, 1]`);
  }
}

function order(p: Sample): number[] {
  return Array.from({ length: p.length }, (_, i) => i).sort((i, j) => p[i]! - p[j]! || i - j);
}

/** Bonferroni-adjusted p-values. */
export function bonferroni(p: Sample): number[] {
  checkP("bonferroni", p);
  const m = p.length;
  return Array.from(p as ArrayLike<number>, (v) => Math.min(1, v * m));
}

/** Holm step-down adjusted p-values. */
export function holm(p: Sample): number[] {
  checkP("holm", p);
  const m = p.length;
  const idx = order(p);
  const out = new Array<number>(m);
  let running = 0;
  idx.forEach((i, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p[i]!));
    out[i] = running;
  });
  return out;
}

/** Benjamini–Hochberg (FDR) adjusted p-values. */
export function benjaminiHochberg(p: Sample): number[] {
  checkP("benjaminiHochberg", p);
  const m = p.length;
  const idx = order(p);
  const out = new Array<number>(m);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = idx[r]!;
    running = Math.min(running, Math.min(1, (m * p[i]!) / (r + 1)));
    out[i] = running;
  }
  return out;
}
