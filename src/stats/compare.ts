/**
 * The verdict of a comparison of two variants over seeds, oriented as b − a.
 *
 * Defaults follow the statistics contract (docs/statistics.md): paired whenever
 * runs share seeds; Student t intervals (they hold at 3–10 seeds, where the
 * bootstrap undercovers); the paired t-test (`comparePaired`) or Welch's test
 * (`compareUnpaired`) unless another test is asked for; exact or permutation
 * tests report the smallest p they can reach at this n. Floating-point
 * rounding is removed first (`rounding.ts`): differences (paired) or runs
 * (unpaired) that vary only by rounding are one constant, and a difference that
 * is rounding around 0 is a tie.
 */
import { checkLevel, checkSample, checkPairs, type Sample } from "./validate.ts";
import { pairedDifferencesWithoutRounding, roundingTolerance, shortestWithin, withoutRounding } from "./rounding.ts";
import { meanUnchecked, sdUnchecked } from "./descriptive.ts";
import { medianSorted, sortedCopy } from "./quantile.ts";
import { trimmedMeanSorted } from "./robust.ts";
import { pairedTTest, welchTTest, studentTTest } from "./ttest.ts";
import { pairedTInterval, welchInterval, studentInterval } from "./tinterval.ts";
import { pairedBootstrapInterval, twoSampleBootstrapInterval } from "./bootstrap.ts";
import { wilcoxonSignedRank } from "./wilcoxon.ts";
import { mannWhitneyU } from "./mannwhitney.ts";
import { pairedPermutationTest, permutationTest } from "./permutation.ts";
import { signTest } from "./signtest.ts";
import { pairedEffectSizes, hedgesG, cohensD } from "./effectsize.ts";
import { pairedImprovementInterval, improvementInterval } from "./improvement-interval.ts";
import { robustVerdict, type RobustVerdict } from "./robust-verdict.ts";
import { pairingGainInterval } from "./pairing-gain.ts";
import { fmt, type TestResult } from "./types.ts";
import type { Alternative } from "./validate.ts";

export interface Description {
  n: number;
  mean: number;
  /** Sample sd (n − 1); NaN when n = 1. */
  sd: number;
  /** Standard error of the mean; NaN when n = 1. */
  se: number;
  min: number;
  max: number;
  median: number;
  iqm: number;
  range: number;
}

/**
 * n, mean, sd, se, min, max, median, IQM and range of one variant's runs (sd and se are NaN for n = 1).
 * Runs that differ only by floating-point rounding are described as their constant (sd 0).
 */
export function describe(raw: Sample): Description {
  checkSample("describe", raw, 1);
  const values = withoutRounding(raw).values;
  const n = values.length;
  let mn = values[0]!, mx = values[0]!;
  for (let i = 1; i < n; i++) { if (values[i]! < mn) mn = values[i]!; if (values[i]! > mx) mx = values[i]!; }
  const sd = n > 1 ? sdUnchecked(values) : NaN;
  // One sort for the median and the IQM (the 25% trimmed mean).
  const sorted = sortedCopy(values);
  return { n, mean: meanUnchecked(values), sd, se: sd / Math.sqrt(n), min: mn, max: mx, median: medianSorted(sorted), iqm: trimmedMeanSorted(sorted, 0.25), range: mx - mn };
}

/** describe(raw).mean alone: the mean of the runs with rounding removed. */
export function describedMean(raw: Sample): number {
  checkSample("describedMean", raw, 1);
  return meanUnchecked(withoutRounding(raw).values);
}

/** describe(raw).sd alone: the sample sd (n − 1) of the runs with rounding removed; NaN when n = 1. */
export function describedSd(raw: Sample): number {
  checkSample("describedSd", raw, 1);
  return raw.length > 1 ? sdUnchecked(withoutRounding(raw).values) : NaN;
}

export interface PairingGain {
  /** Var(a) + Var(b) over Var(b − a): how much pairing shrank the variance of the difference (plain ratio). */
  varianceRatio: number;
  /** Less biased estimate of the gain (see `pairingGainInterval`). */
  estimate: number;
  /** Exact (Pitman–Morgan) interval of the gain at the verdict's level; null below 3 seeds or without spread. */
  ci: [number, number] | null;
  /** Why `ci` is null (null when there is one). */
  noInterval: string | null;
  /** Seeds per variant an unpaired comparison would need for the same precision: n × estimate. */
  equivalentUnpairedSeeds: number;
  /** Pearson correlation of a and b across seeds. */
  correlation: number;
  notes: string[];
}

/**
 * Pairing gain: Var(unpaired difference)/Var(paired difference), its less biased
 * estimate and interval (`pairingGainInterval`), and the equivalent number of
 * unpaired seeds. Needs n ≥ 2.
 */
export function pairingGain(a: Sample, b: Sample, level = 0.95): PairingGain {
  checkPairs("pairingGain", a, b, 2, "variances need n ≥ 2");
  const sa = sdUnchecked(withoutRounding(a).values), sb = sdUnchecked(withoutRounding(b).values);
  const sd = sdUnchecked(pairedDifferencesWithoutRounding(a, b).values);
  const notes: string[] = [];
  const top = Math.max(sa, sb, sd);
  const va = top > 0 ? (sa / top) ** 2 : 0, vb = top > 0 ? (sb / top) ** 2 : 0, vd = top > 0 ? (sd / top) ** 2 : 0;
  const ratio = vd === 0 ? (va + vb === 0 ? 1 : Infinity) : (va + vb) / vd;
  const cov = (va + vb - vd) / 2;
  const correlation = va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : NaN;
  const g = pairingGainInterval(a, b, level);
  notes.push(...g.notes);
  if (g.reading === "noisier") notes.push("pairing made the difference noisier: the whole interval of the gain is below 1 (negative correlation between variants across seeds)");
  else if (g.reading === "unclear" && g.ci) notes.push(`from ${a.length} seeds it is unclear whether pairing helped: the gain's interval ${fmt(g.ci[0])}–${fmt(g.ci[1])} contains 1`);
  return { varianceRatio: ratio, estimate: g.estimate, ci: g.ci, noInterval: g.noInterval, equivalentUnpairedSeeds: a.length * g.estimate, correlation, notes };
}

/** Largest minus smallest computed difference b − a. */
function spread(a: Sample, b: Sample): number {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < a.length; i++) { const x = b[i]! - a[i]!; lo = Math.min(lo, x); hi = Math.max(hi, x); }
  return hi - lo;
}

export type PairedTestChoice = "auto" | "t" | "wilcoxon" | "sign" | "permutation";
export type UnpairedTestChoice = "auto" | "welch" | "t" | "mannwhitney" | "permutation";
export type IntervalChoice = "t" | "bootstrap-percentile" | "bca";

export interface CompareOptions<T extends string> {
  test?: T;
  /** Interval of the mean difference (default 't'). */
  interval?: IntervalChoice;
  level?: number;
  alternative?: Alternative;
  /** Seed for bootstrap and Monte Carlo parts (default 0). */
  seed?: number;
  /** Significance level for notes (default 1 − level). */
  alpha?: number;
  /** Names of a and b in the words of `robust.reasons` (default ["a", "b"]). */
  names?: [string, string];
  /**
   * How `notes` write a value or difference of the metric (default `fmt`, in
   * its own units): the caller passes the unit of the output the notes appear
   * in (percentage points, say), so a note never prints a fraction under a
   * line in pp.
   */
  formatValue?: (x: number) => string;
}

export interface EffectSize {
  /** 'd_z' (paired, mean(d)/sd(d)) or 'hedges_g' (unpaired). */
  name: string;
  value: number;
  /** Other standardized versions: d_av for paired, cohen_d for unpaired. */
  [other: string]: number | string;
}

export interface Verdict {
  a: Description;
  b: Description;
  paired: boolean;
  /** Number of pairs (paired) or [nA, nB] sizes in `a.n`, `b.n`; here nA + nB when unpaired. */
  n: number;
  /** mean(b) − mean(a) (= mean of b − a when paired). */
  diff: number;
  ci: [number, number];
  level: number;
  interval: string;
  test: string;
  method: TestResult["method"];
  statistic: number;
  df?: number;
  p: number;
  alternative: Alternative;
  minAchievableP: number;
  /**
   * P(B > A) (ties ½): paired, the share of seeds where b beats a, with the exact sign-count
   * interval; unpaired, the Mann–Whitney probability with Newcombe's score interval.
   */
  prob_improvement: { estimate: number; ci: [number, number]; method: string };
  /**
   * Black swans and the robust comparisons beside the plain one (`robustVerdict`);
   * absent below 3 seeds per variant. Print its `reasons` whenever `robust.warning` is true.
   */
  robust?: RobustVerdict;
  effect_size: EffectSize;
  pairing?: PairingGain;
  notes: string[];
  warnings: string[];
}

/** Paired verdict: runs of a and b share seeds (a[i] and b[i] come from seed i). Needs n ≥ 2 pairs. */
export function comparePaired(a: Sample, b: Sample, opts: CompareOptions<PairedTestChoice> = {}): Verdict {
  checkPairs("comparePaired", a, b, 2, "a comparison over seeds needs at least 2 seeds per variant");
  const level = opts.level ?? 0.95;
  checkLevel("comparePaired", level);
  const alpha = opts.alpha ?? 1 - level;
  const alternative = opts.alternative ?? "two-sided";
  const seed = opts.seed ?? 0;
  const choice = opts.test ?? "auto";
  const n = a.length;
  const clean = pairedDifferencesWithoutRounding(a, b);
  const d = clean.values;
  // Paired tests and intervals see only b − a: given (0, d) they all see the differences without rounding.
  const zero = new Float64Array(n);
  const diff = meanUnchecked(d);
  const notes: string[] = [];
  const warnings: string[] = [];
  const degenerate = clean.constant;
  const value = opts.formatValue ?? fmt;
  const rounding = clean.roundingOnly
    ? ` up to floating-point rounding (the computed differences vary by ${value(spread(a, b))}, within the rounding of values of this size, ${value(clean.tolerance)})`
    : "";
  if (!degenerate && clean.ties > 0) notes.push(`${clean.ties} seed(s) give b = a up to floating-point rounding: counted as ties`);

  // Interval
  let ci: [number, number], intervalName: string;
  const ivChoice = opts.interval ?? "t";
  if (degenerate) {
    ci = [diff, diff];
    intervalName = "none (all differences identical)";
  } else if (ivChoice === "t") {
    const iv = pairedTInterval(zero, d, level);
    ci = [iv.lo, iv.hi];
    intervalName = `paired t (df = ${n - 1})`;
  } else {
    const iv = pairedBootstrapInterval(zero, d, { level, method: ivChoice === "bca" ? "bca" : "percentile", seed });
    ci = [iv.lo, iv.hi];
    intervalName = iv.method;
    warnings.push(...iv.warnings);
  }

  // Test
  let res: TestResult;
  if (degenerate) {
    if (diff === 0) {
      res = { test: "none", statistic: 0, p: 1, method: "exact", n, alternative, minAchievableP: 0 };
      notes.push(`all ${n} paired differences are ${rounding ? `0${rounding}` : "exactly 0"}: the variants gave identical results on every seed (p = 1)`);
    } else {
      res = signTest(zero, d, { alternative, alpha });
      notes.push(
        `every seed gives the same difference ${value(diff)}${rounding}: the difference is the result, there is no seed-to-seed variation to test against ` +
          "(a t statistic is undefined), so only the exact sign test is reported; check that the runs are not identical copies with a constant offset",
      );
    }
  } else {
    const kind = choice === "auto" ? "t" : choice;
    if (kind === "t") res = pairedTTest(zero, d, { alternative, alpha });
    else if (kind === "wilcoxon") res = wilcoxonSignedRank(zero, d, { alternative, alpha, tolerance: roundingTolerance(a, b) });
    else if (kind === "sign") res = signTest(zero, d, { alternative, alpha });
    else if (kind === "permutation") res = pairedPermutationTest(zero, d, { alternative, alpha, seed });
    else throw new Error(`stats.comparePaired: test must be 'auto', 't', 'wilcoxon', 'sign' or 'permutation', got '${kind as string}'`);
    if (res.note) notes.push(res.note);
  }
  const robust = n >= 3 ? robustVerdict(a, b, { paired: true, alpha, seed, ...(opts.names ? { names: opts.names } : {}) }) : undefined;

  // Probability of improvement and effect size
  const pi = pairedImprovementInterval(zero, d, level);
  const es = pairedEffectSizes(a, b);
  const pairing = pairingGain(a, b, level);
  if (n < 5) notes.push(`only ${n} seeds: intervals are wide and tests have little power`);
  return {
    a: describe(a), b: describe(b), paired: true, n, diff, ci, level, interval: intervalName, test: res.test, method: res.method,
    statistic: res.statistic, ...(res.df !== undefined ? { df: res.df } : {}), p: res.p, alternative, minAchievableP: res.minAchievableP,
    prob_improvement: { estimate: pi.estimate, ci: [pi.lo, pi.hi], method: pi.method },
    effect_size: { name: "d_z", value: es.dz, d_av: es.dav, g_z: es.gz, g_av: es.gav },
    pairing, ...(robust ? { robust } : {}), notes, warnings,
  };
}

/** Unpaired verdict: runs of a and b are independent (different seeds). Needs ≥ 2 runs per variant. */
export function compareUnpaired(a: Sample, b: Sample, opts: CompareOptions<UnpairedTestChoice> = {}): Verdict {
  checkSample("compareUnpaired", a, 2, "a comparison over seeds needs at least 2 runs per variant", "a value");
  checkSample("compareUnpaired", b, 2, "a comparison over seeds needs at least 2 runs per variant", "b value");
  const level = opts.level ?? 0.95;
  checkLevel("compareUnpaired", level);
  const alpha = opts.alpha ?? 1 - level;
  const alternative = opts.alternative ?? "two-sided";
  const seed = opts.seed ?? 0;
  const choice = opts.test ?? "auto";
  const ca = withoutRounding(a), cb = withoutRounding(b);
  a = ca.values; b = cb.values;
  const degenerate = ca.constant && cb.constant;
  // Two constants within rounding of each other are the same value.
  const tolerance = roundingTolerance(a, b);
  const same = degenerate && Math.abs(cb.value! - ca.value!) <= tolerance;
  const diff = degenerate ? shortestWithin(cb.value! - ca.value!, tolerance) : meanUnchecked(b) - meanUnchecked(a);
  const notes: string[] = [];
  const warnings: string[] = [];
  const rounding = ca.roundingOnly || cb.roundingOnly || (same && ca.value !== cb.value) ? " up to floating-point rounding" : "";
  const value = opts.formatValue ?? fmt;
  let ci: [number, number], intervalName: string;
  const ivChoice = opts.interval ?? "t";
  if (degenerate) {
    ci = [diff, diff];
    intervalName = "none (all runs identical within each variant)";
  } else if (ivChoice === "t") {
    const iv = choice === "t" ? studentInterval(a, b, level) : welchInterval(a, b, level);
    ci = [iv.lo, iv.hi];
    intervalName = `${choice === "t" ? "Student" : "Welch"} t (df = ${fmt(iv.df!)})`;
  } else {
    const iv = twoSampleBootstrapInterval(a, b, { level, method: ivChoice === "bca" ? "bca" : "percentile", seed });
    ci = [iv.lo, iv.hi];
    intervalName = iv.method;
    warnings.push(...iv.warnings);
  }
  let res: TestResult;
  const N = a.length + b.length;
  if (degenerate) {
    if (same) {
      res = { test: "none", statistic: 0, p: 1, method: "exact", n: N, sizes: [a.length, b.length], alternative, minAchievableP: 0 };
      notes.push(`every run of both variants gave the same value${rounding} (p = 1)`);
    } else {
      res = permutationTest(a, b, { alternative, alpha, seed });
      notes.push(
        `each variant gives the same value on every run${rounding} (${value(ca.value!)} and ${value(cb.value!)}): the difference ${value(diff)} is the result, ` +
          "there is no run-to-run variation to test against (a t statistic is undefined), so only the permutation test is reported",
      );
    }
  } else {
    const kind = choice === "auto" ? "welch" : choice;
    if (kind === "welch") res = welchTTest(a, b, { alternative, alpha });
    else if (kind === "t") res = studentTTest(a, b, { alternative, alpha });
    else if (kind === "mannwhitney") res = mannWhitneyU(a, b, { alternative, alpha });
    else if (kind === "permutation") res = permutationTest(a, b, { alternative, alpha, seed });
    else throw new Error(`stats.compareUnpaired: test must be 'auto', 'welch', 't', 'mannwhitney' or 'permutation', got '${kind as string}'`);
    if (res.note) notes.push(res.note);
    for (const [i, c] of [ca, cb].entries()) {
      if (c.roundingOnly) notes.push(`every run of ${opts.names?.[i] ?? (i === 0 ? "a" : "b")} gives ${value(c.value!)} up to floating-point rounding: its spread is taken as 0`);
    }
  }
  const pi = improvementInterval(a, b, level);
  const robust = Math.min(a.length, b.length) >= 3 ? robustVerdict(a, b, { paired: false, alpha, seed, ...(opts.names ? { names: opts.names } : {}) }) : undefined;
  let g = NaN, d = NaN;
  try { d = cohensD(a, b); g = hedgesG(a, b); } catch { notes.push("standardized effect size undefined (zero pooled sd)"); }
  if (Math.min(a.length, b.length) < 5) notes.push(`only ${Math.min(a.length, b.length)} runs in the smaller group: intervals are wide and tests have little power`);
  notes.push("runs are unpaired: if a and b share seeds, a paired comparison (by seed) is usually much more precise");
  return {
    a: describe(a), b: describe(b), paired: false, n: N, diff, ci, level, interval: intervalName, test: res.test, method: res.method,
    statistic: res.statistic, ...(res.df !== undefined ? { df: res.df } : {}), p: res.p, alternative, minAchievableP: res.minAchievableP,
    prob_improvement: { estimate: pi.estimate, ci: [pi.lo, pi.hi], method: pi.method },
    effect_size: { name: "hedges_g", value: g, cohen_d: d },
    ...(robust ? { robust } : {}), notes, warnings,
  };
}
