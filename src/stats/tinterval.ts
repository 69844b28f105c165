/**
 * Student t confidence intervals (exact under normality, the right default at
 * 3–10 seeds where bootstrap intervals undercover):
 *
 * - `tInterval(x)`: mean ± t_{1−α/2, n−1} · sd/√n
 *   (`scipy.stats.t.interval(level, n−1, loc=mean, scale=sem)`).
 * - `pairedTInterval(a, b)`: the same on d = b − a.
 * - `welchInterval(a, b)`: mean(b) − mean(a) ± t_{1−α/2, ν}·se with Welch–Satterthwaite ν
 *   (what `scipy.stats.ttest_ind(b, a, equal_var=False).confidence_interval()` gives in SciPy ≥ 1.11).
 * - `studentInterval(a, b)`: pooled-variance version.
 */
import { checkLevel, checkSample, checkPairs, type Sample } from "./validate.ts";
import { pairedDifferencesWithoutRounding } from "./rounding.ts";
import { meanUnchecked, sdUnchecked } from "./descriptive.ts";
import { tQuantile } from "./studentt.ts";
import { pooledSe, welchSe } from "./ttest.ts";
import type { Interval } from "./types.ts";

function make(estimate: number, se: number, df: number, level: number, method: string): Interval {
  const q = tQuantile(0.5 + level / 2, df);
  return { estimate, lo: estimate - q * se, hi: estimate + q * se, level, method, df, se, warnings: [] };
}

/** t interval of a mean. Needs n ≥ 2. */
export function tInterval(x: Sample, level = 0.95): Interval {
  checkLevel("tInterval", level);
  checkSample("tInterval", x, 2, "a t interval estimates the standard deviation, which needs n − 1 ≥ 1");
  return make(meanUnchecked(x), sdUnchecked(x) / Math.sqrt(x.length), x.length - 1, level, "t");
}

/** Paired t interval of mean(b − a). Needs n ≥ 2 pairs. */
export function pairedTInterval(a: Sample, b: Sample, level = 0.95): Interval {
  checkLevel("pairedTInterval", level);
  checkPairs("pairedTInterval", a, b, 2, "a t interval needs n − 1 ≥ 1 degrees of freedom");
  // As every paired verdict function sees them: differences that vary only by floating-point rounding do not vary.
  const d = pairedDifferencesWithoutRounding(a, b).values;
  const r = make(meanUnchecked(d), sdUnchecked(d) / Math.sqrt(d.length), d.length - 1, level, "paired-t");
  return r;
}

/** Welch t interval of mean(b) − mean(a). Needs n ≥ 2 per group. */
export function welchInterval(a: Sample, b: Sample, level = 0.95): Interval {
  checkLevel("welchInterval", level);
  checkSample("welchInterval", a, 2, "Welch's interval estimates each group's variance", "a value");
  checkSample("welchInterval", b, 2, "Welch's interval estimates each group's variance", "b value");
  const { se, df } = welchSe(a, b);
  const est = meanUnchecked(b) - meanUnchecked(a);
  if (se === 0) return { estimate: est, lo: est, hi: est, level, method: "welch-t", df: NaN, se: 0, warnings: ["all values within each group are identical: zero-width interval"] };
  return make(est, se, df, level, "welch-t");
}

/** Pooled-variance t interval of mean(b) − mean(a). Needs nA + nB ≥ 3. */
export function studentInterval(a: Sample, b: Sample, level = 0.95): Interval {
  checkLevel("studentInterval", level);
  checkSample("studentInterval", a, 1, "", "a value");
  checkSample("studentInterval", b, 1, "", "b value");
  if (a.length + b.length < 3) throw new Error(`stats.studentInterval: needs nA + nB ≥ 3, got ${a.length} + ${b.length}`);
  const { se, df } = pooledSe(a, b);
  return make(meanUnchecked(b) - meanUnchecked(a), se, df, level, "student-t");
}
