/**
 * Descriptive statistics: mean, variance and standard deviation (n − 1),
 * standard error of the mean, min, max, range. Match `numpy.mean`,
 * `numpy.var(ddof=1)`, `numpy.std(ddof=1)`, `scipy.stats.sem`, `numpy.min`,
 * `numpy.max`, `numpy.ptp`. Sums use Neumaier compensated summation and the
 * variance a two-pass algorithm, so results agree with NumPy to ~1e-15.
 */
import { checkSample, type Sample } from "./validate.ts";

/** Compensated (Neumaier) sum. */
export function sum(values: Sample): number {
  let s = 0, c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

/** Arithmetic mean (`numpy.mean`). Needs n ≥ 1. */
export function mean(values: Sample): number {
  checkSample("mean", values, 1);
  return sum(values) / values.length;
}

/** Internal: mean without validation. */
export function meanUnchecked(values: Sample): number {
  return sum(values) / values.length;
}

/**
 * Internal: sample variance (n − 1) without validation, two-pass. When the
 * deviations are so large or small that their squares would overflow or
 * underflow (|x − mean| outside 1e-140..1e140), they are divided by the largest
 * one first, so values from 1e-300 to 1e300 give a finite, non-zero answer
 * wherever the true variance is representable.
 */
export function varianceUnchecked(values: Sample): number {
  const m = sum(values) / values.length;
  const big = largestDeviation(values, m);
  if (big === 0) return 0;
  if (big > 1e-140 && big < 1e140) return plainVariance(values, m);
  return scaledSd(values, m, big) ** 2;
}

/** Internal: sample sd (n − 1) without validation, scaled so that squares neither overflow nor underflow. */
export function sdUnchecked(values: Sample): number {
  const m = sum(values) / values.length;
  const big = largestDeviation(values, m);
  if (big === 0) return 0;
  if (big > 1e-140 && big < 1e140) return Math.sqrt(plainVariance(values, m));
  return scaledSd(values, m, big);
}

// The passes of varianceUnchecked and sdUnchecked, each given the mean (and the largest deviation) the
// caller computed once: an sd took the sum and the largest deviation twice (its variance computed them again).

/** max |x − m|. */
function largestDeviation(values: Sample, m: number): number {
  let big = 0;
  for (let i = 0; i < values.length; i++) big = Math.max(big, Math.abs(values[i]! - m));
  return big;
}

/** Two-pass variance about the mean m, with the deviations' sum as a correction (Chan, Golub and LeVeque 1983, eq. 1.7). */
function plainVariance(values: Sample, m: number): number {
  const n = values.length;
  let ss = 0, comp = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - m;
    ss += d * d;
    comp += d;
  }
  return (ss - (comp * comp) / n) / (n - 1);
}

/** The sd from the deviations divided by the largest one `big` (squares that would overflow or underflow). */
function scaledSd(values: Sample, m: number, big: number): number {
  const n = values.length;
  let ss = 0, comp = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i]! - m) / big;
    ss += d * d;
    comp += d;
  }
  return big * Math.sqrt(Math.max(0, ss - (comp * comp) / n) / (n - 1));
}

/** Sample variance with n − 1 denominator (`numpy.var(x, ddof=1)`). Needs n ≥ 2. */
export function variance(values: Sample): number {
  checkSample("variance", values, 2, "the sample variance divides by n − 1");
  return varianceUnchecked(values);
}

/** Sample standard deviation with n − 1 denominator (`numpy.std(x, ddof=1)`). Needs n ≥ 2. */
export function sd(values: Sample): number {
  checkSample("sd", values, 2, "the sample standard deviation divides by n − 1");
  return sdUnchecked(values);
}

/** Standard error of the mean sd/√n (`scipy.stats.sem`). Needs n ≥ 2. */
export function standardError(values: Sample): number {
  checkSample("standardError", values, 2, "the standard error needs the sample standard deviation");
  return sdUnchecked(values) / Math.sqrt(values.length);
}

/** Smallest value (`numpy.min`). */
export function min(values: Sample): number {
  checkSample("min", values, 1);
  let m = values[0]!;
  for (let i = 1; i < values.length; i++) if (values[i]! < m) m = values[i]!;
  return m;
}

/** Largest value (`numpy.max`). */
export function max(values: Sample): number {
  checkSample("max", values, 1);
  let m = values[0]!;
  for (let i = 1; i < values.length; i++) if (values[i]! > m) m = values[i]!;
  return m;
}

/** max − min (`numpy.ptp`). */
export function range(values: Sample): number {
  checkSample("range", values, 1);
  return max(values) - min(values);
}
