/**
 * Runs a study: every planned run is one twin run of all variants; the split
 * is drawn from each run's split stream.
 *
 * With a store (`record: true`), the study, its variants, its fingerprint and
 * one run per planned twin run are stored first; then the runs still queued
 * are executed (in this process, on a local pool of worker processes, or by
 * distributed workers through a queue) and their results recorded. Running
 * the same command again continues the study: finished runs are kept, an
 * interrupted run continues from its checkpoint, and a study whose
 * fingerprint changed is refused unless allowChanged.
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { setNumThreads } from "../torch/runtime.ts";
import { twinTrain } from "../twin/trainer.ts";
import { WorkerPool } from "../twin/hosts.ts";
import type { Progress, TwinConfig, TwinResult } from "../twin/types.ts";
import type { Dataset } from "../data/host/dataset.ts";
import { checkStudyFingerprint, formatDifferences, openStore, type RunRecord, type Store } from "../store/index.ts";
import type { StudySpec } from "./define.ts";
import { planRuns, type PlannedRun, type SeedPlan } from "./seed-plan.ts";
import { executeRun, HEARTBEAT_MS, isDeadLocalWorker, workerId } from "./executor.ts";
import { runPool } from "./executor-pool.ts";
import { followJobs, probeQueue, submitJobs } from "./executor-queue.ts";
import {
  factorSeeds,
  fileHash,
  recordedPath,
  resultFromStore,
  runConfig as storedRunConfig,
  specHash,
  specJson,
  splitFor,
  studyTwinConfig,
  STUDY_FINGERPRINT_IGNORE,
  studyFingerprint,
  withSplit,
} from "./record.ts";

export interface StudyRun {
  plan: PlannedRun;
  result: TwinResult;
  /** The stored run's id (with a store). */
  runId?: string;
}

export interface StudyResults {
  study: string;
  reference: string;
  variants: string[];
  runs: StudyRun[];
  /** Stopped before every run finished (Ctrl-C): runs holds the finished ones. */
  stopped?: boolean;
  /** With a store: where, and the planned runs' ids in plan order. */
  store?: string;
  runIds?: string[];
}

export interface RunStudyOptions {
  plan?: SeedPlan;
  logdir?: string;
  /** Checkpoints (default with a store: <cwd>/.twin/checkpoints/<study>/<run id>/). */
  checkpointDir?: string;
  checkpointEvery?: number;
  /** The study file the spec came from: lets worker threads rebuild the variants (prefetch, parallel schedule). Required with a store. */
  studyFile?: string;
  schedule?: "sequential" | "parallel";
  workers?: number;
  /** Stops the study cleanly (Ctrl-C): the current run checkpoints (when checkpoints are kept) and no further run starts. */
  signal?: AbortSignal;
  onRunStart?: (run: PlannedRun, index: number, total: number, slot?: number) => void;
  onProgress?: (run: PlannedRun, p: Progress, slot?: number) => void;
  onRunEnd?: (run: PlannedRun, status: string, error: string | undefined, slot?: number) => void;

  /** Record the study in a store (and continue it from there). */
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
  /** Warnings for the user (a changed fingerprint accepted with allowChanged, runs taken over). */
  onWarning?: (text: string) => void;
}


/** Worker processes by default: cores divided by the threads one run uses. */
export function defaultJobs(spec: StudySpec, options: { schedule?: "sequential" | "parallel"; workers?: number } = {}): number {
  const variants = Object.keys(spec.variants).length;
  const perRun = (spec.threads ?? 1) * (options.schedule === "parallel" ? Math.min(options.workers ?? variants, variants) : 1);
  return Math.max(1, Math.floor(availableParallelism() / perRun));
}

export async function runStudy(spec: StudySpec, options: RunStudyOptions = {}): Promise<StudyResults> {
  if (options.record) return runRecordedStudy(spec, options);
  const runs = planRuns(options.plan ?? spec.seeds ?? 5);
  setNumThreads(spec.threads ?? 1);
  const { train } = spec.data.load();
  const variants = Object.keys(spec.variants);
  const reference = spec.reference ?? variants[0];
  // One pool of worker threads serves every run of the study (started once).
  const variantsModule = options.studyFile === undefined ? undefined : { path: options.studyFile };
  const poolSize = options.schedule === "parallel" ? Math.min(options.workers ?? availableParallelism(), variants.length) : 1;
  const pool = variantsModule === undefined ? undefined : await WorkerPool.start(variantsModule, poolSize);
  const out: StudyRun[] = [];
  let stopped = false;
  try {
    for (const [i, run] of runs.entries()) {
      options.onRunStart?.(run, i, runs.length);
      const result = await twinTrain({ ...runConfig(spec, run, train, options), reference, variantsModule }, { pool });
      out.push({ plan: run, result });
      if (result.stopped) {
        stopped = true;
        break;
      }
    }
  } finally {
    await pool?.close();
  }
  return { study: spec.name, reference, variants, runs: out, stopped };
}

/** The twin run of one planned seed: its own split (from its split stream), logs and checkpoints. */
function runConfig(spec: StudySpec, run: PlannedRun, train: Dataset, options: RunStudyOptions): TwinConfig {
  const base = studyTwinConfig(spec, { study: spec.name, group: run.group, label: run.label, seed: run.seed }, splitFor(spec, train, run.seed));
  return {
    ...base,
    logdir: options.logdir,
    checkpoint: options.checkpointDir ? { dir: `${options.checkpointDir}/${base.study}/run-${run.label}`, every: options.checkpointEvery ?? 200 } : undefined,
    schedule: options.schedule,
    signal: options.signal,
    onProgress: options.onProgress ? (p) => options.onProgress!(run, p) : undefined,
  };
}

const FINAL = new Set(["finished", "failed", "diverged"]);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** A run whose worker stopped heartbeating this long ago is taken over by anyone (ms). */
export const STALE_AFTER_MS = 60_000;

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

async function runRecordedStudy(spec: StudySpec, options: RunStudyOptions): Promise<StudyResults> {
  if (!options.studyFile) throw new Error("recording a study needs its study file (studyFile)");
  const cwd = resolve(options.cwd ?? process.cwd());
  const file = resolve(cwd, options.studyFile);
  const rel = recordedPath(cwd, file);
  const fh = fileHash(file);
  const hash = specHash(spec, fh);
  const plans = planRuns(options.plan ?? spec.seeds ?? 5);
  const variants = Object.keys(spec.variants);
  const reference = spec.reference ?? variants[0]!;
  const warn = options.onWarning ?? ((s: string) => process.stderr.write(`twin: ${s}\n`));
  if (options.queue) await probeQueue(options.queue);
  const store = await openStore(options.storeUrl, { cwd });
  try {
    const { train } = spec.data.load();
    await store.putStudy({ name: spec.name, specHash: hash, spec: specJson(spec, rel, fh) });
    await store.putVariants(spec.name, variants.map((name) => ({ name, config: { reference: name === reference } })));
    const base = await studyFingerprint(spec, rel, train, cwd);
    const check = await checkStudyFingerprint(store, spec.name, base, { allowChanged: options.allowChanged, ignore: STUDY_FINGERPRINT_IGNORE });
    if (check.differences.length) warn(`study '${spec.name}' continues with a changed fingerprint (--allow-changed):\n${formatDifferences(check.differences)}`);

    // One stored run per planned twin run (the same run submitted again is the same record).
    const runs: RunRecord[] = [];
    for (const plan of plans) {
      const fingerprintHash = await store.putFingerprint(withSplit(base, splitFor(spec, train, plan.seed)));
      const seeds = factorSeeds(plan.seed);
      const { run } = await store.submitRun({
        study: spec.name,
        variants,
        specHash: hash,
        rootSeed: BigInt(plan.seed.root),
        seeds,
        config: storedRunConfig(spec, plan, rel, fh),
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

    const fresh = new Map<string, TwinResult>();
    let stopped = false;
    const pendingIds = async () => (await Promise.all(ids.map((id) => store.getRun(id)))).filter((r) => r.status === "queued").map((r) => r.id);
    const checkpointDir = options.checkpointDir ? resolve(cwd, options.checkpointDir) : undefined;
    const logdir = options.logdir ? resolve(cwd, options.logdir) : undefined;

    const executeLocal = async (
      pending: string[],
      me: string,
      shared: { specs: Map<string, StudySpec>; data: Map<string, Dataset>; pools: Map<string, WorkerPool> },
    ): Promise<boolean> => {
      const jobs = Math.max(1, Math.min(options.jobs ?? defaultJobs(spec, options), pending.length));
      let halted = false;
      if (jobs > 1) {
        await runPool({
          jobs,
          signal: options.signal,
          start: { storeUrl: options.storeUrl, cwd, runIds: pending, checkpointDir, checkpointEvery: options.checkpointEvery, logdir, schedule: options.schedule, workers: options.workers },
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
            if (status === "stopped") halted = true;
          },
          onNote: warn,
        });
        return halted || (options.signal?.aborted ?? false);
      }
      for (const id of pending) {
        if (options.signal?.aborted) return true;
        if (!(await store.claimRun(id, me))) continue;
        const run = await store.getRun(id);
        const { plan, index } = planOf.get(id)!;
        options.onRunStart?.(plan, index, plans.length, 0);
        const outcome = await executeRun(store, run, me, {
          cwd,
          checkpointDir,
          checkpointEvery: options.checkpointEvery,
          logdir,
          schedule: options.schedule,
          workers: options.workers,
          signal: options.signal,
          ...shared,
          onResume: (step) => warn(`run ${id} continues from its checkpoint at step ${step}`),
          onWarning: warn,
          onProgress: (p) => options.onProgress?.(plan, p, 0),
        });
        options.onRunEnd?.(plan, outcome.status, outcome.error, 0);
        if (outcome.status === "finished" && outcome.result) fresh.set(id, outcome.result);
        if (outcome.status === "stopped") return true;
      }
      return false;
    };

    if (options.queue) {
      const queued = await pendingIds();
      const open = (await Promise.all(ids.map((id) => store.getRun(id)))).filter((r) => !FINAL.has(r.status));
      await submitJobs(options.queue, open, { queueName: options.queueName, allowChanged: options.allowChanged });
      if (options.wait === false) {
        return { study: spec.name, reference, variants, runs: [], stopped: true, store: store.location, runIds: ids };
      }
      const started = new Set<string>();
      await followJobs(store, options.queue, ids, {
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
          if (info && (queued.includes(id) || started.has(id))) options.onRunEnd?.(info.plan, status, error ?? undefined, info.index);
        },
      });
      stopped = options.signal?.aborted ?? false;
    } else {
      const me = workerId("local");
      const shared = { specs: new Map([[file, spec]]), data: new Map([[file, train]]), pools: new Map<string, WorkerPool>() };
      try {
        // Execute what is queued; wait for runs other processes hold; again when some of those come back to the queue.
        for (;;) {
          const pending = await pendingIds();
          if (pending.length > 0) stopped = await executeLocal(pending, me, shared);
          if (stopped || options.signal?.aborted) {
            stopped = true;
            break;
          }
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
      if (FINAL.has(run.status)) byId.set(run.id, fresh.get(run.id) ?? (await resultFromStore(store, run)));
    }
    for (const [i, run] of runs.entries()) {
      const result = byId.get(run.id);
      if (result) out.push({ plan: plans[i]!, result, runId: run.id });
    }
    return { study: spec.name, reference, variants, runs: out, stopped, store: store.location, runIds: ids };
  } finally {
    await store.close();
  }
}

/** Final validation metric of every run, per variant (NaN for diverged/failed runs). */
export function finalMetric(results: StudyResults, metric: "accuracy" | "loss", group?: string): Record<string, number[]> {
  const runs = results.runs.filter((r) => group === undefined || r.plan.group === group || r.plan.alsoIn?.includes(group));
  return Object.fromEntries(results.variants.map((v) => [v, runs.map((r) => r.result.variants[v]?.final?.[metric] ?? NaN)]));
}
