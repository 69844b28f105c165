/**
 * The analysis of seed results from any source (a results file, a log
 * folder, a twin study, a sweep): per variant the distribution of the runs
 * that finished and the rate of runs that diverged or failed (with an exact
 * interval); each variant against the reference, paired by seed when every
 * variant has the same seeds, with Holm-adjusted p-values; failure rates
 * compared exactly. Nothing is dropped silently: every run left out of a
 * comparison is counted and named. Produces the JSON `twin stats --json`
 * and `twin compare --json` print (documented in docs/verdict-json.md).
 */
import {
  clopperPearson, comparePaired, compareUnpaired, describe, fisherExact, holm, mcnemarExact,
  type PairedTestChoice, type RobustVerdict, type UnpairedTestChoice, type Verdict, type VerdictLine,
} from "../stats/index.ts";
import { cells, type Cell, type ResultTable } from "./results-file.ts";
import { describeDirection, metricDirection, type MetricDirection } from "./metric-direction.ts";
import { percentPointsText } from "./metric-units.ts";
import { comparisonReading, planAdvice, type ComparisonReading } from "./plan-advice.ts";
import { spreadFields, type SpreadFields } from "./spread-fields.ts";
import type { SetAside } from "./not-independent.ts";

export type TestChoice = "auto" | "t" | "welch" | "wilcoxon" | "mannwhitney" | "permutation";

export interface AnalyzeOptions {
  metric: string;
  /** Overrides the direction the metric's name implies (metricDirection). */
  lowerIsBetter?: boolean;
  reference?: string;
  /** true: paired by seed; false: unpaired; undefined: paired when every variant has the same seeds. */
  paired?: boolean;
  test?: TestChoice;
  alpha?: number;
  /** The smallest difference that matters (metric units): plans aim at it, and "equivalent" is said only within it. */
  smallestDifference?: number;
  /** Advice shows values as percentage points (metric values are fractions, shown as percentages). */
  percent?: boolean;
}

export interface VariantSummary {
  name: string;
  /** Runs that finished with a finite value: the ones described. */
  n: number; mean: number; sd: number; se: number; min: number; max: number; median: number; iqm: number;
  /** Every run of the variant in the results. */
  runs: number;
  diverged: number;
  failed: number;
  /** Runs that had not ended (killed, still running): neither result nor failure. */
  unfinished: number;
  /** Runs with no value for this metric (an empty cell, a tag never logged). */
  missing: number;
  /** Runs that did not train this variant (left out after it failed the same way on the study's first runs): neither result nor failure. */
  skipped: number;
  /** (diverged + failed) / runs that ended, with its Clopper–Pearson interval; null when no run ended. */
  failure_rate: number | null;
  failure_rate_ci: [number, number] | null;
  /** First lines of the failures' errors, distinct, with the seeds they happened on. */
  errors: { seeds: string[]; error: string }[];
  /** The same metric on the held-out test set (study verdicts whose runs were tested: test-set-verdict.ts); absent elsewhere. */
  test_set?: TestSetSummary | null;
}

/** A variant's metric on the held-out test set, over the runs that have it. */
export interface TestSetSummary {
  n: number; mean: number; sd: number; min: number; max: number;
}

/** A comparison repeated on the held-out test set with the same test: reported beside the validation one, never used to choose. */
export interface TestSetComparison {
  diff: number; ci: [number, number]; test: string; method: string; p: number; p_adjusted: number;
  n_pairs: number | null;
  n: number;
}

export interface ExcludedRun {
  seed: string;
  variant: string;
  outcome: Cell["outcome"];
}

export interface Comparison extends SpreadFields {
  a: string; b: string; paired: boolean;
  /** Runs used: pairs when paired, nA + nB when not. */
  n: number;
  /** Pairs the comparison rests on (paired), else null. */
  n_pairs: number | null;
  /** Seeds (paired) or runs (unpaired) left out because a run did not finish with a value. */
  excluded_pairs: number;
  excluded: ExcludedRun[];
  diff: number; ci: [number, number]; test: string;
  /** How the p-value was computed: exact, asymptotic or monte-carlo. */
  method: string;
  statistic: number;
  p: number; p_adjusted: number; prob_improvement: number;
  /** d_z (paired) or Hedges' g; null when undefined: the differences (or runs) do not vary. */
  effect_size: number | null;
  effect_size_name: string;
  /** Interval of P(b better): exact sign counts (paired) or Newcombe's score interval (unpaired); null where none is valid. */
  prob_improvement_ci: [number, number] | null;
  prob_improvement_method: string | null;
  /** How much pairing cut the variance of the difference (bias-corrected), its interval (Pitman–Morgan); null when unpaired. */
  pairing_gain: number | null;
  pairing_gain_ci: [number, number] | null;
  /** Why `pairing_gain_ci` is null when paired (seeds on a line, below 3 pairs, no spread); null otherwise. */
  pairing_gain_ci_note: string | null;
  /** Seeds (paired: whole pairs; unpaired: one variant's run) whose value is far from the rest, with their robust z. */
  black_swans: { seed: string; variant: string | null; z: number }[];
  /** Beside the plain test: without the black swans, a 20% trimmed-mean test and an exact test; null below 3 seeds. */
  robust: {
    without_swans: RobustLine | null; trimmed: RobustLine | null; exact: RobustLine | null;
    /** Skewness-corrected (Johnson–Hall) t of the differences (paired only). */
    skew_corrected: RobustLine | null;
    disagree: boolean; rests_on_normality: boolean;
    /** The plain p < alpha but the skewness-corrected t is not significant in the same direction (paired only). */
    leans_on_symmetry: boolean;
    /** Skewness of the differences (paired: variant null) or of each variant's runs, and whether it is beyond normal seeds' 95%. */
    skew: { variant: string | null; skewness: number; threshold: number; skewed: boolean }[];
    /** True when the plain p must not be read alone (swans, disagreement, normality alone, or skew). */
    warning: boolean;
    reasons: string[];
    /** Largest rate of badly wrong seeds these seeds cannot rule out at 95% (null when a black swan was seen). */
    unseen_rate: number | null;
    /** Printed beside a significant plain p when no swan was seen: what the seeds cannot rule out. */
    caveat: string | null;
  } | null;
  /** With a smallest difference that matters: higher, lower, equivalent, inconclusive, or "no interval" when the interval has no width. */
  reading: ComparisonReading | null;
  notes: string[];
  /** The comparison on the held-out test set (test-set-verdict.ts); null when it could not be made there. */
  test_set?: TestSetComparison | null;
}

export interface RobustLine {
  test: string; n: number; estimate: number; p: number; method: string;
}

export interface FailureComparison {
  a: string; b: string; paired: boolean;
  a_failures: number; a_ended: number; b_failures: number; b_ended: number;
  /** Paired: seeds where only a failed, only b failed. */
  discordant: [number, number] | null;
  test: "exact McNemar" | "Fisher exact";
  p: number;
}

export interface Analysis {
  metric: string;
  higher_is_better: boolean;
  /** Confidence level of the intervals (1 − alpha). */
  level: number;
  /** How the direction was decided, as printed ("lower is better (from its name; …)"). */
  direction: string;
  paired: boolean;
  /** Why the analysis is paired or unpaired. */
  pairing: string;
  /** Distinct seeds with at least one run. */
  seeds: number;
  variants: VariantSummary[];
  comparisons: Comparison[];
  /** Variants that could not be compared with the reference, and why. */
  not_compared: { a: string; b: string; reason: string }[];
  failure_comparisons: FailureComparison[];
  /** What was left out or cut off, and where (file and row). */
  problems: string[];
  advice: string[];
  /** Set when the variants and comparisons carry test_set figures: what they are. */
  test_set?: { metric: string; note: string } | null;
  /** Runs left out of the verdict because they are not independent seeds (one factor varied at a time, grid cells): how many, which seeds, why; null when none. */
  set_aside: SetAside | null;
}

const PAIRED_TESTS: readonly string[] = ["auto", "t", "wilcoxon", "permutation"];
const UNPAIRED_TESTS: readonly string[] = ["auto", "t", "welch", "mannwhitney", "permutation"];
const ENDED = new Set<Cell["outcome"]>(["finished", "diverged", "failed"]);
const FAILED = new Set<Cell["outcome"]>(["diverged", "failed"]);

function list(xs: readonly string[], max = 8): string {
  return xs.length <= max ? xs.join(", ") : `${xs.slice(0, max).join(", ")} and ${xs.length - max} more`;
}

/**
 * Why the differences b − a cannot be formed in float64 (values near ±1.8e308:
 * a difference, or the gap between the groups, overflows to ±Infinity), or
 * undefined. Paired: each seed's b − a; unpaired: the widest gap between a
 * run of one variant and a run of the other, which bounds the difference of
 * the means. The statistics take values within ±1e300 (docs/statistics.md).
 */
export function overflowingDifference(a: readonly number[], b: readonly number[], paired: boolean): string | undefined {
  const show = (x: number) => x.toPrecision(3);
  if (paired) {
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(b[i]! - a[i]!)) return `overflows float64 on pair ${i + 1} (${show(b[i]!)} − ${show(a[i]!)}): rescale the metric (divide it by a power of ten) and analyse again`;
    }
    return undefined;
  }
  const [loA, hiA, loB, hiB] = [Math.min(...a), Math.max(...a), Math.min(...b), Math.max(...b)];
  if (Number.isFinite(hiB - loA) && Number.isFinite(hiA - loB)) return undefined;
  return `overflows float64 (the runs span ${show(Math.min(loA, loB))} to ${show(Math.max(hiA, hiB))}): rescale the metric (divide it by a power of ten) and analyse again`;
}

/** Paired when every variant has a run for the same seeds; the reason either way. */
function pairingOf(byVariant: Map<string, Map<string, Cell>>, reference: string): { same: boolean; why: string } {
  const ref = byVariant.get(reference)!;
  const gaps: string[] = [];
  for (const [name, runs] of byVariant) {
    if (name === reference) continue;
    const onlyRef = [...ref.keys()].filter((s) => !runs.has(s));
    const onlyThis = [...runs.keys()].filter((s) => !ref.has(s));
    if (onlyRef.length) gaps.push(`"${name}" has no run for seed(s) ${list(onlyRef)}`);
    if (onlyThis.length) gaps.push(`"${reference}" has no run for seed(s) ${list(onlyThis)} of "${name}"`);
  }
  if (gaps.length === 0) return { same: true, why: `every variant has a run for the same ${ref.size} seeds` };
  return { same: false, why: gaps.join("; ") };
}

function summarize(name: string, runs: Map<string, Cell>): VariantSummary {
  const all = [...runs.values()];
  const values = all.filter((c) => c.outcome === "finished").map((c) => c.value!);
  const count = (o: Cell["outcome"]) => all.filter((c) => c.outcome === o).length;
  const ended = all.filter((c) => ENDED.has(c.outcome)).length;
  const failures = all.filter((c) => FAILED.has(c.outcome)).length;
  const d = values.length > 0 ? describe(values) : undefined;
  const errors = new Map<string, string[]>();
  for (const [seed, c] of runs) {
    if (!FAILED.has(c.outcome)) continue;
    const first = (c.error ?? (c.outcome === "diverged" ? "diverged (NaN or infinite value)" : "failed (no error message recorded)")).split("\n")[0]!.trim();
    errors.set(first, [...(errors.get(first) ?? []), seed]);
  }
  return {
    name,
    n: values.length,
    mean: d?.mean ?? NaN, sd: d?.sd ?? NaN, se: d?.se ?? NaN, min: d?.min ?? NaN, max: d?.max ?? NaN, median: d?.median ?? NaN, iqm: d?.iqm ?? NaN,
    runs: all.length,
    diverged: count("diverged"),
    failed: count("failed"),
    unfinished: count("unfinished"),
    missing: count("missing"),
    skipped: count("skipped"),
    failure_rate: ended > 0 ? failures / ended : null,
    failure_rate_ci: ended > 0 ? clopperPearson(failures, ended) : null,
    errors: [...errors].map(([error, seeds]) => ({ seeds, error })),
  };
}

function compareFailures(a: string, b: string, ra: Map<string, Cell>, rb: Map<string, Cell>, paired: boolean): FailureComparison | undefined {
  const [endedA, fa] = endedAndFailed(ra), [endedB, fb] = endedAndFailed(rb);
  if (fa + fb === 0 || endedA === 0 || endedB === 0) return undefined;
  if (paired) {
    const flagsA: boolean[] = [];
    const flagsB: boolean[] = [];
    for (const [seed, ca] of ra) {
      const cb = rb.get(seed);
      if (!cb || !ENDED.has(ca.outcome) || !ENDED.has(cb.outcome)) continue;
      flagsA.push(FAILED.has(ca.outcome));
      flagsB.push(FAILED.has(cb.outcome));
    }
    if (flagsA.length === 0) return undefined;
    const t = mcnemarExact(flagsA, flagsB);
    return { a, b, paired, a_failures: fa, a_ended: endedA, b_failures: fb, b_ended: endedB, discordant: [t.onlyA, t.onlyB], test: "exact McNemar", p: t.p };
  }
  const t = fisherExact([[fa, endedA - fa], [fb, endedB - fb]]);
  return { a, b, paired, a_failures: fa, a_ended: endedA, b_failures: fb, b_ended: endedB, discordant: null, test: "Fisher exact", p: t.p };
}

/** How many of a variant's runs ended, and how many of those failed (one pass, no arrays: a verdict at 10,000 runs counts them per comparison). */
function endedAndFailed(runs: Map<string, Cell>): [number, number] {
  let ended = 0, failed = 0;
  for (const c of runs.values()) {
    if (!ENDED.has(c.outcome)) continue;
    ended++;
    if (FAILED.has(c.outcome)) failed++;
  }
  return [ended, failed];
}

/** Notes of the statistics layer speak of library calls; the verdict's readers get the plain advice. */
function forUsers(note: string): string {
  return note
    .replace(/;\s*see \w+\(\) for a plan/, "")
    .replace(/\s*\(?see \w+\(\)\)?/, "")
    .replace(/with test: '(\w+)' or '(\w+)'/, "with --test $1 or --test $2")
    .replace(/test: '(\w+)'/g, "--test $1");
}

interface Raw {
  name: string;
  verdict: Verdict;
  improvement: Verdict;
  pairs: [number[], number[]];
  /** The seed of each pair (paired), or of each run of a and of b (unpaired), for results that name them by index. */
  pairSeeds: string[];
  seedsB: string[];
  excluded: ExcludedRun[];
}

/** The statistics layer names outlying pairs by index; the verdict names their seeds. */
function seedNames(note: string, pairSeeds: readonly string[]): string {
  return note.replace(/seed\(s\) ([\d, ]+) have outlying/, (_, list: string) => `seed(s) ${list.split(",").map((i) => pairSeeds[Number(i.trim())] ?? i.trim()).join(", ")} have outlying`);
}

/** Notes of the statistics layer that the verdict says in its own words (black swans by seed, the pairing gain's reading). */
const SAID_OTHERWISE = /^black swan|pairing made the difference noisier|unclear whether pairing helped/;

/** The black swans of a comparison by seed (and, unpaired, by variant). */
function swansOf(r: Raw, reference: string): Comparison["black_swans"] {
  const rv = r.verdict.robust;
  if (!rv) return [];
  return rv.swans.map((s) =>
    s.where === "pair"
      ? { seed: r.pairSeeds[s.index] ?? String(s.index), variant: null, z: s.z }
      : s.where === "a"
        ? { seed: r.pairSeeds[s.index] ?? String(s.index), variant: reference, z: s.z }
        : { seed: r.seedsB[s.index] ?? String(s.index), variant: r.name, z: s.z },
  );
}

function lineOf(l: VerdictLine | null): RobustLine | null {
  return l === null ? null : { test: l.test, n: l.n, estimate: l.estimate, p: l.p, method: l.method };
}

function robustOf(rv: RobustVerdict | undefined, names: [string, string]): Comparison["robust"] {
  if (!rv) return null;
  return {
    without_swans: lineOf(rv.withoutSwans), trimmed: lineOf(rv.robust), exact: lineOf(rv.exact), skew_corrected: lineOf(rv.skewCorrected),
    disagree: rv.disagree, rests_on_normality: rv.restsOnNormality, leans_on_symmetry: rv.leansOnSymmetry,
    skew: rv.skew.map((k) => ({ variant: k.where === "pair" ? null : k.where === "a" ? names[0] : names[1], skewness: k.skewness, threshold: k.threshold, skewed: k.skewed })),
    warning: rv.warning,
    reasons: rv.reasons.filter((x) => !SAID_OTHERWISE.test(x)),
    unseen_rate: rv.unseenRate,
    caveat: rv.caveat,
  };
}

/** The analysis of one metric's cells (variant -> seed -> run outcome). */
export function analyzeCells(byVariant: Map<string, Map<string, Cell>>, options: AnalyzeOptions & { direction?: MetricDirection; problems?: string[]; setAside?: SetAside | null }): Analysis {
  const names = [...byVariant.keys()];
  if (names.length === 0) throw new Error(`no runs to analyse for "${options.metric}"`);
  const reference = options.reference ?? names[0]!;
  if (!byVariant.has(reference)) throw new Error(`--reference ${reference}: no such variant (variants: ${names.join(", ")})`);
  const direction = options.direction ?? metricDirection(options.metric, options.lowerIsBetter === undefined ? undefined : { higherIsBetter: !options.lowerIsBetter });
  const pairing = pairingOf(byVariant, reference);
  const paired = options.paired ?? pairing.same;
  const test = options.test ?? "auto";
  if (paired && !PAIRED_TESTS.includes(test)) throw new Error(`--test ${test} is for unpaired data; with paired runs use auto, t, wilcoxon or permutation (or pass --unpaired)`);
  if (!paired && !UNPAIRED_TESTS.includes(test)) throw new Error(`--test ${test} is for paired data; with unpaired runs use auto, t, welch, mannwhitney or permutation`);
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new Error(`--alpha must be in (0, 1), got ${alpha}`);
  const sign = direction.higherIsBetter ? 1 : -1;
  const problems = [...(options.problems ?? [])];
  // Notes of the statistics layer print the metric in the verdict's unit.
  const noteUnit = options.percent ? { formatValue: percentPointsText } : {};

  const variants = names.map((name) => summarize(name, byVariant.get(name)!));
  for (const [name, runs] of byVariant) {
    for (const [seed, c] of runs) {
      if (c.outcome === "missing") problems.push(`${c.where}: no value for "${options.metric}" (variant "${name}", seed ${seed}); that run is left out of the comparisons`);
      if (c.outcome === "unfinished") problems.push(`${c.where}: variant "${name}" seed ${seed} has not finished (killed or still running); left out`);
    }
    const skipped = [...runs].filter(([, c]) => c.outcome === "skipped");
    if (skipped.length) {
      const why = skipped[0]![1].error?.split("\n")[0]?.replace(`variant '${name}' not trained: `, "");
      problems.push(`variant "${name}" was not trained on seed(s) ${skipped.map(([s]) => s).join(", ")}${why ? `: ${why}` : ""}`);
    }
  }

  const refRuns = byVariant.get(reference)!;
  const raw: Raw[] = [];
  const notCompared: Analysis["not_compared"] = [];
  // Variants whose differences from the reference overflow: the advice is to rescale, not to run more seeds.
  const rescale = new Set<string>();
  const failureComparisons: FailureComparison[] = [];
  for (const name of names) {
    if (name === reference) continue;
    const runs = byVariant.get(name)!;
    const failures = compareFailures(reference, name, refRuns, runs, paired);
    if (failures) failureComparisons.push(failures);
    const excluded: ExcludedRun[] = [];
    if (paired) {
      for (const s of refRuns.keys()) {
        if (!runs.has(s)) throw new Error(`--paired: variant "${name}" has no run for seed ${s} (the reference "${reference}" has one); add it or use --unpaired`);
      }
      for (const s of runs.keys()) {
        if (!refRuns.has(s)) throw new Error(`--paired: the reference "${reference}" has no run for seed ${s} (variant "${name}" has one); add it or use --unpaired`);
      }
      const a: number[] = [];
      const b: number[] = [];
      const pairSeeds: string[] = [];
      for (const [seed, ca] of refRuns) {
        const cb = runs.get(seed)!;
        if (ca.outcome === "finished" && cb.outcome === "finished") {
          a.push(ca.value!);
          b.push(cb.value!);
          pairSeeds.push(seed);
          continue;
        }
        if (ca.outcome !== "finished") excluded.push({ seed, variant: reference, outcome: ca.outcome });
        if (cb.outcome !== "finished") excluded.push({ seed, variant: name, outcome: cb.outcome });
      }
      if (a.length < 2) {
        notCompared.push({ a: reference, b: name, reason: `only ${a.length} seed(s) where both finished with a value; a paired comparison needs 2` });
        continue;
      }
      const overflow = overflowingDifference(a, b, true);
      if (overflow) {
        notCompared.push({ a: reference, b: name, reason: `${name} − ${reference} ${overflow}` });
        rescale.add(name);
        continue;
      }
      const opts = { test: test as PairedTestChoice, level: 1 - alpha, alpha, names: [reference, name] as [string, string], ...noteUnit };
      const verdict = comparePaired(a, b, opts);
      const improvement = sign > 0 ? verdict : comparePaired(a.map((x) => -x), b.map((x) => -x), opts);
      raw.push({ name, verdict, improvement, pairs: [a, b], pairSeeds, seedsB: pairSeeds, excluded });
    } else {
      const pick = (variant: string, m: Map<string, Cell>, seeds: string[]) => {
        const out: number[] = [];
        for (const [seed, c] of m) {
          if (c.outcome === "finished") {
            out.push(c.value!);
            seeds.push(seed);
          } else excluded.push({ seed, variant, outcome: c.outcome });
        }
        return out;
      };
      const seedsA: string[] = [];
      const seedsB: string[] = [];
      const a = pick(reference, refRuns, seedsA);
      const b = pick(name, runs, seedsB);
      if (a.length < 2 || b.length < 2) {
        notCompared.push({ a: reference, b: name, reason: `${a.length < 2 ? `"${reference}"` : `"${name}"`} has ${Math.min(a.length, b.length)} finished run(s); an unpaired comparison needs 2 per variant` });
        continue;
      }
      const overflow = overflowingDifference(a, b, false);
      if (overflow) {
        notCompared.push({ a: reference, b: name, reason: `${name} − ${reference} ${overflow}` });
        rescale.add(name);
        continue;
      }
      const opts = { test: test as UnpairedTestChoice, level: 1 - alpha, alpha, names: [reference, name] as [string, string], ...noteUnit };
      const verdict = compareUnpaired(a, b, opts);
      const improvement = sign > 0 ? verdict : compareUnpaired(a.map((x) => -x), b.map((x) => -x), opts);
      raw.push({ name, verdict, improvement, pairs: [a, b], pairSeeds: seedsA, seedsB, excluded });
    }
  }
  const adjusted = raw.length > 1 ? holm(raw.map((r) => r.verdict.p)) : raw.map((r) => r.verdict.p);
  const refRange = variants.find((v) => v.name === reference)!;
  const advice: string[] = [];
  for (const r of raw) {
    const line = planAdvice(r.name, reference, r.verdict, r.pairs, refRange.max - refRange.min, options.smallestDifference, options.percent);
    if (line) advice.push(line);
  }
  for (const nc of notCompared) {
    const none = variants.filter((v) => (v.name === nc.a || v.name === nc.b) && v.n === 0).map((v) => v.name);
    advice.push(none.length ? `${nc.b}: not compared with ${nc.a}: ${none.join(" and ")} finished no run; fix the failure shown above first` : `${nc.b}: not compared with ${nc.a}: ${nc.reason}${rescale.has(nc.b) ? "" : "; run more seeds"}`);
  }
  return {
    metric: options.metric,
    higher_is_better: direction.higherIsBetter,
    level: 1 - alpha,
    direction: describeDirection(direction),
    paired,
    pairing: options.paired === undefined ? pairing.why : `${paired ? "--paired" : "--unpaired"} given${pairing.same || paired ? "" : ` (${pairing.why})`}`,
    seeds: new Set(names.flatMap((n) => [...byVariant.get(n)!.keys()])).size,
    variants,
    comparisons: raw.map((r, i) => ({
      a: reference,
      b: r.name,
      paired,
      n: r.verdict.n,
      n_pairs: paired ? r.verdict.n : null,
      excluded_pairs: paired ? new Set(r.excluded.map((e) => e.seed)).size : r.excluded.length,
      excluded: r.excluded,
      diff: r.verdict.diff,
      ci: r.verdict.ci,
      test: r.verdict.test,
      method: r.verdict.method,
      statistic: r.verdict.statistic,
      p: r.verdict.p,
      p_adjusted: adjusted[i]!,
      prob_improvement: r.improvement.prob_improvement.estimate,
      prob_improvement_ci: r.improvement.prob_improvement.ci,
      prob_improvement_method: r.improvement.prob_improvement.method,
      pairing_gain: r.verdict.pairing ? r.verdict.pairing.estimate : null,
      pairing_gain_ci: r.verdict.pairing?.ci ?? null,
      pairing_gain_ci_note: r.verdict.pairing?.noInterval ?? null,
      black_swans: swansOf(r, reference),
      ...spreadFields(r.pairs[0], r.pairs[1], paired, 1 - alpha, [reference, r.name]),
      robust: robustOf(r.verdict.robust, [reference, r.name]),
      reading: options.smallestDifference === undefined ? null : comparisonReading(r.verdict.ci, options.smallestDifference),
      // Without spread the standardized effect is undefined: the stats layer's 0 (every difference 0) or ±Infinity is no effect size.
      effect_size: r.verdict.test === "none" || !Number.isFinite(r.verdict.effect_size.value) ? null : r.verdict.effect_size.value,
      effect_size_name: r.verdict.effect_size.name,
      notes: [...r.verdict.notes, ...r.verdict.warnings].filter((n) => !SAID_OTHERWISE.test(n)).map((n) => forUsers(seedNames(n, r.pairSeeds))),
    })),
    not_compared: notCompared,
    failure_comparisons: failureComparisons,
    problems,
    advice,
    set_aside: options.setAside ?? null,
  };
}

/** The analysis of one metric of a results table (see analyzeCells); runs the table set aside are said, not counted. */
export function analyzeResults(table: ResultTable, options: AnalyzeOptions): Analysis {
  return analyzeCells(cells(table, options.metric), { ...options, problems: table.notes, setAside: table.setAside ?? null });
}
