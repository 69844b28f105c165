/**
 * Expected maximum validation performance as a function of the number of runs
 * (Dodge et al., "Show Your Work: Improved Reporting of Experimental Results",
 * EMNLP 2019, eq. 1–2): with N observed validation scores v_(1) ≤ … ≤ v_(N) and
 * their empirical CDF F̂ (i/N at v_(i)), n draws with replacement give
 * E[max] = Σ_i v_(i) [(i/N)ⁿ − ((i−1)/N)ⁿ] and
 * Var[max] = Σ_i (v_(i) − E[max])² [(i/N)ⁿ − ((i−1)/N)ⁿ]; the band is E ± sd.
 */
import { checkSample, type Sample } from "./validate.ts";

export interface ExpectedMaxPoint {
  n: number;
  mean: number;
  sd: number;
  lo: number;
  hi: number;
}

/** Expected max (and its sd) of n = 1..nMax runs (default nMax = N). */
export function expectedMaxCurve(scores: Sample, opts: { nMax?: number; higherIsBetter?: boolean } = {}): ExpectedMaxPoint[] {
  checkSample("expectedMaxCurve", scores, 1);
  const N = scores.length;
  const nMax = opts.nMax ?? N;
  if (!Number.isInteger(nMax) || nMax < 1) throw new Error(`stats.expectedMaxCurve: nMax must be an integer ≥ 1, got ${nMax}`);
  const sign = opts.higherIsBetter ?? true ? 1 : -1;
  const v = Float64Array.from(scores as ArrayLike<number>, (x) => sign * x).sort();
  const out: ExpectedMaxPoint[] = [];
  for (let n = 1; n <= nMax; n++) {
    const w = new Float64Array(N);
    let m = 0, prev = 0;
    for (let i = 1; i <= N; i++) {
      const c = Math.pow(i / N, n);
      w[i - 1] = c - prev;
      prev = c;
      m += w[i - 1]! * v[i - 1]!;
    }
    let vv = 0;
    for (let i = 0; i < N; i++) vv += w[i]! * (v[i]! - m) ** 2;
    const sd = Math.sqrt(vv);
    const mean = sign * m;
    out.push({ n, mean, sd, lo: mean - sd, hi: mean + sd });
  }
  return out;
}
