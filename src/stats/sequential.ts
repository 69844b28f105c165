/**
 * Group-sequential paired t design: add seeds in batches and stop as soon as
 * the answer is clear, keeping the overall two-sided type-I error at α.
 *
 * Boundaries come from an α-spending function (Lan & DeMets 1983,
 * "Discrete sequential boundaries for clinical trials", Biometrika 70):
 * - 'obrien-fleming': α(t) = 2 − 2Φ(z_{1−α/2}/√t) (O'Brien–Fleming-type: very
 *   strict early, close to α at the end), the default;
 * - 'pocock': α(t) = α·ln(1 + (e − 1)t) (Pocock-type: equal-ish boundaries).
 * At look k with n_k seeds the information fraction is t_k = n_k/n_K. The
 * z-boundaries c_k solve P(|Z_j| < c_j, j < k; |Z_k| ≥ c_k) = α(t_k) − α(t_{k−1})
 * under the canonical joint distribution of (Z_1..Z_K) (independent Brownian
 * increments), computed by recursive numerical integration (Armitage,
 * McPherson & Rowe 1969; Jennison & Turnbull 2000, ch. 19) on a grid with
 * Simpson's rule.
 *
 * The sd is estimated, so the statistics are paired t's, not z's. Converting
 * each z-boundary to the t-boundary of the same nominal level (Jennison &
 * Turnbull 2000, §11.5; `calibration: 'nominal'`) inflates the overall error at
 * 3–10 seeds (measured 5.6% for looks 3, 5, 8, 10 at α = 5%). twin's default
 * `calibration: 'simulation'` uses that under H0 the joint law of (T_1..T_K)
 * for normal differences does not depend on σ: it simulates `calibrationPaths`
 * (default 200,000) null studies with a fixed seed and sets each t-boundary so
 * that exactly the spending-function share α(t_k) − α(t_{k−1}) of the simulated
 * studies first crosses at look k. The overall type-I error is then α up to
 * Monte Carlo error (sd √(α(1−α)/paths) ≈ 0.0005); twin's tests verify it with
 * independent simulations.
 */
import { Xoshiro128 } from "./random.ts";
import { normalCdf, normalQuantile, normalPdf } from "./normal.ts";
import { tCdf, tQuantile } from "./studentt.ts";
import { checkPairs, type Sample } from "./validate.ts";
import { pairedDifferencesWithoutRounding } from "./rounding.ts";
import { meanUnchecked, sdUnchecked } from "./descriptive.ts";

export type SpendingFunction = "obrien-fleming" | "pocock";

export interface SequentialDesign {
  looks: number[];
  alpha: number;
  spending: SpendingFunction;
  informationFractions: number[];
  /** Cumulative α spent after each look. */
  alphaSpent: number[];
  /** Two-sided z boundaries |Z| ≥ c_k. */
  zBoundaries: number[];
  /** Nominal two-sided p-value threshold at each look: 2(1 − Φ(c_k)). */
  nominalAlphas: number[];
  /** Two-sided paired-t boundaries |T| ≥ b_k with df = n_k − 1 (Infinity: no rejection possible at that look). */
  tBoundaries: number[];
  /** Nominal two-sided p-value threshold of the t-boundary at each look. */
  nominalTAlphas: number[];
  calibration: "simulation" | "nominal";
}

function spend(fn: SpendingFunction, alpha: number, t: number): number {
  if (t <= 0) return 0;
  if (fn === "pocock") return alpha * Math.log(1 + (Math.E - 1) * Math.min(t, 1));
  return 2 - 2 * normalCdf(normalQuantile(1 - alpha / 2) / Math.sqrt(Math.min(t, 1)));
}

const GRID = 401; // odd: Simpson's rule

/** Designs a group-sequential two-sided paired t-test with looks at the given numbers of seeds (increasing, first ≥ 2). */
export function sequentialDesign(opts: {
  looks: number[]; alpha?: number; spending?: SpendingFunction; calibration?: "simulation" | "nominal"; calibrationPaths?: number; seed?: number;
}): SequentialDesign {
  const looks = opts.looks;
  const alpha = opts.alpha ?? 0.05;
  const spending = opts.spending ?? "obrien-fleming";
  if (!Array.isArray(looks) || looks.length === 0) throw new Error("stats.sequentialDesign: looks must list the numbers of seeds at each analysis, e.g. [4, 8, 12]");
  looks.forEach((n, i) => {
    if (!Number.isInteger(n) || n < 2) throw new Error(`stats.sequentialDesign: look ${i} is at ${n} seeds; each look needs an integer ≥ 2 seeds (a paired t-test needs n ≥ 2)`);
    if (i > 0 && n <= looks[i - 1]!) throw new Error(`stats.sequentialDesign: looks must increase, got ${looks[i - 1]} then ${n}`);
  });
  if (!(alpha > 0 && alpha < 1)) throw new Error(`stats.sequentialDesign: alpha must be in (0, 1), got ${alpha}`);
  if (spending !== "obrien-fleming" && spending !== "pocock") throw new Error(`stats.sequentialDesign: spending must be 'obrien-fleming' or 'pocock', got '${spending as string}'`);
  const K = looks.length, nMax = looks[K - 1]!;
  const tf = looks.map((n) => n / nMax);
  const spent = tf.map((t) => spend(spending, alpha, t));
  const zb: number[] = [];
  // Density of S_k = Z_k √t_k on the continuation region, on a grid.
  let grid: Float64Array | null = null, dens: Float64Array | null = null, h = 0;
  for (let k = 0; k < K; k++) {
    const target = spent[k]! - (k > 0 ? spent[k - 1]! : 0);
    const tk = tf[k]!;
    let crossProb: (c: number) => number;
    if (k === 0) {
      crossProb = (c) => 2 * normalCdf(-c);
    } else {
      const g = grid!, f = dens!, step = h, delta = tk - tf[k - 1]!, sdD = Math.sqrt(delta), sq = Math.sqrt(tk);
      crossProb = (c) => {
        let s = 0;
        for (let i = 0; i < GRID; i++) {
          const w = i === 0 || i === GRID - 1 ? 1 : i % 2 === 1 ? 4 : 2;
          const u = g[i]!;
          const p = normalCdf((-c * sq - u) / sdD) + normalCdf((u - c * sq) / sdD);
          s += w * f[i]! * p;
        }
        return (s * step) / 3;
      };
    }
    let c: number;
    if (target <= 1e-15) c = 40;
    else {
      let lo = 0, hi = 40;
      for (let it = 0; it < 100; it++) {
        const mid = (lo + hi) / 2;
        if (crossProb(mid) > target) lo = mid; else hi = mid;
        if (hi - lo < 1e-12) break;
      }
      c = (lo + hi) / 2;
    }
    zb.push(c);
    if (k < K - 1) {
      const sq = Math.sqrt(tk);
      const ng = new Float64Array(GRID), nd = new Float64Array(GRID);
      const nh = (2 * c * sq) / (GRID - 1);
      for (let i = 0; i < GRID; i++) ng[i] = -c * sq + i * nh;
      if (k === 0) {
        for (let i = 0; i < GRID; i++) nd[i] = normalPdf(ng[i]! / sq) / sq;
      } else {
        const g = grid!, f = dens!, delta = tk - tf[k - 1]!, sdD = Math.sqrt(delta);
        for (let j = 0; j < GRID; j++) {
          let s = 0;
          for (let i = 0; i < GRID; i++) {
            const w = i === 0 || i === GRID - 1 ? 1 : i % 2 === 1 ? 4 : 2;
            s += w * f[i]! * normalPdf((ng[j]! - g[i]!) / sdD);
          }
          nd[j] = ((s * h) / 3) / sdD;
        }
      }
      grid = ng; dens = nd; h = nh;
    }
  }
  const nominal = zb.map((c) => 2 * normalCdf(-c));
  const calibration = opts.calibration ?? "simulation";
  const tb = calibration === "nominal"
    ? zb.map((c, k) => tQuantile(normalCdf(c), looks[k]! - 1))
    : calibrateT(looks, spent, opts.calibrationPaths ?? 200000, opts.seed ?? 20240601);
  const nominalT = tb.map((b, k) => (Number.isFinite(b) ? Math.min(1, 2 * tCdf(-b, looks[k]! - 1)) : 0));
  return {
    looks: looks.slice(), alpha, spending, informationFractions: tf, alphaSpent: spent, zBoundaries: zb, nominalAlphas: nominal,
    tBoundaries: tb, nominalTAlphas: nominalT, calibration,
  };
}

/** t-boundaries such that the spending increments hold exactly in `paths` simulated null studies. */
function calibrateT(looks: number[], spent: number[], paths: number, seed: number): number[] {
  if (!Number.isInteger(paths) || paths < 10000) throw new Error(`stats.sequentialDesign: calibrationPaths must be an integer ≥ 10,000, got ${paths}`);
  const K = looks.length;
  const rng = new Xoshiro128(seed);
  const T = new Float64Array(paths * K);
  for (let p = 0; p < paths; p++) {
    let sum = 0, sum2 = 0, n = 0;
    for (let k = 0; k < K; k++) {
      while (n < looks[k]!) { const x = rng.nextNormal(); sum += x; sum2 += x * x; n++; }
      const m = sum / n;
      const v = Math.max((sum2 - n * m * m) / (n - 1), 1e-300);
      T[p * K + k] = Math.abs(m / Math.sqrt(v / n));
    }
  }
  const alive = new Uint8Array(paths).fill(1);
  let rejected = 0;
  const out: number[] = [];
  for (let k = 0; k < K; k++) {
    const want = Math.round(spent[k]! * paths) - rejected;
    if (want <= 0) { out.push(Infinity); continue; }
    const vals: number[] = [];
    for (let p = 0; p < paths; p++) if (alive[p]) vals.push(T[p * K + k]!);
    const sorted = Float64Array.from(vals).sort().reverse();
    const b = want < sorted.length ? (sorted[want - 1]! + sorted[want]!) / 2 : 0;
    out.push(b);
    for (let p = 0; p < paths; p++) if (alive[p] && T[p * K + k]! >= b) { alive[p] = 0; rejected++; }
  }
  return out;
}

export interface SequentialDecision {
  /** 0-based index of this look. */
  look: number;
  n: number;
  diff: number;
  t: number;
  boundary: number;
  /** Nominal two-sided p of the paired t at this look (compare with nominalAlpha, not with alpha). */
  pNominal: number;
  nominalAlpha: number;
  /** 'reject': stop, the difference is significant; 'continue': add seeds up to the next look; 'stop': last look reached without significance. */
  decision: "reject" | "continue" | "stop";
  notes: string[];
}

/** Analyses paired runs at a planned look of a sequential design (n must equal one of the design's looks). */
export function sequentialPairedTest(a: Sample, b: Sample, design: SequentialDesign): SequentialDecision {
  checkPairs("sequentialPairedTest", a, b, 2, "a paired t needs n ≥ 2");
  const n = a.length;
  const k = design.looks.indexOf(n);
  if (k < 0) {
    throw new Error(`stats.sequentialPairedTest: ${n} seeds is not a planned look (looks at ${design.looks.join(", ")}); analysing at unplanned times breaks the error guarantee: run seeds up to the next look`);
  }
  const d = pairedDifferencesWithoutRounding(a, b).values;
  const diff = meanUnchecked(d);
  const sdd = sdUnchecked(d);
  const notes: string[] = [];
  let t: number;
  if (sdd === 0) {
    t = diff === 0 ? 0 : Math.sign(diff) * Infinity;
    notes.push("all paired differences are identical, up to floating-point rounding (sd = 0)");
  } else t = diff / (sdd / Math.sqrt(n));
  const boundary = design.tBoundaries[k]!;
  const pNominal = Number.isFinite(t) ? Math.min(1, 2 * tCdf(-Math.abs(t), n - 1)) : 0;
  const last = k === design.looks.length - 1;
  const decision = Math.abs(t) >= boundary ? "reject" : last ? "stop" : "continue";
  if (decision === "continue") notes.push(`not conclusive yet: run seeds up to ${design.looks[k + 1]} and analyse again`);
  return { look: k, n, diff, t, boundary, pNominal, nominalAlpha: design.nominalAlphas[k]!, decision, notes };
}

/**
 * Monte Carlo check of a design: fraction of `studies` simulated null studies
 * (normal paired differences, true mean `effect` in sd units, default 0) that reject at some look.
 */
export function sequentialRejectionRate(design: SequentialDesign, opts: { studies?: number; seed?: number; effect?: number } = {}): { rate: number; studies: number; meanSeeds: number } {
  const studies = opts.studies ?? 10000;
  const effect = opts.effect ?? 0;
  const rng = new Xoshiro128(opts.seed ?? 0);
  const nMax = design.looks[design.looks.length - 1]!;
  let rejections = 0, seedsUsed = 0;
  for (let s = 0; s < studies; s++) {
    let sum = 0, sum2 = 0, n = 0, k = 0, used = nMax;
    while (k < design.looks.length) {
      const target = design.looks[k]!;
      while (n < target) {
        const x = rng.nextNormal() + effect;
        sum += x; sum2 += x * x; n++;
      }
      const m = sum / n;
      const v = (sum2 - n * m * m) / (n - 1);
      const t = m / Math.sqrt(v / n);
      if (Math.abs(t) >= design.tBoundaries[k]!) { rejections++; used = n; break; }
      k++;
    }
    seedsUsed += used;
  }
  return { rate: rejections / studies, studies, meanSeeds: seedsUsed / studies };
}
