/**
 * Pairing gain G = Var(b − a unpaired)/Var(b − a paired) = (σ²_a + σ²_b)/σ²_d
 * with an exact interval and a less biased estimate.
 *
 * With s = a + b and d = b − a, σ²_a + σ²_b = (σ²_s + σ²_d)/2, so G = (1 + λ)/2
 * with λ = σ²_s/σ²_d, a ratio of two variances measured on the same seeds.
 * Interval of λ (Pitman 1939; Morgan 1939, "A test for the significance of the
 * difference between the two variances in a sample from a normal bivariate
 * population"): for the true λ, x = s/√λ and y = d have equal variances, so
 * x + y and x − y are uncorrelated; the interval is every λ whose correlation
 * r(λ) of (x + y, x − y) passes the t-test of zero correlation with n − 2 df:
 * r(λ)² ≤ t²/(n − 2 + t²). Exact for bivariate normal seeds, any σ_a, σ_b, ρ.
 * Needs n ≥ 3.
 *
 * Estimate: the plain ratio λ̂ = s²_s/s²_d is median-unbiased when σ_a = σ_b
 * but its mean is biased upward (E F(ν, ν) = ν/(ν − 2): +100% at 5 seeds);
 * `estimate` uses λ̂(ν − 2)/ν, ν = n − 1 (mean-unbiased when σ_a = σ_b), and
 * keeps the plain ratio at n = 3 where that factor is 0. The correction assumes
 * s and d are uncorrelated (σ_a = σ_b); when they are not (a black swan in one
 * variant makes them strongly correlated) it can leave the interval, whose
 * median-unbiased point is the plain ratio, so the estimate is clamped into the
 * interval and a note says so.
 */
import { checkLevel, checkPaired, checkSample, differences, type Sample } from "./validate.ts";
import { sdUnchecked, meanUnchecked } from "./descriptive.ts";
import { tQuantile } from "./studentt.ts";
import { brentRoot } from "./solve.ts";

export interface PairingGainEstimate {
  /** Bias-corrected gain (1 + λ̂(ν − 2)/ν)/2, ν = n − 1 (plain ratio at n = 3), clamped into `ci`. */
  estimate: number;
  /** Plain ratio (s²_a + s²_b)/s²_d. */
  ratio: number;
  /** Interval of the gain (Pitman–Morgan); null when it cannot be computed (n < 3 or zero spread). */
  ci: [number, number] | null;
  level: number;
  /** "noisier" only when the whole interval lies below 1, "less noisy" when it lies above 1, else "unclear". */
  reading: "less noisy" | "noisier" | "unclear";
  notes: string[];
}

/** Pairing gain with the Pitman–Morgan interval and a bias-corrected estimate. */
export function pairingGainInterval(a: Sample, b: Sample, level = 0.95): PairingGainEstimate {
  checkPaired("pairingGainInterval", a, b);
  checkSample("pairingGainInterval", a, 2, "variances need n ≥ 2", "a value");
  checkSample("pairingGainInterval", b, 2, "variances need n ≥ 2", "b value");
  checkLevel("pairingGainInterval", level);
  const n = a.length;
  const d = differences(a, b);
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) s[i] = a[i]! + b[i]!;
  const sdS = sdUnchecked(s), sdD = sdUnchecked(d);
  const notes: string[] = [];
  if (sdD === 0) {
    notes.push(sdS === 0 ? "no spread at all: the gain is undefined" : "the paired differences do not vary at all: pairing removed all the noise");
    const g = sdS === 0 ? 1 : Infinity;
    return { estimate: g, ratio: g, ci: null, level, reading: sdS === 0 ? "unclear" : "less noisy", notes };
  }
  // Work in units of sdD so that nothing overflows.
  const S = (sdS / sdD) ** 2, D = 1;
  const ms = meanUnchecked(s), md = meanUnchecked(d);
  let c = 0;
  for (let i = 0; i < n; i++) c += ((s[i]! - ms) / sdD) * ((d[i]! - md) / sdD);
  c /= n - 1;
  const lambda = S / D;
  const ratio = (1 + lambda) / 2;
  const nu = n - 1;
  let estimate = n > 3 ? (1 + (lambda * (nu - 2)) / nu) / 2 : ratio;
  if (n === 3) notes.push("with 3 seeds the estimate is the plain ratio (median-unbiased only)");
  let ci: [number, number] | null = null;
  if (n >= 3 && S > 0) {
    const t = tQuantile(0.5 + level / 2, n - 2);
    const rCrit = Math.sqrt((t * t) / (n - 2 + t * t));
    // r(λ) for x = s/√λ, y = d: decreasing from 1 (λ → 0) to −1 (λ → ∞).
    const r = (logL: number): number => {
      const L = Math.exp(logL);
      const vx = S / L, cxy = c / Math.sqrt(L);
      return (vx - D) / Math.sqrt(Math.max((vx + D) ** 2 - 4 * cxy * cxy, 1e-300));
    };
    const l0 = Math.log(lambda);
    let lo = l0 - 1, hi = l0 + 1;
    while (r(lo) < rCrit && lo > l0 - 700) lo -= 2;
    while (r(hi) > -rCrit && hi < l0 + 700) hi += 2;
    const lamLo = Math.exp(brentRoot((x) => r(x) - rCrit, lo, l0, 1e-12));
    const lamHi = Math.exp(brentRoot((x) => r(x) + rCrit, l0, hi, 1e-12));
    ci = [(1 + lamLo) / 2, (1 + lamHi) / 2];
    if (estimate < ci[0] || estimate > ci[1]) {
      const corrected = estimate;
      estimate = Math.min(Math.max(estimate, ci[0]), ci[1]);
      notes.push(
        `the bias-corrected gain ${corrected.toPrecision(3)} fell outside its interval (the two variants' spreads differ, e.g. a black swan in one): ` +
          `the estimate is the interval's nearest end, ${estimate.toPrecision(3)}`,
      );
    }
  } else if (n < 3) notes.push("an interval of the gain needs at least 3 seeds");
  const reading = ci === null ? "unclear" : ci[1] < 1 ? "noisier" : ci[0] > 1 ? "less noisy" : "unclear";
  return { estimate, ratio, ci, level, reading, notes };
}
