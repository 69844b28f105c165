/**
 * Pairing gain G = Var(b − a unpaired)/Var(b − a paired) = (σ²_a + σ²_b)/σ²_d
 * with an exact interval and a less biased estimate.
 *
 * With s = a + b and d = b − a, σ²_a + σ²_b = (σ²_s + σ²_d)/2, so G = (1 + λ)/2
 * with λ = σ²_s/σ²_d, a ratio of two variances measured on the same seeds.
 * Interval of λ: the Pitman–Morgan interval of that ratio (`pitmanMorgan`),
 * exact for bivariate normal seeds, any σ_a, σ_b, ρ. Needs n ≥ 3.
 *
 * Estimate: the plain ratio λ̂ = s²_s/s²_d is median-unbiased when σ_a = σ_b
 * but its mean is biased upward (E F(ν, ν) = ν/(ν − 2): +100% at 5 seeds);
 * `estimate` uses λ̂(ν − 2)/ν, ν = n − 1 (mean-unbiased when σ_a = σ_b), and
 * keeps the plain ratio at n = 3 where that factor is 0. The correction assumes
 * s and d are uncorrelated (σ_a = σ_b); when they are not (a black swan in one
 * variant makes them strongly correlated) it can leave the interval, whose
 * median-unbiased point is the plain ratio, so the estimate is clamped into the
 * interval and a note says so. Differences or sums that vary only by
 * floating-point rounding (`rounding.ts`) do not vary.
 *
 * Seeds on a line (a and b correlate ±1, or one does not vary, up to rounding):
 * s and d are then on a line too and the Pitman–Morgan interval is undefined
 * (`pitmanMorganUndefined`), so `ci` is null, `noInterval` says why, and the
 * estimate is the plain ratio (exactly 1 when one side does not vary: pairing
 * can neither help nor hurt). The same holds when one variant's values are all
 * below the other's rounding (a diverged run's 1e20 beside 1e-3): s and d are
 * then equal up to rounding though a and b are not on a line; the gain is 1.
 */
import { checkLevel, checkPairs, type Sample } from "./validate.ts";
import { onALineUpToRounding, pairedDifferencesWithoutRounding, withoutRounding } from "./rounding.ts";
import { sdUnchecked } from "./descriptive.ts";
import { pitmanMorgan, pitmanMorganUndefined } from "./pitman-morgan.ts";

export interface PairingGainEstimate {
  /** Bias-corrected gain (1 + λ̂(ν − 2)/ν)/2, ν = n − 1 (plain ratio at n = 3), clamped into `ci`. */
  estimate: number;
  /** Plain ratio (s²_a + s²_b)/s²_d. */
  ratio: number;
  /** Interval of the gain (Pitman–Morgan); null when it cannot be computed (n < 3 or zero spread). */
  ci: [number, number] | null;
  /** Why `ci` is null (null when there is one). */
  noInterval: string | null;
  level: number;
  /** "noisier" only when the whole interval lies below 1, "less noisy" when it lies above 1, else "unclear". */
  reading: "less noisy" | "noisier" | "unclear";
  notes: string[];
}

/** Pairing gain with the Pitman–Morgan interval and a bias-corrected estimate. */
export function pairingGainInterval(a: Sample, b: Sample, level = 0.95): PairingGainEstimate {
  checkPairs("pairingGainInterval", a, b, 2, "variances need n ≥ 2");
  checkLevel("pairingGainInterval", level);
  const n = a.length;
  const d = pairedDifferencesWithoutRounding(a, b).values;
  const sums = new Float64Array(n);
  for (let i = 0; i < n; i++) sums[i] = a[i]! + b[i]!;
  const s = withoutRounding(sums).values;
  const sdS = sdUnchecked(s), sdD = sdUnchecked(d);
  const notes: string[] = [];
  if (sdD === 0) {
    notes.push(sdS === 0 ? "neither variant varies across seeds: pairing can neither help nor hurt, the gain is 1 and has no interval" : "the paired differences do not vary at all: pairing removed all the noise");
    const g = sdS === 0 ? 1 : Infinity;
    return { estimate: g, ratio: g, ci: null, noInterval: notes[0]!, level, reading: sdS === 0 ? "unclear" : "less noisy", notes };
  }
  const lambda = (sdS / sdD) ** 2;
  const ratio = (1 + lambda) / 2;
  if (n >= 3 && (onALineUpToRounding(a, b) || pitmanMorganUndefined(d, s) !== null)) {
    const flat = withoutRounding(a).constant || withoutRounding(b).constant;
    // (a, b) on a line is (a + b, b − a) on a line, but only the sums and differences are rounded at the larger variant's scale.
    const negligible = !flat && !onALineUpToRounding(a, b);
    const why = flat
      ? "one variant does not vary across seeds (up to floating-point rounding): pairing can neither help nor hurt, the gain is 1 and has no interval"
      : negligible
        ? "one variant's values are all below the other's floating-point rounding (a loss near 1e-3 against one that diverged to 1e20, say): " +
          "on every seed the pair's sum and difference are equal up to rounding, so pairing can neither help nor hurt; the gain is 1 and has no interval"
        : "the two variants' runs lie exactly on a line across seeds (correlation ±1, up to floating-point rounding), where the Pitman–Morgan test " +
          "behind the interval is infinite for every gain but the observed one; normal seeds never do this, values recorded to few digits can at few seeds";
    notes.push(why);
    const g = flat || negligible ? 1 : ratio;
    return { estimate: g, ratio: g, ci: null, noInterval: why, level, reading: "unclear", notes };
  }
  const nu = n - 1;
  let estimate = n > 3 ? (1 + (lambda * (nu - 2)) / nu) / 2 : ratio;
  if (n === 3) notes.push("with 3 seeds the estimate is the plain ratio (median-unbiased only)");
  let ci: [number, number] | null = null;
  if (n >= 3) {
    // λ = σ²_s/σ²_d is the variance ratio of two samples measured on the same seeds.
    const pm = pitmanMorgan(d, s, level);
    ci = [(1 + pm.ci[0]) / 2, (1 + pm.ci[1]) / 2];
    if (estimate < ci[0] || estimate > ci[1]) {
      const corrected = estimate;
      estimate = Math.min(Math.max(estimate, ci[0]), ci[1]);
      notes.push(
        `the bias-corrected gain ${corrected.toPrecision(3)} fell outside its interval (the two variants' spreads differ, e.g. a black swan in one): ` +
          `the estimate is the interval's nearest end, ${estimate.toPrecision(3)}`,
      );
    }
  }
  const noInterval = ci ? null : "an interval of the gain needs at least 3 seeds";
  if (noInterval) notes.push(noInterval);
  const reading = ci === null ? "unclear" : ci[1] < 1 ? "noisier" : ci[0] > 1 ? "less noisy" : "unclear";
  return { estimate, ratio, ci, noInterval, level, reading, notes };
}
