/**
 * Effect sizes, all oriented as b − a.
 *
 * - `cohensD(a, b)`: (mean b − mean a)/s_pooled (Cohen 1988).
 * - `hedgesG(a, b)`: Cohen's d × J(df), J(ν) = Γ(ν/2)/(√(ν/2) Γ((ν−1)/2)), the exact
 *   small-sample bias correction (Hedges 1981).
 * - `pairedEffectSizes(a, b)`: d_z = mean(d)/sd(d) and d_av = mean(d)/((sd_a + sd_b)/2)
 *   (Lakens 2013, "Calculating and reporting effect sizes", Frontiers in Psychology),
 *   with Hedges-corrected g_z, g_av (J(n − 1)); differences and runs that vary only
 *   by floating-point rounding count as constant (`rounding.ts`).
 * - `probabilityOfImprovement(a, b)`: P(B > A) + ½P(B = A) over all (a, b) pairs
 *   (the Mann–Whitney probability, rliable's "probability of improvement",
 *   Agarwal et al. 2021), with a percentile-bootstrap interval (each group
 *   resampled); `pairedProbabilityOfImprovement(a, b)`: fraction of seeds with
 *   b > a (ties ½), with a bootstrap interval over pairs.
 */
import { checkLevel, checkSample, checkPairs, type Sample } from "./validate.ts";
import { pairedDifferencesWithoutRounding, withoutRounding } from "./rounding.ts";
import { meanUnchecked, sdUnchecked } from "./descriptive.ts";
import { logGamma } from "./special.ts";
import { Xoshiro128 } from "./random.ts";
import { quantileSorted } from "./quantile.ts";
import { BOOTSTRAP_MIN_N } from "./bootstrap.ts";
import type { Interval } from "./types.ts";

/** Hedges' exact bias-correction factor J(ν). */
export function hedgesCorrection(df: number): number {
  if (!(df > 1)) return NaN;
  return Math.exp(logGamma(df / 2) - 0.5 * Math.log(df / 2) - logGamma((df - 1) / 2));
}

/** Cohen's d with pooled sd (a group varying only by rounding has sd 0). Needs nA + nB ≥ 3. */
export function cohensD(a: Sample, b: Sample): number {
  checkSample("cohensD", a, 1, "", "a value");
  checkSample("cohensD", b, 1, "", "b value");
  const na = a.length, nb = b.length;
  if (na + nb < 3) throw new Error(`stats.cohensD: needs nA + nB ≥ 3 to pool a standard deviation, got ${na} + ${nb}`);
  a = withoutRounding(a).values; b = withoutRounding(b).values;
  const sa = na > 1 ? sdUnchecked(a) : 0, sb = nb > 1 ? sdUnchecked(b) : 0;
  const sp = Math.hypot(Math.sqrt(na - 1) * sa, Math.sqrt(nb - 1) * sb) / Math.sqrt(na + nb - 2);
  if (sp === 0) throw new Error("stats.cohensD: the pooled standard deviation is 0 (all values within each group equal), so d is undefined");
  return (meanUnchecked(b) - meanUnchecked(a)) / sp;
}

/** Hedges' g: Cohen's d with the exact small-sample correction J(nA + nB − 2). */
export function hedgesG(a: Sample, b: Sample): number {
  const d = cohensD(a, b);
  const df = a.length + b.length - 2;
  return df > 1 ? d * hedgesCorrection(df) : d;
}

export interface PairedEffectSizes {
  /** mean(d)/sd(d). */
  dz: number;
  /** mean(d)/((sd(a) + sd(b))/2). */
  dav: number;
  /** Hedges-corrected versions, J(n − 1). */
  gz: number;
  gav: number;
}

/** Paired standardized effect sizes d_z and d_av (Lakens 2013). Needs n ≥ 2 pairs. */
export function pairedEffectSizes(a: Sample, b: Sample): PairedEffectSizes {
  checkPairs("pairedEffectSizes", a, b, 2, "standard deviations need n ≥ 2");
  const d = pairedDifferencesWithoutRounding(a, b).values;
  const md = meanUnchecked(d);
  const sdd = sdUnchecked(d);
  const sav = sdUnchecked(withoutRounding(a).values) / 2 + sdUnchecked(withoutRounding(b).values) / 2;
  const dz = sdd === 0 ? (md === 0 ? 0 : Math.sign(md) * Infinity) : md / sdd;
  const dav = sav === 0 ? (md === 0 ? 0 : Math.sign(md) * Infinity) : md / sav;
  const J = hedgesCorrection(d.length - 1);
  const j = Number.isNaN(J) ? 1 : J;
  return { dz, dav, gz: dz * j, gav: dav * j };
}

function probImp(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    const bi = b[i]!;
    for (let j = 0; j < a.length; j++) {
      const aj = a[j]!;
      s += bi > aj ? 1 : bi === aj ? 0.5 : 0;
    }
  }
  return s / (a.length * b.length);
}

export interface ProbabilityOptions {
  level?: number;
  resamples?: number;
  seed?: number;
}

function finishInterval(est: number, dist: Float64Array, level: number, B: number, warnings: string[]): Interval {
  dist.sort();
  const alpha = (1 - level) / 2;
  return { estimate: est, lo: quantileSorted(dist, alpha), hi: quantileSorted(dist, 1 - alpha), level, method: "bootstrap-percentile", resamples: B, warnings };
}

/** P(B > A) + ½ P(B = A) over all cross pairs, with a percentile bootstrap interval (default 2,000 resamples). */
export function probabilityOfImprovement(a: Sample, b: Sample, opts: ProbabilityOptions = {}): Interval {
  checkSample("probabilityOfImprovement", a, 1, "", "a value");
  checkSample("probabilityOfImprovement", b, 1, "", "b value");
  const level = opts.level ?? 0.95;
  checkLevel("probabilityOfImprovement", level);
  const B = opts.resamples ?? 2000;
  const rng = new Xoshiro128(opts.seed ?? 0);
  const na = a.length, nb = b.length;
  const ra = new Float64Array(na), rb = new Float64Array(nb);
  const dist = new Float64Array(B);
  for (let r = 0; r < B; r++) {
    for (let i = 0; i < na; i++) ra[i] = a[rng.nextInt(na)]!;
    for (let i = 0; i < nb; i++) rb[i] = b[rng.nextInt(nb)]!;
    dist[r] = probImp(ra, rb);
  }
  const warnings: string[] = [];
  if (Math.min(na, nb) < BOOTSTRAP_MIN_N.percentile) {
    warnings.push(`bootstrap interval of P(B > A) with only ${Math.min(na, nb)} runs in the smaller group is too narrow; read it as rough`);
  }
  return finishInterval(probImp(a, b), dist, level, B, warnings);
}

/** Paired P(B > A): fraction of seeds with b > a (ties ½), with a percentile bootstrap interval over pairs. */
export function pairedProbabilityOfImprovement(a: Sample, b: Sample, opts: ProbabilityOptions = {}): Interval {
  checkPairs("pairedProbabilityOfImprovement", a, b, 1);
  const level = opts.level ?? 0.95;
  checkLevel("pairedProbabilityOfImprovement", level);
  const n = a.length;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = b[i]! > a[i]! ? 1 : b[i]! === a[i]! ? 0.5 : 0;
  const B = opts.resamples ?? 2000;
  const rng = new Xoshiro128(opts.seed ?? 0);
  const dist = new Float64Array(B);
  for (let r = 0; r < B; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += w[rng.nextInt(n)]!;
    dist[r] = s / n;
  }
  const warnings: string[] = [];
  if (n < BOOTSTRAP_MIN_N.percentile) warnings.push(`bootstrap interval of P(B > A) with only ${n} pairs is too narrow; read it as rough`);
  return finishInterval(meanUnchecked(w), dist, level, B, warnings);
}
