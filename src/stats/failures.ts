/**
 * Failure rates: runs that diverged (NaN/Inf) or crashed are results, not noise.
 *
 * - `failureRate(failures, n)`: the rate with the Clopper–Pearson exact interval
 *   (Clopper & Pearson 1934, Biometrika 26): [B(α/2; k, n−k+1), B(1−α/2; k+1, n−k)],
 *   `scipy.stats.binomtest(k, n).proportion_ci(method='exact')`.
 * - `mcnemarExact(aFailed, bFailed)`: seeds shared, so the failures are paired;
 *   only discordant seeds (one variant failed, the other did not) carry
 *   information; under H0 "same failure rate" the count of seeds where only B
 *   failed is Binomial(discordant, ½) (McNemar 1947, exact form): the two-sided
 *   p is `scipy.stats.binomtest(c, b + c, 0.5).pvalue`.
 * - `fisherExact(table)`: unpaired runs, Fisher's exact test of a 2×2 table
 *   (Fisher 1935), two-sided p = Σ of hypergeometric probabilities not above the
 *   observed one (relative tolerance 1e-7), as `scipy.stats.fisher_exact`.
 * - `compareFailureRates`: both rates with intervals and the right test.
 */
import { checkInteger, checkLevel } from "./validate.ts";
import { betaQuantile } from "./beta.ts";
import { binomialCdf, binomialSf } from "./binomial.ts";
import { logGamma } from "./special.ts";
import type { TestResult } from "./types.ts";

export interface FailureRate {
  failures: number;
  n: number;
  /** failures / n. */
  rate: number;
  /** Clopper–Pearson exact interval of the rate. */
  ci: [number, number];
  level: number;
}

/** Failure rate k/n with its Clopper–Pearson exact interval (default 95%). */
export function failureRate(failures: number, n: number, level = 0.95): FailureRate {
  checkInteger("failureRate", "n (runs)", n, 1);
  checkInteger("failureRate", "failures", failures, 0);
  if (failures > n) throw new Error(`stats.failureRate: ${failures} failures out of ${n} runs is impossible; count each run once`);
  checkLevel("failureRate", level);
  return { failures, n, rate: failures / n, ci: clopperPearson(failures, n, level), level };
}

/** Clopper–Pearson exact interval of a binomial proportion k/n. */
export function clopperPearson(k: number, n: number, level = 0.95): [number, number] {
  checkInteger("clopperPearson", "n", n, 1);
  checkInteger("clopperPearson", "k", k, 0);
  if (k > n) throw new Error(`stats.clopperPearson: k = ${k} successes out of n = ${n} is impossible`);
  checkLevel("clopperPearson", level);
  const a = (1 - level) / 2;
  return [k === 0 ? 0 : betaQuantile(a, k, n - k + 1), k === n ? 1 : betaQuantile(1 - a, k + 1, n - k)];
}

function checkFlags(fn: string, name: string, x: ArrayLike<boolean>): void {
  if (x == null || typeof x.length !== "number") throw new Error(`stats.${fn}: ${name} must be an array of booleans (true = the run failed)`);
  for (let i = 0; i < x.length; i++) {
    if (typeof x[i] !== "boolean") throw new Error(`stats.${fn}: ${name}[${i}] is ${String(x[i])}; give true (failed or diverged) or false (finished) for every seed`);
  }
}

/** Exact McNemar test of equal failure rates when both variants ran the same seeds (flags per seed, true = failed). */
export function mcnemarExact(aFailed: ArrayLike<boolean>, bFailed: ArrayLike<boolean>): TestResult & { onlyA: number; onlyB: number } {
  checkFlags("mcnemarExact", "aFailed", aFailed);
  checkFlags("mcnemarExact", "bFailed", bFailed);
  if (aFailed.length !== bFailed.length) {
    throw new Error(`stats.mcnemarExact: paired failure flags need one entry per seed for both variants, got ${aFailed.length} and ${bFailed.length}`);
  }
  if (aFailed.length === 0) throw new Error("stats.mcnemarExact: no seeds given");
  let onlyA = 0, onlyB = 0;
  for (let i = 0; i < aFailed.length; i++) {
    if (aFailed[i] && !bFailed[i]) onlyA++;
    else if (bFailed[i] && !aFailed[i]) onlyB++;
  }
  const m = onlyA + onlyB;
  const p = m === 0 ? 1 : Math.min(1, 2 * Math.min(binomialCdf(onlyB, m, 0.5), binomialSf(onlyB - 1, m, 0.5)));
  return {
    test: "exact McNemar", statistic: onlyB, p, method: "exact", n: aFailed.length, alternative: "two-sided",
    minAchievableP: m === 0 ? 1 : Math.min(1, 2 * Math.pow(0.5, m)), onlyA, onlyB,
  };
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * Fisher's exact test, two-sided, of the 2×2 table [[aFailed, aOk], [bFailed, bOk]]
 * (`scipy.stats.fisher_exact`).
 */
export function fisherExact(table: [[number, number], [number, number]]): TestResult & { oddsRatio: number } {
  const cells = [table?.[0]?.[0], table?.[0]?.[1], table?.[1]?.[0], table?.[1]?.[1]];
  cells.forEach((c, i) => checkInteger("fisherExact", `table cell ${["[0][0]", "[0][1]", "[1][0]", "[1][1]"][i]}`, c as number, 0));
  const [a, b, c, d] = cells as number[];
  const r1 = a! + b!, r2 = c! + d!, c1 = a! + c!, N = r1 + r2;
  if (N === 0) throw new Error("stats.fisherExact: the table is empty (no runs)");
  const lo = Math.max(0, c1 - r2), hi = Math.min(r1, c1);
  const logDen = logChoose(N, c1);
  const pmf = (x: number): number => Math.exp(logChoose(r1, x) + logChoose(r2, c1 - x) - logDen);
  const probs: number[] = [];
  for (let x = lo; x <= hi; x++) probs.push(pmf(x));
  const pAt = (x: number): number => {
    const px = probs[x - lo]!;
    let s = 0;
    for (const q of probs) if (q <= px * (1 + 1e-7)) s += q;
    return Math.min(1, s);
  };
  const p = pAt(a!);
  let minP = 1;
  for (let x = lo; x <= hi; x++) minP = Math.min(minP, pAt(x));
  return {
    test: "Fisher exact", statistic: a!, p, method: "exact", n: N, sizes: [r1, r2], alternative: "two-sided",
    minAchievableP: Math.min(1, minP), oddsRatio: b! * c! === 0 ? (a! * d! === 0 ? NaN : Infinity) : (a! * d!) / (b! * c!),
  };
}

export interface FailureComparison {
  a: FailureRate;
  b: FailureRate;
  /** Rate of b minus rate of a. */
  diff: number;
  /** Exact McNemar (paired) or Fisher exact (unpaired). */
  test: TestResult;
  paired: boolean;
  notes: string[];
}

/**
 * Compares two variants' failure rates. Paired (`{ aFailed, bFailed }`, one flag per shared seed):
 * exact McNemar. Unpaired (`{ a: {failures, n}, b: {failures, n} }`): Fisher exact.
 */
export function compareFailureRates(
  input: { aFailed: ArrayLike<boolean>; bFailed: ArrayLike<boolean> } | { a: { failures: number; n: number }; b: { failures: number; n: number } },
  opts: { level?: number } = {},
): FailureComparison {
  const level = opts.level ?? 0.95;
  checkLevel("compareFailureRates", level);
  const notes: string[] = [];
  if ("aFailed" in input) {
    checkFlags("compareFailureRates", "aFailed", input.aFailed);
    checkFlags("compareFailureRates", "bFailed", input.bFailed);
    if (input.aFailed.length !== input.bFailed.length || input.aFailed.length === 0) {
      throw new Error(`stats.compareFailureRates: paired failure flags need one entry per shared seed for both variants, got ${input.aFailed.length} and ${input.bFailed.length}`);
    }
    const n = input.aFailed.length;
    let ka = 0, kb = 0;
    for (let i = 0; i < n; i++) { if (input.aFailed[i]) ka++; if (input.bFailed[i]) kb++; }
    const test = mcnemarExact(input.aFailed, input.bFailed);
    if (ka + kb === 0) notes.push(`no run failed out of ${n} seeds per variant; a failure rate up to ${(failureRate(0, n, level).ci[1] * 100).toPrecision(2)}% is still possible`);
    return { a: failureRate(ka, n, level), b: failureRate(kb, n, level), diff: (kb - ka) / n, test, paired: true, notes };
  }
  const { a, b } = input;
  for (const [name, g] of [["a", a], ["b", b]] as const) {
    checkInteger("compareFailureRates", `${name}.n (runs)`, g?.n, 1);
    checkInteger("compareFailureRates", `${name}.failures`, g?.failures, 0);
    if (g.failures > g.n) throw new Error(`stats.compareFailureRates: ${name} has ${g.failures} failures out of ${g.n} runs; count each run once`);
  }
  const ra = failureRate(a.failures, a.n, level);
  const rb = failureRate(b.failures, b.n, level);
  const test = fisherExact([[a.failures, a.n - a.failures], [b.failures, b.n - b.failures]]);
  return { a: ra, b: rb, diff: rb.rate - ra.rate, test, paired: false, notes };
}
