/**
 * Bootstrap confidence intervals (Efron & Tibshirani, "An Introduction to the
 * Bootstrap", 1993): percentile (ch. 13) and bias-corrected and accelerated,
 * BCa (ch. 14.3, eq. 14.10–14.15; acceleration from the jackknife, eq. 14.15).
 * Computed the way `scipy.stats.bootstrap` 1.10 computes them (same
 * percentile-of-score for z₀, same jackknife acceleration summed over samples
 * for multi-sample statistics, NumPy linear percentiles), with twin's own seeded
 * xoshiro128** generator, so the intervals agree with SciPy up to Monte Carlo noise.
 *
 * - `bootstrapInterval(x)`: one sample (statistic: mean, median or a function).
 * - `pairedBootstrapInterval(a, b)`: resample pairs, i.e. the differences b − a.
 * - `twoSampleBootstrapInterval(a, b)`: resample each group independently
 *   (default statistic mean(b) − mean(a)).
 * - `stratifiedBootstrapInterval(strata, f)`: resample within each stratum
 *   (rliable's StratifiedBootstrap: e.g. runs within tasks).
 *
 * At small n bootstrap intervals are too narrow (see docs/statistics.md for
 * the measured coverage); results carry a warning when n is below
 * `BOOTSTRAP_MIN_N` for the chosen method.
 */
import { checkLevel, checkSample, differences, checkPairs, type Sample } from "./validate.ts";
import { Xoshiro128 } from "./random.ts";
import { normalCdf, normalQuantile } from "./normal.ts";
import { quantileSorted, medianUnchecked } from "./quantile.ts";
import { sum } from "./descriptive.ts";
import type { Interval } from "./types.ts";

export type BootstrapMethod = "percentile" | "bca";

/**
 * Smallest n at which a nominal 95% bootstrap interval of a mean covers at least
 * ~92% on normal data, measured by bench/stats.ts (2,000 studies per n; table
 * in docs/statistics.md): percentile 75% at n = 3, 88% at 8, 90% at 10, 92% at
 * 20, 94% at 30; BCa 73%, 88%, 90%, 92%, 95%. Below these n a warning is attached.
 */
export const BOOTSTRAP_MIN_N: Readonly<Record<BootstrapMethod, number>> = { percentile: 20, bca: 20 };

export interface BootstrapOptions {
  /** Confidence level (default 0.95). */
  level?: number;
  /** 'percentile' or 'bca' (default 'bca', as SciPy). */
  method?: BootstrapMethod;
  /** Number of resamples (default 9,999, as SciPy). */
  resamples?: number;
  /** Seed of twin's xoshiro128** generator (default 0). */
  seed?: number;
}

/** Statistic of one sample: "mean", "median", or a function of a (reused, do not keep it) Float64Array. */
export type OneSampleStatistic = "mean" | "median" | ((x: Float64Array) => number);
/** Statistic of several samples (strata), each a reused Float64Array. */
export type MultiSampleStatistic = (samples: Float64Array[]) => number;

function meanOf(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}

function resolveOne(stat: OneSampleStatistic | undefined): (x: Float64Array) => number {
  if (stat === undefined || stat === "mean") return (x) => sum(x) / x.length;
  if (stat === "median") return (x) => medianUnchecked(x);
  return stat;
}

/** Bootstrap distribution θ*_b, b = 1..B, of a multi-sample statistic. No allocation per resample. */
function distribution(
  strata: Float64Array[], stat: MultiSampleStatistic, B: number, rng: Xoshiro128, fastMean: "one" | "diff" | null,
): Float64Array {
  const out = new Float64Array(B);
  if (fastMean === "one") {
    const x = strata[0]!;
    const n = x.length;
    for (let b = 0; b < B; b++) out[b] = rng.sumOfResample(x) / n;
    return out;
  }
  if (fastMean === "diff") {
    const a = strata[0]!, bb = strata[1]!;
    const na = a.length, nb = bb.length;
    for (let b = 0; b < B; b++) {
      const sa = rng.sumOfResample(a);
      out[b] = rng.sumOfResample(bb) / nb - sa / na;
    }
    return out;
  }
  const bufs = strata.map((s) => new Float64Array(s.length));
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < strata.length; j++) {
      rng.resampleInto(strata[j]!, bufs[j]!);
    }
    out[b] = stat(bufs);
  }
  return out;
}

/** Jackknife leave-one-out values of the statistic, one array per stratum. */
function jackknife(strata: Float64Array[], stat: MultiSampleStatistic, fastMean: "one" | "diff" | null): Float64Array[] {
  if (fastMean === "one") {
    const x = strata[0]!, n = x.length, s = sum(x);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = (s - x[i]!) / (n - 1);
    return [out];
  }
  const res: Float64Array[] = [];
  for (let j = 0; j < strata.length; j++) {
    const src = strata[j]!, n = src.length;
    const loo = new Float64Array(n - 1);
    const samples = strata.slice();
    samples[j] = loo;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let k = 0;
      for (let m = 0; m < n; m++) if (m !== i) loo[k++] = src[m]!;
      out[i] = stat(samples);
    }
    res.push(out);
  }
  return res;
}

export interface BcaDetails {
  lo: number;
  hi: number;
  /** Adjusted percentile levels α₁, α₂ used for the bounds. */
  alpha1: number;
  alpha2: number;
  z0: number;
  acceleration: number;
}

/**
 * BCa bounds from a given bootstrap distribution and jackknife values, exactly
 * as `scipy.stats._resampling._bca_interval` + `np.percentile` do.
 */
export function bcaFromDistribution(thetaHat: number, thetaB: Float64Array, jack: Float64Array[], level: number): BcaDetails {
  const B = thetaB.length;
  let below = 0, belowEq = 0;
  for (let b = 0; b < B; b++) {
    const v = thetaB[b]!;
    if (v < thetaHat) below++;
    if (v <= thetaHat) belowEq++;
  }
  const z0 = normalQuantile((below + belowEq) / (2 * B));
  let num = 0, den = 0;
  for (const th of jack) {
    const n = th.length;
    const dot = meanOf(th);
    let s3 = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      const u = (n - 1) * (dot - th[i]!);
      s2 += u * u;
      s3 += u * u * u;
    }
    num += s3 / (n * n * n);
    den += s2 / (n * n);
  }
  const acc = num / 6 / Math.pow(den, 1.5);
  const alpha = (1 - level) / 2;
  const za = normalQuantile(alpha);
  const n1 = z0 + za;
  const alpha1 = normalCdf(z0 + n1 / (1 - acc * n1));
  const n2 = z0 - za;
  const alpha2 = normalCdf(z0 + n2 / (1 - acc * n2));
  const sorted = Float64Array.from(thetaB).sort();
  return { lo: quantileSorted(sorted, alpha1), hi: quantileSorted(sorted, alpha2), alpha1, alpha2, z0, acceleration: acc };
}

function sizeWarnings(n: number, method: BootstrapMethod, what: string): string[] {
  const need = BOOTSTRAP_MIN_N[method];
  if (n >= need) return [];
  return [
    `${method === "bca" ? "BCa" : "percentile"} bootstrap interval with n = ${n} ${what}: bootstrap intervals undercover at small n ` +
      `(95% intervals cover well below 95%; see docs/statistics.md); use at least ${need} or the t interval`,
  ];
}

function run(
  fn: string, strata: Float64Array[], stat: MultiSampleStatistic, fast: "one" | "diff" | null, opts: BootstrapOptions, nForWarning: number, what: string,
): Interval {
  const level = opts.level ?? 0.95;
  checkLevel(fn, level);
  const method = opts.method ?? "bca";
  if (method !== "bca" && method !== "percentile") throw new Error(`stats.${fn}: method must be 'percentile' or 'bca', got '${method as string}'`);
  const B = opts.resamples ?? 9999;
  if (!Number.isInteger(B) || B < 100) throw new Error(`stats.${fn}: resamples must be an integer ≥ 100, got ${B}`);
  const rng = new Xoshiro128(opts.seed ?? 0);
  const thetaHat = stat(strata);
  const thetaB = distribution(strata, stat, B, rng, fast);
  const warnings = sizeWarnings(nForWarning, method, what);
  let lo: number, hi: number;
  if (method === "percentile") {
    thetaB.sort();
    const alpha = (1 - level) / 2;
    lo = quantileSorted(thetaB, alpha);
    hi = quantileSorted(thetaB, 1 - alpha);
  } else {
    const jack = jackknife(strata, stat, fast);
    const d = bcaFromDistribution(thetaHat, thetaB, jack, level);
    lo = d.lo;
    hi = d.hi;
    if (!Number.isFinite(d.acceleration) || Number.isNaN(lo) || Number.isNaN(hi)) {
      warnings.push("the BCa interval is degenerate (the jackknife values are all equal); reported the percentile interval instead");
      thetaB.sort();
      const alpha = (1 - level) / 2;
      lo = quantileSorted(thetaB, alpha);
      hi = quantileSorted(thetaB, 1 - alpha);
    }
  }
  return { estimate: thetaHat, lo, hi, level, method: `bootstrap-${method}`, resamples: B, warnings };
}

/** One-sample bootstrap interval of a statistic (default: the mean). Needs n ≥ 2. */
export function bootstrapInterval(x: Sample, opts: BootstrapOptions & { statistic?: OneSampleStatistic } = {}): Interval {
  checkSample("bootstrapInterval", x, 2, "with one value every resample is identical");
  const f = resolveOne(opts.statistic);
  const fast = opts.statistic === undefined || opts.statistic === "mean" ? "one" : null;
  return run("bootstrapInterval", [Float64Array.from(x as ArrayLike<number>)], (s) => f(s[0]!), fast, opts, x.length, "values");
}

/** Paired bootstrap interval: resamples pairs, statistic of d = b − a (default mean). Needs n ≥ 2 pairs. */
export function pairedBootstrapInterval(a: Sample, b: Sample, opts: BootstrapOptions & { statistic?: OneSampleStatistic } = {}): Interval {
  checkPairs("pairedBootstrapInterval", a, b, 2, "with one pair every resample is identical");
  const f = resolveOne(opts.statistic);
  const fast = opts.statistic === undefined || opts.statistic === "mean" ? "one" : null;
  return run("pairedBootstrapInterval", [differences(a, b)], (s) => f(s[0]!), fast, opts, a.length, "pairs");
}

/**
 * Two-sample bootstrap interval; each group resampled independently.
 * Default statistic mean(b) − mean(a); a custom one gets (a*, b*).
 */
export function twoSampleBootstrapInterval(
  a: Sample, b: Sample, opts: BootstrapOptions & { statistic?: (a: Float64Array, b: Float64Array) => number } = {},
): Interval {
  checkSample("twoSampleBootstrapInterval", a, 2, "each group needs ≥ 2 values to vary under resampling", "a value");
  checkSample("twoSampleBootstrapInterval", b, 2, "each group needs ≥ 2 values to vary under resampling", "b value");
  const strata = [Float64Array.from(a as ArrayLike<number>), Float64Array.from(b as ArrayLike<number>)];
  const custom = opts.statistic;
  const stat: MultiSampleStatistic = custom ? (s) => custom(s[0]!, s[1]!) : (s) => meanOf(s[1]!) - meanOf(s[0]!);
  return run("twoSampleBootstrapInterval", strata, stat, custom ? null : "diff", opts, Math.min(a.length, b.length), "runs in the smaller group");
}

/** Stratified bootstrap: resample within each stratum, statistic of all strata. Needs ≥ 2 values per stratum. */
export function stratifiedBootstrapInterval(strata: Sample[], statistic: MultiSampleStatistic, opts: BootstrapOptions = {}): Interval {
  if (!Array.isArray(strata) || strata.length === 0) throw new Error("stats.stratifiedBootstrapInterval: needs at least one stratum");
  strata.forEach((s, i) => checkSample("stratifiedBootstrapInterval", s, 2, `stratum ${i} needs ≥ 2 values to vary under resampling`, `stratum ${i} value`));
  const arrs = strata.map((s) => Float64Array.from(s as ArrayLike<number>));
  return run("stratifiedBootstrapInterval", arrs, statistic, null, opts, Math.min(...arrs.map((s) => s.length)), "runs in the smallest stratum");
}
