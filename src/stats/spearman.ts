/**
 * Spearman's rank correlation (`scipy.stats.spearmanr`): the Pearson
 * correlation of the average ranks (ties get their mean rank). NaN when either
 * side is constant, as in SciPy.
 */
import { rankAverage } from "./ranks.ts";
import { checkPaired } from "./validate.ts";

/** Pearson correlation of two equally long samples; NaN when either is constant. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]!; my += y[i]!; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx, dy = y[i]! - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? NaN : Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Spearman's ρ of paired samples (at least 3 pairs). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPaired("spearman", x, y);
  if (x.length < 3) throw new Error(`stats.spearman: needs at least 3 pairs, got ${x.length}`);
  return pearson(rankAverage(x), rankAverage(y));
}
