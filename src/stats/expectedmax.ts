/**
 * Expected maximum validation performance as a function of the number of runs
 * (Dodge et al., "Show Your Work: Improved Reporting of Experimental Results",
 * EMNLP 2019, eq. 1–2): with N observed validation scores v_(1) ≤ … ≤ v_(N) and
 * their empirical CDF F̂ (i/N at v_(i)), n draws with replacement give
 * E[max] = Σ_i v_(i) [(i/N)ⁿ − ((i−1)/N)ⁿ] and
 * Var[max] = Σ_i (v_(i) − E[max])² [(i/N)ⁿ − ((i−1)/N)ⁿ].
 *
 * The band is not Dodge et al.'s E ± sd but the middle 68% of the best of n
 * (the 15.9th and 84.1st percentiles, what ±1 sd covers for a normal variable):
 * the best of n runs drawn from the seeds is v_(i) with probability
 * (i/N)ⁿ − ((i−1)/N)ⁿ, so its q-quantile is the first v_(i) with (i/N)ⁿ ≥ q.
 * It stays within the seeds' range, where E ± sd of a skewed sample does not:
 * nine seeds near 90% and one black swan at 10% put E ± sd for one run at
 * 58–106% accuracy, while nine runs in ten land at 87% or more.
 */
import { checkSample, type Sample } from "./validate.ts";

export interface ExpectedMaxPoint {
  n: number;
  /** Expected best of n runs. */
  mean: number;
  /** Its sd (Dodge et al.). */
  sd: number;
  /** 15.9th and 84.1st percentiles of the best of n runs (lo ≤ hi in value, whichever direction is better). */
  lo: number;
  hi: number;
}

/** Probabilities below and above the middle 68% of a distribution: Φ(−1) and Φ(1), the share ±1 sd covers for a normal. */
const BAND = [0.15865525393145707, 0.8413447460685429] as const;

/** Expected max (and its sd) of n = 1..nMax runs (default nMax = N). */
export function expectedMaxCurve(scores: Sample, opts: { nMax?: number; higherIsBetter?: boolean } = {}): ExpectedMaxPoint[] {
  checkSample("expectedMaxCurve", scores, 1);
  const nMax = opts.nMax ?? scores.length;
  if (!Number.isInteger(nMax) || nMax < 1) throw new Error(`stats.expectedMaxCurve: nMax must be an integer ≥ 1, got ${nMax}`);
  return curvesOfSorted([sortedSigned(scores, opts.higherIsBetter)], [nMax], opts.higherIsBetter)[0]!;
}

/**
 * expectedMaxCurve of each sample, n = 1..min(N, maxRuns) (default N) for a
 * sample of N values: the same numbers, with the weights
 * (i/N)ⁿ − ((i−1)/N)ⁿ, which depend on N and n alone, computed once for the
 * samples of one size (a seed study's variants usually have as many seeds;
 * the powers were most of the cost).
 */
export function expectedMaxCurves(samples: readonly Sample[], opts: { maxRuns?: number; higherIsBetter?: boolean } = {}): ExpectedMaxPoint[][] {
  for (const scores of samples) checkSample("expectedMaxCurves", scores, 1);
  const maxRuns = opts.maxRuns ?? Infinity;
  if (!(maxRuns === Infinity || (Number.isInteger(maxRuns) && maxRuns >= 1))) throw new Error(`stats.expectedMaxCurves: maxRuns must be an integer ≥ 1, got ${maxRuns}`);
  return curvesOfSorted(samples.map((scores) => sortedSigned(scores, opts.higherIsBetter)), samples.map((scores) => Math.min(scores.length, maxRuns)), opts.higherIsBetter);
}

/** The scores times the direction's sign (+1: higher is better), ascending. */
function sortedSigned(scores: Sample, higherIsBetter = true): Float64Array {
  const sign = higherIsBetter ? 1 : -1;
  // A loop, not Float64Array.from's mapping callback (a call per value, uncompiled in a finish's one pass).
  const out = new Float64Array(scores.length);
  for (let i = 0; i < out.length; i++) out[i] = sign * scores[i]!;
  return out.sort();
}

/** The curves of signed, sorted samples `v`, each to its `nMax`; samples of the same size share each n's weights. */
function curvesOfSorted(v: readonly Float64Array[], nMax: readonly number[], higherIsBetter = true): ExpectedMaxPoint[][] {
  const sign = higherIsBetter ? 1 : -1;
  const out: ExpectedMaxPoint[][] = v.map(() => []);
  const bySize = new Map<number, number[]>();
  v.forEach((x, s) => (bySize.get(x.length) ?? bySize.set(x.length, []).get(x.length)!).push(s));
  for (const [N, members] of bySize) {
    const w = new Float64Array(N);
    const last = Math.max(...members.map((s) => nMax[s]!));
    for (let n = 1; n <= last; n++) {
      bestOfWeights(w, n);
      for (const s of members) {
        if (n > nMax[s]!) continue;
        const x = v[s]!;
        const m = weightedSum(w, x);
        const sd = Math.sqrt(weightedSquares(w, x, m));
        const mean = sign * m;
        const [q1, q2] = [bestOfQuantile(x, n, BAND[0]), bestOfQuantile(x, n, BAND[1])].map((q) => sign * q) as [number, number];
        out[s]!.push({ n, mean, sd, lo: Math.min(q1, q2), hi: Math.max(q1, q2) });
      }
    }
  }
  return out;
}

// The loops over the N values in functions of their own: called for every n, each is compiled after a few
// calls, where loops inside curvesOfSorted (called once) ran uncompiled until on-stack replacement, boxing
// every number they computed (53 MB of garbage a finish at 5,000 seeds). The same operations in the same order.

/** w[i − 1] = (i/N)ⁿ − ((i−1)/N)ⁿ, i = 1..N (N = w.length): the probability that the best of n draws is v_(i). */
function bestOfWeights(w: Float64Array, n: number): void {
  const N = w.length;
  let prev = 0;
  for (let i = 1; i <= N; i++) {
    const c = Math.pow(i / N, n);
    w[i - 1] = c - prev;
    prev = c;
  }
}

/** Σ w_i x_i, in index order. */
function weightedSum(w: Float64Array, x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += w[i]! * x[i]!;
  return m;
}

/** Σ w_i (x_i − m)², in index order. */
function weightedSquares(w: Float64Array, x: Float64Array, m: number): number {
  let vv = 0;
  for (let i = 0; i < x.length; i++) vv += w[i]! * (x[i]! - m) ** 2;
  return vv;
}

/** The q-quantile of the best of n draws with replacement from the ascending sample v: the first v_(i) with (i/N)ⁿ ≥ q. */
function bestOfQuantile(v: Float64Array, n: number, q: number): number {
  const N = v.length;
  // (i/N)ⁿ ≥ q ⇔ i ≥ N q^(1/n); the loop corrects the last bit of the root.
  let i = Math.max(1, Math.min(N, Math.ceil(N * Math.pow(q, 1 / n))));
  while (i > 1 && Math.pow((i - 1) / N, n) >= q) i--;
  while (i < N && Math.pow(i / N, n) < q) i++;
  return v[i - 1]!;
}
