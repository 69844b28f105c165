/**
 * The verdict of a twin study over seeds: per-variant distributions, failure
 * rates, and each variant against the reference, paired by seed (each seed is
 * one twin run of all variants), with Holm-adjusted p-values when there are
 * several. A variant that diverged or failed on some seeds, or on all of
 * them, is reported as such and never stops the verdict of the others.
 */
import { analyzeCells, type Analysis } from "./analyze.ts";
import type { Cell } from "./results-file.ts";
import { metricDirection } from "./metric-direction.ts";
import type { StudyResults } from "./run-study.ts";
import { spreadLine } from "./spread-fields.ts";
import { pValueClause } from "../stats/p-value-text.ts";
import { metricValueText, signedMetricValueText } from "./metric-units.ts";
import { textTable } from "./text-table.ts";
import { resolveFactorSeeds } from "../rng/factors.ts";
import { setAsideNotAllVaried, type SetAside } from "./not-independent.ts";

export interface SeedResults {
  /** Variant name -> the metric per seed, in the same seed order for every variant (NaN: diverged or failed). */
  values: Record<string, number[]>;
  seeds: string[];
  /** Variant name -> how each seed's run ended (default: finished when the value is finite, else diverged). */
  status?: Record<string, ("finished" | "diverged" | "failed" | "running" | "skipped" | "missing")[]>;
  /** Variant name -> each seed's error message (failed runs). */
  errors?: Record<string, (string | undefined)[]>;
  /** Runs of the study left out of these results because they are not independent seeds (one factor varied at a time, grid cells). */
  setAside?: SetAside;
}

/** The verdict is the analysis of the study's runs (see analyze.ts for its fields). */
export type StudyVerdict = Analysis;

/**
 * A study's final metric per variant and seed, with how each run ended: on
 * validation (default), or on the held-out test set (a finished run that was
 * not tested counts as missing).
 */
/**
 * A study's runs that are independent seeds, with their seed labels, and what was set aside: a plan that varies
 * factors one at a time (or a grid) makes runs that are not (not-independent.ts); the verdict and the deployment rest on the others.
 */
export function studyIndependentRuns(results: Pick<StudyResults, "runs" | "variants">): { kept: StudyResults["runs"]; seeds: string[]; setAside: SetAside | null } {
  const labels = results.runs.map((r) => (r.plan.group === "all" ? String(r.plan.label) : `${r.plan.group}#${r.plan.label}`));
  const { setAside } = setAsideNotAllVaried(
    results.runs.flatMap((r, i) => {
      const factorSeeds = Object.fromEntries(Object.entries(resolveFactorSeeds(r.plan.seed)).map(([f, s]) => [f, s.toString()]));
      return results.variants.map((variant) => ({ variant, seed: labels[i]!, factorSeeds, status: r.result.variants[variant]?.status }));
    }),
    "and twin seeds shows them as the variance by factor",
    (r) => (r.status === "diverged" || r.status === "failed" ? r.status : undefined),
  );
  const aside = new Set(setAside?.seeds ?? []);
  return { kept: results.runs.filter((_, i) => !aside.has(labels[i]!)), seeds: labels.filter((label) => !aside.has(label)), setAside };
}

export function studySeedResults(results: StudyResults, metric: "accuracy" | "loss", set: "validation" | "test" = "validation"): SeedResults {
  const out: SeedResults = { values: {}, seeds: [], status: {}, errors: {} };
  const { kept, seeds, setAside } = studyIndependentRuns(results);
  if (setAside) out.setAside = setAside;
  out.seeds = seeds;
  for (const v of results.variants) {
    const runs = kept.map((r) => r.result.variants[v]);
    out.values[v] = runs.map((x) => (set === "test" ? x?.test : x?.final)?.[metric] ?? NaN);
    out.status![v] = runs.map((x) => (set === "test" && x?.status === "finished" && x.test === undefined ? "missing" : x?.status ?? "failed"));
    out.errors![v] = runs.map((x) => x?.error ?? (x === undefined ? "the run recorded nothing for this variant" : undefined));
  }
  return out;
}

export function studyVerdict(
  results: SeedResults,
  options: { metric: string; reference: string; higherIsBetter?: boolean; smallestDifference?: number; percent?: boolean },
): StudyVerdict {
  const byVariant = new Map<string, Map<string, Cell>>();
  for (const [name, values] of Object.entries(results.values)) {
    const runs = new Map<string, Cell>();
    values.forEach((value, i) => {
      const seed = results.seeds[i] ?? String(i);
      const status = results.status?.[name]?.[i];
      const where = `variant "${name}" seed ${seed}`;
      const error = results.errors?.[name]?.[i];
      let cell: Cell;
      if (status === "running") cell = { outcome: "unfinished", where };
      else if (status === "failed" || status === "diverged" || status === "skipped" || status === "missing") cell = { outcome: status, where };
      else if (!Number.isFinite(value)) cell = { outcome: "diverged", where };
      else cell = { outcome: "finished", value, where };
      if (error && cell.outcome !== "finished") cell.error = error;
      runs.set(seed, cell);
    });
    byVariant.set(name, runs);
  }
  const override = options.higherIsBetter === undefined ? undefined : { higherIsBetter: options.higherIsBetter };
  return analyzeCells(byVariant, {
    metric: options.metric,
    reference: options.reference,
    direction: metricDirection(options.metric, override),
    ...(options.smallestDifference !== undefined ? { smallestDifference: options.smallestDifference } : {}),
    ...(options.percent ? { percent: true } : {}),
    setAside: results.setAside ?? null,
  });
}

function numberFormat(asPercent: boolean) {
  const f = (x: number) => metricValueText(x, asPercent);
  const signed = (x: number) => signedMetricValueText(x, asPercent);
  return { f, signed, unit: asPercent ? " pp" : "" };
}

const rate = (x: number) => `${Math.round(x * 100)}%`;

/** "2 of 6 runs failed: 1 diverged, 1 failed (33%, 95% CI 4%–78%)". */
function failureLine(v: Analysis["variants"][number]): string | undefined {
  const failures = v.diverged + v.failed;
  if (failures === 0 || v.failure_rate === null) return undefined;
  const ended = v.n + failures;
  const parts = [v.diverged ? `${v.diverged} diverged` : "", v.failed ? `${v.failed} failed` : ""].filter(Boolean).join(", ");
  const ci = v.failure_rate_ci!;
  return `${v.name}: ${failures} of ${ended} runs did not finish (${parts}): failure rate ${rate(v.failure_rate)} (95% CI ${rate(ci[0])}–${rate(ci[1])})`;
}

/**
 * The verdict as the text twin prints: header (seeds, pairing, metric and its
 * direction), per-variant table, failures, comparisons with what they rest
 * on, notes and advice. Metric values in [0, 1] are shown as percentages when asPercent.
 */
export function formatVerdict(title: string, v: Analysis, asPercent = true): string {
  const { f, signed, unit } = numberFormat(asPercent);
  const lines = [`${title ? `${title} · ` : ""}${v.seeds} seed${v.seeds === 1 ? "" : "s"} · ${v.paired ? "paired by seed" : "unpaired"} · ${v.metric}, ${v.direction}`];
  if (!v.paired || /given/.test(v.pairing)) lines.push(`${v.paired ? "paired" : "unpaired"}: ${v.pairing}`);
  if (v.set_aside) lines.push(v.set_aside.note);
  const withTest = v.test_set != null;
  if (withTest) lines.push(`test columns: ${v.test_set!.note}`);
  const meanSd = (mean: number, sd: number) => `${f(mean)} ± ${Number.isNaN(sd) ? "n/a" : f(sd)}`;
  const testCells = (x: Analysis["variants"][number]): string[] => {
    const t = x.test_set;
    if (!withTest) return [];
    return t ? [meanSd(t.mean, t.sd), f(t.max - t.min)] : ["-", "-"];
  };
  const header = ["variant", "n", withTest ? "val mean ± sd" : "mean ± sd", "min", "max", "range", ...(withTest ? ["test mean ± sd", "test range"] : []), "not finished"];
  const rows = v.variants.map((x) => {
    const out = [x.diverged ? `${x.diverged} diverged` : "", x.failed ? `${x.failed} failed` : "", x.unfinished ? `${x.unfinished} unfinished` : "", x.missing ? `${x.missing} missing` : "", x.skipped ? `${x.skipped} not trained` : ""].filter(Boolean).join(", ");
    const desc = x.n === 0 ? ["no finished run", "", "", ""] : [meanSd(x.mean, x.sd), f(x.min), f(x.max), f(x.max - x.min)];
    return [x.name, String(x.n), ...desc, ...testCells(x), out || "-"];
  });
  // Widths from the printed strings (a value near 1e300 widens its column); the least widths keep the usual layout.
  lines.push(...textTable([header, ...rows], [
    { align: "left", min: 8 },
    { align: "right", min: 3 },
    { align: "left", min: 16 },
    { align: "right", min: 8 },
    { align: "right", min: 8, gap: " " },
    { align: "right", min: 8, gap: " " },
    ...(withTest ? [{ align: "left" as const, min: 16 }, { align: "right" as const, min: 10 }] : []),
    { align: "left" },
  ]));
  for (const x of v.variants) {
    const line = failureLine(x);
    if (line) lines.push(line);
    for (const e of x.errors) lines.push(`  ${e.error}  (seed${e.seeds.length > 1 ? "s" : ""} ${e.seeds.join(", ")})`);
  }
  for (const fc of v.failure_comparisons) lines.push(failureComparisonText(fc));
  for (const c of v.comparisons) {
    const adj = v.comparisons.length > 1 ? `, Holm-adjusted ${pValueClause(c.p_adjusted)}` : "";
    lines.push(`${c.b} − ${c.a}  ${signed(c.diff)}${unit}  ${intervalText(c.ci, v.level, asPercent)}  ${testName(c)}, ${pValueClause(c.p)}${adj}`);
    lines.push(`  ${restsOnText(c)}`);
    if (withTest) {
      const t = c.test_set;
      lines.push(
        t
          ? `  on the test set: ${signed(t.diff)}${unit}  ${intervalText(t.ci, v.level, asPercent)}  ${testName({ ...c, test: t.test, method: t.method })}, ${pValueClause(t.p)}${v.comparisons.length > 1 ? `, Holm-adjusted ${pValueClause(t.p_adjusted)}` : ""} (${t.n_pairs ?? t.n} ${t.n_pairs !== null ? "pairs" : "runs"}; reported, not used to choose)`
          : "  on the test set: not compared (too few tested runs)",
      );
    }
    const ci = c.prob_improvement_ci ? ` (${Math.round(v.level * 100)}% CI ${c.prob_improvement_ci[0].toFixed(2)}–${c.prob_improvement_ci[1].toFixed(2)})` : "";
    lines.push(`  P(${c.b} better than ${c.a}) = ${c.prob_improvement.toFixed(2)}${ci}${c.pairing_gain !== null ? `; ${pairingGainText(c.pairing_gain, c.pairing_gain_ci, c.pairing_gain_ci_note, v.level)}` : ""}; effect size ${effectSizeText(c)}`);
    lines.push(...robustLines(c, asPercent));
    const spread = spreadLine(c.a, c.b, c, v.level);
    if (spread) lines.push(`  ${spread}`);
    for (const note of c.notes) lines.push(`  note: ${note}`);
  }
  for (const nc of v.not_compared) lines.push(`${nc.b} − ${nc.a}: not compared: ${nc.reason}`);
  for (const p of v.problems) lines.push(`left out: ${p}`);
  for (const a of v.advice) lines.push(`advice: ${a}`);
  return lines.join("\n");
}

/** Said instead of an interval that has no width: every seed gave the same difference, and a zero-width interval would claim a coverage it cannot have. */
export const NO_INTERVAL = "no interval (no spread over seeds)";

/** "95% CI [-0.48, +0.94]" as the verdict prints it, or {@link NO_INTERVAL} when its ends are equal. */
export function intervalText(ci: [number, number], level: number, asPercent: boolean): string {
  if (ci[0] === ci[1]) return NO_INTERVAL;
  return `${Math.round(level * 100)}% CI [${signedMetricValueText(ci[0], asPercent)}, ${signedMetricValueText(ci[1], asPercent)}]`;
}

/** "failure rate new vs base: 2/6 vs 0/6, 0 seed(s) where only base failed, 2 where only new failed; exact McNemar p = 0.500": the CLI's line, and the report's. */
export function failureComparisonText(fc: Analysis["failure_comparisons"][number]): string {
  const how = fc.paired ? `, ${fc.discordant![0]} seed(s) where only ${fc.a} failed, ${fc.discordant![1]} where only ${fc.b} failed` : "";
  return `failure rate ${fc.b} vs ${fc.a}: ${fc.b_failures}/${fc.b_ended} vs ${fc.a_failures}/${fc.a_ended}${how}; ${fc.test} ${pValueClause(fc.p)}`;
}

/** "rests on 4 pairs (2 seeds left out: seed 1 new diverged, seed 4 new failed)": what a comparison rests on, in the CLI's and the report's words. */
export function restsOnText(c: Analysis["comparisons"][number]): string {
  return c.paired
    ? `rests on ${c.n_pairs} pair${c.n_pairs === 1 ? "" : "s"}${c.excluded_pairs ? ` (${c.excluded_pairs} seed${c.excluded_pairs === 1 ? "" : "s"} left out: ${c.excluded.map((e) => `seed ${e.seed} ${e.variant} ${e.outcome}`).join(", ")})` : ""}`
    : `rests on ${c.n} runs${c.excluded_pairs ? ` (${c.excluded_pairs} left out: ${c.excluded.map((e) => `${e.variant} seed ${e.seed} ${e.outcome}`).join(", ")})` : ""}`;
}

const times = (x: number) => (x >= 1e4 ? x.toExponential(1) : x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2));

/** "pairing cut the variance 4.1× (95% CI 1.3–13×)"; "noisier" only when the whole interval is below 1; why there is no interval. The report says it in the same words. */
export function pairingGainText(gain: number, ci: [number, number] | null, noInterval: string | null, level: number): string {
  if (!Number.isFinite(gain)) return "pairing removed all the noise of the difference";
  const interval = ci ? ` (${Math.round(level * 100)}% CI ${times(ci[0])}–${Number.isFinite(ci[1]) ? times(ci[1]) : "∞"}×)` : noInterval ? ` (no interval: ${noInterval})` : "";
  if (ci && ci[1] < 1) return `pairing made the difference noisier: variance ratio ${times(gain)}×${interval}`;
  if (ci && ci[0] <= 1) return `pairing gain ${times(gain)}×${interval}: unclear whether pairing helped`;
  if (gain < 1 || (!ci && gain < 1.05)) return `pairing gain ${times(gain)}×${interval}`;
  return `pairing cut the variance of the difference ${times(gain)}×${interval}`;
}

/**
 * "d_z = 0.42" (Lakens 2013; Hedges' g unpaired), or "d_z n/a (no spread)" when
 * the differences (or runs) do not vary: the standardized effect is then
 * mean/0, undefined (0/0 when every difference is 0), never the 0.00 or
 * infinity the division gives. The report's and the CLI's words.
 */
export function effectSizeText(c: Pick<Analysis["comparisons"][number], "effect_size" | "effect_size_name">): string {
  if (c.effect_size === null || !Number.isFinite(c.effect_size)) return `${c.effect_size_name} n/a (no spread)`;
  const x = c.effect_size, a = Math.abs(x);
  return `${c.effect_size_name} = ${a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(2) : x.toFixed(2)}`;
}

/** The test's name, saying paired once, and for rank and permutation tests how the p-value was computed (the CLI's and the report's). */
export function testName(c: Pick<Analysis["comparisons"][number], "test" | "paired" | "method">): string {
  if (c.test === "none") return "no test (no spread)";
  const name = c.paired && !/paired/i.test(c.test) ? `paired ${c.test}` : c.test;
  if (!/wilcoxon|mann|permutation|sign|rank/i.test(c.test)) return name;
  const how = c.method === "asymptotic" ? "normal approximation" : c.method === "monte-carlo" ? "Monte Carlo" : "exact";
  return /exact|approximation|monte carlo/i.test(c.test) ? name : `${name} (${how})`;
}

/** A black swan's robust z as the verdict names it ("-12.1"; "-4.9e+15" when the other seeds barely vary), and the differences chart's tooltip with it. */
export function robustZText(z: number): string {
  return Math.abs(z) < 1e4 ? z.toFixed(1) : z.toPrecision(2);
}

/** What the verdict says about black swans and the robust comparisons of one comparison, in the words of `robustVerdictText`. */
export interface RobustVerdictText {
  /** "black swan: seed 2, robust z -12.1" (by seed; unpaired, with the variant). */
  swans: string | null;
  /** "robust check: without the swans +1.31 pp, p = 3.5e-5 (7 pairs); 20% trimmed …", when the plain p needs a warning. */
  check: string | null;
  /** "warning: …", when the plain p must not be read alone. */
  warning: string | null;
  /** Why the warning is set. */
  reasons: string[];
  /** What clean seeds cannot rule out, beside a significant plain p. */
  caveat: string | null;
}

/**
 * Black swans by seed, the comparison without them, the robust and exact ones, and whether they disagree:
 * the one wording that the CLI verdict, the report and the dashboard print, with the CLI's numbers.
 */
export function robustVerdictText(c: Analysis["comparisons"][number], asPercent = true): RobustVerdictText {
  const { signed, unit } = numberFormat(asPercent);
  const r = c.robust;
  const none: RobustVerdictText = { swans: null, check: null, warning: null, reasons: [], caveat: null };
  if (!r) return none;
  const swans = c.black_swans.length > 0
    ? `black swan${c.black_swans.length > 1 ? "s" : ""}: ${c.black_swans.map((s) => `seed ${s.seed}${s.variant ? ` (${s.variant})` : ""}, robust z ${robustZText(s.z)}`).join("; ")}`
    : null;
  if (!r.warning) return { ...none, swans, caveat: r.caveat };
  const parts: string[] = [];
  if (r.without_swans) parts.push(`without the swans ${signed(r.without_swans.estimate)}${unit}, ${pValueClause(r.without_swans.p)} (${r.without_swans.n} ${c.paired ? "pairs" : "runs"})`);
  if (r.trimmed) parts.push(`20% trimmed ${signed(r.trimmed.estimate)}${unit}, ${pValueClause(r.trimmed.p)}`);
  if (r.exact) parts.push(`${r.exact.method === "exact" ? "exact" : "Monte Carlo"} ${c.paired ? "sign-flip" : "permutation"} ${pValueClause(r.exact.p)}`);
  if (r.skew_corrected) parts.push(`skew-corrected t ${pValueClause(r.skew_corrected.p)}`);
  return {
    swans,
    check: parts.length ? `robust check: ${parts.join("; ")}` : null,
    warning: r.disagree ? "warning: the plain and robust comparisons disagree; do not read the plain p alone" : "warning: read the plain p with care",
    reasons: r.reasons,
    caveat: r.caveat,
  };
}

function robustLines(c: Analysis["comparisons"][number], asPercent: boolean): string[] {
  const t = robustVerdictText(c, asPercent);
  return [
    ...(t.swans ? [`  ${t.swans}`] : []),
    ...(t.check ? [`  ${t.check}`] : []),
    ...(t.warning ? [`  ${t.warning}`, ...t.reasons.map((why) => `    ${why}`)] : []),
    ...(t.caveat ? [`  note: ${t.caveat}`] : []),
  ];
}
