/**
 * Power and sample size of t-tests through the noncentral t distribution
 * (Cohen 1988, ch. 2; the computation of `statsmodels.stats.power.TTestPower`
 * and `TTestIndPower`, and of G*Power):
 *
 * - paired (one-sample on differences): df = n − 1, noncentrality δ√n/σ_d.
 * - two-sample, n seeds per group, common σ: df = 2n − 2, noncentrality δ√(n/2)/σ.
 * - power = P(T' > t_{1−α/2}) + P(T' < −t_{1−α/2}) (two-sided);
 *   one-sided 'greater' P(T' > t_{1−α}), 'less' P(T' < −t_{1−α}).
 *
 * `seedsNeeded` plans from pilot runs: σ is estimated by the pilot sd (of the
 * paired differences, or pooled), optionally replaced by its one-sided upper
 * confidence limit √(df·s²/χ²_{1−γ,df}) (Browne 1995, "On the use of a pilot
 * sample for sample size determination") so that the planned power holds with
 * probability ≥ γ over the pilot's sampling noise.
 */
import { checkSample, differences, checkPairs, type Alternative, type Sample } from "./validate.ts";
import { varianceUnchecked } from "./descriptive.ts";
import { tQuantile } from "./studentt.ts";
import { noncentralTCdf } from "./noncentralt.ts";
import { chiSquareQuantile } from "./chisquare.ts";
import { brentRoot } from "./solve.ts";
import { normalQuantile } from "./normal.ts";

export type PowerDesign = "paired" | "two-sample";

export interface PowerOptions {
  /** Significance level (default 0.05). */
  alpha?: number;
  alternative?: Alternative;
  design?: PowerDesign;
}

function params(n: number, effect: number, sd: number, design: PowerDesign): { df: number; nc: number } {
  if (design === "paired") return { df: n - 1, nc: (effect / sd) * Math.sqrt(n) };
  return { df: 2 * n - 2, nc: (effect / sd) * Math.sqrt(n / 2) };
}

function checkCommon(fn: string, sd: number, alpha: number, design: string): void {
  if (!(sd > 0 && Number.isFinite(sd))) throw new Error(`stats.${fn}: sd must be a positive finite number, got ${sd}`);
  if (!(alpha > 0 && alpha < 1)) throw new Error(`stats.${fn}: alpha must be in (0, 1), got ${alpha}`);
  if (design !== "paired" && design !== "two-sample") throw new Error(`stats.${fn}: design must be 'paired' or 'two-sample', got '${design}'`);
}

/** Memo of t quantiles: a power search evaluates the power many times at the same df, and tQuantile inverts the cdf by iteration each time. */
const criticalValues = new Map<string, number>();
const MAX_CRITICAL_VALUES = 4096;

/** tQuantile(p, df), computed once per (p, df) in a process. */
function criticalT(p: number, df: number): number {
  const key = `${p}:${df}`;
  let t = criticalValues.get(key);
  if (t === undefined) {
    t = tQuantile(p, df);
    if (criticalValues.size < MAX_CRITICAL_VALUES) criticalValues.set(key, t);
  }
  return t;
}

/**
 * Power of a t-test to detect a true difference `effect` (in the metric's units) with `n`
 * seeds (pairs, or per group) when the sd is `sd` (of differences for paired designs).
 */
export function tTestPower(n: number, effect: number, sd: number, opts: PowerOptions = {}): number {
  const alpha = opts.alpha ?? 0.05, alt = opts.alternative ?? "two-sided", design = opts.design ?? "paired";
  checkCommon("tTestPower", sd, alpha, design);
  if (!Number.isFinite(effect)) throw new Error(`stats.tTestPower: effect must be finite, got ${effect}`);
  if (!(n >= 2)) throw new Error(`stats.tTestPower: needs n ≥ 2 seeds${design === "paired" ? "" : " per group"}, got ${n}`);
  const { df, nc } = params(n, effect, sd, design);
  if (alt === "two-sided") {
    const tc = criticalT(1 - alpha / 2, df);
    return 1 - noncentralTCdf(tc, df, nc) + noncentralTCdf(-tc, df, nc);
  }
  const tc = criticalT(1 - alpha, df);
  return alt === "greater" ? 1 - noncentralTCdf(tc, df, nc) : noncentralTCdf(-tc, df, nc);
}

export interface SampleSizeResult {
  /** Seeds needed (pairs for paired designs, per group for two-sample). */
  n: number;
  /** Power achieved at that n. */
  power: number;
  /** sd used for the plan. */
  sd: number;
}

/** Smallest n ≥ 2 reaching the target power (default 0.8). Throws if more than `maxN` (default 100,000) are needed. */
export function sampleSize(effect: number, sd: number, opts: PowerOptions & { power?: number; maxN?: number } = {}): SampleSizeResult {
  const target = opts.power ?? 0.8;
  if (!(target > 0 && target < 1)) throw new Error(`stats.sampleSize: power must be in (0, 1), got ${target}`);
  if (!(effect !== 0 && Number.isFinite(effect))) throw new Error(`stats.sampleSize: effect must be a non-zero finite difference, got ${effect}`);
  const alt = opts.alternative ?? "two-sided";
  if ((alt === "greater" && effect < 0) || (alt === "less" && effect > 0)) {
    throw new Error(`stats.sampleSize: a one-sided '${alt}' test cannot detect an effect of sign ${Math.sign(effect)}`);
  }
  const maxN = opts.maxN ?? 100000;
  const pw = (n: number): number => tTestPower(n, effect, sd, opts);
  if (pw(2) >= target) return { n: 2, power: pw(2), sd };
  // Start from the normal-theory size (z instead of t), which the t-based answer exceeds by a
  // seed or two, and walk; fall back to doubling and bisection if the walk gets long.
  const alphaSide = (opts.alternative ?? "two-sided") === "two-sided" ? (opts.alpha ?? 0.05) / 2 : opts.alpha ?? 0.05;
  const zSum = normalQuantile(1 - alphaSide) + normalQuantile(target);
  const perUnit = (opts.design ?? "paired") === "paired" ? 1 : 2;
  const n0 = Math.max(2, Math.ceil(perUnit * (zSum * sd / effect) ** 2));
  if (n0 <= maxN) {
    let n = n0;
    if (pw(n) >= target) {
      while (n > 2 && pw(n - 1) >= target && n0 - n < 64) n--;
      if (n === 2 || pw(n - 1) < target) return { n, power: pw(n), sd };
    } else {
      while (n < maxN && pw(n) < target && n - n0 < 64) n++;
      if (pw(n) >= target) return { n, power: pw(n), sd };
    }
  }
  let hi = 4;
  while (pw(hi) < target) {
    hi *= 2;
    if (hi > maxN) throw new Error(`stats.sampleSize: more than ${maxN} seeds are needed to detect ${effect} with sd ${sd}; the effect is too small to detect in practice`);
  }
  let lo = hi / 2; // pw(lo) < target ≤ pw(hi)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (pw(mid) >= target) hi = mid; else lo = mid;
  }
  return { n: hi, power: pw(hi), sd };
}

/** Smallest true difference detectable with the given power (default 0.8) at n seeds. */
export function minimumDetectableEffect(n: number, sd: number, opts: PowerOptions & { power?: number } = {}): number {
  const target = opts.power ?? 0.8;
  const alpha = opts.alpha ?? 0.05;
  if (!(target > alpha / 2 && target < 1)) throw new Error(`stats.minimumDetectableEffect: power must be in (alpha, 1), got ${target}`);
  const sign = opts.alternative === "less" ? -1 : 1;
  const f = (e: number): number => tTestPower(n, sign * e, sd, opts) - target;
  let hi = sd;
  while (f(hi) < 0) hi *= 2;
  return sign * brentRoot(f, 0, hi, 1e-12 * sd);
}

export interface PilotPlan extends SampleSizeResult {
  /** sd estimated from the pilot. */
  pilotSd: number;
  /** Degrees of freedom of the pilot sd. */
  pilotDf: number;
  notes: string[];
}

/**
 * "How many seeds to detect δ at 80% power?" from pilot runs. `pilot.b` given:
 * paired (b − a per seed) when `paired` (default) else pooled two-sample sd.
 * `pilot.b` absent: `pilot.a` are runs of one configuration (sd per run, two-sample plan).
 * `conservative` (e.g. 0.8): use the upper `conservative`-confidence limit of σ.
 */
export function seedsNeeded(
  pilot: { a: Sample; b?: Sample; paired?: boolean },
  effect: number,
  opts: Omit<PowerOptions, "design"> & { power?: number; conservative?: number; maxN?: number } = {},
): PilotPlan {
  let variance: number, df: number, design: PowerDesign;
  if (pilot.b !== undefined && (pilot.paired ?? true)) {
    checkPairs("seedsNeeded", pilot.a, pilot.b, 2, "the pilot sd needs ≥ 2 seeds", "pilot");
    const d = differences(pilot.a, pilot.b);
    variance = varianceUnchecked(d); df = d.length - 1; design = "paired";
  } else if (pilot.b !== undefined) {
    checkSample("seedsNeeded", pilot.a, 2, "the pilot sd needs ≥ 2 runs per variant", "pilot a value");
    checkSample("seedsNeeded", pilot.b, 2, "the pilot sd needs ≥ 2 runs per variant", "pilot b value");
    const na = pilot.a.length, nb = pilot.b.length;
    df = na + nb - 2;
    variance = ((na - 1) * varianceUnchecked(pilot.a) + (nb - 1) * varianceUnchecked(pilot.b)) / df;
    design = "two-sample";
  } else {
    checkSample("seedsNeeded", pilot.a, 2, "the pilot sd needs ≥ 2 runs", "pilot value");
    variance = varianceUnchecked(pilot.a); df = pilot.a.length - 1; design = "two-sample";
  }
  const pilotSd = Math.sqrt(variance);
  if (pilotSd === 0) throw new Error("stats.seedsNeeded: the pilot runs have zero spread (sd = 0); check that seeds really vary, or run more pilot seeds");
  const notes: string[] = [];
  let sdUsed = pilotSd;
  if (opts.conservative !== undefined) {
    const g = opts.conservative;
    if (!(g > 0 && g < 1)) throw new Error(`stats.seedsNeeded: conservative must be a confidence in (0, 1), got ${g}`);
    sdUsed = Math.sqrt((df * variance) / chiSquareQuantile(1 - g, df));
    notes.push(`sd inflated from ${pilotSd.toPrecision(3)} to its ${Math.round(g * 100)}% upper confidence limit ${sdUsed.toPrecision(3)} (pilot df = ${df})`);
  } else if (df < 10) {
    notes.push(`the pilot sd rests on ${df} degrees of freedom and may be far off; consider { conservative: 0.8 }`);
  }
  const r = sampleSize(effect, sdUsed, { ...opts, design });
  return { ...r, pilotSd, pilotDf: df, notes };
}
