/**
 * One run of a sweep, through the run lifecycle (lifecycle.ts): find or
 * submit its record; take over a record whose owner is gone (a dead sweep on
 * this host at once, a silent one elsewhere after the stale timeout); claim
 * it; heartbeat it while the launcher runs the command; record its metrics
 * and its end. A finished run is kept and never redone; a failed one stays
 * failed unless retryFailed; an interrupted one is run again.
 */
import { storeSweepPredictions } from "./sweep-predictions.ts";
import { join, relative } from "node:path";
import { resolveFactorSeeds } from "../rng/factors.ts";
import { sha256 } from "../store/index.ts";
import type { RunRecord, Store } from "../store/types.ts";
import { goneOwner, startHeartbeat } from "./lifecycle.ts";
import type { PlannedRun } from "./seed-plan.ts";
import type { CommandResult } from "./sweep-command.ts";
import type { CommandLauncher } from "./sweep-launcher-client.ts";
import { dedupeSteps, finalValues } from "./sweep-metrics.ts";
import type { SweepOptions, SweepOutcome, SweepRunInfo } from "./sweep-types.ts";
import type { VariantState } from "./sweep-variants.ts";
import { moveAsideOtherRun } from "../log/run-folder.ts";
import { DEFAULT_SPLIT_MODE } from "./split-mode.ts";

/** What every run of one sweep shares. */
export interface SweepContext {
  store: Store;
  launcher: CommandLauncher;
  /** This sweep's worker id (lifecycle.workerId("sweep")). */
  worker: string;
  study: string;
  cwd: string;
  /** The sweep's folder: <root>/<variant>/seed-<label>. */
  root: string;
  options: SweepOptions;
  warn: (message: string) => void;
  /** True once the sweep was asked to stop (or a run was interrupted). */
  stopped(): boolean;
  stop(): void;
}

/** The environment of one run: TWIN_SEED, TWIN_SEED_<FACTOR>, TWIN_RUN_DIR, TWIN_VARIANT. */
export function sweepEnv(root: bigint, seeds: Record<string, bigint>, runDir: string, variant: string): Record<string, string> {
  const env: Record<string, string> = { TWIN_SEED: root.toString(), TWIN_RUN_DIR: runDir, TWIN_VARIANT: variant };
  for (const [factor, seed] of Object.entries(seeds)) env[`TWIN_SEED_${factor.toUpperCase()}`] = seed.toString();
  return env;
}

/** Why the sweep stopped, for the run's record: the signal's name, or Ctrl-C. */
function stopReason(signal: AbortSignal | undefined): string {
  return typeof signal?.reason === "string" ? signal.reason : "Ctrl-C";
}

function errorText(r: CommandResult, opts: SweepOptions): string {
  let head: string;
  if (r.spawnError) head = r.spawnError;
  else if (r.aborted) head = `interrupted (${stopReason(opts.signal)}); the same twin sweep command runs it again`;
  else if (r.timedOut) head = `timed out after ${opts.timeout} s (stopped with SIGTERM${r.signal === "SIGKILL" ? `, then SIGKILL after ${opts.killAfter ?? 10} s` : ""})`;
  else if (r.signal) head = `killed by ${r.signal}`;
  else if (r.exitCode !== 0) head = `exit code ${r.exitCode}`;
  else head = 'exited 0 but reported no metrics: print JSON lines such as {"step": 100, "val_accuracy": 0.87} on stdout, or write metrics.jsonl or TensorBoard event files under $TWIN_RUN_DIR';
  if (r.escaped > 0) head += ` (${r.escaped} process(es) it had started outside its process group were killed too)`;
  if (r.outputCut > 0) head += ` (its output passed the log cap: ${r.outputCut} bytes not kept)`;
  return r.stderrTail.length ? `${head}\n--- last ${r.stderrTail.length} line(s) of stderr ---\n${r.stderrTail.join("\n")}` : head;
}

function seedStrings(seeds: Record<string, bigint>): Record<string, string> {
  return Object.fromEntries(Object.entries(seeds).map(([k, v]) => [k, v.toString()]));
}

const isInterrupted = (run: RunRecord) => run.status === "failed" && (run.error?.startsWith("interrupted") ?? false);

/**
 * The run's current record: the first attempt that is not to be run again
 * (failed with retryFailed, or interrupted, means a new attempt). A running
 * record whose owner is gone is marked interrupted first (compare-and-set on
 * its owner, so a live owner finishing meanwhile wins).
 */
async function currentRecord(ctx: SweepContext, state: VariantState, submit: Omit<Parameters<Store["submitRun"]>[0], "specHash">): Promise<RunRecord> {
  let failedTakeovers = 0;
  for (let attempt = 0; ; ) {
    const specHash = attempt === 0 ? state.specHash : sha256(`${state.specHash}:retry${attempt}`);
    const { run } = await ctx.store.submitRun({ ...submit, specHash });
    if (run.status === "running") {
      const gone = goneOwner(run);
      if (gone) {
        const taken = await ctx.store.failRun(run.id, `interrupted: ${gone}; the same twin sweep command runs it again`, { worker: run.worker ?? undefined }).then(
          () => true,
          () => false,
        );
        if (taken) ctx.warn(`run ${run.id} was left running: ${gone}; running it again`);
        else if (++failedTakeovers > 3) return run; // the store keeps refusing: leave it to its owner
        continue; // look at the same attempt again: now interrupted (or changed by its owner meanwhile)
      }
    }
    if ((run.status === "failed" || run.status === "diverged") && (ctx.options.retryFailed || isInterrupted(run))) {
      attempt++;
      continue;
    }
    return run;
  }
}

/** Runs (or reuses) one planned run of one variant. */
export async function sweepRun(ctx: SweepContext, plan: PlannedRun, state: VariantState): Promise<SweepOutcome> {
  const { store, worker, options } = ctx;
  const v = state.variant;
  const seeds = resolveFactorSeeds(plan.seed);
  const rootSeed = BigInt(plan.seed.root);
  const runDir = join(ctx.root, v.name, `seed-${plan.label}`);
  const config = {
    kind: "sweep",
    command: v.command,
    env: v.env ?? {},
    cwd: ctx.cwd,
    runDir: relative(ctx.cwd, runDir),
    group: plan.group,
    label: plan.label,
    timeout: options.timeout ?? null,
    // Where a study records its split mode (split-mode.ts reads it back).
    data: { split: options.split ?? DEFAULT_SPLIT_MODE },
  };
  const run = await currentRecord(ctx, state, { study: ctx.study, variants: v.name, rootSeed, seeds, config, fingerprintHash: state.fingerprintHash });
  const info: SweepRunInfo = { id: run.id, variant: v.name, label: plan.label, rootSeed: rootSeed.toString(), seeds: seedStrings(seeds), runDir };
  const storedFinals = async () => Object.fromEntries((await store.finalMetrics({ runIds: [run.id] })).map((m) => [m.name, m.value]));
  if (run.status === "finished") return { ...info, status: "finished", reused: true, metrics: await storedFinals() };
  if (run.status === "failed" || run.status === "diverged") {
    return { ...info, status: "failed", reused: true, error: run.error ?? "failed", metrics: await storedFinals() };
  }
  if (ctx.stopped() || options.signal?.aborted) {
    ctx.stop();
    return { ...info, status: "skipped", reused: false, metrics: {} };
  }
  if (run.status !== "queued" || !(await store.claimRun(run.id, worker))) {
    ctx.warn(`run ${run.id} is being run by another sweep (${run.worker ?? "unknown worker"}); left to it`);
    return { ...info, status: "skipped", reused: false, metrics: {} };
  }
  // The folder may hold another run of this seed (the variant swept again with another command, --allow-changed): kept, moved aside.
  const aside = moveAsideOtherRun(runDir, run.id);
  if (aside) ctx.warn(`${runDir} held the files of run ${aside.runId} (an earlier command of variant '${v.name}'); they are kept in ${aside.to}`);
  options.onRunStart?.(info);
  const heartbeat = startHeartbeat(store, run.id, worker);
  let launched;
  try {
    launched = await ctx.launcher.run(
      {
        argv: v.command,
        cwd: ctx.cwd,
        env: { ...process.env, PYTHONUNBUFFERED: process.env.PYTHONUNBUFFERED ?? "1", ...(v.env ?? {}), ...sweepEnv(rootSeed, seeds, runDir, v.name) },
        runDir,
        runId: run.id,
        timeout: options.timeout,
        killAfter: options.killAfter,
        maxLogBytes: options.maxLogBytes,
      },
      options.onOutput ? (line, stream) => options.onOutput!(info, line, stream) : undefined,
    );
  } catch (e) {
    // The launcher itself went away: the run is interrupted, not failed.
    ctx.stop();
    const error = `interrupted: ${(e as Error).message}`;
    await heartbeat.stop();
    await store.failRun(run.id, error, { worker });
    return { ...info, status: "failed", reused: false, error, metrics: {} };
  }
  await heartbeat.stop();
  const { result, readError } = launched;
  const metrics = finalValues(result.series);
  const rows = dedupeSteps(result.series).map((r) => ({ runId: run.id, variant: v.name, step: Math.max(0, r.step), name: r.name, value: r.value }));
  if (rows.length) await store.addMetrics(rows);
  if (result.aborted) ctx.stop();
  const ok = !result.spawnError && !result.aborted && !result.timedOut && result.exitCode === 0 && rows.length > 0 && !readError;
  if (ok) {
    for (const w of await storeSweepPredictions(store, run.id, v.name, runDir)) ctx.warn(w);
    await store.finishRun(run.id, { worker });
    return { ...info, status: "finished", reused: false, metrics, seconds: result.seconds };
  }
  const error = readError ?? errorText(result, options);
  await store.failRun(run.id, error, { worker });
  return { ...info, status: "failed", reused: false, error, metrics, seconds: result.seconds };
}
