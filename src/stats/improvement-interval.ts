/**
 * Intervals for the probability of improvement that hold at a handful of seeds
 * (the percentile bootstrap of `probabilityOfImprovement` covers 55% at n = 5).
 *
 * - Paired, θ = P(D > 0) + ½P(D = 0) for the difference D = b − a of a seed:
 *   with k⁺ seeds where b > a and k⁰ ties out of n, θ lies between P(D > 0)
 *   and P(D ≥ 0), so the interval runs from the Clopper–Pearson lower limit
 *   for k⁺/n to the Clopper–Pearson upper limit for (k⁺ + k⁰)/n, each at
 *   level 1 − α/2 per side (Clopper & Pearson 1934). It covers with probability
 *   ≥ 1 − α for every distribution and every n (exact, conservative).
 * - Unpaired, θ = P(B > A) + ½P(B = A) (the AUC / Mann–Whitney probability):
 *   Newcombe's score-type "method 5" (Newcombe 2006, "Confidence intervals for
 *   an effect size measure based on the Mann–Whitney statistic. Part 2",
 *   Statistics in Medicine 25:559), the θ solving (θ̂ − θ)² = z² V(θ) with
 *   V(θ) = θ(1 − θ)[1 + (N* − 1)((1 − θ)/(2 − θ) + θ/(1 + θ))]/(m n), N* = (m + n)/2
 *   (Hanley & McNeil's variance with both group sizes replaced by their mean).
 *   twin uses the t quantile with m + n − 2 df instead of z, which measured
 *   coverage ≥ 93% at 5–20 runs per group for θ up to 0.98 (docs/statistics.md).
 *   It stays defined at θ̂ = 0 or 1 (complete separation), where Wald-type and
 *   Brunner–Munzel intervals collapse to a point.
 *
 * A seed whose b and a differ only by floating-point rounding is a tie
 * (`pairedDifferencesWithoutRounding`); so is an unpaired pair of runs that
 * differ only by rounding (`tiedUpToRounding`, as in the Mann–Whitney test).
 */
import { checkLevel, checkSample, checkPairs, type Sample } from "./validate.ts";
import { pairedDifferencesWithoutRounding, tiedUpToRounding, withoutRounding } from "./rounding.ts";
import { clopperPearson } from "./failures.ts";
import { tQuantile } from "./studentt.ts";
import { brentRoot } from "./solve.ts";
import type { Interval } from "./types.ts";

/** Paired P(B > A) (ties ½) with the exact sign-count interval. Needs n ≥ 1 pair. */
export function pairedImprovementInterval(a: Sample, b: Sample, level = 0.95): Interval {
  checkPairs("pairedImprovementInterval", a, b, 1);
  checkLevel("pairedImprovementInterval", level);
  const n = a.length;
  const d = pairedDifferencesWithoutRounding(a, b).values;
  let up = 0, tie = 0;
  for (let i = 0; i < n; i++) { if (d[i]! > 0) up++; else if (d[i] === 0) tie++; }
  const lo = clopperPearson(up, n, level)[0];
  const hi = clopperPearson(up + tie, n, level)[1];
  const warnings: string[] = [];
  if (tie > 0) warnings.push(`${tie} of ${n} seeds tie (b = a); the interval spans both readings of the ties`);
  return { estimate: (up + tie / 2) / n, lo, hi, level, method: "clopper-pearson-signs", warnings };
}

function mannWhitneyProbability(a: Sample, b: Sample): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) for (let j = 0; j < a.length; j++) s += b[i]! > a[j]! ? 1 : b[i] === a[j] ? 0.5 : 0;
  return s / (a.length * b.length);
}

/** Unpaired P(B > A) + ½P(B = A) with Newcombe's method-5 score interval (t quantile). Needs ≥ 2 runs per variant. */
export function improvementInterval(a: Sample, b: Sample, level = 0.95): Interval {
  checkSample("improvementInterval", a, 2, "the interval needs at least 2 runs per variant", "a value");
  checkSample("improvementInterval", b, 2, "the interval needs at least 2 runs per variant", "b value");
  checkLevel("improvementInterval", level);
  [a, b] = tiedUpToRounding([withoutRounding(a).values, withoutRounding(b).values]) as [Float64Array, Float64Array];
  const m = a.length, n = b.length;
  const est = mannWhitneyProbability(a, b);
  const q = tQuantile(0.5 + level / 2, m + n - 2);
  const nStar = (m + n) / 2;
  const V = (t: number): number => (t * (1 - t) * (1 + (nStar - 1) * ((1 - t) / (2 - t) + t / (1 + t)))) / (m * n);
  const f = (t: number): number => (est - t) ** 2 - q * q * V(t);
  // f < 0 at the estimate (unless it is 0 or 1) and f > 0 at the far end, so each side has one root.
  // At θ̂ = 1 (or 0) f vanishes at the boundary itself; f/(1 − θ) (or f/θ) has the other root.
  const g = (t: number): number => (est === 1 ? f(t) / (1 - t) : est === 0 ? f(t) / t : f(t));
  const lo = est <= 0 ? 0 : f(0) <= 0 ? 0 : brentRoot(g, 0, est === 1 ? 1 - 1e-15 : est, 1e-13);
  const hi = est >= 1 ? 1 : f(1) <= 0 ? 1 : brentRoot(g, est === 0 ? 1e-15 : est, 1, 1e-13);
  const warnings: string[] = [];
  if (est === 0 || est === 1) warnings.push("every run of one variant beats every run of the other: the estimate sits at the boundary and only one side of the interval is informative");
  return { estimate: est, lo, hi, level, method: "newcombe-score-t", df: m + n - 2, warnings };
}
