/**
 * The verdict of a factorial study over seeds (every combination of the
 * factors' levels run on every seed): each factor's main effect, each
 * two-factor interaction, the effect of each two-level factor under every
 * setting of the others (src/stats/factorial.ts), the cells' means for
 * interaction plots, and plain sentences: does the change hold under each
 * nuisance setting, do two changes stack. Printed by `twin stats --factors`
 * and by factorial studies; fields in docs/verdict-json.md.
 */
import { factorialAnalysis, marginalMeans, type Factor, type FactorialData, type LevelContrast, type MarginalMean, type SimpleEffect } from "../stats/index.ts";
import { cells, type Cell, type ResultTable } from "./results-file.ts";
import { combinationName, type FactorialDesign } from "./factorial-design.ts";
import { pValueClause } from "../stats/p-value-text.ts";
import { metricValueText, signedMetricValueText } from "./metric-units.ts";
import { describeDirection, metricDirection, type MetricDirection } from "./metric-direction.ts";

export interface FactorialEntry {
  /** The factor, or the factors of an interaction joined by " × ". */
  name: string;
  /** Two-level effects: mean per-seed contrast (level 2 − level 1; interaction: effect of the first factor at the second's level 2 minus at its level 1; three-way: that interaction at the third's level 2 minus at its level 1); null with more levels. */
  estimate: number | null;
  ci: [number, number] | null;
  /** t test of the contrast (two levels, equal to the repeated-measures F test's p), else the F test's p with the Greenhouse–Geisser correction. */
  p: number;
  /** Factor -> its levels, in order. */
  levels: Record<string, string[]>;
  F: number;
  /** The F test's degrees of freedom (uncorrected). */
  df: [number, number];
  /** Effects with more than one df: Greenhouse–Geisser ε, the corrected df and p (= p above), and the p that assumes sphericity. */
  gg: { epsilon: number; df: [number, number]; p: number; p_uncorrected: number } | null;
  /** More than two levels: each level against the first. */
  contrasts: LevelContrast[];
}

export interface FactorialVerdict {
  metric: string;
  higher_is_better: boolean;
  direction: string;
  level: number;
  factors: Factor[];
  /** Seeds analysed (every cell finished) and seeds left out, with the cells that did not finish. */
  seeds: string[];
  excluded_seeds: { seed: string; cells: { cell: string; outcome: Cell["outcome"] }[] }[];
  /** Every combination: its mean and sd over the seeds analysed. */
  cells: { levels: Record<string, string>; mean: number; sd: number }[];
  factorial: FactorialEntry[];
  simple_effects: SimpleEffect[];
  /** For each pair of factors, the mean of every combination of their levels (averaged over the others) with its interval: the interaction plot. */
  interaction_means: { factors: [string, string]; means: MarginalMean[] }[];
  /** The answers in plain words. */
  statements: string[];
  notes: string[];
}

export interface FactorialOptions {
  metric: string;
  factors: readonly string[];
  lowerIsBetter?: boolean;
  alpha?: number;
  /** Metric values are fractions shown as percentage points in the statements. */
  percent?: boolean;
}

/** Levels of each factor in order of first appearance. */
/** The factorial design of results read with factors (rows carrying levels): each factor's levels in order of first appearance, each combination's levels by its variant name. */
export function resultsDesign(table: ResultTable, names: readonly string[]): FactorialDesign {
  const cells: FactorialDesign["cells"] = {};
  for (const r of table.rows) if (r.levels) cells[r.variant] = r.levels;
  return { factors: factorLevels(table, names), cells };
}

function factorLevels(table: ResultTable, names: readonly string[]): Factor[] {
  return names.map((name) => {
    const levels: string[] = [];
    for (const r of table.rows) {
      const l = r.levels?.[name];
      if (l !== undefined && !levels.includes(l)) levels.push(l);
    }
    if (levels.length < 2) throw new Error(`factor "${name}" has ${levels.length === 1 ? `only one level ("${levels[0]}")` : "no levels"} in the results; a factor needs at least 2 levels to have an effect (drop it from --factors, or add runs at another level)`);
    return { name, levels };
  });
}

function allCombinations(factors: readonly Factor[]): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const f of factors) out = out.flatMap((c) => f.levels.map((l) => ({ ...c, [f.name]: l })));
  return out;
}

const combination = combinationName;

/**
 * The factorial data of one metric: one row per seed in which every cell
 * finished. A seed with a cell that has no run at all is an error naming the
 * cell; a seed with a run that diverged, failed or has no value is left out
 * and named.
 */
export function factorialData(table: ResultTable, factorNames: readonly string[], metric: string): { data: FactorialData; seeds: string[]; excluded: FactorialVerdict["excluded_seeds"] } {
  if (factorNames.length === 0) throw new Error("no factors named; pass the factor columns, e.g. --factors optimizer,augment");
  const factors = factorLevels(table, factorNames);
  const byCell = cells(table, metric);
  const combos = allCombinations(factors);
  const seeds = [...new Set(table.rows.map((r) => r.seed))];
  const values: number[][] = [];
  const kept: string[] = [];
  const excluded: FactorialVerdict["excluded_seeds"] = [];
  for (const seed of seeds) {
    const row: number[] = [];
    const bad: { cell: string; outcome: Cell["outcome"] }[] = [];
    for (const levels of combos) {
      const name = combination(levels);
      const c = byCell.get(name)?.get(seed);
      if (c === undefined) {
        throw new Error(`seed ${seed} has no run for ${name}; a factorial analysis needs every combination of the factors' levels on every seed (add that run, or remove seed ${seed}'s rows)`);
      }
      if (c.outcome === "finished") row.push(c.value!);
      else bad.push({ cell: name, outcome: c.outcome });
    }
    if (bad.length) excluded.push({ seed, cells: bad });
    else {
      values.push(row);
      kept.push(seed);
    }
  }
  if (kept.length < 2) {
    throw new Error(`only ${kept.length} seed(s) have a finished run in every cell${excluded.length ? ` (left out: ${excluded.map((e) => `seed ${e.seed}: ${e.cells.map((c) => `${c.cell} ${c.outcome}`).join("; ")}`).join(" | ")})` : ""}; a factorial analysis needs at least 2`);
  }
  return { data: { factors, values }, seeds: kept, excluded };
}

function numberFormat(percent: boolean) {
  const f = (x: number) => metricValueText(x, percent);
  const signed = (x: number) => signedMetricValueText(x, percent);
  return { f, signed, unit: percent ? " pp" : "" };
}


/** "F(2, 18) = 4.10, Greenhouse–Geisser ε = 0.71, p = 0.052" (the p to read: corrected where ε is defined). */
function fTestText(e: Pick<FactorialEntry, "F" | "df" | "gg" | "p">): string {
  return `F(${e.df[0]}, ${e.df[1]}) = ${e.F.toFixed(2)}${e.gg ? `, Greenhouse–Geisser ε = ${e.gg.epsilon.toFixed(2)}` : ""}, ${pValueClause(e.p)}`;
}

/** The plain-word answers: does each two-level factor's effect hold under every setting of the others; do two factors stack. */
export function factorialStatements(v: Pick<FactorialVerdict, "factors" | "factorial" | "simple_effects" | "level" | "higher_is_better">, percent = false): string[] {
  const { signed, unit } = numberFormat(percent);
  const pct = `${Math.round(v.level * 100)}%`;
  const ci = (c: [number, number]) => `${pct} CI [${signed(c[0])}, ${signed(c[1])}]${unit}`;
  const clear = (c: [number, number]) => c[0] > 0 || c[1] < 0;
  const out: string[] = [];
  const byName = new Map(v.factorial.map((e) => [e.name, e]));
  for (const x of v.factors) {
    const main = byName.get(x.name)!;
    if (x.levels.length !== 2) {
      out.push(`${x.name} (${x.levels.length} levels): ${main.p < 1 - v.level ? "the levels differ" : "no clear difference between the levels"} (${fTestText(main)})`);
      continue;
    }
    const effect = `the ${x.name} effect (${x.levels[1]} − ${x.levels[0]})`;
    out.push(`${effect}: ${signed(main.estimate!)}${unit}, ${ci(main.ci!)}, ${pValueClause(main.p)}${clear(main.ci!) ? "" : ": not clear over all settings"}`);
    for (const y of v.factors) {
      if (y.name === x.name) continue;
      const settings = v.simple_effects.filter((s) => s.factor === x.name && s.at.factor === y.name);
      const each = settings.map((s) => `${y.name}=${s.at.level}: ${signed(s.estimate)}${unit}`).join(", ");
      const sign = Math.sign(main.estimate!);
      const holds = settings.every((s) => clear(s.ci) && Math.sign(s.estimate) === sign);
      const every = y.levels.length === 2 ? `both ${y.name} levels` : `every ${y.name} level`;
      const inter = byName.get(`${x.name} × ${y.name}`) ?? byName.get(`${y.name} × ${x.name}`);
      if (holds && clear(main.ci!)) out.push(`${effect} holds under ${every} (${each})${inter && inter.p < 1 - v.level ? `; its size depends on ${y.name} (interaction ${pValueClause(inter.p)})` : ""}`);
      else if (!clear(main.ci!) && !(inter && inter.p < 1 - v.level)) continue;
      else {
        const differs = inter && inter.p < 1 - v.level ? `it depends on ${y.name} (interaction ${pValueClause(inter.p)})` : `the interaction with ${y.name} is not clear${inter ? ` (${pValueClause(inter.p)})` : ""}`;
        const at = (xs: SimpleEffect[]) => xs.map((s) => `${y.name}=${s.at.level} (${signed(s.estimate)}${unit})`).join(", ");
        const up = settings.filter((s) => clear(s.ci) && s.estimate > 0);
        const down = settings.filter((s) => clear(s.ci) && s.estimate < 0);
        const unclear = settings.filter((s) => !clear(s.ci));
        if (up.length > 0 && down.length > 0) {
          out.push(`${effect} reverses with ${y.name}: positive at ${at(up)}, negative at ${at(down)}${unclear.length ? `, not clear at ${at(unclear)}` : ""}; ${differs}`);
        } else {
          const lost = settings.filter((s) => !(clear(s.ci) && Math.sign(s.estimate) === sign)).map((s) => `${y.name}=${s.at.level}`);
          out.push(`${effect} is not clear under ${lost.join(", ")} (${each}); ${differs}`);
        }
      }
    }
  }
  for (const e of v.factorial) {
    const names = e.name.split(" × ");
    if (names.length > 2) {
      const [a, b, ...rest] = names as [string, string, ...string[]];
      const test = e.estimate !== null && e.ci !== null ? `${signed(e.estimate)}${unit}, ${ci(e.ci)}, ${pValueClause(e.p)}` : fTestText(e);
      out.push(`${e.p < 1 - v.level ? "the" : "no clear"} ${names.length}-way interaction ${e.name} (${test}): the ${a} × ${b} interaction ${e.p < 1 - v.level ? "differs" : "does not clearly differ"} between the levels of ${rest.join(" and ")}`);
      continue;
    }
    if (e.estimate === null || e.ci === null || names.length !== 2) continue;
    const [a, b] = names as [string, string];
    const ea = v.simple_effects.find((s) => s.factor === a && s.at.factor === b && s.at.level === v.factors.find((f) => f.name === b)!.levels[0]);
    const eb = v.simple_effects.find((s) => s.factor === b && s.at.factor === a && s.at.level === v.factors.find((f) => f.name === a)!.levels[0]);
    const separate = (ea?.estimate ?? 0) + (eb?.estimate ?? 0);
    const inter = `interaction ${signed(e.estimate)}${unit}, ${ci(e.ci)}, ${pValueClause(e.p)}`;
    if (!clear(e.ci)) out.push(`no clear interaction of ${a} and ${b} (${inter}): consistent with their effects adding up`);
    else if (Math.sign(e.estimate) !== Math.sign(separate)) out.push(`${a} and ${b} do not stack: together they change the metric by less than the sum of their separate effects (${inter})`);
    else out.push(`${a} and ${b} reinforce each other: together more than the sum of their separate effects (${inter})`);
  }
  return out;
}

/** The factorial verdict of one metric of a results table. */
export function factorialVerdict(table: ResultTable, options: FactorialOptions & { direction?: MetricDirection }): FactorialVerdict {
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new Error(`--alpha must be in (0, 1), got ${alpha}`);
  const level = 1 - alpha;
  const direction = options.direction ?? metricDirection(options.metric, options.lowerIsBetter === undefined ? undefined : { higherIsBetter: !options.lowerIsBetter });
  const { data, seeds, excluded } = factorialData(table, options.factors, options.metric);
  const a = factorialAnalysis(data, level);
  const combos = allCombinations(data.factors);
  const cellStats = combos.map((levels, c) => {
    const xs = data.values.map((row) => Number(row[c]));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
    return { levels, mean, sd };
  });
  const factorial: FactorialEntry[] = a.effects.map((e) => ({
    name: e.name, estimate: e.estimate, ci: e.ci, p: e.p,
    levels: Object.fromEntries(e.factors.map((f, i) => [f, e.levels[i]!])),
    F: e.F, df: [e.df1, e.df2],
    gg: e.gg && { epsilon: e.gg.epsilon, df: [e.gg.df1, e.gg.df2], p: e.gg.p, p_uncorrected: e.gg.p_uncorrected },
    contrasts: e.contrasts,
  }));
  const interaction_means: FactorialVerdict["interaction_means"] = [];
  for (let i = 0; i < data.factors.length; i++) {
    for (let j = i + 1; j < data.factors.length; j++) {
      const pair: [string, string] = [data.factors[i]!.name, data.factors[j]!.name];
      interaction_means.push({ factors: pair, means: marginalMeans(data, pair, level) });
    }
  }
  const notes = [...a.notes];
  if (excluded.length) notes.push(`${excluded.length} seed(s) left out because a run did not finish with a value: ${excluded.map((e) => `seed ${e.seed} (${e.cells.map((c) => `${c.cell} ${c.outcome}`).join("; ")})`).join(", ")}`);
  const verdict: FactorialVerdict = {
    metric: options.metric,
    higher_is_better: direction.higherIsBetter,
    direction: describeDirection(direction),
    level,
    factors: data.factors,
    seeds,
    excluded_seeds: excluded,
    cells: cellStats,
    factorial,
    simple_effects: a.simple,
    interaction_means,
    statements: [],
    notes,
  };
  verdict.statements = factorialStatements(verdict, options.percent);
  return verdict;
}

/** The factorial verdict as text: cells, effects with intervals and tests, per-setting effects, statements, notes. */
export function formatFactorialVerdict(title: string, v: FactorialVerdict, percent = false): string {
  const { f, signed, unit } = numberFormat(percent);
  const pct = `${Math.round(v.level * 100)}%`;
  const lines = [`${title ? `${title} · ` : ""}factorial: ${v.factors.map((x) => `${x.name} (${x.levels.join(", ")})`).join(" × ")} · ${v.seeds.length} seeds, paired by seed · ${v.metric}, ${v.direction}`];
  const w = Math.max(4, ...v.cells.map((c) => combination(c.levels).length));
  lines.push(`${"cell".padEnd(w)}  mean ± sd over seeds`);
  for (const c of v.cells) lines.push(`${combination(c.levels).padEnd(w)}  ${f(c.mean)} ± ${f(c.sd)}`);
  lines.push("effects (per-seed contrasts; interaction = effect of the first factor at the second's 2nd level minus at its 1st):");
  const nw = Math.max(...v.factorial.map((e) => e.name.length));
  for (const e of v.factorial) {
    if (e.estimate !== null && e.ci !== null) lines.push(`  ${e.name.padEnd(nw)}  ${signed(e.estimate)}${unit}  ${pct} CI [${signed(e.ci[0])}, ${signed(e.ci[1])}]  t(${e.df[1]}), ${pValueClause(e.p)}`);
    else {
      const gg = e.gg ? `, Greenhouse–Geisser ε = ${e.gg.epsilon.toFixed(3)}: F(${e.gg.df[0].toFixed(2)}, ${e.gg.df[1].toFixed(2)}), ${pValueClause(e.gg.p)} (assuming sphericity ${pValueClause(e.gg.p_uncorrected)})` : `, ${pValueClause(e.p)}`;
      lines.push(`  ${e.name.padEnd(nw)}  F(${e.df[0]}, ${e.df[1]}) = ${e.F.toFixed(2)}${gg} (repeated-measures F test)`);
      for (const c of e.contrasts) lines.push(`    ${c.levels[1]} − ${c.levels[0]}  ${signed(c.estimate)}${unit}  ${pct} CI [${signed(c.ci[0])}, ${signed(c.ci[1])}]  ${pValueClause(c.p)}`);
    }
  }
  if (v.simple_effects.length) {
    lines.push("per setting:");
    const label = (s: SimpleEffect) => `${s.factor} (${s.levels[1]} − ${s.levels[0]}) at ${s.at.factor}=${s.at.level}`;
    const lw = Math.max(...v.simple_effects.map((s) => label(s).length));
    for (const s of v.simple_effects) lines.push(`  ${label(s).padEnd(lw)}  ${signed(s.estimate)}${unit}  ${pct} CI [${signed(s.ci[0])}, ${signed(s.ci[1])}]  ${pValueClause(s.p)}`);
  }
  for (const s of v.statements) lines.push(`• ${s}`);
  for (const n of v.notes) lines.push(`note: ${n}`);
  return lines.join("\n");
}
