/**
 * Two-level uncertainty of a difference in accuracy (or any per-example
 * score) between two variants, from per-example scores of every seed on one
 * test set: the estimate varies with the seeds drawn AND with the test
 * examples drawn, and both are finite samples.
 *
 * Model (two-way crossed random effects; Searle, Casella & McCulloch 1992,
 * "Variance Components", ch. 4): the paired difference of seed s on example e
 * is d_se = μ + α_s + β_e + γ_se, so the mean of the S × E table has
 * Var = σ²_α/S + σ²_β/E + σ²_γ/(SE). With the ANOVA mean squares of the rows
 * (seeds), columns (examples) and residual,
 *   seed part     = (MS_seeds − MS_res)/(SE),
 *   example part  = (MS_examples − MS_res)/(SE),
 *   interaction   = MS_res/(SE),
 * each unbiased; a negative part is set to 0 (never narrower than unbiased).
 * The interval is estimate ± t_ν · se with ν from Satterthwaite (1946).
 *
 * Unpaired (different seeds per variant, same test examples): each variant's
 * seed part from its own table, and the example part from the per-example
 * difference of the two variants' seed means c_e: Var(c̄) ≈ s²_c/E, which
 * already holds both variants' interaction noise.
 *
 * Coverage by simulation with known truth: bench/two-level.ts, docs/statistics.md.
 */
import { satterthwaiteDf, tBounds, type SatterthwaiteInterval, type VarianceTerms } from "./satterthwaite.ts";
import { checkLevel } from "./validate.ts";

/** Per-example scores of one variant: one row per seed (e.g. 1 = correct, 0 = wrong), every row over the same examples. */
export type SeedByExample = readonly ArrayLike<number>[];

export interface TwoLevelParts {
  /** Variance of the estimate due to the seeds drawn. */
  seeds: number;
  /** Due to the test examples drawn. */
  examples: number;
  /** Seed × example interaction (shrinks with more seeds and with more examples). */
  interaction: number;
}

/** `estimate`: mean score of B minus mean score of A. */
export interface TwoLevelDifference extends SatterthwaiteInterval {
  paired: boolean;
  seeds: [number, number];
  examples: number;
  parts: TwoLevelParts;
  /** Standard error with twice the seeds, and with twice the test examples (other things equal). */
  seWithDoubleSeeds: number;
  seWithDoubleExamples: number;
  /** Which of the two would narrow the interval more. */
  narrowsMore: "more seeds" | "more test examples";
}

interface TwoWay {
  mean: number;
  rowMeans: Float64Array;
  colMeans: Float64Array;
  msRows: number;
  msRes: number;
  msCols: number;
}

/** Two-way ANOVA (no replication) of an S × E table given as a cell function. */
function twoWay(S: number, E: number, cell: (s: number, e: number) => number): TwoWay {
  const rowMeans = new Float64Array(S);
  const colMeans = new Float64Array(E);
  let total = 0;
  for (let s = 0; s < S; s++) {
    let r = 0;
    for (let e = 0; e < E; e++) {
      const v = cell(s, e);
      r += v;
      colMeans[e] = colMeans[e]! + v;
    }
    rowMeans[s] = r / E;
    total += r;
  }
  const mean = total / (S * E);
  for (let e = 0; e < E; e++) colMeans[e] = colMeans[e]! / S;
  let ssRows = 0, ssCols = 0, ssRes = 0;
  for (let s = 0; s < S; s++) ssRows += (rowMeans[s]! - mean) ** 2;
  for (let e = 0; e < E; e++) ssCols += (colMeans[e]! - mean) ** 2;
  ssRows *= E;
  ssCols *= S;
  for (let s = 0; s < S; s++) {
    for (let e = 0; e < E; e++) ssRes += (cell(s, e) - rowMeans[s]! - colMeans[e]! + mean) ** 2;
  }
  const dfRes = (S - 1) * (E - 1);
  return { mean, rowMeans, colMeans, msRows: S > 1 ? ssRows / (S - 1) : NaN, msCols: E > 1 ? ssCols / (E - 1) : NaN, msRes: dfRes > 0 ? ssRes / dfRes : 0 };
}

type Terms = VarianceTerms[number][];

function checkTable(fn: string, name: string, rows: SeedByExample, minSeeds: number): number {
  if (!Array.isArray(rows) || rows.length < minSeeds) {
    throw new Error(`stats.${fn}: ${name} needs per-example scores of at least ${minSeeds} seeds (one row per seed), got ${Array.isArray(rows) ? rows.length : typeof rows}`);
  }
  const E = rows[0]!.length;
  rows.forEach((r, s) => {
    if (r.length !== E) throw new Error(`stats.${fn}: ${name} seed ${s} has ${r.length} examples, seed 0 has ${E}; every seed must be scored on the same test examples`);
    for (let e = 0; e < E; e++) if (!Number.isFinite(r[e]!)) throw new Error(`stats.${fn}: ${name} seed ${s}, example ${e} is ${r[e]}`);
  });
  if (E < 2) throw new Error(`stats.${fn}: ${name} has ${E} test example(s); the example part needs at least 2`);
  return E;
}

/** Seed part of one variant's table (truncated at 0) with its variance terms. */
function seedPart(t: TwoWay, S: number, E: number): { v: number; terms: Terms } {
  const raw = (t.msRows - t.msRes) / (S * E);
  if (raw <= 0) return { v: 0, terms: [] };
  return { v: raw, terms: [{ coef: 1 / (S * E), ms: t.msRows, df: S - 1 }, { coef: -1 / (S * E), ms: t.msRes, df: (S - 1) * (E - 1) }] };
}

/**
 * Difference B − A of mean per-example scores with a two-level interval
 * (seeds × test examples). `paired`: row s of A and row s of B come from the
 * same seed (twin-trained), the default when both have the same number of rows.
 */
export function twoLevelDifference(a: SeedByExample, b: SeedByExample, opts: { paired?: boolean; level?: number } = {}): TwoLevelDifference {
  const level = opts.level ?? 0.95;
  checkLevel("twoLevelDifference", level);
  const EA = checkTable("twoLevelDifference", "a", a, 2);
  const EB = checkTable("twoLevelDifference", "b", b, 2);
  if (EA !== EB) throw new Error(`stats.twoLevelDifference: a is scored on ${EA} examples, b on ${EB}; both must use the same test examples in the same order`);
  const E = EA;
  const paired = opts.paired ?? a.length === b.length;
  if (paired && a.length !== b.length) throw new Error(`stats.twoLevelDifference: paired needs the same seeds for both variants, got ${a.length} and ${b.length}`);
  let estimate: number, parts: TwoLevelParts, terms: Terms;
  const SA = a.length, SB = b.length;
  if (paired) {
    const t = twoWay(SA, E, (s, e) => b[s]![e]! - a[s]![e]!);
    estimate = t.mean;
    const n = SA * E;
    const seed = (t.msRows - t.msRes) / n;
    const ex = (t.msCols - t.msRes) / n;
    parts = { seeds: Math.max(0, seed), examples: Math.max(0, ex), interaction: t.msRes / n };
    const rows = { ms: t.msRows, df: SA - 1 }, cols = { ms: t.msCols, df: E - 1 }, res = { ms: t.msRes, df: (SA - 1) * (E - 1) };
    // The truncated variance as a combination of mean squares: each positive part brings its MS and takes MS_res back.
    terms = [];
    let resCoef = 1 / n;
    if (seed > 0) { terms.push({ coef: 1 / n, ...rows }); resCoef -= 1 / n; }
    if (ex > 0) { terms.push({ coef: 1 / n, ...cols }); resCoef -= 1 / n; }
    if (resCoef !== 0) terms.push({ coef: resCoef, ...res });
  } else {
    const ta = twoWay(SA, E, (s, e) => a[s]![e]!);
    const tb = twoWay(SB, E, (s, e) => b[s]![e]!);
    estimate = tb.mean - ta.mean;
    const pa = seedPart(ta, SA, E), pb = seedPart(tb, SB, E);
    let cMean = 0;
    for (let e = 0; e < E; e++) cMean += tb.colMeans[e]! - ta.colMeans[e]!;
    cMean /= E;
    let ssC = 0;
    for (let e = 0; e < E; e++) ssC += (tb.colMeans[e]! - ta.colMeans[e]! - cMean) ** 2;
    const varC = ssC / (E - 1);
    const interaction = ta.msRes / (SA * E) + tb.msRes / (SB * E);
    parts = { seeds: pa.v + pb.v, examples: Math.max(0, varC / E - interaction), interaction: Math.min(interaction, varC / E) };
    terms = [...pa.terms, ...pb.terms, { coef: 1 / E, ms: varC, df: E - 1 }];
  }
  const variance = parts.seeds + parts.examples + parts.interaction;
  const se = Math.sqrt(variance);
  const df = satterthwaiteDf(terms);
  const { lo, hi } = tBounds(estimate, se, df, level);
  const seWithDoubleSeeds = Math.sqrt(parts.seeds / 2 + parts.examples + parts.interaction / 2);
  const seWithDoubleExamples = Math.sqrt(parts.seeds + parts.examples / 2 + parts.interaction / 2);
  return {
    estimate, lo, hi, level, se, df, paired,
    seeds: [SA, SB], examples: E, parts,
    seWithDoubleSeeds, seWithDoubleExamples,
    narrowsMore: seWithDoubleSeeds <= seWithDoubleExamples ? "more seeds" : "more test examples",
    method: `${paired ? "paired" : "unpaired"} two-way variance components (seeds × test examples), Satterthwaite t(${df === Infinity ? "∞" : df.toFixed(1)})`,
  };
}
