/**
 * Mann–Whitney U test (Mann & Whitney 1947) of B vs A, following
 * `scipy.stats.mannwhitneyu(b, a)` 1.10 with its defaults
 * use_continuity=True, method='auto':
 *
 * - statistic: U_B = R_B − nB(nB+1)/2, the number of (a, b) pairs with b > a
 *   plus ½ per tie; U_B/(nA·nB) is the probability of improvement P(B > A).
 * - 'auto': without ties exact when at least one group has ≤ 8 values (SciPy's
 *   rule) or nA + nB ≤ 40; with ties exact when nA + nB ≤ 40, or ≤ 200 with one
 *   group of ≤ 8 (the cost grows as N³); otherwise normal approximation with tie-corrected variance
 *   and continuity correction. Without ties the exact distribution is SciPy's
 *   and the two-sided p = 2·P(U ≥ max(U_B, U_A)), capped at 1. With ties it is
 *   the exact conditional (permutation) distribution of U_B given the mid-ranks
 *   (every split of the pooled runs, counted by a dynamic programme over
 *   doubled mid-ranks), two-sided p = 2·min(P(U ≤ u), P(U ≥ u)) capped at 1;
 *   `methodDetail` says which. SciPy 1.10 switches to the normal approximation
 *   at any tie, and when both groups exceed 8 even without ties.
 * - values that differ only by floating-point rounding are ties (one mid-rank,
 *   `tiedUpToRounding` in rounding.ts): 0.1 + 0.2 and 0.3 are the same run.
 * - exact distribution: coefficients of the Gaussian binomial [m+n choose m]_q
 *   (Andrews 1976; the recursion of Löffler 1983 used by SciPy gives the same numbers).
 */
import { checkAlternative, checkSample, type Sample } from "./validate.ts";
import { rankAverage, tieGroups } from "./ranks.ts";
import { tiedUpToRounding } from "./rounding.ts";
import { normalSf } from "./normal.ts";
import { choose } from "./binomial.ts";
import { minPNote, type TestOptions, type TestResult } from "./types.ts";

export interface MannWhitneyOptions extends TestOptions {
  method?: "auto" | "exact" | "asymptotic";
  /** Continuity correction in the normal approximation (default true, as SciPy). */
  continuity?: boolean;
}

/** P(U ≤ k) for k = 0..K under H0, sizes m, n (no ties). */
function uCdfTable(m: number, n: number, K: number): Float64Array {
  const small = Math.min(m, n), big = Math.max(m, n);
  // counts of U = k: coefficients of prod_{i=1}^{small} (1 − q^{big+i}) / (1 − q^i), truncated at K.
  const c = new Float64Array(K + 1);
  c[0] = 1;
  for (let i = 1; i <= small; i++) {
    const e = big + i;
    for (let k = K; k >= e; k--) c[k] = c[k]! - c[k - e]!;
    for (let k = i; k <= K; k++) c[k] = c[k]! + c[k - i]!;
  }
  const total = choose(m + n, m);
  let acc = 0;
  for (let k = 0; k <= K; k++) {
    acc += c[k]!;
    c[k] = acc / total;
  }
  return c;
}

/**
 * Exact conditional distribution of the doubled rank sum of a random subset of
 * size k from the doubled mid-ranks w (all C(N, k) subsets equally likely):
 * probabilities indexed by the doubled sum.
 */
function rankSumDistribution(w: Int32Array, k: number): Float64Array {
  let total = 0;
  for (let i = 0; i < w.length; i++) total += w[i]!;
  // dp[j][s]: number of j-subsets of the items seen so far with doubled sum s, as a fraction of C(seen, j).
  const rows: Float64Array[] = [];
  for (let j = 0; j <= k; j++) rows.push(new Float64Array(total + 1));
  rows[0]![0] = 1;
  for (let i = 0; i < w.length; i++) {
    const wi = w[i]!, seen = i + 1;
    for (let j = Math.min(k, seen); j >= 1; j--) {
      const cur = rows[j]!, prev = rows[j - 1]!;
      // P_new(j, s) = ((seen − j)/seen)·P_old(j, s) + (j/seen)·P_old(j − 1, s − w)
      const keep = (seen - j) / seen, take = j / seen;
      for (let s = total; s >= 0; s--) cur[s] = keep * cur[s]! + (s >= wi ? take * prev[s - wi]! : 0);
    }
  }
  return rows[k]!;
}

/** Mann–Whitney U test that B is shifted against A. */
export function mannWhitneyU(a: Sample, b: Sample, opts: MannWhitneyOptions = {}): TestResult {
  const alternative = opts.alternative ?? "two-sided";
  const alpha = opts.alpha ?? 0.05;
  checkAlternative("mannWhitneyU", alternative);
  checkSample("mannWhitneyU", a, 1, "", "a value");
  checkSample("mannWhitneyU", b, 1, "", "b value");
  const nA = a.length, nB = b.length, N = nA + nB;
  const [tb, ta] = tiedUpToRounding([b, a]);
  const pooled = new Float64Array(N);
  pooled.set(tb!, 0);
  pooled.set(ta!, nB);
  const ranks = rankAverage(pooled);
  let rB = 0;
  for (let i = 0; i < nB; i++) rB += ranks[i]!;
  const uB = rB - (nB * (nB + 1)) / 2;
  const uA = nA * nB - uB;
  const ties = tieGroups(pooled);
  const requested = opts.method ?? "auto";
  let method: "exact" | "asymptotic";
  // With ties the exact conditional distribution costs ~N·min(nA, nB)·N² operations, so it is used up to N = 40,
  // or N = 200 when one group has ≤ 8 runs.
  if (requested === "auto") {
    const small = Math.min(nA, nB) <= 8;
    method = ties.length === 0 ? (small || N <= 40 ? "exact" : "asymptotic") : N <= 40 || (small && N <= 200) ? "exact" : "asymptotic";
  }
  else method = requested;
  let U: number, f: number;
  if (alternative === "greater") { U = uB; f = 1; } else if (alternative === "less") { U = uA; f = 1; } else { U = Math.max(uA, uB); f = 2; }
  let p: number, minP: number;
  if (ties.length === 1 && ties[0] === N) {
    throw new Error(`stats.mannWhitneyU: all ${N} values are identical, so the rank test is undefined (no evidence of any difference)`);
  }
  let methodDetail: string;
  if (method === "exact" && ties.length > 0) {
    const w = new Int32Array(N);
    for (let i = 0; i < N; i++) w[i] = Math.round(2 * ranks[i]!);
    // Enumerate the smaller group's rank sum; R_A = N(N + 1)/2 − R_B, so large R_B is small R_A.
    const useB = nB <= nA;
    const pmfSmall = rankSumDistribution(w, useB ? nB : nA);
    const totalW = N * (N + 1);
    const pmf = useB ? pmfSmall : Float64Array.from({ length: totalW + 1 }, (_, s0) => pmfSmall[totalW - s0] ?? 0);
    const obs = Math.round(2 * rB);
    let le = 0, ge = 0, lo = -1, hi = -1;
    for (let s = 0; s < pmf.length; s++) {
      if (pmf[s]! > 0) { if (lo < 0) lo = s; hi = s; }
      if (s <= obs) le += pmf[s]!;
      if (s >= obs) ge += pmf[s]!;
    }
    p = alternative === "greater" ? ge : alternative === "less" ? le : 2 * Math.min(le, ge);
    minP = alternative === "greater" ? pmf[hi]! : alternative === "less" ? pmf[lo]! : 2 * Math.min(pmf[lo]!, pmf[hi]!);
    f = 1;
    methodDetail = `exact conditional distribution given the mid-ranks (${ties.length} tie group${ties.length === 1 ? "" : "s"})`;
  } else if (method === "exact") {
    methodDetail = "exact distribution (no ties)";
    const k = nA * nB - Math.floor(U);
    const cdf = uCdfTable(nA, nB, Math.max(k, 0));
    p = k < 0 ? 0 : cdf[k]!;
    minP = Math.min(1, f / choose(N, nA));
  } else {
    methodDetail = "normal approximation with tie correction and continuity correction";
    const mu = (nA * nB) / 2;
    let tieTerm = 0;
    for (const t of ties) tieTerm += t * t * t - t;
    const s = Math.sqrt(((nA * nB) / 12) * (N + 1 - tieTerm / (N * (N - 1))));
    if (!(s > 0)) {
      throw new Error(`stats.mannWhitneyU: all ${N} values are identical, so the rank test is undefined (no evidence of any difference)`);
    }
    const cc = opts.continuity ?? true ? 0.5 : 0;
    p = normalSf((U - mu - cc) / s);
    const s0 = Math.sqrt(((nA * nB) / 12) * (N + 1));
    minP = Math.min(1, f * normalSf((nA * nB - mu - cc) / s0));
  }
  p = Math.min(1, Math.max(0, p * f));
  const res: TestResult = {
    test: "Mann–Whitney U", statistic: uB, p, method, methodDetail, n: N, sizes: [nA, nB], alternative, minAchievableP: Math.min(1, minP),
  };
  return minPNote(res, alpha, "runs");
}
