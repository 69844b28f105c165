/**
 * Almost Stochastic Order (ASO): del Barrio, Cuesta-Albertos & Matrán (2018),
 * "An optimal transportation approach for assessing almost stochastic order",
 * as used for deep-learning comparisons by Dror, Shlomov & Reichart (2019),
 * "Deep dominance — how to properly compare deep neural models", ACL, and
 * implemented in deepsig's `aso()` (Ulmer et al. 2022), which this follows
 * step by step:
 *
 * 1. ε_W2(F, G) = ∫_{V} (G⁻¹(t) − F⁻¹(t))² dt / ∫_0^1 (G⁻¹(t) − F⁻¹(t))² dt, the
 *    violation ratio, where F is A's and G is B's empirical distribution,
 *    V = {t : G⁻¹(t) > F⁻¹(t)} (where B beats A) and the integral is a left
 *    Riemann sum over t = 0, dt, 2dt, … < 1 with the empirical quantile
 *    function Q(t) = x_(max(0, ⌈n t⌉ − 1)).
 * 2. σ̂ from `resamples` bootstrap iterations, each drawing `samples` values from
 *    each empirical distribution: σ̂ = sd(√(samples/2) · (ε*_b − ε)).
 * 3. ε_min = clip(ε − σ̂ Φ⁻¹(α)/√(nm/(n+m)), 0, 1), an upper confidence bound on
 *    the violation ratio at level 1 − α.
 *
 * ε_min < 0.5 means A is almost stochastically larger (better) than B; the
 * smaller the stronger (Ulmer et al. suggest 0.2 as a strict threshold).
 * Parameters and defaults as deepsig: α = 0.05, samples = 1000,
 * resamples = 1000, dt = 0.005; twin's generator with `seed` replaces NumPy's.
 */
import { checkSample, type Sample } from "./validate.ts";
import { Xoshiro128 } from "./random.ts";
import { normalQuantile } from "./normal.ts";

export interface AsoOptions {
  /** Confidence level parameter α (deepsig's `confidence_level`, default 0.05). */
  alpha?: number;
  /** Values drawn from each distribution per bootstrap iteration (default 1000). */
  samples?: number;
  /** Bootstrap iterations (default 1000). */
  resamples?: number;
  /** Step of the integral over t (default 0.005). */
  dt?: number;
  seed?: number;
}

export interface AsoResult {
  /** Upper bound of the violation ratio: < 0.5 means A is almost stochastically better than B. */
  epsMin: number;
  /** Plain estimate of the violation ratio ε_W2. */
  violationRatio: number;
  sigma: number;
}

function qIndex(n: number, p: number): number {
  return Math.min(n - 1, Math.max(0, Math.ceil(n * p) - 1));
}

/** Violation ratio ε_W2 of "A dominates B" from sorted samples (deepsig `compute_violation_ratio`). */
export function violationRatio(sortedA: ArrayLike<number>, sortedB: ArrayLike<number>, dt = 0.005): number {
  const K = Math.ceil(1 / dt);
  let w = 0, v = 0;
  const na = sortedA.length, nb = sortedB.length;
  for (let k = 0; k < K; k++) {
    const p = k * dt;
    const diff = sortedB[qIndex(nb, p)]! - sortedA[qIndex(na, p)]!;
    w += diff * diff * dt;
    if (diff > 0) v += diff * diff * dt;
  }
  return w === 0 ? 0 : v / w;
}

/** Draws `m` values from the empirical distribution of sorted x and returns them sorted, via counts. */
function sampleSorted(sorted: Float64Array, m: number, rng: Xoshiro128, counts: Int32Array, out: Float64Array): void {
  const n = sorted.length;
  counts.fill(0);
  for (let i = 0; i < m; i++) counts[qIndex(n, rng.nextFloat())]!++;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const c = counts[i]!, v = sorted[i]!;
    for (let j = 0; j < c; j++) out[k++] = v;
  }
}

/** ε_min of Almost Stochastic Order that A is better than B (deepsig `aso(scores_a, scores_b)`). */
export function almostStochasticOrder(a: Sample, b: Sample, opts: AsoOptions = {}): AsoResult {
  checkSample("almostStochasticOrder", a, 1, "", "a value");
  checkSample("almostStochasticOrder", b, 1, "", "b value");
  const alpha = opts.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new Error(`stats.almostStochasticOrder: alpha must be in (0, 1), got ${alpha}`);
  const M = opts.samples ?? 1000, B = opts.resamples ?? 1000, dt = opts.dt ?? 0.005;
  if (!(Number.isInteger(M) && M >= 1 && Number.isInteger(B) && B >= 2)) throw new Error(`stats.almostStochasticOrder: samples must be ≥ 1 and resamples ≥ 2 integers, got ${M}, ${B}`);
  if (!(dt > 0 && dt < 1)) throw new Error(`stats.almostStochasticOrder: dt must be in (0, 1), got ${dt}`);
  const sa = Float64Array.from(a as ArrayLike<number>).sort();
  const sb = Float64Array.from(b as ArrayLike<number>).sort();
  const vr = violationRatio(sa, sb, dt);
  const const1 = Math.sqrt((sa.length * sb.length) / (sa.length + sb.length));
  const const2 = Math.sqrt((M * M) / (2 * M));
  const rng = new Xoshiro128(opts.seed ?? 0);
  const ca = new Int32Array(sa.length), cb = new Int32Array(sb.length);
  const oa = new Float64Array(M), ob = new Float64Array(M);
  const devs = new Float64Array(B);
  let mean = 0;
  for (let r = 0; r < B; r++) {
    sampleSorted(sa, M, rng, ca, oa);
    sampleSorted(sb, M, rng, cb, ob);
    devs[r] = const2 * (violationRatio(oa, ob, dt) - vr);
    mean += devs[r]!;
  }
  mean /= B;
  let ss = 0;
  for (let r = 0; r < B; r++) ss += (devs[r]! - mean) ** 2;
  const sigma = Math.sqrt(ss / B);
  const eps = vr - (1 / const1) * sigma * normalQuantile(alpha);
  return { epsMin: Math.min(1, Math.max(0, eps)), violationRatio: vr, sigma };
}
