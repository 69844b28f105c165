/**
 * Runs a study: the one runner behind every command that trains (demo,
 * compare, seeds) and the library's runStudy. Every planned run is one twin
 * run of all variants.
 *
 * The study, its variants, its fingerprint and one run per planned twin run
 * are stored first (each run with its root seed and every factor's seed,
 * resolved once from the plan); then the runs still queued are claimed and
 * executed (in this process, on a local pool of worker processes, or by
 * distributed workers through a queue) and their results recorded. Running
 * the same command again continues the study: finished runs are kept, an
 * interrupted run continues from its checkpoint, and a study whose
 * fingerprint changed is refused unless allowChanged. Without `record`, the
 * store is an in-memory one: the same path, nothing kept.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Dataset } from "../data/host/dataset.ts";
import { resolveFactorSeeds } from "../rng/factors.ts";
import { variantWorkers, type WorkerPool } from "../twin/hosts.ts";
import type { Progress, TwinResult } from "../twin/types.ts";
import { checkStudyFingerprint, formatDifferences, openStore, type FingerprintDifference, type RunRecord, type Store } from "../store/index.ts";
import { allowChangedEffect } from "./allow-changed.ts";
import type { StudySpec } from "./define.ts";
import { planRuns, type PlannedRun, type SeedPlan } from "./seed-plan.ts";
import { codeStudyKey, executeClaimed } from "./executor.ts";
import { runPool, type ParentMessage } from "./executor-pool.ts";
import { DEAD_AFTER, DeadVariants } from "./dead-variants.ts";
import { HEARTBEAT_MS, isDeadLocalWorker, STALE_AFTER_MS, workerId } from "./lifecycle.ts";
import { claimRunLabels, freeRunLabels } from "./run-labels.ts";
import { studyDir } from "../log/run-logger.ts";
import { runConfig as storedRunConfig, specHash, specJson } from "./run-record.ts";
import { resultFromStore, variantFailures } from "./stored-results.ts";
import { retrainVariants, retriableVariants } from "./retrain-variants.ts";
import { STUDY_FINGERPRINT_IGNORE, studyFingerprint, withSplit } from "./study-fingerprint.ts";
import { fileHash, recordedPath } from "./study-file.ts";
import { splitIndicesFor } from "./twin-run-config.ts";
import { writeDesignFile } from "./factorial-design-record.ts";
import { checkHeldOut } from "./held-out.ts";
import { DEFAULT_SPLIT_MODE, splitModeMix, withSharedSplit, type SplitMode } from "./split-mode.ts";

export interface StudyRun {
  plan: PlannedRun;
  result: TwinResult;
  /** The stored run's id. */
  runId: string;
}

export interface StudyResults {
  study: string;
  reference: string;
  variants: string[];
  runs: StudyRun[];
  /** Stopped before every run finished (Ctrl-C): runs holds the finished ones. */
  stopped?: boolean;
  /**
   * Why the study stopped early: every variant failed with the same error on
   * its first runs (dead-variants.ts); the runs not started stay queued.
   */
  halted?: string;
  /** Where the study is stored (":memory:" without record), and the planned runs' ids in plan order. */
  store?: string;
  runIds?: string[];
}

export interface RunStudyOptions {
  plan?: SeedPlan;
  /** Overrides the study's split mode (split-mode.ts). */
  split?: SplitMode;
  logdir?: string;
  /** Checkpoints under <checkpointDir>/<study>/<run id>/ (default <cwd>/.twin/checkpoints). */
  checkpointDir?: string;
  checkpointEvery?: number;
  /**
   * The study file the spec came from: recorded with the runs, and what worker
   * threads and processes rebuild the variants from. Without it (a study
   * defined in code) the study runs in memory in this process, its variants in
   * this thread (the sequential schedule).
   */
  studyFile?: string;
  schedule?: "sequential" | "parallel";
  workers?: number;
  /** Stops the study cleanly (Ctrl-C): the current run checkpoints (when checkpoints are kept) and no further run starts. */
  signal?: AbortSignal;
  onRunStart?: (run: PlannedRun, index: number, total: number, slot?: number) => void;
  onProgress?: (run: PlannedRun, p: Progress, slot?: number) => void;
  onRunEnd?: (run: PlannedRun, status: string, error: string | undefined, slot?: number) => void;

  /** Keep the study in a store (and continue it from there); without it, an in-memory store (nothing kept, runs in this process). */
  record?: boolean;
  /** Store URL (default: <cwd>/.twin/twin.db). */
  storeUrl?: string;
  /** The project folder (default: process.cwd()). */
  cwd?: string;
  /** Continue a study whose fingerprint changed since its runs began. */
  allowChanged?: boolean;
  /** Worker processes on this machine (1: in this process). Default: cores / threads per run. */
  jobs?: number;
  /** Distributed: submit the runs to this BullMQ queue (redis://host:port) for `twin worker` processes. */
  queue?: string;
  queueName?: string;
  /** Distributed: wait for the workers and return the results (default true); false returns after submitting. */
  wait?: boolean;
  /** Run the study's failed runs again (they stay failed otherwise: a verdict reports them). */
  retryFailed?: boolean;
  /** Warnings for the user (a changed fingerprint accepted with allowChanged, runs taken over). */
  onWarning?: (text: string) => void;
}

/** Worker processes by default: cores divided by the threads one run uses (its libtorch threads times its variant worker threads). */
export function defaultJobs(spec: StudySpec, options: { schedule?: "sequential" | "parallel"; workers?: number } = {}): number {
  const perRun = (spec.threads ?? 1) * variantWorkers(options.schedule ?? "sequential", Object.keys(spec.variants).length, options.workers);
  return Math.max(1, Math.floor(availableParallelism() / perRun));
}

const FINAL = new Set(["finished", "failed", "diverged"]);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs left `running` by a process of this machine that no longer exists
 * (kill -9) go back to the queue once their heartbeat is a few beats old;
 * runs of any worker silent for STALE_AFTER_MS as well.
 */
async function reclaimDead(store: Store, study: string, ids: ReadonlySet<string>, warn: (s: string) => void): Promise<void> {
  const running = (await store.listRuns({ study, status: "running" })).filter((r) => ids.has(r.id));
  const dead = running.filter((r) => isDeadLocalWorker(r.worker));
  if (dead.length > 0) {
    const threshold = 3 * HEARTBEAT_MS;
    const newest = Math.max(...dead.map((r) => r.heartbeatAt ?? 0));
    const wait = newest + threshold + 50 - Date.now();
    if (wait > 0) await sleep(wait);
    const { requeued } = await store.requeueStale(threshold, { study });
    const mine = requeued.filter((id) => ids.has(id));
    if (mine.length) warn(`continuing ${mine.length} run(s) interrupted when their process stopped: ${mine.join(", ")}`);
  }
  await store.requeueStale(STALE_AFTER_MS, { study });
}

/** Runs (or continues) a study: stores its planned runs, executes those still queued, returns every finished run's result in plan order. */
export async function runStudy(spec: StudySpec, options: RunStudyOptions): Promise<StudyResults> {
  if (options.studyFile === undefined) {
    if (options.record) {
      throw new Error(
        "recording a study in a store needs its study file (studyFile): stored runs are continued, run by worker processes and re-run by `twin verify` from that file. " +
          "Put the defineStudy(...) in a file and pass its path, or leave out record to run the study in memory",
      );
    }
    if (options.schedule === "parallel") throw new Error('the parallel schedule builds each variant in its own worker thread from the study file: pass studyFile, or use schedule "sequential"');
  }
  const storeUrl = options.record ? options.storeUrl : ":memory:";
  if (!options.record && options.queue) throw new Error("a study run through a queue must be recorded in a shared store (record: true, storeUrl)");
  const cwd = resolve(options.cwd ?? process.cwd());
  const file = options.studyFile === undefined ? undefined : resolve(cwd, options.studyFile);
  const rel = file === undefined ? null : recordedPath(cwd, file);
  const fh = file === undefined ? null : fileHash(file);
  const hash = specHash(spec, fh);
  const splitMode = options.split ?? spec.split ?? DEFAULT_SPLIT_MODE;
  const planned = planRuns(options.plan ?? spec.seeds ?? 5);
  const splitPlans = splitMode === "shared" ? withSharedSplit(planned) : planned;
  const variants = Object.keys(spec.variants);
  const reference = spec.reference ?? variants[0]!;
  const warn = options.onWarning ?? ((s: string) => process.stderr.write(`twin: ${s}\n`));
  // BullMQ (and its Redis client) only for a study run through a queue: ~0.2 s of start-up otherwise spent by every study.
  const queue = options.queue ? await import("./executor-queue.ts") : undefined;
  if (options.queue) await queue!.probeQueue(options.queue);
  const store = await openStore(storeUrl, { cwd });
  let scratch: string | undefined;
  try {
    const loaded = spec.data.load();
    const { train } = loaded;
    if (loaded.test) checkHeldOut(train, loaded.test);
    await store.putStudy({ name: spec.name, specHash: hash, spec: specJson(spec, rel, fh) });
    await store.putVariants(spec.name, variants.map((name) => ({ name, config: { reference: name === reference } })));
    const base = await studyFingerprint(spec, rel, train, cwd);
    const held = await store.listRuns({ study: spec.name });
    // Another command's runs of other seeds may hold this plan's labels: those runs get labels of their own (run-labels.ts).
    const labelled = freeRunLabels(splitPlans, held, splitMode === "shared");
    // A command submitting to the study at this moment has not stored its runs yet: each label is claimed in the log folder, atomically.
    const plans = options.logdir ? claimRunLabels(studyDir(resolve(cwd, options.logdir), spec.name), labelled, splitMode === "shared") : labelled;
    const effect = (differences: FingerprintDifference[]): string =>
      allowChangedEffect(differences, {
        studyFile: rel,
        planned: plans.length,
        endedSameFile: held.filter((r) => r.specHash === hash && FINAL.has(r.status)).length,
        otherFile: held.filter((r) => r.specHash !== hash).length,
      });
    const mixed = splitModeMix(held, splitMode);
    if (mixed && !options.allowChanged) {
      throw new Error(`study '${spec.name}' ${mixed}: adding runs with the other split would put two runs of the same seeds side by side, and its log folder and report would mix the two designs. Give the study a new name (name: in the study file), or run it with the split it has; --allow-changed adds the runs anyway`);
    }
    if (mixed) warn(`study '${spec.name}' ${mixed}; continuing with split '${splitMode}' (--allow-changed): its report mixes the two designs`);
    const check = await checkStudyFingerprint(store, spec.name, base, { allowChanged: options.allowChanged, ignore: STUDY_FINGERPRINT_IGNORE, allowChangedEffect: effect });
    if (check.differences.length) warn(`study '${spec.name}' continues with a changed fingerprint (--allow-changed):\n${formatDifferences(check.differences)}`);

    // One stored run per planned twin run (the same run submitted again is the same record).
    const runs: RunRecord[] = [];
    // Each run's split is drawn here for its hash only, then dropped: held for every planned run, the
    // split data would grow with the number of seeds (~40 MB a Fashion-MNIST run). The process that
    // trains the run draws it again and checks it against this hash (executor.ts, submittedSplit).
    for (const plan of plans) {
      const seeds = resolveFactorSeeds(plan.seed);
      const split = splitIndicesFor(spec, train, { root: plan.seed.root, factors: seeds });
      const fingerprintHash = await store.putFingerprint(withSplit(base, split));
      const { run } = await store.submitRun({
        study: spec.name,
        variants,
        specHash: hash,
        rootSeed: BigInt(plan.seed.root),
        seeds,
        config: storedRunConfig(spec, plan, rel, fh, splitMode),
        fingerprintHash,
      });
      runs.push(run);
    }
    // Two planned runs with the same seeds (e.g. init #0 and order #0 of a one-factor-at-a-time plan) are one stored run.
    const ids = [...new Set(runs.map((r) => r.id))];
    const planOf = new Map<string, { plan: PlannedRun; index: number }>();
    runs.forEach((r, i) => {
      if (!planOf.has(r.id)) planOf.set(r.id, { plan: plans[i]!, index: i });
    });
    await reclaimDead(store, spec.name, new Set(ids), warn);
    // Variants that failed (or were left out) inside finished runs, to train again with --retry-failed.
    const retrain: { run: RunRecord; names: string[] }[] = [];
    if (options.retryFailed) {
      const again = await store.requeueFailed(ids);
      if (again.length) warn(`running ${again.length} failed run(s) again (--retry-failed): ${again.join(", ")}`);
      for (const run of await Promise.all(ids.map((id) => store.getRun(id)))) {
        if (run.status !== "finished" || !run.error) continue;
        const names = retriableVariants(await resultFromStore(store, run));
        if (names.length) retrain.push({ run, names });
      }
      if (retrain.length) warn(`training ${retrain.length} run(s)' failed or skipped variants again (--retry-failed): ${retrain.map((r) => `${r.run.id} (${r.names.join(", ")})`).join(", ")}`);
    }

    // A rerun says what it keeps: runs that ended under an earlier command are not trained again.
    const ended = (await Promise.all(ids.map((id) => store.getRun(id)))).filter((r) => FINAL.has(r.status));
    if (ended.length > 0) {
      const failedEarlier = ended.filter((r) => r.status !== "finished").length;
      warn(
        `keeping ${ended.length} of ${ids.length} run(s) of study '${spec.name}' that ended under an earlier command (${store.location})` +
          (failedEarlier ? `, ${failedEarlier} of them failed or diverged (--retry-failed runs failed ones again)` : "") +
          (ended.length < ids.length ? `; training the other ${ids.length - ended.length}` : "; nothing left to train"),
      );
    }

    const fresh = new Map<string, TwinResult>();
    let stopped = false;
    // A variant failing the same way on its first runs is left out of the rest; when all are, no run starts.
    const dead = new DeadVariants(variants);
    let tellPool: ((m: ParentMessage) => void) | undefined;
    let halted: string | undefined;
    const noteEnd = (plan: PlannedRun, status: string, error: string | undefined) => {
      for (const { variant, reason } of dead.record(plan.group === "all" ? String(plan.label) : `${plan.group}#${plan.label}`, status, error)) {
        if (!dead.all) warn(`${reason}. It is left out of this study's remaining runs; the other variants go on. Once the study file is fixed, run the same command with --allow-changed (new runs); for a passing cause (out of memory), --retry-failed trains it again in these runs`);
        tellPool?.({ type: "skip", variant, reason });
      }
      if (dead.all && halted === undefined) {
        const errors = [...new Set(dead.errors.values())];
        halted = `every variant failed with the same error on its first ${DEAD_AFTER} runs of this study; no further run was started (the rest stay queued: fix the error, then run the same command again):\n${errors.map((e) => `  ${e}`).join("\n")}`;
        warn(halted);
        tellPool?.({ type: "halt" });
      }
    };
    const pendingIds = async () => (await Promise.all(ids.map((id) => store.getRun(id)))).filter((r) => r.status === "queued").map((r) => r.id);
    // An in-memory study's checkpoints (a run stopped by Ctrl-C) go with it.
    if (!options.record) scratch = mkdtempSync(join(tmpdir(), "twin-study-"));
    const checkpointDir = scratch ?? (options.checkpointDir ? resolve(cwd, options.checkpointDir) : undefined);
    const logdir = options.logdir ? resolve(cwd, options.logdir) : undefined;
    if (logdir && spec.design) writeDesignFile(join(logdir, spec.name), spec.design);

    const executeLocal = async (
      pending: string[],
      me: string,
      shared: { specs: Map<string, StudySpec>; data: Map<string, { train: Dataset; test?: Dataset }>; pools: Map<string, WorkerPool> },
    ): Promise<boolean> => {
      // An in-memory store lives in this process only: its runs execute here.
      const jobs = options.record ? Math.max(1, Math.min(options.jobs ?? defaultJobs(spec, options), pending.length)) : 1;
      let interrupted = false;
      if (jobs > 1) {
        await runPool({
          jobs,
          signal: options.signal,
          start: { storeUrl, cwd, runIds: pending, checkpointDir, checkpointEvery: options.checkpointEvery, logdir, schedule: options.schedule, workers: options.workers },
          onRunStart: (id, slot) => {
            const info = planOf.get(id);
            if (info) options.onRunStart?.(info.plan, info.index, plans.length, slot);
          },
          onProgress: (id, p, slot) => {
            const info = planOf.get(id);
            if (info) options.onProgress?.(info.plan, p, slot);
          },
          onRunEnd: (id, status, error, slot) => {
            const info = planOf.get(id);
            if (info) options.onRunEnd?.(info.plan, status, error, slot);
            if (info) noteEnd(info.plan, status, error);
            if (status === "stopped") interrupted = true;
          },
          onNote: warn,
          control: (send) => {
            tellPool = send;
            for (const [variant, reason] of dead.skip) send({ type: "skip", variant, reason });
            if (dead.all) send({ type: "halt" });
          },
        });
        tellPool = undefined;
        return interrupted || (options.signal?.aborted ?? false);
      }
      return executeClaimed(
        store,
        pending,
        me,
        { cwd, checkpointDir, checkpointEvery: options.checkpointEvery, logdir, schedule: options.schedule, workers: options.workers, signal: options.signal, onWarning: warn, skip: dead.skip, halted: () => dead.all, ...shared },
        {
          onRunStart: (run) => {
            const { plan, index } = planOf.get(run.id)!;
            options.onRunStart?.(plan, index, plans.length, 0);
            return { onResume: (step) => warn(`run ${run.id} continues from its checkpoint at step ${step}`), onProgress: (p) => options.onProgress?.(plan, p, 0) };
          },
          onRunEnd: (run, outcome) => {
            options.onRunEnd?.(planOf.get(run.id)!.plan, outcome.status, outcome.error, 0);
            noteEnd(planOf.get(run.id)!.plan, outcome.status, outcome.error);
            if (outcome.status === "finished" && outcome.result) fresh.set(run.id, outcome.result);
          },
        },
      );
    };

    for (const { run, names } of retrain) {
      if (options.signal?.aborted) break;
      const { plan, index } = planOf.get(run.id)!;
      options.onRunStart?.(plan, index, plans.length, 0);
      const me = workerId("local");
      try {
        const merged = await retrainVariants(store, run, names, me, {
          cwd, checkpointDir, schedule: options.schedule, workers: options.workers, signal: options.signal, onWarning: warn,
          onProgress: (p) => options.onProgress?.(plan, p, 0),
        });
        if (merged) {
          fresh.set(run.id, merged);
          options.onRunEnd?.(plan, "finished", variantFailures(merged), 0);
        }
      } catch (e) {
        const message = (e as Error).message ?? String(e);
        options.onRunEnd?.(plan, "finished", run.error ?? undefined, 0);
        warn(message);
      }
    }

    if (options.queue) {
      const queued = await pendingIds();
      const open = (await Promise.all(ids.map((id) => store.getRun(id)))).filter((r) => !FINAL.has(r.status));
      await queue!.submitJobs(options.queue, open, { queueName: options.queueName, allowChanged: options.allowChanged });
      if (options.wait === false) {
        return { study: spec.name, reference, variants, runs: [], stopped: true, store: store.location, runIds: ids };
      }
      const started = new Set<string>();
      await queue!.followJobs(store, options.queue, ids, {
        queueName: options.queueName,
        signal: options.signal,
        onProgress: (id, p) => {
          const info = planOf.get(id);
          if (!info) return;
          if (!started.has(id)) {
            started.add(id);
            options.onRunStart?.(info.plan, info.index, plans.length, info.index);
          }
          options.onProgress?.(info.plan, p, info.index);
        },
        onRunEnd: (id, status, error) => {
          const info = planOf.get(id);
          if (info && (queued.includes(id) || started.has(id))) {
            options.onRunEnd?.(info.plan, status, error ?? undefined, info.index);
            noteEnd(info.plan, status, error ?? undefined);
          }
        },
      });
      stopped = options.signal?.aborted ?? false;
    } else {
      const me = workerId("local");
      const key = file ?? codeStudyKey(spec.name);
      const shared = { specs: new Map([[key, spec]]), data: new Map([[key, loaded]]), pools: new Map<string, WorkerPool>() };
      try {
        // Execute what is queued; wait for runs other processes hold; again when some of those come back to the queue.
        for (;;) {
          const pending = await pendingIds();
          if (pending.length > 0) stopped = await executeLocal(pending, me, shared);
          if (stopped || options.signal?.aborted) {
            stopped = true;
            break;
          }
          if (dead.all) break;
          const open = (await Promise.all(ids.map((id) => store.getRun(id)))).filter((r) => !FINAL.has(r.status));
          if (open.length === 0) break;
          if (open.some((r) => r.status === "queued")) continue;
          await sleep(500);
          await reclaimDead(store, spec.name, new Set(ids), warn);
        }
      } finally {
        for (const p of shared.pools.values()) await p.close().catch(() => {});
      }
    }

    const out: StudyRun[] = [];
    const byId = new Map<string, TwinResult>();
    for (const run of await Promise.all(ids.map((id) => store.getRun(id)))) {
      if (FINAL.has(run.status)) byId.set(run.id, fresh.get(run.id) ?? (await resultFromStore(store, run, { predictions: true })));
    }
    for (const [i, run] of runs.entries()) {
      const result = byId.get(run.id);
      if (result) out.push({ plan: plans[i]!, result, runId: run.id });
    }
    return { study: spec.name, reference, variants, runs: out, stopped, ...(halted ? { halted } : {}), store: store.location, runIds: ids };
  } finally {
    await store.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** Final validation metric of every run, per variant (NaN for diverged/failed runs). */
export function finalMetric(results: StudyResults, metric: "accuracy" | "loss", group?: string): Record<string, number[]> {
  const runs = results.runs.filter((r) => group === undefined || r.plan.group === group || r.plan.alsoIn?.includes(group));
  return Object.fromEntries(results.variants.map((v) => [v, runs.map((r) => r.result.variants[v]?.final?.[metric] ?? NaN)]));
}
