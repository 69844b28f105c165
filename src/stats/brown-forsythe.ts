/**
 * Brown–Forsythe test of equal variances across k independent groups (Brown &
 * Forsythe 1974, "Robust tests for the equality of variances", JASA): the
 * one-way ANOVA F test on the absolute deviations from each group's median,
 * F(k − 1, N − k). Robust to heavy tails and skew, where the classical F test
 * of two variances is not. Same as `scipy.stats.levene(*groups, center="median")`.
 */
import { checkSample, type Sample } from "./validate.ts";
import { medianUnchecked } from "./quantile.ts";
import { fSf } from "./fdist.ts";

export interface BrownForsytheResult {
  test: "Brown–Forsythe";
  /** The F statistic. */
  statistic: number;
  df1: number;
  df2: number;
  p: number;
}

/**
 * Brown–Forsythe test over `groups` (each ≥ 2 values). Throws when the
 * absolute deviations do not vary within any group (always so with 2 values
 * per group), where the statistic is undefined.
 */
export function brownForsythe(groups: readonly Sample[]): BrownForsytheResult {
  if (groups.length < 2) throw new Error(`stats.brownForsythe: needs at least 2 groups, got ${groups.length}`);
  groups.forEach((g, i) => checkSample("brownForsythe", g, 2, `group ${i} needs 2 values for a spread`));
  const z = groups.map((g) => {
    const m = medianUnchecked(g);
    return Array.from(g, (x) => Math.abs(x - m));
  });
  const k = z.length;
  const N = z.reduce((s, g) => s + g.length, 0);
  const means = z.map((g) => g.reduce((s, x) => s + x, 0) / g.length);
  const grand = z.reduce((s, g) => s + g.reduce((t, x) => t + x, 0), 0) / N;
  let between = 0, within = 0;
  z.forEach((g, i) => {
    between += g.length * (means[i]! - grand) ** 2;
    for (const x of g) within += (x - means[i]!) ** 2;
  });
  // With 2 values per group both deviations are equal by construction; rounding leaves a tiny within-group sum.
  const total = z.reduce((acc, g) => acc + g.reduce((t, x) => t + (x - grand) ** 2, 0), 0);
  if (within <= 1e-12 * total || groups.every((g) => g.length <= 2)) {
    throw new Error(`stats.brownForsythe: the absolute deviations from each group's median do not vary within any group (${groups.every((g) => g.length === 2) ? "2 values per group always give this" : "too few distinct values"}); the test needs at least 3 runs per group`);
  }
  const df1 = k - 1, df2 = N - k;
  const statistic = (df2 * between) / (df1 * within);
  return { test: "Brown–Forsythe", statistic, df1, df2, p: fSf(statistic, df1, df2) };
}
