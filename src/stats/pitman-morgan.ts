/**
 * Pitman–Morgan test and interval for the ratio of two variances measured on
 * the same seeds (paired samples), θ = σ²_b / σ²_a.
 *
 * Pitman (1939) and Morgan (1939), "A test for the significance of the
 * difference between the two variances in a sample from a normal bivariate
 * population": a and b have equal variances exactly when a + b and b − a are
 * uncorrelated, so H0: θ = 1 is the t test of zero correlation of (a + b, b − a)
 * with n − 2 df. For any θ, x = b/√θ and a have equal variances, so the
 * interval is every θ whose correlation r(θ) of (x + a, x − a) passes that
 * test: r(θ)² ≤ t²/(n − 2 + t²). Exact for bivariate normal seeds whatever
 * the correlation between a and b. Needs n ≥ 3.
 *
 * Undefined when the seeds lie on a line, b = k·a + c (correlation ±1, up to
 * floating-point rounding, `onALineUpToRounding`): then x + a and x − a are
 * multiples of one variable for every θ, so r(θ) = ±1 (t = ±∞, rejected) for
 * every θ but k², where r is 0/0. The inversion leaves no interval (the one
 * point it cannot test is not a 95% interval), and the test has no p. A
 * bivariate normal sample with |ρ| < 1 never lies on a line; values recorded
 * to few digits can, at few seeds (0.80, 0.81, 0.82 against 0.85, 0.861, 0.872).
 */
import { checkLevel, checkPairs, type Sample } from "./validate.ts";
import { meanUnchecked, sdUnchecked } from "./descriptive.ts";
import { tQuantile } from "./studentt.ts";
import { tPValue } from "./ttest.ts";
import { brentRoot } from "./solve.ts";
import { onALineUpToRounding, withoutRounding } from "./rounding.ts";

export interface PitmanMorganResult {
  /** s²_b / s²_a. */
  ratio: number;
  /** Interval of σ²_b / σ²_a at `level`. */
  ci: [number, number];
  level: number;
  /** Correlation of (a + b, b − a): the test statistic's core (0 when the sample variances are equal). */
  r: number;
  /** t = r √(n − 2) / √(1 − r²), df = n − 2. */
  statistic: number;
  df: number;
  /** Two-sided p of H0: σ²_a = σ²_b. */
  p: number;
  test: "Pitman–Morgan";
}

/** The seeds lie on a line: why the Pitman–Morgan interval and test are undefined (see the file comment). */
export const ON_A_LINE =
  "the two variants' runs lie exactly on a line across seeds (correlation ±1, up to floating-point rounding): " +
  "the Pitman–Morgan interval and test are undefined (its t is infinite for every variance ratio but the observed one); " +
  "normal seeds never do this, values recorded to few digits can at few seeds: add seeds or record more digits";

/**
 * Why `pitmanMorgan(a, b)` is undefined (a side does not vary, or the seeds lie
 * on a line, up to floating-point rounding), or null when it is defined.
 * Needs paired samples.
 */
export function pitmanMorganUndefined(a: Sample, b: Sample): string | null {
  const flatA = withoutRounding(a).constant, flatB = withoutRounding(b).constant;
  if (flatA || flatB) {
    return `${flatA ? "a" : "b"} does not vary across seeds (sd 0, or only floating-point rounding), so the ratio of variances is ${flatA ? "undefined" : "0"}; check that the seeds really differ`;
  }
  return onALineUpToRounding(a, b) ? ON_A_LINE : null;
}

/**
 * Pitman–Morgan paired test of equal variances with the interval of σ²_b/σ²_a.
 * Throws when it is undefined (`pitmanMorganUndefined`: a side without spread,
 * or seeds on a line).
 */
export function pitmanMorgan(a: Sample, b: Sample, level = 0.95): PitmanMorganResult {
  checkPairs("pitmanMorgan", a, b, 3, "the test has n − 2 degrees of freedom");
  checkLevel("pitmanMorgan", level);
  const why = pitmanMorganUndefined(a, b);
  if (why) throw new Error(`stats.pitmanMorgan: ${why}`);
  const n = a.length;
  const sa = sdUnchecked(a), sb = sdUnchecked(b);
  // Work in units of sd(a) so that nothing overflows.
  const S = (sb / sa) ** 2;
  const ma = meanUnchecked(a), mb = meanUnchecked(b);
  let c = 0;
  for (let i = 0; i < n; i++) c += ((a[i]! - ma) / sa) * ((b[i]! - mb) / sa);
  c /= n - 1;
  // r(θ) for x = b/√θ, y = a: decreasing from 1 (θ → 0) to −1 (θ → ∞).
  const r = (logTheta: number): number => {
    const L = Math.exp(logTheta);
    const vx = S / L, cxy = c / Math.sqrt(L);
    return (vx - 1) / Math.sqrt(Math.max((vx + 1) ** 2 - 4 * cxy * cxy, 1e-300));
  };
  const t = tQuantile(0.5 + level / 2, n - 2);
  const rCrit = Math.sqrt((t * t) / (n - 2 + t * t));
  const l0 = Math.log(S);
  let lo = l0 - 1, hi = l0 + 1;
  while (r(lo) < rCrit && lo > l0 - 700) lo -= 2;
  while (r(hi) > -rCrit && hi < l0 + 700) hi += 2;
  const ci: [number, number] = [Math.exp(brentRoot((x) => r(x) - rCrit, lo, l0, 1e-12)), Math.exp(brentRoot((x) => r(x) + rCrit, l0, hi, 1e-12))];
  const r1 = Math.max(-1, Math.min(1, r(0)));
  const statistic = Math.abs(r1) === 1 ? Math.sign(r1) * Infinity : (r1 * Math.sqrt(n - 2)) / Math.sqrt(1 - r1 * r1);
  return { ratio: S, ci, level, r: r1, statistic, df: n - 2, p: tPValue(statistic, n - 2, "two-sided"), test: "Pitman–Morgan" };
}
