/**
 * Planning that keeps its promise: how many seeds to detect a difference that
 * matters, with the uncertainty of a small pilot shown as a range.
 *
 * A pilot sd from 5 seeds is far off half of the time (s² is below σ² in more
 * than half of the pilots, since the median of χ²_ν is below ν), so a plan from
 * the plain pilot sd reaches less than the promised power in more than half of
 * the pilots. `planSeeds` plans from the one-sided upper confidence bound
 * √(ν s²/χ²_{1−γ,ν}) of σ (Browne 1995, "On the use of a pilot sample for sample
 * size determination", Statistics in Medicine 14:1933), γ = `confidence`
 * (default 0.8): the plan then reaches the target power in a fraction ≥ γ of
 * pilots (measured in docs/statistics.md). The range comes from the two-sided
 * `rangeLevel` (default 80%) chi-square interval of σ: the seeds needed if σ
 * were at its lower or upper limit. The effect must be the difference that
 * matters to the user, not the pilot's observed difference (planning from an
 * observed difference is biased towards plans that are too small).
 *
 * `readInterval(ci, margin)` says what an interval of a difference shows
 * relative to the smallest difference that matters: "equivalent" only when the
 * whole interval lies within ±margin, otherwise "higher", "lower" or
 * "inconclusive"; an interval wider than the margin is never "equivalent".
 */
import { checkPaired, checkSample, type Alternative, type Sample } from "./validate.ts";
import { pairedDifferencesWithoutRounding, withoutRounding } from "./rounding.ts";
import { sdUnchecked } from "./descriptive.ts";
import { chiSquareQuantile } from "./chisquare.ts";
import { sampleSize, type PowerDesign } from "./power.ts";
import { fmt } from "./types.ts";

export interface SeedPlan {
  /** Seeds (pairs, or runs per variant) recommended: planned from the `confidence` upper bound of σ; Infinity when above maxN. */
  n: number;
  /** Seeds needed at the lower and upper ends of the `rangeLevel` interval of σ (upper Infinity when above maxN). */
  range: [number, number];
  /** Seeds needed if σ equalled its median-unbiased estimate √(ν s²/χ²_{0.5,ν}). */
  nMedian: number;
  effect: number;
  power: number;
  alpha: number;
  design: PowerDesign;
  pilotSd: number;
  pilotDf: number;
  /** σ used for `n`. */
  sdUsed: number;
  /** `rangeLevel` interval of σ. */
  sdInterval: [number, number];
  confidence: number;
  rangeLevel: number;
  /** True when n or the range's upper end exceeds maxN. */
  capped: boolean;
  notes: string[];
}

export interface PlanOptions {
  power?: number;
  alpha?: number;
  alternative?: Alternative;
  /** Probability that the plan reaches the target power, through σ's upper confidence bound (default 0.8). */
  confidence?: number;
  /** Two-sided level of σ's interval giving the range (default 0.8). */
  rangeLevel?: number;
  /** Plans above this are reported as Infinity with `capped` (default 10,000). */
  maxN?: number;
}

/**
 * Seeds needed to detect `effect` (the smallest difference that matters, in the
 * metric's units) with the given power, from pilot runs. `pilot.b` given and
 * `paired` (default): sd of b − a per seed. `paired: false`: pooled sd, runs per variant.
 */
export function planSeeds(pilot: { a: Sample; b?: Sample; paired?: boolean }, effect: number, opts: PlanOptions = {}): SeedPlan {
  const fn = "planSeeds";
  if (!(typeof effect === "number" && Number.isFinite(effect) && effect !== 0)) {
    throw new Error(`stats.${fn}: effect must be the non-zero difference that matters (in the metric's units), got ${effect}`);
  }
  const power = opts.power ?? 0.8, alpha = opts.alpha ?? 0.05, confidence = opts.confidence ?? 0.8, rangeLevel = opts.rangeLevel ?? 0.8;
  const maxN = opts.maxN ?? 10000;
  for (const [name, v] of [["power", power], ["alpha", alpha], ["confidence", confidence], ["rangeLevel", rangeLevel]] as const) {
    if (!(v > 0 && v < 1)) throw new Error(`stats.${fn}: ${name} must be in (0, 1), got ${v}`);
  }
  let sd: number, df: number, design: PowerDesign;
  if (pilot.b !== undefined && (pilot.paired ?? true)) {
    checkPaired(fn, pilot.a, pilot.b);
    checkSample(fn, pilot.a, 2, "the pilot sd needs ≥ 2 seeds", "pilot a value");
    checkSample(fn, pilot.b, 2, "the pilot sd needs ≥ 2 seeds", "pilot b value");
    sd = sdUnchecked(pairedDifferencesWithoutRounding(pilot.a, pilot.b).values); df = pilot.a.length - 1; design = "paired";
  } else if (pilot.b !== undefined) {
    checkSample(fn, pilot.a, 2, "the pilot sd needs ≥ 2 runs per variant", "pilot a value");
    checkSample(fn, pilot.b, 2, "the pilot sd needs ≥ 2 runs per variant", "pilot b value");
    const na = pilot.a.length, nb = pilot.b.length;
    df = na + nb - 2;
    sd = Math.hypot(Math.sqrt(na - 1) * sdUnchecked(withoutRounding(pilot.a).values), Math.sqrt(nb - 1) * sdUnchecked(withoutRounding(pilot.b).values)) / Math.sqrt(df);
    design = "two-sample";
  } else {
    checkSample(fn, pilot.a, 2, "the pilot sd needs ≥ 2 runs", "pilot value");
    sd = sdUnchecked(withoutRounding(pilot.a).values); df = pilot.a.length - 1; design = "two-sample";
  }
  if (sd === 0) throw new Error(`stats.${fn}: the pilot runs have zero spread (sd = 0, or only floating-point rounding); check that seeds really vary, or run more pilot seeds`);
  const sdAt = (q: number): number => sd * Math.sqrt(df / chiSquareQuantile(q, df));
  const sdUsed = sdAt(1 - confidence);
  const sdInterval: [number, number] = [sdAt(0.5 + rangeLevel / 2), sdAt(0.5 - rangeLevel / 2)];
  const need = (s: number): number => {
    try {
      return sampleSize(effect, s, { power, alpha, alternative: opts.alternative ?? "two-sided", design, maxN }).n;
    } catch (e) {
      if (/more than/.test((e as Error).message)) return Infinity;
      throw new Error(`stats.${fn}: ${(e as Error).message.replace(/^stats\.\w+: /, "")}`);
    }
  };
  const n = need(sdUsed);
  const range: [number, number] = [need(sdInterval[0]), need(sdInterval[1])];
  const nMedian = need(sdAt(0.5));
  const capped = !Number.isFinite(n) || !Number.isFinite(range[1]);
  const unit = design === "paired" ? "seeds" : "runs per variant";
  const notes = [
    `plan for ${Math.round(power * 100)}% power to detect ${fmt(effect)}: ${Number.isFinite(n) ? n : `more than ${maxN}`} ${unit} ` +
      `(range ${range[0]}–${Number.isFinite(range[1]) ? range[1] : `>${maxN}`} over the ${Math.round(rangeLevel * 100)}% interval of the sd, ` +
      `${fmt(sdInterval[0])}–${fmt(sdInterval[1])}, from ${df + 1 + (design === "two-sample" && pilot.b !== undefined ? 1 : 0)} pilot ${design === "paired" ? "seeds" : "runs"})`,
  ];
  if (capped) notes.push(`the upper end exceeds ${maxN} ${unit}: with this spread, a difference of ${fmt(effect)} is impractical to resolve; consider a larger difference that matters or a lower-variance setup`);
  return { n, range, nMedian, effect, power, alpha, design, pilotSd: sd, pilotDf: df, sdUsed, sdInterval, confidence, rangeLevel, capped, notes };
}

export type IntervalReading = "higher" | "lower" | "equivalent" | "inconclusive";

/**
 * Reads an interval of b − a against the smallest difference that matters (margin > 0):
 * "equivalent" when it lies inside (−margin, margin); else "higher" / "lower" when it
 * excludes 0 on that side; else "inconclusive" (the data cannot tell).
 */
export function readInterval(ci: [number, number], margin: number): IntervalReading {
  if (!Array.isArray(ci) || ci.length !== 2 || !(ci[0] <= ci[1])) throw new Error(`stats.readInterval: ci must be [lo, hi] with lo ≤ hi, got ${JSON.stringify(ci)}`);
  if (!(margin > 0 && Number.isFinite(margin))) throw new Error(`stats.readInterval: margin (the smallest difference that matters) must be a positive number, got ${margin}`);
  if (ci[0] > -margin && ci[1] < margin) return "equivalent";
  if (ci[0] > 0) return "higher";
  if (ci[1] < 0) return "lower";
  return "inconclusive";
}
