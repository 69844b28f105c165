/**
 * Student t-tests. Effects are oriented as b − a throughout twin:
 *
 * - `pairedTTest(a, b)`: t = mean(d)/(sd(d)/√n), d = b − a, df = n − 1.
 *   Same as `scipy.stats.ttest_rel(b, a)`.
 * - `welchTTest(a, b)`: Welch's unequal-variance t with Welch–Satterthwaite df.
 *   Same as `scipy.stats.ttest_ind(b, a, equal_var=False)`.
 * - `studentTTest(a, b)`: pooled-variance t, df = nA + nB − 2.
 *   Same as `scipy.stats.ttest_ind(b, a)` (SciPy's default equal_var=True).
 * - `oneSampleTTest(x, mu)`: `scipy.stats.ttest_1samp(x, mu)`.
 *
 * A zero standard error (all differences equal) makes t undefined; instead of
 * returning NaN or ±Infinity like SciPy, these functions throw an explaining Error.
 * Values equal up to floating-point rounding count as equal (`rounding.ts`):
 * their "spread" would give t ~1e15 from rounding noise alone.
 */
import { checkAlternative, checkSample, checkPairs, type Alternative, type Sample } from "./validate.ts";
import { meanUnchecked, sdUnchecked } from "./descriptive.ts";
import { tCdf, tSf } from "./studentt.ts";
import type { TestOptions, TestResult } from "./types.ts";
import { pairedDifferencesWithoutRounding, withoutRounding, type RoundingCleaned } from "./rounding.ts";

/** p-value of a t statistic with df degrees of freedom. */
export function tPValue(t: number, df: number, alternative: Alternative): number {
  if (alternative === "greater") return tSf(t, df);
  if (alternative === "less") return tCdf(t, df);
  return Math.min(1, 2 * tSf(Math.abs(t), df));
}

/**
 * Throws the error for a t statistic whose standard error is 0 (every value equal, or equal up to rounding):
 * of one sample, or of two groups ([a, b], each named with its own value).
 */
export function zeroSe(fn: string, what: string, cleaned: RoundingCleaned | readonly [RoundingCleaned, RoundingCleaned]): never {
  const words = (c: RoundingCleaned): string => (c.roundingOnly ? `equal up to floating-point rounding, all ${c.value}` : `all equal to ${c.value}`);
  const equal = isPair(cleaned) ? `a: ${words(cleaned[0])}; b: ${words(cleaned[1])}` : words(cleaned);
  throw new Error(
    `stats.${fn}: ${what} (${equal}), so their standard deviation is 0 and the t statistic is undefined; ` +
      `a t-test needs run-to-run variation (check that the seeds really differ), or use a sign/permutation test`,
  );
}

function isPair(c: RoundingCleaned | readonly [RoundingCleaned, RoundingCleaned]): c is readonly [RoundingCleaned, RoundingCleaned] {
  return Array.isArray(c);
}

/** One-sample t-test of H0: mean(x) = mu (`scipy.stats.ttest_1samp`). Needs n ≥ 2. */
export function oneSampleTTest(x: Sample, mu = 0, opts: TestOptions = {}): TestResult {
  const alternative = opts.alternative ?? "two-sided";
  checkAlternative("oneSampleTTest", alternative);
  checkSample("oneSampleTTest", x, 2, "a t-test estimates the standard deviation, which needs n − 1 ≥ 1");
  const clean = withoutRounding(x);
  if (clean.constant) zeroSe("oneSampleTTest", `all ${x.length} values are identical`, clean);
  x = clean.values;
  const n = x.length;
  const se = sdUnchecked(x) / Math.sqrt(n);
  const t = (meanUnchecked(x) - mu) / se;
  const df = n - 1;
  return { test: "one-sample t", statistic: t, p: tPValue(t, df, alternative), method: "exact", n, df, alternative, minAchievableP: 0 };
}

/** Paired t-test of mean(b − a) = 0 (`scipy.stats.ttest_rel(b, a)`). Needs n ≥ 2 pairs. */
export function pairedTTest(a: Sample, b: Sample, opts: TestOptions = {}): TestResult {
  const alternative = opts.alternative ?? "two-sided";
  checkAlternative("pairedTTest", alternative);
  checkPairs("pairedTTest", a, b, 2, "a paired t-test needs n − 1 ≥ 1 degrees of freedom");
  const clean = pairedDifferencesWithoutRounding(a, b);
  if (clean.constant) zeroSe("pairedTTest", `all ${a.length} paired differences b − a are identical`, clean);
  const d = clean.values;
  const n = d.length;
  const t = meanUnchecked(d) / (sdUnchecked(d) / Math.sqrt(n));
  const df = n - 1;
  return { test: "paired t", statistic: t, p: tPValue(t, df, alternative), method: "exact", n, df, alternative, minAchievableP: 0 };
}

/**
 * Welch–Satterthwaite degrees of freedom and standard error of mean(b) − mean(a).
 * Computed from standard errors and their shares of the total, so no square of a
 * variance is formed (values from 1e-300 to 1e300 neither overflow nor underflow).
 */
export function welchSe(a: Sample, b: Sample): { se: number; df: number } {
  const sa = sdUnchecked(a) / Math.sqrt(a.length);
  const sb = sdUnchecked(b) / Math.sqrt(b.length);
  const se = Math.hypot(sa, sb);
  if (se === 0) return { se: 0, df: NaN };
  const ra = (sa / se) ** 2, rb = (sb / se) ** 2;
  const df = 1 / ((ra * ra) / (a.length - 1) + (rb * rb) / (b.length - 1));
  return { se, df };
}

/** Pooled standard error of mean(b) − mean(a) and df = nA + nB − 2. */
export function pooledSe(a: Sample, b: Sample): { se: number; df: number } {
  const na = a.length, nb = b.length;
  const df = na + nb - 2;
  const sa = na > 1 ? sdUnchecked(a) : 0;
  const sb = nb > 1 ? sdUnchecked(b) : 0;
  const sp = Math.hypot(Math.sqrt(na - 1) * sa, Math.sqrt(nb - 1) * sb) / Math.sqrt(df);
  return { se: sp * Math.sqrt(1 / na + 1 / nb), df };
}

/** Welch's t-test of mean(b) − mean(a) = 0 (`scipy.stats.ttest_ind(b, a, equal_var=False)`). Needs n ≥ 2 per group. */
export function welchTTest(a: Sample, b: Sample, opts: TestOptions = {}): TestResult {
  const alternative = opts.alternative ?? "two-sided";
  checkAlternative("welchTTest", alternative);
  checkSample("welchTTest", a, 2, "Welch's test estimates each group's variance", "a value");
  checkSample("welchTTest", b, 2, "Welch's test estimates each group's variance", "b value");
  const ca = withoutRounding(a), cb = withoutRounding(b);
  if (ca.constant && cb.constant) zeroSe("welchTTest", "each group's values are identical", [ca, cb]);
  a = ca.values; b = cb.values;
  const { se, df } = welchSe(a, b);
  const t = (meanUnchecked(b) - meanUnchecked(a)) / se;
  return {
    test: "Welch t", statistic: t, p: tPValue(t, df, alternative), method: "exact", n: a.length + b.length,
    sizes: [a.length, b.length], df, alternative, minAchievableP: 0,
  };
}

/** Student's pooled-variance t-test (`scipy.stats.ttest_ind(b, a)`). Needs nA + nB ≥ 3. */
export function studentTTest(a: Sample, b: Sample, opts: TestOptions = {}): TestResult {
  const alternative = opts.alternative ?? "two-sided";
  checkAlternative("studentTTest", alternative);
  checkSample("studentTTest", a, 1, "", "a value");
  checkSample("studentTTest", b, 1, "", "b value");
  if (a.length + b.length < 3) {
    throw new Error(`stats.studentTTest: needs nA + nB ≥ 3 (df = nA + nB − 2 ≥ 1), got ${a.length} + ${b.length}`);
  }
  const ca = withoutRounding(a), cb = withoutRounding(b);
  a = ca.values; b = cb.values;
  const { se, df } = pooledSe(a, b);
  if (se === 0) zeroSe("studentTTest", "each group's values are identical", [ca, cb]);
  const t = (meanUnchecked(b) - meanUnchecked(a)) / se;
  return {
    test: "Student t", statistic: t, p: tPValue(t, df, alternative), method: "exact", n: a.length + b.length,
    sizes: [a.length, b.length], df, alternative, minAchievableP: 0,
  };
}
