/**
 * Exact sign test (Arbuthnot 1710; Dixon & Mood 1946) on d = b − a: zero
 * differences are dropped and k = #{d > 0} is Binomial(n′, ½) under H0.
 * Same p-value as `scipy.stats.binomtest(k, n′, 0.5, alternative)`.
 */
import { checkAlternative, checkPairs, type Sample } from "./validate.ts";
import { pairedDifferencesWithoutRounding } from "./rounding.ts";
import { binomialCdf, binomialSf } from "./binomial.ts";
import { minPNote, type TestOptions, type TestResult } from "./types.ts";

/** Sign test of median(b − a) = 0. */
export function signTest(a: Sample, b: Sample, opts: TestOptions = {}): TestResult {
  const alternative = opts.alternative ?? "two-sided";
  checkAlternative("signTest", alternative);
  checkPairs("signTest", a, b, 1);
  const d = pairedDifferencesWithoutRounding(a, b).values;
  let k = 0, n = 0;
  for (let i = 0; i < d.length; i++) { if (d[i]! > 0) { k++; n++; } else if (d[i]! < 0) n++; }
  if (n === 0) throw new Error(`stats.signTest: all ${d.length} differences b − a are zero; the sign test has nothing to test`);
  let p: number;
  if (alternative === "greater") p = binomialSf(k - 1, n, 0.5);
  else if (alternative === "less") p = binomialCdf(k, n, 0.5);
  else p = 2 * k === n ? 1 : Math.min(1, 2 * Math.min(binomialCdf(k, n, 0.5), binomialSf(k - 1, n, 0.5)));
  const minP = alternative === "two-sided" ? Math.min(1, 2 * Math.pow(0.5, n)) : Math.pow(0.5, n);
  const res: TestResult = { test: "sign", statistic: k, p, method: "exact", n: d.length, alternative, minAchievableP: minP };
  return minPNote(res, opts.alpha ?? 0.05, "pairs", d.length - n);
}
