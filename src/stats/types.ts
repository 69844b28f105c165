/** Shared result types of `src/stats`. */
import type { Alternative } from "./validate.ts";

/** How a p-value was computed. */
export type TestMethod = "exact" | "asymptotic" | "monte-carlo";

/** Result of a hypothesis test. All tests in twin orient the effect as b − a. */
export interface TestResult {
  /** Name of the test, e.g. "paired t", "Wilcoxon signed-rank". */
  test: string;
  statistic: number;
  p: number;
  method: TestMethod;
  /** Number of pairs (paired tests) or total number of values (two-sample tests). */
  n: number;
  /** Group sizes [nA, nB] for two-sample tests. */
  sizes?: [number, number];
  /** Degrees of freedom (t-tests). */
  df?: number;
  alternative: Alternative;
  /** Smallest p-value this test can produce at this sample size (0 for continuous tests). */
  minAchievableP: number;
  /** How exactly the p-value was obtained, in words (e.g. "exact conditional distribution given the mid-ranks"). */
  methodDetail?: string;
  /** Set when no p-value below `alpha` is achievable, or when an approximation is shaky. */
  note?: string;
}

/** A confidence interval. */
export interface Interval {
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  /** e.g. "t", "welch-t", "bootstrap-percentile", "bootstrap-bca", "chi-square". */
  method: string;
  /** Degrees of freedom for t intervals. */
  df?: number;
  /** Standard error of the estimate where one is defined. */
  se?: number;
  /** Bootstrap resamples. */
  resamples?: number;
  warnings: string[];
}

/** Common options of tests. */
export interface TestOptions {
  alternative?: Alternative;
  /** Significance level used only to decide whether to add a `note` (default 0.05). */
  alpha?: number;
}

/** Adds the standard "cannot reach alpha" note; `zeros`: zero differences the test dropped, which set its smallest p (8 pairs of which 6 are ties reach only 0.5). */
export function minPNote(result: TestResult, alpha: number, unit: string, zeros = 0): TestResult {
  if (result.minAchievableP > alpha) {
    const n = zeros > 0 ? `with n = ${result.n} ${unit}, ${zeros} of them zero differences that it drops,` : `with n = ${result.n} ${unit}`;
    result.note =
      `${n} the smallest p-value this ${result.test} test can give is ` +
      `${fmt(result.minAchievableP)}, so it cannot reach p < ${fmt(alpha)} whatever the data; add seeds ` +
      `or use a t-test (which assumes roughly normal differences)`;
  }
  return result;
}

export function fmt(x: number): string {
  if (x === 0) return "0";
  if (Math.abs(x) >= 0.001 && Math.abs(x) < 1e6) return String(Number(x.toPrecision(3)));
  return x.toExponential(2);
}
