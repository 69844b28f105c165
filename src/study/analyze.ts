/**
 * Analysis of long-form results (any source): per-variant descriptions and each
 * variant against the reference, paired by seed when every variant has the
 * same seeds, with Holm-adjusted p-values. Produces the JSON `twin stats --json`
 * prints (documented in the README).
 */
import { comparePaired, compareUnpaired, describe, holm, type PairedTestChoice, type UnpairedTestChoice, type Verdict } from "../stats/index.ts";
import { pivot, type ResultTable } from "./results-file.ts";

export type TestChoice = "auto" | "t" | "welch" | "wilcoxon" | "mannwhitney" | "permutation";

export interface AnalyzeOptions {
  metric: string;
  lowerIsBetter?: boolean;
  reference?: string;
  /** true: paired by seed; false: unpaired; undefined: paired when every variant has the same seeds. */
  paired?: boolean;
  test?: TestChoice;
  alpha?: number;
}

export interface VariantSummary {
  name: string; n: number; mean: number; sd: number; se: number; min: number; max: number; median: number; iqm: number;
}

export interface Comparison {
  a: string; b: string; paired: boolean; n: number; diff: number; ci: [number, number]; test: string; statistic: number;
  p: number; p_adjusted: number; prob_improvement: number; effect_size: number;
  effect_size_name: string; prob_improvement_ci: [number, number]; notes: string[];
}

export interface Analysis {
  metric: string;
  higher_is_better: boolean;
  variants: VariantSummary[];
  comparisons: Comparison[];
}

const PAIRED_TESTS: readonly string[] = ["auto", "t", "wilcoxon", "permutation"];
const UNPAIRED_TESTS: readonly string[] = ["auto", "t", "welch", "mannwhitney", "permutation"];

function sameSeeds(byVariant: Map<string, Map<string, number>>): boolean {
  const sets = [...byVariant.values()].map((m) => [...m.keys()].sort().join("\u0000"));
  return sets.every((s) => s === sets[0]);
}

export function analyzeResults(table: ResultTable, options: AnalyzeOptions): Analysis {
  const byVariant = pivot(table, options.metric);
  const names = [...byVariant.keys()];
  if (names.length === 0) throw new Error(`no rows have a value for "${options.metric}"`);
  const reference = options.reference ?? names[0];
  if (!byVariant.has(reference)) throw new Error(`--reference ${reference}: no such variant (variants: ${names.join(", ")})`);
  const paired = options.paired ?? sameSeeds(byVariant);
  const test = options.test ?? "auto";
  if (paired && !PAIRED_TESTS.includes(test)) throw new Error(`--test ${test} is for unpaired data; with paired runs use auto, t, wilcoxon or permutation (or pass --unpaired)`);
  if (!paired && !UNPAIRED_TESTS.includes(test)) throw new Error(`--test ${test} is for paired data; with unpaired runs use auto, t, welch, mannwhitney or permutation`);
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new Error(`--alpha must be in (0, 1), got ${alpha}`);
  const sign = options.lowerIsBetter ? -1 : 1;

  const variants = names.map((name) => {
    const d = describe([...byVariant.get(name)!.values()]);
    return { name, n: d.n, mean: d.mean, sd: d.sd, se: d.se, min: d.min, max: d.max, median: d.median, iqm: d.iqm };
  });

  const refRuns = byVariant.get(reference)!;
  const raw: { name: string; verdict: Verdict; improvement: Verdict }[] = [];
  for (const name of names) {
    if (name === reference) continue;
    const runs = byVariant.get(name)!;
    let verdict: Verdict;
    let improvement: Verdict;
    if (paired) {
      const seeds = [...refRuns.keys()];
      for (const s of seeds) {
        if (!runs.has(s)) throw new Error(`--paired: variant "${name}" has no run for seed ${s} (the reference "${reference}" has one); add it or use --unpaired`);
      }
      for (const s of runs.keys()) {
        if (!refRuns.has(s)) throw new Error(`--paired: the reference "${reference}" has no run for seed ${s} (variant "${name}" has one); add it or use --unpaired`);
      }
      const a = seeds.map((s) => refRuns.get(s)!);
      const b = seeds.map((s) => runs.get(s)!);
      const opts = { test: test as PairedTestChoice, level: 1 - alpha, alpha };
      verdict = comparePaired(a, b, opts);
      improvement = sign > 0 ? verdict : comparePaired(a.map((x) => -x), b.map((x) => -x), opts);
    } else {
      const a = [...refRuns.values()];
      const b = [...runs.values()];
      const opts = { test: test as UnpairedTestChoice, level: 1 - alpha, alpha };
      verdict = compareUnpaired(a, b, opts);
      improvement = sign > 0 ? verdict : compareUnpaired(a.map((x) => -x), b.map((x) => -x), opts);
    }
    raw.push({ name, verdict, improvement });
  }
  const adjusted = holm(raw.map((r) => r.verdict.p));
  return {
    metric: options.metric,
    higher_is_better: !options.lowerIsBetter,
    variants,
    comparisons: raw.map((r, i) => ({
      a: reference,
      b: r.name,
      paired,
      n: r.verdict.n,
      diff: r.verdict.diff,
      ci: r.verdict.ci,
      test: r.verdict.test,
      statistic: r.verdict.statistic,
      p: r.verdict.p,
      p_adjusted: adjusted[i],
      prob_improvement: r.improvement.prob_improvement.estimate,
      prob_improvement_ci: r.improvement.prob_improvement.ci,
      effect_size: r.verdict.effect_size.value,
      effect_size_name: r.verdict.effect_size.name,
      notes: [...r.verdict.notes, ...r.verdict.warnings],
    })),
  };
}
