/**
 * A seed-sensitivity report: per variant, the distribution over seeds, each
 * seed's rank and black swans (robust z by MAD), the expected best of k runs,
 * and, with one-factor-at-a-time runs, how much variance each factor contributes.
 */
import { blackSwans, describe, failureRate, SWAN_MIN_SEEDS, swanThreshold, tooFewSeedsForSwans, expectedMaxCurve, varianceDecomposition, type Description, type VarianceDecomposition } from "../stats/index.ts";
import { FACTORS } from "../rng/factors.ts";
import type { StudyResults } from "./run-study.ts";
import { seedSpreads, spreadLine, type SeedSpread } from "./spread-fields.ts";
import { cutSharesNote, NO_FACTOR_SPREAD, sharesSentence, shareText, undrawnText } from "./variance-shares.ts";
import { showsPercentPoints } from "./metric-units.ts";
import { metricDirection } from "./metric-direction.ts";

export interface VariantSeedReport {
  name: string;
  /** Runs with all factors varied (or the only group there is) that finished; null when none did. */
  description: Description | null;
  /** The same runs on the held-out test set (evaluated once after the last step, never used to choose); null without one. */
  test: Description | null;
  /** Runs of that group that diverged or failed, and their errors' first lines. */
  diverged: number;
  failed: number;
  /** (diverged + failed) / runs of that group, with its Clopper–Pearson 95% interval; null when the group has no run. */
  failureRate: { rate: number; ci: [number, number] } | null;
  errors: string[];
  labels: number[];
  values: number[];
  ranks: number[];
  blackSwans: number[];
  /** Robust z beyond which a seed is a black swan: calibrated for 5% false alarms on normal seeds at this n. */
  swanThreshold: number | null;
  expectedMax: { n: number; mean: number; sd: number }[];
  variance?: VarianceDecomposition;
  /**
   * Runs of the one-factor groups without a final value (diverged, failed, or
   * ended without the metric), "init#3": not in the variance by factor, nor in
   * the failure counts above (those are the main group's).
   */
  varianceLeftOut?: { run: string; outcome: "diverged" | "failed" | "no final value" }[];
  /** Why there is no variance by factor although the study varied factors one at a time (a factor with fewer than 2 final values). */
  varianceMissing?: string;
  /** Factors whose stream this variant's model never drew from in the runs that varied them (0 draws in the control sums; not known for init and split, drawn before the first step). */
  undrawn?: string[];
}

export interface SeedReport {
  study: string;
  metric: string;
  groups: string[];
  variants: VariantSeedReport[];
  /** Each variant's seed spread against the first's (paired by seed): variance ratio, interval, tests. */
  spreads: SeedSpread[];
}

export function seedReport(results: StudyResults, metric: "accuracy" | "loss"): SeedReport {
  const groups = [...new Set(results.runs.flatMap((r) => [r.plan.group, ...(r.plan.alsoIn ?? [])]))];
  const higherIsBetter = metric === "accuracy";
  const main = groups.includes("all") ? "all" : groups[0];
  const variants = results.variants.map((name) => {
    const valuesOf = (group: string) =>
      results.runs.filter((r) => r.plan.group === group || r.plan.alsoIn?.includes(group)).map((r) => ({ label: r.plan.label, value: r.result.variants[name].final?.[metric] ?? NaN }));
    const outcomes = results.runs.filter((r) => r.plan.group === main || r.plan.alsoIn?.includes(main)).map((r) => r.result.variants[name]);
    const diverged = outcomes.filter((v) => v?.status === "diverged").length;
    const failed = outcomes.filter((v) => v === undefined || v.status === "failed").length;
    const errors = [...new Set(outcomes.filter((v) => v?.error).map((v) => v!.error!.split("\n")[0]!))];
    const mainRuns = valuesOf(main).filter((x) => Number.isFinite(x.value));
    const testValues = results.runs
      .filter((r) => r.plan.group === main || r.plan.alsoIn?.includes(main))
      .map((r) => r.result.variants[name]?.test?.[metric] ?? NaN)
      .filter(Number.isFinite);
    const values = mainRuns.map((x) => x.value);
    const threshold = values.length >= SWAN_MIN_SEEDS ? swanThreshold(values.length) : null;
    const swans = threshold !== null ? blackSwans(values, { higherIsBetter, threshold }) : undefined;
    const report: VariantSeedReport = {
      name,
      description: values.length ? describe(values) : null,
      test: testValues.length ? describe(testValues) : null,
      diverged,
      failed,
      failureRate: outcomes.length ? (({ rate, ci }) => ({ rate, ci }))(failureRate(diverged + failed, outcomes.length)) : null,
      errors,
      labels: mainRuns.map((x) => x.label),
      values,
      ranks: swans ? swans.seeds.map((s) => s.rank) : values.map(() => NaN),
      blackSwans: swans ? swans.seeds.filter((s) => s.flagged).map((s) => mainRuns[s.index].label) : [],
      swanThreshold: threshold,
      expectedMax: values.length ? expectedMaxCurve(values, { higherIsBetter }).map((p) => ({ n: p.n, mean: p.mean, sd: p.sd })) : [],
    };
    const factorGroups = groups.filter((g) => (FACTORS as readonly string[]).includes(g) || (g !== "all" && g !== "grid"));
    if (factorGroups.length > 0) {
      const byFactor = Object.fromEntries(factorGroups.map((g) => [g, valuesOf(g).map((x) => x.value).filter(Number.isFinite)]));
      const leftOut = results.runs
        .filter((r) => r.plan.group !== main && factorGroups.includes(r.plan.group) && !Number.isFinite(r.result.variants[name]?.final?.[metric] ?? NaN))
        .map((r) => {
          const status = r.result.variants[name]?.status;
          return { run: `${r.plan.group}#${r.plan.label}`, outcome: status === undefined || status === "failed" ? ("failed" as const) : status === "diverged" ? ("diverged" as const) : ("no final value" as const) };
        });
      if (leftOut.length > 0) report.varianceLeftOut = leftOut;
      const short = factorGroups.filter((g) => byFactor[g]!.length < 2);
      if (short.length > 0) report.varianceMissing = `${short.map((g) => `${g} has ${byFactor[g]!.length} run${byFactor[g]!.length === 1 ? "" : "s"} with a final value`).join(", ")}; each factor needs 2`;
      if (short.length === 0) {
        report.variance = varianceDecomposition(byFactor, groups.includes("all") ? values : undefined);
        const undrawn = factorGroups.filter((g) => undrawnStream(results.runs.filter((r) => r.plan.group === g || r.plan.alsoIn?.includes(g)), g, name));
        if (undrawn.length > 0) report.undrawn = undrawn;
      }
    }
    return report;
  });
  return { study: results.study, metric, groups, variants, spreads: seedSpreads(variants) };
}

/** Factors drawn from before the first step: their streams' draw counts (control sums) do not show those draws. */
const DRAWN_BEFORE_TRAINING = new Set(["init", "split"]);

/**
 * Whether `variant`'s model never drew from factor `factor`'s stream in these runs: its control sum (the
 * variant's own stream `factor@variant`, else the shared `factor`) counts 0 draws at the end of every run.
 */
function undrawnStream(runs: StudyResults["runs"], factor: string, variant: string): boolean {
  if (DRAWN_BEFORE_TRAINING.has(factor) || runs.length === 0) return false;
  return runs.every((r) => {
    const sums = r.result.controlSums ?? [];
    const own = sums.find((c) => c.stream === `${factor}@${variant}`) ?? sums.find((c) => c.stream === factor);
    return own !== undefined && own.draws === 0;
  });
}

/** The variance-by-factor lines: each factor's sd and share with their intervals, and whether the shares add up (variance-shares.ts). */
function varianceLines(d: VarianceDecomposition, f: (x: number) => string, undrawn: readonly string[] = []): string[] {
  const pct = Math.round(d.level * 100);
  const ns = [...new Set(d.factors.map((x) => x.n))];
  const few = ns.every((n) => n < 5) ? `; ${ns.join("/")} runs per factor, so the intervals are wide: more runs with --n` : "";
  const out = [`  variance by factor (one factor varied at a time; ${pct}% intervals${few}):`];
  const w = Math.max(...d.factors.map((x) => x.factor.length), "all varied".length);
  const sdCi = (ci: [number, number]) => `[${f(Math.sqrt(ci[0]))}, ${f(Math.sqrt(ci[1]))}]`;
  for (const x of d.factors) {
    if (x.variance === 0) {
      out.push(`    ${x.factor.padEnd(w)}  ${undrawn.includes(x.factor) ? undrawnText(x.factor) : NO_FACTOR_SPREAD}`);
      continue;
    }
    const share = Number.isFinite(x.share) ? `  share ${shareText(x)}` : "";
    out.push(`    ${x.factor.padEnd(w)}  sd ${f(x.sd)} ${sdCi(x.varianceCi)}${share}`);
  }
  if (d.totalCi) out.push(`    ${"all varied".padEnd(w)}  sd ${f(Math.sqrt(d.total))} ${sdCi(d.totalCi)}`);
  const sum = d.factors.reduce((s, x) => s + x.variance, 0);
  out.push(`    ${sharesSentence({ sum, total: d.total, totalCi: d.totalCi, level: d.level }, f)}`);
  const cut = cutSharesNote(d.factors.filter((x) => x.variance > 0).map((x) => ({ ...x, label: x.factor })), d.level);
  if (cut) out.push(`    ${cut}`);
  return out;
}

/** The line on one-factor runs without a final value: named, and said to be outside the failure counts of the main group. */
export function varianceLeftOutText(runs: NonNullable<VariantSeedReport["varianceLeftOut"]>, main: string): string {
  const shown = runs.slice(0, 8).map((r) => `${r.run} ${r.outcome}`).join(", ") + (runs.length > 8 ? `, … (${runs.length} in all)` : "");
  return `left out of the variance by factor (no final value): ${shown}; not in the failure counts above, which are the ${main === "all" ? "all-varied" : main} runs'`;
}

export function formatSeedReport(r: SeedReport): string {
  const pct = showsPercentPoints(r.metric);
  const f = (x: number) => (pct ? (x * 100).toFixed(2) : x.toFixed(4));
  const lines = [`${r.study} · validation ${r.metric} · groups: ${r.groups.join(", ")}`];
  for (const v of r.variants) {
    const d = v.description;
    const rate = v.failureRate ? `: failure rate ${Math.round(v.failureRate.rate * 100)}% (95% CI ${Math.round(v.failureRate.ci[0] * 100)}%–${Math.round(v.failureRate.ci[1] * 100)}%)` : "";
    const lost = v.diverged + v.failed ? ` (${[v.diverged ? `${v.diverged} diverged` : "", v.failed ? `${v.failed} failed` : ""].filter(Boolean).join(", ")}, not in these figures${rate})` : "";
    if (d === null) {
      lines.push(`${v.name}: no run finished${lost}`);
      for (const e of v.errors) lines.push(`  failed: ${e}`);
      continue;
    }
    lines.push(`${v.name}: ${f(d.mean)} ± ${Number.isNaN(d.sd) ? "n/a" : f(d.sd)} over ${d.n} runs, min ${f(d.min)}, max ${f(d.max)}, range ${f(d.range)}${lost}`);
    const t = v.test;
    if (t) lines.push(`  held-out test set (never used to choose): ${f(t.mean)} ± ${Number.isNaN(t.sd) ? "n/a" : f(t.sd)} over ${t.n} runs, min ${f(t.min)}, max ${f(t.max)}, range ${f(t.range)}`);
    for (const e of v.errors) lines.push(`  failed: ${e}`);
    const order = v.labels.map((label, i) => ({ label, value: v.values[i] })).sort((a, b) => (metricDirection(r.metric).higherIsBetter ? b.value - a.value : a.value - b.value));
    lines.push(`  by seed (best first): ${order.map((o) => `${o.label}:${f(o.value)}`).join("  ")}`);
    lines.push(
      v.swanThreshold === null
        ? `  black swans: ${tooFewSeedsForSwans(d.n)}`
        : `  black swans (|robust z| > ${v.swanThreshold.toFixed(2)}; 5% false alarms on normal seeds): ${v.blackSwans.length ? v.blackSwans.map((s) => `seed ${s}`).join(", ") : "none"}`,
    );
    const em = v.expectedMax;
    const pick = [1, 3, 5, 10].filter((k) => k <= em.length).map((k) => `${k}: ${f(em[k - 1].mean)}`);
    lines.push(`  expected best of k runs: ${pick.join("  ")}`);
    if (v.variance) lines.push(...varianceLines(v.variance, f, v.undrawn));
    else if (v.varianceMissing) lines.push(`  variance by factor: not computed: ${v.varianceMissing}`);
    if (v.varianceLeftOut) lines.push(`  ${varianceLeftOutText(v.varianceLeftOut, r.groups.includes("all") ? "all" : r.groups[0]!)}`);
  }
  for (const sp of r.spreads) {
    const line = spreadLine(sp.a, sp.b, sp, 0.95);
    if (line) lines.push(`${line} (${sp.n_pairs} seeds)`);
  }
  return lines.join("\n");
}
