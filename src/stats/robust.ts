/**
 * Robust location and scale.
 *
 * - `trimmedMean(x, p)`: `scipy.stats.trim_mean(x, p)`: sort, cut ⌊p·n⌋ values
 *   from each end, average the rest.
 * - `interquartileMean(x)`: IQM, the 25% trimmed mean, as in rliable
 *   (Agarwal et al., "Deep RL at the edge of the statistical precipice",
 *   NeurIPS 2021): `scipy.stats.trim_mean(x, 0.25)`.
 * - `mad(x)`: median absolute deviation `scipy.stats.median_abs_deviation(x)`;
 *   with `{ scale: "normal" }` divided by Φ⁻¹(3/4) ≈ 0.6745 so that it
 *   estimates σ for normal data (`scale='normal'`).
 */
import { checkSample, type Sample } from "./validate.ts";
import { sortedCopy, medianUnchecked } from "./quantile.ts";
import { sum } from "./descriptive.ts";

/** Trimmed mean cutting ⌊proportion·n⌋ values at each end (`scipy.stats.trim_mean`). */
export function trimmedMean(values: Sample, proportion: number): number {
  checkSample("trimmedMean", values, 1);
  if (!(proportion >= 0 && proportion < 0.5)) {
    throw new Error(`stats.trimmedMean: proportion to cut must be in [0, 0.5), got ${proportion}`);
  }
  return trimmedMeanSorted(sortedCopy(values), proportion);
}

/** Internal: trimmedMean of an ascending sample (proportion in [0, 0.5), unchecked), for callers that sort once for several statistics. */
export function trimmedMeanSorted(sorted: Float64Array, proportion: number): number {
  const n = sorted.length;
  const cut = Math.floor(proportion * n);
  return sum(sorted.subarray(cut, n - cut)) / (n - 2 * cut);
}

/** Interquartile mean: mean of the middle 50% (`scipy.stats.trim_mean(x, 0.25)`, rliable's IQM). */
export function interquartileMean(values: Sample): number {
  checkSample("interquartileMean", values, 1);
  return trimmedMean(values, 0.25);
}

/** Φ⁻¹(3/4): MAD of a standard normal. */
export const MAD_NORMAL_CONSTANT = 0.6744897501960817;

/** Median absolute deviation (`scipy.stats.median_abs_deviation`); scale "normal" divides by Φ⁻¹(3/4). */
export function mad(values: Sample, opts: { scale?: "raw" | "normal" } = {}): number {
  checkSample("mad", values, 1);
  const med = medianUnchecked(values);
  const dev = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) dev[i] = Math.abs(values[i]! - med);
  const m = medianUnchecked(dev);
  return (opts.scale ?? "raw") === "normal" ? m / MAD_NORMAL_CONSTANT : m;
}
