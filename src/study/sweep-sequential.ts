/**
 * `twin sweep --sequential`: the group-sequential design of `twin compare
 * --sequential` (sequential-compare.ts) over a sweep's commands. Each look runs
 * the seeds up to it (runs already in the store are kept, so a look costs only
 * its new seeds), then tests every variant against the reference at its
 * planned boundary; the sweep stops once every comparison is decided or the
 * last look is reached. The decisions are a pure function of the planned
 * looks and the stored results, so running the same command again replays the
 * looks and continues where it stopped.
 */
import { defaultMetric } from "./metric-direction.ts";
import { showsPercentPoints } from "./metric-units.ts";
import { decided, sequentialLook, startSequential, type SequentialPlan } from "./sequential-compare.ts";
import { runSweep } from "./sweep.ts";
import type { SweepOptions, SweepOutcome, SweepResult } from "./sweep-types.ts";
import type { SeedResults } from "./verdict.ts";
import type { SequentialLook, SpendingFunction } from "../stats/index.ts";

export interface SequentialSweepOptions extends SweepOptions {
  /** Seeds at each look, increasing; the last is the maximum. */
  looks: number[];
  spending?: SpendingFunction;
  /** Called after each analysed look, per comparison; `percent`: the metric is an accuracy of fractions, printed in pp as the verdict prints it. */
  onLook?: (plan: SequentialPlan, b: string, look: SequentialLook, percent: boolean) => void;
}

export interface SequentialSweepResult {
  result: SweepResult;
  plan: SequentialPlan;
  /** The metric the design tests. */
  metric: string;
}

/** The metric per variant and seed label of a look's runs, in plan order (NaN: failed, skipped or no value). */
export function lookResults(runs: readonly SweepOutcome[], variants: readonly string[], metric: string): SeedResults {
  const labels = [...new Set(runs.map((o) => o.label))];
  const values: Record<string, number[]> = {};
  for (const v of variants) {
    const byLabel = new Map(runs.filter((o) => o.variant === v).map((o) => [o.label, o]));
    values[v] = labels.map((l) => {
      const o = byLabel.get(l);
      return o?.status === "finished" ? (o.metrics[metric] ?? NaN) : NaN;
    });
  }
  return { values, seeds: labels.map(String) };
}

/** Runs a sweep look by look under a group-sequential design. Needs two or more variants. */
export async function runSequentialSweep(options: SequentialSweepOptions): Promise<SequentialSweepResult> {
  const names = options.variants.map((v) => v.name);
  if (names.length < 2) {
    throw new Error("--sequential compares variants look by look: give two or more in one command (--variants-file), so that each look runs every variant's seeds");
  }
  if (options.vary !== undefined) throw new Error("--sequential adds seeds of every factor at once; it cannot be combined with --vary");
  const reference = options.reference ?? names[0]!;
  if (!names.includes(reference)) throw new Error(`--reference ${reference}: no such variant (variants: ${names.join(", ")})`);
  const plan = startSequential(names, reference, options.looks, { alpha: options.alpha ?? 0.05, spending: options.spending ?? "obrien-fleming" });
  let result: SweepResult | undefined;
  let metric = options.metric;
  for (const look of options.looks) {
    if (decided(plan)) break;
    result = await runSweep({ ...options, seeds: look, plannedLook: true });
    if (result.stopped) break;
    if (metric === undefined) {
      metric = defaultMetric(result.table.metrics);
      if (metric === undefined) throw new Error(`no run of sweep ${result.name} reported a metric by ${look} seeds; a sequential design needs one (see twin sweep --help for how runs report metrics)`);
    }
    const values = lookResults(result.runs, names, metric);
    const percent = showsPercentPoints(metric, Object.values(values.values).flat());
    for (const { b, look: l } of sequentialLook(plan, values, look)) options.onLook?.(plan, b, l, percent);
  }
  return { result: result!, plan, metric: metric ?? "" };
}
