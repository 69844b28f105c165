/**
 * Simulated seed ensembles with a known true gain, for the coverage of
 * stats.ensembleGain. Example e of class y_e has class logits μ_e ~ N(0, σv²)
 * (+ margin on y_e); seed s adds a luck u_s ~ N(0, σu²) to the true class of
 * every example and noise N(0, σε²) to every logit. The truth E[acc(ensemble
 * of n)] − E[acc(one seed)] is an expectation over examples and seed draws,
 * computed once by Monte Carlo over `truthDraws` independent (example, n seeds)
 * draws (its Monte Carlo error is reported).
 */
import { ensembleGain, Xoshiro128, type Predictions } from "../src/stats/index.ts";

export interface GainScenario {
  name: string;
  classes: number;
  examples: number;
  margin: number;
  sigmaExample: number;
  sigmaSeed: number;
  sigmaNoise: number;
}

function drawExample(sc: GainScenario, rng: Xoshiro128, mu: Float64Array): number {
  const y = rng.nextInt(sc.classes);
  for (let c = 0; c < sc.classes; c++) mu[c] = sc.sigmaExample * rng.nextNormal() + (c === y ? sc.margin : 0);
  return y;
}

function seedProbs(sc: GainScenario, rng: Xoshiro128, mu: Float64Array, y: number, luck: number, out: Float64Array, off: number): void {
  let max = -Infinity;
  for (let c = 0; c < sc.classes; c++) {
    const z = mu[c]! + sc.sigmaNoise * rng.nextNormal() + (c === y ? luck : 0);
    out[off + c] = z;
    max = Math.max(max, z);
  }
  let sum = 0;
  for (let c = 0; c < sc.classes; c++) sum += (out[off + c] = Math.exp(out[off + c]! - max));
  for (let c = 0; c < sc.classes; c++) out[off + c] = out[off + c]! / sum;
}

function argmax(p: Float64Array, off: number, n: number): number {
  let b = 0;
  for (let c = 1; c < n; c++) if (p[off + c]! > p[off + b]!) b = c;
  return b;
}

/** True expected gain of an n-seed ensemble over one seed, with its Monte Carlo standard error. */
export function trueGain(sc: GainScenario, seeds: number, truthDraws: number, seed: number): { gain: number; se: number } {
  const rng = new Xoshiro128(seed);
  const mu = new Float64Array(sc.classes), p = new Float64Array(sc.classes), sum = new Float64Array(sc.classes);
  let s1 = 0, s2 = 0;
  for (let i = 0; i < truthDraws; i++) {
    const y = drawExample(sc, rng, mu);
    sum.fill(0);
    let singles = 0;
    for (let s = 0; s < seeds; s++) {
      seedProbs(sc, rng, mu, y, sc.sigmaSeed * rng.nextNormal(), p, 0);
      if (argmax(p, 0, sc.classes) === y) singles++;
      for (let c = 0; c < sc.classes; c++) sum[c] = sum[c]! + p[c]!;
    }
    const g = (argmax(sum, 0, sc.classes) === y ? 1 : 0) - singles / seeds;
    s1 += g;
    s2 += g * g;
  }
  const m = s1 / truthDraws;
  return { gain: m, se: Math.sqrt((s2 / truthDraws - m * m) / truthDraws) };
}

/** One study: n seeds' probabilities on a fresh test set. */
export function simulateEnsembleStudy(sc: GainScenario, seeds: number, rng: Xoshiro128): { preds: Predictions[]; labels: Int32Array } {
  const E = sc.examples, C = sc.classes;
  const labels = new Int32Array(E);
  const mus = new Float64Array(E * C), mu = new Float64Array(C);
  for (let e = 0; e < E; e++) {
    labels[e] = drawExample(sc, rng, mu);
    mus.set(mu, e * C);
  }
  const preds: Predictions[] = [];
  for (let s = 0; s < seeds; s++) {
    const luck = sc.sigmaSeed * rng.nextNormal();
    const data = new Float64Array(E * C);
    for (let e = 0; e < E; e++) seedProbs(sc, rng, mus.subarray(e * C, e * C + C), labels[e]!, luck, data, e * C);
    preds.push({ data, shape: [E, C] });
  }
  return { preds, labels };
}

export interface GainCoverageCell { scenario: string; seeds: number; studies: number; coverage: number; truth: number; truthSe: number; meanHalfWidth: number; seedShare: number }

export function gainCoverage(sc: GainScenario, seeds: number, studies: number, truthDraws: number, seed: number): GainCoverageCell {
  const truth = trueGain(sc, seeds, truthDraws, seed + 1_000_000);
  const rng = new Xoshiro128(seed);
  let covered = 0, half = 0, share = 0;
  for (let i = 0; i < studies; i++) {
    const { preds, labels } = simulateEnsembleStudy(sc, seeds, rng);
    const r = ensembleGain(preds, labels);
    if (r.lo <= truth.gain && truth.gain <= r.hi) covered++;
    half += (r.hi - r.lo) / 2;
    share += r.parts.seeds / (r.se * r.se || 1);
  }
  return { scenario: sc.name, seeds, studies, coverage: covered / studies, truth: truth.gain, truthSe: truth.se, meanHalfWidth: half / studies, seedShare: share / studies };
}

export const GAIN_SCENARIOS: GainScenario[] = [
  { name: "seed luck small", classes: 5, examples: 2000, margin: 1.5, sigmaExample: 1, sigmaSeed: 0.05, sigmaNoise: 0.8 },
  { name: "seed luck large", classes: 5, examples: 2000, margin: 1.5, sigmaExample: 1, sigmaSeed: 0.4, sigmaNoise: 0.8 },
];
