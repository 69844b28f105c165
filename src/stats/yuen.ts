/**
 * Trimmed-mean t-tests: comparisons that a few black-swan seeds cannot drag.
 * Default trimming 20% (Wilcox 2012, "Introduction to Robust Estimation and
 * Hypothesis Testing", §4.3, §5.3, §5.9).
 *
 * - `yuenTest(a, b)`: Yuen's (1974, Biometrika 61) two-sample test of equal
 *   trimmed means: g = ⌊γn⌋ values cut from each end, h = n − 2g, winsorized
 *   variance s²_w, d = (n − 1)s²_w/(h(h − 1)), t = (T̄_b − T̄_a)/√(d_a + d_b),
 *   Welch-type df = (d_a + d_b)²/(d²_a/(h_a − 1) + d²_b/(h_b − 1)).
 *   Same as `scipy.stats.ttest_ind(b, a, equal_var=False, trim=0.2)`.
 * - `trimmedPairedTest(a, b)`: the one-sample trimmed t (Tukey & McLaughlin
 *   1963) on the differences d = b − a: t = T̄_d/√((n − 1)s²_w/(h(h − 1))),
 *   df = h − 1; tests that the trimmed mean of the differences is 0.
 */
import { checkAlternative, checkSample, checkPairs, type Sample } from "./validate.ts";
import { pairedDifferencesWithoutRounding } from "./rounding.ts";
import { sortedCopy } from "./quantile.ts";
import { sum, sdUnchecked } from "./descriptive.ts";
import { tPValue } from "./ttest.ts";
import type { TestOptions, TestResult } from "./types.ts";

export interface TrimmedOptions extends TestOptions {
  /** Proportion cut from each end, in [0, 0.5) (default 0.2). */
  trim?: number;
}

interface Trimmed { mean: number; d: number; h: number }

function trimmedParts(fn: string, x: Sample, trim: number, label: string): Trimmed {
  const s = sortedCopy(x);
  const n = s.length;
  const g = Math.floor(trim * n);
  const h = n - 2 * g;
  if (h < 2) throw new Error(`stats.${fn}: cutting ${g} of ${n} ${label} from each end leaves ${h}; a trimmed t-test needs at least 2 kept (use more seeds or less trimming)`);
  const mean = sum(s.subarray(g, n - g)) / h;
  const w = Float64Array.from(s);
  for (let i = 0; i < g; i++) { w[i] = s[g]!; w[n - 1 - i] = s[n - 1 - g]!; }
  const sw = sdUnchecked(w);
  // d = (n − 1) s²_w / (h (h − 1)), kept as its square root to avoid overflow.
  const sqrtD = sw * Math.sqrt((n - 1) / (h * (h - 1)));
  return { mean, d: sqrtD, h };
}

function checkTrim(fn: string, trim: number): void {
  if (!(trim >= 0 && trim < 0.5)) throw new Error(`stats.${fn}: trim must be a proportion in [0, 0.5), got ${trim}`);
}

/** Yuen's trimmed-mean test of B vs A (unpaired, Welch-type df). */
export function yuenTest(a: Sample, b: Sample, opts: TrimmedOptions = {}): TestResult & { estimate: number } {
  const alternative = opts.alternative ?? "two-sided";
  const trim = opts.trim ?? 0.2;
  checkAlternative("yuenTest", alternative);
  checkTrim("yuenTest", trim);
  checkSample("yuenTest", a, 2, "", "a value");
  checkSample("yuenTest", b, 2, "", "b value");
  const A = trimmedParts("yuenTest", a, trim, "runs of a");
  const B = trimmedParts("yuenTest", b, trim, "runs of b");
  const estimate = B.mean - A.mean;
  const se = Math.hypot(A.d, B.d);
  if (se === 0) throw new Error("stats.yuenTest: the kept runs of each variant are identical (zero winsorized spread), so the trimmed t statistic is undefined");
  const ra = (A.d / se) ** 2, rb = (B.d / se) ** 2;
  const df = 1 / ((ra * ra) / (A.h - 1) + (rb * rb) / (B.h - 1));
  const t = estimate / se;
  return {
    test: `Yuen ${Math.round(trim * 100)}% trimmed`, statistic: t, p: tPValue(t, df, alternative), method: "asymptotic",
    n: a.length + b.length, sizes: [a.length, b.length], df, alternative, minAchievableP: 0, estimate,
  };
}

/** Trimmed-mean t-test of the paired differences b − a (Tukey–McLaughlin, df = h − 1). */
export function trimmedPairedTest(a: Sample, b: Sample, opts: TrimmedOptions = {}): TestResult & { estimate: number } {
  const alternative = opts.alternative ?? "two-sided";
  const trim = opts.trim ?? 0.2;
  checkAlternative("trimmedPairedTest", alternative);
  checkTrim("trimmedPairedTest", trim);
  checkPairs("trimmedPairedTest", a, b, 2);
  const D = trimmedParts("trimmedPairedTest", pairedDifferencesWithoutRounding(a, b).values, trim, "differences");
  if (D.d === 0) throw new Error("stats.trimmedPairedTest: the kept differences are identical (zero winsorized spread), so the trimmed t statistic is undefined");
  const t = D.mean / D.d;
  const df = D.h - 1;
  return {
    test: `trimmed paired t (${Math.round(trim * 100)}%)`, statistic: t, p: tPValue(t, df, alternative), method: "asymptotic",
    n: a.length, df, alternative, minAchievableP: 0, estimate: D.mean,
  };
}
