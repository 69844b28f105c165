/**
 * Variance of a metric by random factor, from one-factor-at-a-time seed runs
 * (the design of Picard 2021, "torch.manual_seed(3407) is all you need", and
 * Bouthillier et al. 2021, "Accounting for variance in machine learning
 * benchmarks", MLSys):
 *
 * For each factor F (init, order, augment, dropout, …) a set of runs where only
 * F's seed varies and every other seed is fixed gives s²_F, an estimate of σ²_F,
 * the variance F alone causes. Runs where all seeds vary give s²_all ≈ σ²_total.
 *
 * - Interval of each variance: the chi-square interval
 *   [ν s²/χ²_{1−α/2,ν}, ν s²/χ²_{α/2,ν}], ν = n − 1 (exact for normal runs).
 * - Share of factor F: s²_F / s²_all with the F-distribution interval of a ratio
 *   of independent variances [r/F_{1−α/2}(ν_F, ν_all), r/F_{α/2}(ν_F, ν_all)],
 *   cut to [0, 1] (shareInterval). The estimate itself can exceed 1 by noise, or
 *   when the factors do not add up. Without all-varied runs the share is
 *   relative to Σ_F s²_F and has no interval.
 * - `interaction` = s²_all − Σ_F s²_F estimates what the factors do only together
 *   (interactions) plus nondeterminism; it may come out negative by noise.
 *
 * Assumptions: run values are roughly normal (the chi-square and F intervals are
 * not robust to heavy tails); factors act additively and independently, so
 * σ²_total = Σ σ²_F + σ²_interaction; the one-factor variance measured at the
 * fixed values of the other seeds is representative of other fixed values; the
 * sets of runs are independent of each other.
 */
import { checkLevel, checkSample, type Sample } from "./validate.ts";
import { varianceUnchecked } from "./descriptive.ts";
import { chiSquareQuantile } from "./chisquare.ts";
import { fQuantile } from "./fdist.ts";

/** Chi-square confidence interval of a variance from a sample (normal theory). Needs n ≥ 2. */
export function varianceInterval(x: Sample, level = 0.95): { variance: number; lo: number; hi: number; df: number; level: number } {
  checkSample("varianceInterval", x, 2, "a variance needs n − 1 ≥ 1");
  checkLevel("varianceInterval", level);
  const df = x.length - 1;
  const v = varianceUnchecked(x);
  const alpha = 1 - level;
  return { variance: v, lo: (df * v) / chiSquareQuantile(1 - alpha / 2, df), hi: (df * v) / chiSquareQuantile(alpha / 2, df), df, level };
}

/**
 * A share's interval cut to [0, 1], the values σ²_F/σ²_all can take when the
 * factors add up (σ²_all = Σ σ²_G + σ²_interaction ≥ σ²_F). A confidence set
 * intersected with the parameter space covers every possible value whenever
 * the uncut set does, so the cut keeps the level (Mandelkern 2002, "Setting
 * confidence intervals for bounded parameters", Statist. Sci. 17(2)); the F
 * interval is exact for normal runs. Null when the whole interval lies above
 * 1: the factor's runs vary more than the all-varied runs beyond noise, which
 * no share in [0, 1] explains (the factors do not add up).
 */
export function shareInterval(ci: readonly [number, number]): [number, number] | null {
  if (ci[0] > 1) return null;
  return [Math.max(0, ci[0]), Math.min(1, ci[1])];
}

export interface FactorVariance {
  factor: string;
  n: number;
  variance: number;
  sd: number;
  /** Chi-square interval of the variance. */
  varianceCi: [number, number];
  /** Fraction of the total variance. */
  share: number;
  /**
   * F interval of the share cut to [0, 1] (shareInterval); null without
   * all-varied runs, or when the whole F interval lies above 1.
   */
  shareCi: [number, number] | null;
  /** The F interval before the cut (null without all-varied runs). */
  shareCiUncut: [number, number] | null;
}

export interface VarianceDecomposition {
  factors: FactorVariance[];
  /** Variance of the all-varied runs (or Σ factor variances when none given). */
  total: number;
  totalCi: [number, number] | null;
  /** s²_all − Σ s²_F (null without all-varied runs). */
  interaction: number | null;
  level: number;
  notes: string[];
}

/**
 * Decomposes run-to-run variance by random factor.
 * `factors`: for each factor name, runs where only that factor's seed varied.
 * `all`: runs where every seed varied (optional but recommended).
 */
export function varianceDecomposition(
  factors: Record<string, Sample>, all?: Sample, opts: { level?: number } = {},
): VarianceDecomposition {
  const level = opts.level ?? 0.95;
  checkLevel("varianceDecomposition", level);
  const names = Object.keys(factors);
  if (names.length === 0) throw new Error("stats.varianceDecomposition: give at least one factor with its one-factor-at-a-time runs");
  const alpha = 1 - level;
  const notes: string[] = [];
  const per = names.map((name) => {
    const x = factors[name]!;
    checkSample("varianceDecomposition", x, 2, `factor '${name}' needs ≥ 2 runs to estimate its variance`, `${name} run`);
    const ci = varianceInterval(x, level);
    return { name, x, ci };
  });
  const sumF = per.reduce((s, p) => s + p.ci.variance, 0);
  let total = sumF, totalCi: [number, number] | null = null, interaction: number | null = null, dfAll = 0;
  if (all !== undefined) {
    checkSample("varianceDecomposition", all, 2, "the all-varied runs need ≥ 2 runs", "all-varied run");
    const t = varianceInterval(all, level);
    total = t.variance;
    totalCi = [t.lo, t.hi];
    dfAll = t.df;
    interaction = total - sumF;
    if (interaction < 0) notes.push("the factor variances add up to more than the all-varied variance; the difference is within noise unless the intervals say otherwise");
  } else {
    notes.push("no all-varied runs given: shares are relative to the sum of the factor variances and have no interval");
  }
  if (total === 0) notes.push("total variance is 0: every run gave the same value");
  const out: FactorVariance[] = per.map(({ name, x, ci }) => {
    const share = total > 0 ? ci.variance / total : NaN;
    let shareCi: [number, number] | null = null, shareCiUncut: [number, number] | null = null;
    if (all !== undefined && total > 0) {
      shareCiUncut = [share / fQuantile(1 - alpha / 2, ci.df, dfAll), share / fQuantile(alpha / 2, ci.df, dfAll)];
      shareCi = shareInterval(shareCiUncut);
    }
    if (x.length < 5) notes.push(`factor '${name}' has only ${x.length} runs: its variance interval is very wide`);
    return { factor: name, n: x.length, variance: ci.variance, sd: Math.sqrt(ci.variance), varianceCi: [ci.lo, ci.hi], share, shareCi, shareCiUncut };
  });
  return { factors: out, total, totalCi, interaction, level, notes };
}
