/**
 * `twin sweep`: any training command, run once per seed with per-factor seeds
 * in its environment, its metrics collected and stored like native runs, and
 * analysed with the same statistics as `twin stats`.
 *
 * A sweep is a study in the store (kind "sweep") whose variants each have a
 * command. Running `twin sweep --name S --variant a -- cmdA`, then
 * `--variant b -- cmdB`, builds one study whose variants are paired by seed.
 * The commands are started by a light launcher process (sweep-launcher.ts);
 * each run goes through the run lifecycle of sweep-run.ts.
 */
import { join, resolve } from "node:path";
import { openStore, sha256, StoreError } from "../store/index.ts";
import { analyzeResults } from "./analyze.ts";
import { showsPercentPoints } from "./metric-units.ts";
import { priorAnalyses, recordAnalysis, repeatedAnalysisWarning } from "./analysis-log.ts";
import { STALE_AFTER_MS, workerId } from "./lifecycle.ts";
import { planRuns, type PlannedRun } from "./seed-plan.ts";
import { DEFAULT_SPLIT_MODE, splitModeMix, withSharedSplit } from "./split-mode.ts";
import { checkCommand, checkFactor, checkVariantName, defaultSweepName } from "./sweep-input.ts";
import { CommandLauncher } from "./sweep-launcher-client.ts";
import { defaultMetric } from "./metric-direction.ts";
import { summarize, sweepResults } from "./sweep-results.ts";
import { sweepRun, type SweepContext } from "./sweep-run.ts";
import type { SweepOptions, SweepOutcome, SweepResult } from "./sweep-types.ts";
import { prepareVariants } from "./sweep-variants.ts";
import { sweepPredictions } from "./sweep-deployment.ts";
import { deploymentAnalysis } from "./deployment.ts";

export type { SweepOptions, SweepOutcome, SweepResult, SweepRunInfo, SweepVariant } from "./sweep-types.ts";

export const SWEEP_STUDY_HASH = sha256("twin.sweep.v1");

function folderOf(name: string, vary: string | undefined): string {
  return vary ? `${name}.vary-${vary}` : name;
}

function checkOptions(options: SweepOptions): { n: number; first: number; jobs: number; name: string; vary: string | undefined } {
  if (options.variants.length === 0) throw new Error("nothing to run: give a command after --, e.g. twin sweep --seeds 5 -- python train.py");
  const names = new Set<string>();
  for (const v of options.variants) {
    checkVariantName(v.name);
    if (names.has(v.name)) throw new Error(`variant '${v.name}' appears twice`);
    names.add(v.name);
    checkCommand(v.command, `variant '${v.name}'`);
  }
  const vary = options.vary === undefined ? undefined : checkFactor(options.vary);
  const n = options.seeds ?? 5;
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--seeds must be a positive integer (got ${n})`);
  const first = options.first ?? 0;
  if (!Number.isSafeInteger(first) || first < 0) throw new Error(`--first must be a non-negative integer (got ${first})`);
  const jobs = options.jobs ?? 1;
  if (!Number.isSafeInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer (got ${jobs})`);
  const name = options.name ?? defaultSweepName(options.variants[0]!.command);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`sweep name '${name}' cannot be used: use letters, digits, '.', '_' and '-'`);
  return { n, first, jobs, name, vary };
}

export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const warn = options.onWarning ?? ((s: string) => process.stderr.write(`twin: ${s}\n`));
  const { n, first, jobs, name, vary } = checkOptions(options);
  const planned: PlannedRun[] = planRuns(vary ? { vary, n, first } : { n, first });
  const split = options.split ?? DEFAULT_SPLIT_MODE;
  const plans = split === "shared" ? withSharedSplit(planned) : planned;

  const store = await openStore(options.storeUrl, { cwd });
  let launcher: CommandLauncher | undefined;
  const stopAll = () => launcher?.stopAll();
  try {
    const { study } = await store.putStudy({ name, specHash: SWEEP_STUDY_HASH, spec: { kind: "sweep" } });
    if ((study.spec as { kind?: string } | null)?.kind !== "sweep") {
      throw new StoreError(`study '${name}' in the store at ${store.location} is not a sweep (it was made by twin compare/seeds); choose another --name`);
    }
    const mixed = splitModeMix(await store.listRuns({ study: name }), split);
    if (mixed) {
      throw new StoreError(
        `sweep '${name}' ${mixed}: runs of the same seeds with another split would sit side by side and its verdict would mix the two designs. ` +
          `Give the sweep another --name, or run it with the split it has`,
      );
    }
    const states = await prepareVariants(store, name, options.variants, cwd, options.allowChanged ?? false, warn);
    // Runs of a sweep on another host that went silent go back to the queue; a run left by a dead
    // sweep on this host is taken over as soon as it is reached (sweep-run.ts).
    const { requeued } = await store.requeueStale(STALE_AFTER_MS, { study: name });
    if (requeued.length) warn(`running again ${requeued.length} run(s) left unfinished by a sweep that stopped: ${requeued.join(", ")}`);

    launcher = await CommandLauncher.start();
    options.signal?.addEventListener("abort", stopAll, { once: true });
    let stopped = false;
    const ctx: SweepContext = {
      store,
      launcher,
      worker: workerId("sweep"),
      study: name,
      cwd,
      root: join(cwd, ".twin", "sweeps", folderOf(name, vary)),
      options,
      warn,
      stopped: () => stopped,
      stop: () => void (stopped = true),
    };
    // Seed-major order: every variant of a seed before the next seed, so an interrupted sweep leaves whole pairs.
    const tasks = plans.flatMap((plan) => states.map((state) => ({ plan, state })));
    const outcomes: SweepOutcome[] = new Array(tasks.length);
    let done = 0;
    let next = 0;
    const lanes = Array.from({ length: Math.min(jobs, tasks.length) }, async () => {
      while (next < tasks.length) {
        const index = next++;
        const { plan, state } = tasks[index]!;
        const outcome = await sweepRun(ctx, plan, state);
        outcomes[index] = outcome;
        options.onRunEnd?.(outcome, ++done, tasks.length);
      }
    });
    await Promise.all(lanes);
    if (options.signal?.aborted) stopped = true;

    const table = await sweepResults(store, name);
    const summaries = summarize(table);
    const result: SweepResult = { name, store: store.location, vary: vary ?? null, runs: outcomes, stopped, table, summaries };
    const predictions = await sweepPredictions(store, table);
    if (predictions.length > 0) result.deployment = deploymentAnalysis(predictions);
    const variantsWithRuns = new Set(table.rows.map((r) => r.variant));
    if (options.metric !== undefined && table.rows.length > 0 && !table.metrics.includes(options.metric)) {
      throw new Error(`--metric ${options.metric}: no run reported it; the metrics are ${table.metrics.join(", ")}`);
    }
    const metric = options.metric ?? defaultMetric(table.metrics);
    if (variantsWithRuns.size < 2 || metric === undefined) {
      result.analysisNote =
        variantsWithRuns.size === 0
          ? "no finished runs to analyse"
          : metric === undefined
            ? `no run reported a metric, so there is nothing to analyse: each run's error is above (twin runs --study ${name} lists the runs)`
            : `one variant so far; sweep another into the same study (--name ${name} --variant NAME -- <command>) for a paired comparison`;
    } else {
      result.analysis = analyzeResults(table, {
        metric,
        percent: showsPercentPoints(metric, table.rows.map((r) => r.metrics[metric] ?? NaN)),
        lowerIsBetter: options.lowerIsBetter,
        reference: options.reference,
        test: options.test,
        alpha: options.alpha,
      });
      const prior = await priorAnalyses(store, name);
      await recordAnalysis(store, name, result.analysis.seeds, options.plannedLook ?? false);
      const warning = options.plannedLook ? undefined : repeatedAnalysisWarning(prior, result.analysis.seeds);
      if (warning) result.repeatedAnalysis = warning;
    }
    return result;
  } finally {
    options.signal?.removeEventListener("abort", stopAll);
    await launcher?.close();
    await store.close();
  }
}
