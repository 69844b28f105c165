/**
 * Seed ensembles: average the predicted class probabilities of several seeds
 * and score the average (Lakshminarayanan et al. 2017, "Simple and scalable
 * predictive uncertainty estimation using deep ensembles"). The ensemble-size
 * curve gives, for each k, the mean (and sd, min, max) accuracy over random
 * subsets of k seeds (all subsets when there are at most `subsets` of them),
 * drawn with twin's seeded generator. Prediction = argmax of the averaged
 * probabilities (first maximum on ties, like `numpy.argmax`).
 */
import { Xoshiro128 } from "./random.ts";

/** Predicted probabilities of one seed: row-major [nExamples × nClasses]. */
export interface Predictions {
  data: Float32Array | Float64Array | readonly number[];
  shape: readonly [number, number];
}

function checkPreds(fn: string, preds: readonly Predictions[], labels: ArrayLike<number>): [number, number] {
  if (preds.length === 0) throw new Error(`stats.${fn}: needs predictions of at least one seed`);
  const [nEx, nCls] = preds[0]!.shape;
  preds.forEach((p, i) => {
    if (p.shape[0] !== nEx || p.shape[1] !== nCls) {
      throw new Error(`stats.${fn}: seed ${i} has shape [${p.shape.join(", ")}], seed 0 has [${nEx}, ${nCls}]; all seeds must predict the same examples and classes`);
    }
    if (p.data.length !== nEx * nCls) throw new Error(`stats.${fn}: seed ${i} has ${p.data.length} numbers, expected ${nEx} × ${nCls} = ${nEx * nCls}`);
    for (let j = 0; j < p.data.length; j++) {
      if (!Number.isFinite(p.data[j]!)) throw new Error(`stats.${fn}: seed ${i} probability ${j} is ${p.data[j]}; remove or fix non-finite results before analysing`);
    }
  });
  if (labels.length !== nEx) throw new Error(`stats.${fn}: ${labels.length} labels for ${nEx} examples`);
  for (let i = 0; i < nEx; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0 || l >= nCls) throw new Error(`stats.${fn}: label ${i} is ${l}, expected an integer class in [0, ${nCls})`);
  }
  return [nEx, nCls];
}

function accuracyOfSum(sumProbs: Float64Array, labels: ArrayLike<number>, nEx: number, nCls: number): number {
  let correct = 0;
  for (let e = 0; e < nEx; e++) {
    const off = e * nCls;
    let best = 0, bv = sumProbs[off]!;
    for (let c = 1; c < nCls; c++) if (sumProbs[off + c]! > bv) { bv = sumProbs[off + c]!; best = c; }
    if (best === labels[e]) correct++;
  }
  return correct / nEx;
}

function addInto(acc: Float64Array, p: Predictions): void {
  const d = p.data;
  for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! + d[i]!;
}

/** Accuracy of the ensemble that averages the given seeds' probabilities. */
export function ensembleAccuracy(preds: readonly Predictions[], labels: ArrayLike<number>): number {
  const [nEx, nCls] = checkPreds("ensembleAccuracy", preds, labels);
  const acc = new Float64Array(nEx * nCls);
  for (const p of preds) addInto(acc, p);
  return accuracyOfSum(acc, labels, nEx, nCls);
}

export interface EnsembleCurvePoint {
  k: number;
  mean: number;
  sd: number;
  min: number;
  max: number;
  /** Number of subsets averaged. */
  subsets: number;
  /** True when every subset of k seeds was scored; false when `subsets` random ones were drawn (min/max are then those of the sample). */
  exhaustive: boolean;
}

function choose(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/**
 * The subsets of k of m seeds an ensemble-size curve scores: all C(m, k) of
 * them when there are at most `maxSubsets` (or at most m: every single seed
 * is always scored), else `maxSubsets` subsets drawn
 * uniformly (a partial Fisher–Yates shuffle each; a subset may repeat) from `rng`.
 */
export function ensembleSubsets(m: number, k: number, maxSubsets: number, rng: Xoshiro128): { subsets: number[][]; exhaustive: boolean } {
  const subsets: number[][] = [];
  if (choose(m, k) <= Math.max(maxSubsets, m)) {
    const idx = Array.from({ length: k }, (_, i) => i);
    for (;;) {
      subsets.push(idx.slice());
      let i = k - 1;
      while (i >= 0 && idx[i] === m - k + i) i--;
      if (i < 0) break;
      idx[i]!++;
      for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
    }
    return { subsets, exhaustive: true };
  }
  const perm = Array.from({ length: m }, (_, i) => i);
  for (let s = 0; s < maxSubsets; s++) {
    for (let i = 0; i < k; i++) {
      const j = i + rng.nextInt(m - i);
      const t = perm[i]!; perm[i] = perm[j]!; perm[j] = t;
    }
    subsets.push(perm.slice(0, k).sort((a, b) => a - b));
  }
  return { subsets, exhaustive: false };
}

/** Accuracy of the ensemble of the seeds `members` (indices into preds); inputs unchecked. */
export function subsetAccuracy(preds: readonly Predictions[], members: readonly number[], labels: ArrayLike<number>, scratch?: Float64Array): number {
  const [nEx, nCls] = preds[0]!.shape;
  const acc = scratch ?? new Float64Array(nEx * nCls);
  acc.fill(0);
  for (const i of members) addInto(acc, preds[i]!);
  return accuracyOfSum(acc, labels, nEx, nCls);
}

/** Ensemble accuracy as a function of ensemble size k = 1..M. */
export function ensembleCurve(
  preds: readonly Predictions[], labels: ArrayLike<number>, opts: { subsets?: number; seed?: number } = {},
): EnsembleCurvePoint[] {
  const [nEx, nCls] = checkPreds("ensembleCurve", preds, labels);
  const M = preds.length;
  const maxSubsets = opts.subsets ?? 50;
  const rng = new Xoshiro128(opts.seed ?? 0);
  const scratch = new Float64Array(nEx * nCls);
  const out: EnsembleCurvePoint[] = [];
  for (let k = 1; k <= M; k++) {
    const { subsets, exhaustive } = ensembleSubsets(M, k, maxSubsets, rng);
    const accs = subsets.map((sub) => subsetAccuracy(preds, sub, labels, scratch));
    const mean = accs.reduce((s, v) => s + v, 0) / accs.length;
    const sd = accs.length > 1 ? Math.sqrt(accs.reduce((s, v) => s + (v - mean) ** 2, 0) / (accs.length - 1)) : 0;
    out.push({ k, mean, sd, min: Math.min(...accs), max: Math.max(...accs), subsets: accs.length, exhaustive });
  }
  return out;
}

/** Class predicted for each example by one seed or by an ensemble: argmax of the (summed) probabilities, first maximum on ties. */
export function predictedClasses(preds: readonly Predictions[], members: readonly number[] = preds.map((_, i) => i)): Int32Array {
  const [nEx, nCls] = preds[0]!.shape;
  const acc = new Float64Array(nEx * nCls);
  for (const i of members) addInto(acc, preds[i]!);
  const out = new Int32Array(nEx);
  for (let e = 0; e < nEx; e++) {
    const off = e * nCls;
    let best = 0, bv = acc[off]!;
    for (let c = 1; c < nCls; c++) if (acc[off + c]! > bv) { bv = acc[off + c]!; best = c; }
    out[e] = best;
  }
  return out;
}

/** Validates seeds' predictions against labels (same shapes, finite values, labels in range); returns [examples, classes]. */
export function checkPredictions(fn: string, preds: readonly Predictions[], labels: ArrayLike<number>): [number, number] {
  return checkPreds(fn, preds, labels);
}
