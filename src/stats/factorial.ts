/**
 * Factorial designs over seeds: every combination of the factors' levels is
 * run on every seed (a repeated-measures design, seed = subject), so each
 * effect is estimated from per-seed contrasts and tested against its own
 * seed-by-effect variation.
 *
 * - Main effect of a two-level factor A: per seed, the mean over the other
 *   factors' levels at A's second level minus at its first; the estimate is
 *   the mean of these contrasts over seeds, with a Student t interval and the
 *   one-sample t test (n − 1 df).
 * - Two-factor interaction A × B (both two-level): per seed, the effect of A
 *   at B's second level minus the effect of A at B's first level (averaged
 *   over other factors); t interval and test as above. Likewise the
 *   three-way interaction A × B × C of two-level factors: the A × B
 *   interaction at C's second level minus at its first; and so on for every
 *   subset of the factors.
 * - Any effect (also with more than two levels): the repeated-measures ANOVA
 *   F test, F = MS_effect / MS_effect×seed with df (Π(l − 1), Π(l − 1)(n − 1))
 *   (e.g. Maxwell & Delaney, "Designing Experiments and Analyzing Data", ch.
 *   11–12). For two-level effects F = t² and the p-values agree. With more
 *   than two levels the F test assumes sphericity; the Greenhouse–Geisser
 *   correction (Greenhouse & Geisser 1959; Maxwell & Delaney ch. 11) scales
 *   both df by ε = tr(S)² / (df₁ tr(S²)), S the covariance over seeds of the
 *   effect's orthonormal contrasts (1/df₁ ≤ ε ≤ 1), and its p is the one
 *   reported; the uncorrected p is kept beside it.
 * - Simple effects: the effect of a two-level factor at each level of every
 *   other factor (averaged over the rest), each with a t interval and test.
 *
 * Sums of squares are computed by projecting each seed's table of marginal
 * means onto the effect's subspace (centring along every factor of the effect).
 */
import { checkLevel, type Sample } from "./validate.ts";
import { meanUnchecked, sdUnchecked } from "./descriptive.ts";
import { tQuantile } from "./studentt.ts";
import { tPValue } from "./ttest.ts";
import { fSf } from "./fdist.ts";

export interface Factor {
  name: string;
  levels: string[];
}

export interface FactorialData {
  factors: Factor[];
  /** One row per seed: the value of every cell, cells in row-major order over `factors` (the last factor varies fastest). */
  values: Sample[];
}

export interface LevelContrast {
  /** [from, to]: the effect is to − from. */
  levels: [string, string];
  estimate: number;
  ci: [number, number];
  p: number;
}

export interface FactorialEffect {
  /** The factor's name, or the factors' names joined by " × ". */
  name: string;
  factors: string[];
  /** Each factor's levels, in order. */
  levels: string[][];
  /** Two-level effects: the mean per-seed contrast; null with more levels. */
  estimate: number | null;
  ci: [number, number] | null;
  /** t statistic of the contrast (two-level effects), null otherwise. */
  t: number | null;
  F: number;
  df1: number;
  df2: number;
  /** Two-level effects: the t test's p; else the Greenhouse–Geisser corrected F test's (the uncorrected one where ε is undefined). */
  p: number;
  /** Effects with more than one df: the Greenhouse–Geisser correction; null for two-level effects (ε = 1) or when the contrasts do not vary over seeds. */
  gg: GreenhouseGeisser | null;
  /** Main effects with more than two levels: each level against the first. */
  contrasts: LevelContrast[];
}

export interface GreenhouseGeisser {
  epsilon: number;
  /** Corrected degrees of freedom: ε·df1, ε·df2. */
  df1: number;
  df2: number;
  p: number;
  /** The F test's p assuming sphericity (uncorrected df). */
  p_uncorrected: number;
}

export interface SimpleEffect {
  /** The two-level factor whose effect this is, and its levels [from, to]. */
  factor: string;
  levels: [string, string];
  /** The setting: another factor held at one level. */
  at: { factor: string; level: string };
  estimate: number;
  ci: [number, number];
  p: number;
}

export interface MarginalMean {
  /** Factor name -> level. */
  levels: Record<string, string>;
  mean: number;
  /** t interval of the mean over seeds of each seed's marginal mean. */
  ci: [number, number];
}

export interface FactorialAnalysis {
  seeds: number;
  level: number;
  /** Main effects, then interactions of two, three, … factors. */
  effects: FactorialEffect[];
  simple: SimpleEffect[];
  notes: string[];
}

function cellCount(factors: readonly Factor[]): number {
  return factors.reduce((p, f) => p * f.levels.length, 1);
}

/** Throws a message naming what is wrong with the design or the values. */
export function checkFactorial(fn: string, data: FactorialData): void {
  const { factors, values } = data;
  if (factors.length === 0) throw new Error(`stats.${fn}: no factors given`);
  const names = new Set<string>();
  for (const f of factors) {
    if (names.has(f.name)) throw new Error(`stats.${fn}: factor "${f.name}" is named twice`);
    names.add(f.name);
    if (f.levels.length < 2) throw new Error(`stats.${fn}: factor "${f.name}" has ${f.levels.length} level${f.levels.length === 1 ? ` ("${f.levels[0]}")` : "s"}; a factor needs at least 2 levels to have an effect`);
    if (new Set(f.levels).size !== f.levels.length) throw new Error(`stats.${fn}: factor "${f.name}" lists a level twice`);
  }
  if (values.length < 2) throw new Error(`stats.${fn}: needs at least 2 seeds (the effects are tested against their seed-to-seed variation), got ${values.length}`);
  const cells = cellCount(factors);
  values.forEach((row, s) => {
    if (row.length !== cells) throw new Error(`stats.${fn}: seed ${s} has ${row.length} values, the design has ${cells} cells`);
    for (let c = 0; c < cells; c++) {
      if (!Number.isFinite(row[c]!)) throw new Error(`stats.${fn}: seed ${s}, cell ${describeCell(factors, c)} is ${row[c]}; every cell of every seed needs a finite value`);
    }
  });
}

/** "optimizer=adam, dropout=0.2" for a row-major cell index. */
export function describeCell(factors: readonly Factor[], cell: number): string {
  return levelIndices(factors, cell).map((l, k) => `${factors[k]!.name}=${factors[k]!.levels[l]}`).join(", ");
}

function levelIndices(factors: readonly Factor[], cell: number): number[] {
  const out = new Array<number>(factors.length);
  for (let k = factors.length - 1; k >= 0; k--) {
    const l = factors[k]!.levels.length;
    out[k] = cell % l;
    cell = Math.floor(cell / l);
  }
  return out;
}

/** Each seed's table of means over the factors not in `keep` (row-major over `keep`). */
function marginalTables(data: FactorialData, keep: readonly number[]): Float64Array[] {
  const { factors, values } = data;
  const sizes = keep.map((k) => factors[k]!.levels.length);
  const size = sizes.reduce((p, x) => p * x, 1);
  const cells = cellCount(factors);
  const target = new Int32Array(cells);
  for (let c = 0; c < cells; c++) {
    const li = levelIndices(factors, c);
    let t = 0;
    keep.forEach((k, j) => (t = t * sizes[j]! + li[k]!));
    target[c] = t;
  }
  const per = cells / size;
  return values.map((row) => {
    const m = new Float64Array(size);
    for (let c = 0; c < cells; c++) m[target[c]!] += row[c]!;
    for (let t = 0; t < size; t++) m[t]! /= per;
    return m;
  });
}

/** Centres a row-major table along each of its axes in turn (the projection onto the effect's subspace). */
function centreAllAxes(table: Float64Array, sizes: readonly number[]): Float64Array {
  const out = Float64Array.from(table);
  let stride = 1;
  for (let j = sizes.length - 1; j >= 0; j--) {
    const l = sizes[j]!;
    const block = stride * l;
    for (let base = 0; base < out.length; base += block) {
      for (let off = 0; off < stride; off++) {
        let m = 0;
        for (let i = 0; i < l; i++) m += out[base + off + i * stride]!;
        m /= l;
        for (let i = 0; i < l; i++) out[base + off + i * stride]! -= m;
      }
    }
    stride = block;
  }
  return out;
}

/** Mean, t interval and two-sided t-test p of per-seed contrasts. */
function contrastSummary(x: Float64Array, level: number): { estimate: number; ci: [number, number]; t: number; p: number } {
  const n = x.length;
  const m = meanUnchecked(x);
  const se = sdUnchecked(x) / Math.sqrt(n);
  const q = tQuantile(0.5 + level / 2, n - 1);
  if (se === 0) return { estimate: m, ci: [m, m], t: m === 0 ? 0 : Math.sign(m) * Infinity, p: m === 0 ? 1 : 0 };
  const t = m / se;
  return { estimate: m, ci: [m - q * se, m + q * se], t, p: tPValue(t, n - 1, "two-sided") };
}

/**
 * Repeated-measures F test of the effect of the factors `keep` (main effect or
 * interaction), with the Greenhouse–Geisser ε computed from the covariance of
 * the seeds' projected tables: they span the effect's df1-dimensional
 * subspace, so tr(S) and tr(S²) equal those of the orthonormal contrasts'
 * covariance without building a basis.
 */
function fTest(data: FactorialData, keep: readonly number[]): { F: number; df1: number; df2: number; p: number; gg: GreenhouseGeisser | null } {
  const sizes = keep.map((k) => data.factors[k]!.levels.length);
  const proj = marginalTables(data, keep).map((t) => centreAllAxes(t, sizes));
  const n = proj.length;
  const size = proj[0]!.length;
  const mean = new Float64Array(size);
  for (const p of proj) for (let i = 0; i < size; i++) mean[i]! += p[i]! / n;
  let ssEffect = 0, ssError = 0;
  for (let i = 0; i < size; i++) ssEffect += n * mean[i]! ** 2;
  for (const p of proj) for (let i = 0; i < size; i++) ssError += (p[i]! - mean[i]!) ** 2;
  const df1 = sizes.reduce((p, l) => p * (l - 1), 1);
  const df2 = df1 * (n - 1);
  if (ssError === 0) return { F: ssEffect === 0 ? 0 : Infinity, df1, df2, p: ssEffect === 0 ? 1 : 0, gg: null };
  const F = ssEffect / df1 / (ssError / df2);
  const p = fSf(F, df1, df2);
  if (df1 === 1) return { F, df1, df2, p, gg: null };
  let trS2 = 0;
  for (let i = 0; i < size; i++) {
    for (let j = i; j < size; j++) {
      let c = 0;
      for (const q of proj) c += (q[i]! - mean[i]!) * (q[j]! - mean[j]!);
      c /= n - 1;
      trS2 += (i === j ? 1 : 2) * c * c;
    }
  }
  const trS = ssError / (n - 1);
  // Rounding can put ε a hair outside its bounds [1/df1, 1].
  const epsilon = Math.min(1, Math.max(1 / df1, (trS * trS) / (df1 * trS2)));
  const gg = { epsilon, df1: epsilon * df1, df2: epsilon * df2, p: fSf(F, epsilon * df1, epsilon * df2), p_uncorrected: p };
  return { F, df1, df2, p: gg.p, gg };
}

/** Per seed: Σ over the effect's cells of ±1 per factor (+ at the second level) times the marginal mean. */
function twoLevelContrasts(data: FactorialData, keep: readonly number[]): Float64Array {
  const tables = marginalTables(data, keep);
  const size = 2 ** keep.length;
  const sign = new Float64Array(size);
  for (let t = 0; t < size; t++) {
    let s = 1;
    for (let j = 0; j < keep.length; j++) if (((t >> (keep.length - 1 - j)) & 1) === 0) s = -s;
    sign[t] = s;
  }
  return Float64Array.from(tables, (m) => m.reduce((acc, v, t) => acc + sign[t]! * v, 0));
}

/** Per seed: marginal mean at level `to` minus at level `from` of factor k (optionally at factor j = level lj). */
function levelContrasts(data: FactorialData, k: number, from: number, to: number, at?: { j: number; level: number }): Float64Array {
  if (!at) return Float64Array.from(marginalTables(data, [k]), (m) => m[to]! - m[from]!);
  const lj = data.factors[at.j]!.levels.length;
  return Float64Array.from(marginalTables(data, [k, at.j]), (m) => m[to * lj + at.level]! - m[from * lj + at.level]!);
}

/** Every non-empty subset of the factor indices 0..k−1: main effects, then two-factor interactions, then three-factor ones, … */
function effectSubsets(k: number): number[][] {
  const out: number[][] = [];
  const grow = (from: number, size: number, prefix: number[]): void => {
    if (prefix.length === size) {
      out.push(prefix);
      return;
    }
    for (let i = from; i < k; i++) grow(i + 1, size, [...prefix, i]);
  };
  for (let size = 1; size <= k; size++) grow(0, size, []);
  return out;
}

/**
 * The factorial analysis of a full design over seeds: main effects and
 * interactions of every order (contrast, interval, t test where every factor
 * has two levels; F test with the Greenhouse–Geisser correction otherwise) and
 * the simple effects of every two-level factor at each level of the others.
 */
export function factorialAnalysis(data: FactorialData, level = 0.95): FactorialAnalysis {
  checkFactorial("factorialAnalysis", data);
  checkLevel("factorialAnalysis", level);
  const { factors } = data;
  const notes: string[] = [];
  const effects: FactorialEffect[] = [];
  for (const keep of effectSubsets(factors.length)) {
    const fs = keep.map((k) => factors[k]!);
    const f = fTest(data, keep);
    const twoLevel = fs.every((x) => x.levels.length === 2);
    const c = twoLevel ? contrastSummary(twoLevelContrasts(data, keep), level) : null;
    const contrasts: LevelContrast[] = [];
    if (keep.length === 1 && !twoLevel) {
      const k = keep[0]!;
      for (let l = 1; l < fs[0]!.levels.length; l++) {
        const s = contrastSummary(levelContrasts(data, k, 0, l), level);
        contrasts.push({ levels: [fs[0]!.levels[0]!, fs[0]!.levels[l]!], estimate: s.estimate, ci: s.ci, p: s.p });
      }
    }
    effects.push({
      name: fs.map((x) => x.name).join(" × "),
      factors: fs.map((x) => x.name),
      levels: fs.map((x) => [...x.levels]),
      estimate: c?.estimate ?? null,
      ci: c?.ci ?? null,
      t: c?.t ?? null,
      ...f,
      // Two-level effects: the t test's p (equal to the F test's, F = t²); else the F test's, corrected when ε is defined.
      p: c ? c.p : f.p,
      contrasts,
    });
  }
  const simple: SimpleEffect[] = [];
  factors.forEach((x, k) => {
    if (x.levels.length !== 2) return;
    factors.forEach((y, j) => {
      if (j === k) return;
      y.levels.forEach((lv, l) => {
        const s = contrastSummary(levelContrasts(data, k, 0, 1, { j, level: l }), level);
        simple.push({ factor: x.name, levels: [x.levels[0]!, x.levels[1]!], at: { factor: y.name, level: lv }, estimate: s.estimate, ci: s.ci, p: s.p });
      });
    });
  });
  if (factors.length > 2) notes.push("each effect is averaged over the factors it does not name; a three-factor interaction asks whether a two-factor interaction differs between the levels of the third (with two levels each: the interaction at the third's second level minus at its first)");
  if (factors.some((x) => x.levels.length > 2)) notes.push("F tests of effects with more than one degree of freedom have their df scaled by the Greenhouse–Geisser ε (1 = sphericity holds; lower = the level differences vary unequally over seeds), and their p is the corrected one");
  return { seeds: data.values.length, level, effects, simple, notes };
}

/** Means over seeds of each seed's marginal means for the factors `names` (for interaction plots), with t intervals. */
export function marginalMeans(data: FactorialData, names: readonly string[], level = 0.95): MarginalMean[] {
  checkFactorial("marginalMeans", data);
  const keep = names.map((name) => {
    const k = data.factors.findIndex((f) => f.name === name);
    if (k < 0) throw new Error(`stats.marginalMeans: no factor "${name}" (factors: ${data.factors.map((f) => f.name).join(", ")})`);
    return k;
  });
  const tables = marginalTables(data, keep);
  const sub = keep.map((k) => data.factors[k]!);
  return Array.from(tables[0]!, (_, t) => {
    const s = contrastSummary(Float64Array.from(tables, (m) => m[t]!), level);
    const li = levelIndices(sub, t);
    return { levels: Object.fromEntries(sub.map((f, j) => [f.name, f.levels[li[j]!]!])), mean: s.estimate, ci: s.ci };
  });
}
