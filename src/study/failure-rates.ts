/**
 * Failure rates of variants (runs that diverged or failed, out of the runs
 * that ended): an exact interval per variant and exact tests between two
 * variants. Small enough to live beside the verdict until src/stats offers
 * the same; each matches SciPy (see test/study/failure-rates.test.ts).
 */
import { betaIncReg, binomialCdf, brentRoot, logGamma } from "../stats/index.ts";

/**
 * Clopper–Pearson exact interval of a binomial proportion k/n
 * (`scipy.stats.binomtest(k, n).proportion_ci(method="exact")`): the bounds
 * are Beta(k, n−k+1) and Beta(k+1, n−k) quantiles at (1−level)/2 and (1+level)/2.
 */
export function clopperPearson(k: number, n: number, level = 0.95): [number, number] {
  if (!(Number.isInteger(k) && Number.isInteger(n) && n >= 1 && k >= 0 && k <= n)) throw new Error(`clopperPearson: needs integers 0 ≤ k ≤ n, n ≥ 1 (got k = ${k}, n = ${n})`);
  const tail = (1 - level) / 2;
  const quantile = (a: number, b: number, q: number) => brentRoot((x) => betaIncReg(a, b, x) - q, 0, 1, 1e-15);
  const lo = k === 0 ? 0 : quantile(k, n - k + 1, tail);
  const hi = k === n ? 1 : quantile(k + 1, n - k, 1 - tail);
  return [lo, hi];
}

/**
 * Exact McNemar test for paired binary outcomes (`statsmodels mcnemar(exact=True)`):
 * of the seeds where exactly one variant failed, `onlyA` failed in a only and
 * `onlyB` in b only; under the null each such seed is a fair coin, so
 * p = min(1, 2·P(Bin(onlyA + onlyB, ½) ≤ min(onlyA, onlyB))).
 */
export function exactMcNemar(onlyA: number, onlyB: number): number {
  const n = onlyA + onlyB;
  if (n === 0) return 1;
  return Math.min(1, 2 * binomialCdf(Math.min(onlyA, onlyB), n, 0.5));
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * Fisher's exact test of two independent proportions kA/nA and kB/nB,
 * two-sided (`scipy.stats.fisher_exact`): the sum of the hypergeometric
 * probabilities of every table no more likely than the observed one.
 */
export function fisherExact(kA: number, nA: number, kB: number, nB: number): number {
  const failures = kA + kB;
  const lo = Math.max(0, failures - nB);
  const hi = Math.min(failures, nA);
  const logDenominator = logChoose(nA + nB, failures);
  const prob = (x: number) => Math.exp(logChoose(nA, x) + logChoose(nB, failures - x) - logDenominator);
  const observed = prob(kA);
  let p = 0;
  for (let x = lo; x <= hi; x++) {
    const px = prob(x);
    if (px <= observed * (1 + 1e-7)) p += px;
  }
  return Math.min(1, p);
}
