/**
 * Executing one stored run: everything comes from its record (study file,
 * seeds, training length), so the same code serves the in-process study, the
 * local pool's worker processes, distributed workers and `twin verify`.
 *
 * While it trains, the executor heartbeats the run and streams the train-loss
 * curve into the store; the run checkpoints under
 * <checkpoints>/<study>/<run id>/ so that a killed run continues where it
 * stopped; the results and the `finished` status are written in one
 * transaction at the end.
 */
import { join, resolve } from "node:path";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { claimSeedFolders } from "../log/run-folder.ts";
import { studyDir } from "../log/run-logger.ts";
import { setNumThreads } from "../torch/runtime.ts";
import { twinTrain } from "../twin/trainer.ts";
import { variantWorkers, WorkerPool } from "../twin/hosts.ts";
import { describeDamaged, type CheckpointOptions } from "../twin/checkpoint.ts";
import type { Progress, TwinResult } from "../twin/types.ts";
import type { Dataset } from "../data/host/dataset.ts";
import type { Split } from "../data/split.ts";
import type { SeedSpec } from "../rng/factors.ts";
import { StoreDamagedError, StoreError, StoreReadOnlyError, StoreVanishedError, type RunRecord, type Store } from "../store/index.ts";
import type { StudySpec } from "./define.ts";
import { startHeartbeat } from "./lifecycle.ts";
import { configOf, type RunConfig } from "./run-record.ts";
import { recordResult, variantFailures, type MetricRow } from "./stored-results.ts";
import { splitHash, studyFingerprint, withSplit, type StudyFingerprint } from "./study-fingerprint.ts";
import { comparableFingerprintHash } from "./comparable-fingerprint.ts";
import { fileHash, importStudy, StudyFileError } from "./study-file.ts";
import { splitFor, studyTwinConfig } from "./twin-run-config.ts";

export interface ExecuteOptions {
  /** The project folder: study files are recorded relative to it. */
  cwd: string;
  /** Checkpoints under <checkpointDir>/<study>/<run id>/ (default <cwd>/.twin/checkpoints). */
  checkpointDir?: string;
  checkpointEvery?: number;
  logdir?: string;
  schedule?: "sequential" | "parallel";
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Already loaded specs by absolute study file path (the caller's own spec, or a cache). */
  specs?: Map<string, StudySpec>;
  /** Worker-thread pools by study file (reused across the runs of one process). */
  pools?: Map<string, WorkerPool>;
  /** Training (and held-out test) sets by study file (loaded once per process). */
  data?: Map<string, { train: Dataset; test?: Dataset }>;
  /** Called when the run continues from a checkpoint (at that step). */
  onResume?: (step: number) => void;
  /** Warnings (a damaged checkpoint skipped); default: stderr. */
  onWarning?: (text: string) => void;
  /**
   * Variants to leave out of runs that start from scratch, with the reason
   * (dead-variants.ts: they failed the same way on the study's first runs).
   * Read when each run starts; a run continuing from a checkpoint trains all.
   */
  skip?: ReadonlyMap<string, string>;
  /** Checked before each run is claimed: true stops claiming (every variant of the study is dead). */
  halted?: () => boolean;
  /** Checks the fingerprint of this process before training (throws to refuse the run). */
  guard?: (fingerprint: StudyFingerprint, run: RunRecord) => Promise<void>;
}

export interface RunSetup {
  config: RunConfig;
  /** The study file's absolute path; undefined for a study defined in code. */
  file: string | undefined;
  spec: StudySpec;
  train: Dataset;
  /** The study's held-out test set, when its data has one. */
  test?: Dataset;
}

/** Where a study defined in code (no study file) is kept in ExecuteOptions' specs and data: a key that is never a file's path. */
export function codeStudyKey(study: string): string {
  return `<defined in code>/${study}`;
}

/** Loads what a stored run needs: its study file (checked against the recorded hash unless allowed), spec and data. */
export async function setupRun(run: RunRecord, options: ExecuteOptions & { allowChangedFile?: boolean }): Promise<RunSetup & { fileChanged: boolean }> {
  const config = configOf(run);
  if (config.studyFile === null || config.studyFileHash === null) {
    const spec = options.specs?.get(codeStudyKey(run.study));
    const data = options.data?.get(codeStudyKey(run.study));
    if (!spec || !data) {
      throw new StudyFileError(`run '${run.id}' belongs to study '${run.study}', which was defined in code rather than in a study file: only the process that defined it can run it`);
    }
    return { config, file: undefined, spec: { ...spec, epochs: config.epochs ?? undefined, steps: config.steps ?? undefined }, train: data.train, ...(data.test ? { test: data.test } : {}), fileChanged: false };
  }
  const file = resolve(options.cwd, config.studyFile);
  let hash: string;
  try {
    hash = fileHash(file);
  } catch {
    throw new StudyFileError(
      `run '${run.id}' needs the study file ${config.studyFile}, which does not exist under ${options.cwd}; ` +
        "start workers in the project folder (or pass --cwd) where the study file lives",
    );
  }
  const fileChanged = hash !== config.studyFileHash;
  if (fileChanged && !options.allowChangedFile) {
    throw new StudyFileError(
      `the study file ${config.studyFile} changed since run '${run.id}' was submitted (sha256 ${config.studyFileHash.slice(0, 12)}… → ${hash.slice(0, 12)}…); ` +
        "running it now would mix results from different studies. Restore the file, or submit the study again",
    );
  }
  let spec = options.specs?.get(file);
  if (!spec) {
    spec = await importStudy(file);
    options.specs?.set(file, spec);
  }
  spec = { ...spec, epochs: config.epochs ?? undefined, steps: config.steps ?? undefined };
  let data = options.data?.get(file);
  if (!data) {
    data = spec.data.load();
    options.data?.set(file, data);
  }
  return { config, file, spec, train: data.train, ...(data.test ? { test: data.test } : {}), fileChanged };
}

/** A stored run's seeds: its root and every factor's seed, resolved once when the run was planned. */
export function runSeed(run: RunRecord): SeedSpec {
  return { root: run.rootSeed, factors: run.seeds };
}

/** Worker threads for a study file's variants: the study's pool in options.pools (started, or restarted larger, as needed), else one of the run's own (`own`, to close). */
async function variantPool(file: string, spec: StudySpec, options: ExecuteOptions): Promise<{ pool: WorkerPool; own?: WorkerPool }> {
  const size = variantWorkers(options.schedule ?? "sequential", Object.keys(spec.variants).length, options.workers);
  let pool = options.pools?.get(file);
  if (pool && pool.size < size) {
    await pool.close();
    pool = undefined;
    options.pools?.delete(file);
  }
  if (pool) return { pool };
  pool = await WorkerPool.start({ path: file }, size);
  if (!options.pools) return { pool, own: pool };
  options.pools.set(file, pool);
  return { pool };
}

/** Trains a stored run from its record (no store writes): used by the executor and by verify. */
export async function trainFromRecord(
  run: RunRecord,
  setup: RunSetup,
  options: ExecuteOptions & { checkpoint?: CheckpointOptions; onProgress?: (p: Progress) => void; texts?: Record<string, string>; skipNow?: Record<string, string>; split?: Split },
): Promise<{ result: TwinResult; split: Split }> {
  const { config, spec, train, test, file } = setup;
  setNumThreads(spec.threads ?? 1);
  const seed = runSeed(run);
  const split = options.split ?? splitFor(spec, train, seed);
  // A study file's variants train in worker threads rebuilt from the file; a study defined in code trains in this thread.
  const variantsModule = file === undefined ? undefined : { path: file };
  if (options.logdir) {
    const { moved } = claimSeedFolders(studyDir(options.logdir, run.study), `seed-${config.label}`, run.variants, run.id);
    for (const [earlier, to] of moved) {
      (options.onWarning ?? ((t: string) => process.stderr.write(`twin: warning: ${t}\n`)))(
        `seed ${config.label} of study '${run.study}' held the logs of another run (${earlier}): they are kept in ${to.join(", ")}, and this run (${run.id}) logs to its own folders`,
      );
    }
  }
  const { pool, own: ownPool } = file === undefined ? {} : await variantPool(file, spec, options);
  try {
    const result = await twinTrain({
      ...studyTwinConfig(spec, { study: run.study, group: config.group, label: config.label, seed }, split),
      ...(test ? { test } : {}),
      reference: config.reference,
      ...(options.skipNow && Object.keys(options.skipNow).length ? { skip: options.skipNow } : {}),
      texts: options.texts,
      logdir: options.logdir,
      checkpoint: options.checkpoint,
      schedule: options.schedule,
      variantsModule,
      signal: options.signal,
      onProgress: options.onProgress,
    }, { pool });
    return { result, split };
  } finally {
    await ownPool?.close();
  }
}

/**
 * The run's train/validation split: the one drawn when it was submitted in
 * this process, or drawn again here from the run's split stream and checked
 * against the split hash of the fingerprint it was submitted with (another
 * process or machine whose data or twin differ would otherwise train on
 * another split than the one planned and recorded).
 */
async function submittedSplit(store: Store, run: RunRecord, setup: RunSetup): Promise<Split> {
  const split = splitFor(setup.spec, setup.train, runSeed(run));
  const submitted = run.fingerprintHash ? (await store.getFingerprint(run.fingerprintHash))?.fingerprint : undefined;
  const expected = (submitted as { split?: unknown } | undefined)?.split;
  const drawn = splitHash(split);
  if (typeof expected === "string" && expected !== drawn) {
    throw new Error(
      `run '${run.id}': the train/validation split drawn here (sha256 ${drawn.slice(0, 12)}…) is not the one the run was submitted with (${expected.slice(0, 12)}…), ` +
        "so this process would train on other data than planned. Its training data or twin version differ from the submitting machine's: " +
        "give every worker the same dataset files and twin checkout as the machine that submitted the study, then run it again with --retry-failed",
    );
  }
  return split;
}

const CURVE_FILE = "train-loss.jsonl";

/** The train-loss rows of a run's curve file (the last value of a step wins; a torn last line is skipped). */
function readCurve(path: string, runId: string): MetricRow[] {
  if (!existsSync(path)) return [];
  const rows = new Map<string, MetricRow>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.trim()) continue;
    let rec: { s: number; l: Record<string, number | null> };
    try {
      rec = JSON.parse(line) as typeof rec;
    } catch {
      continue;
    }
    for (const [variant, value] of Object.entries(rec.l)) rows.set(`${variant}\u0000${rec.s}`, { runId, variant, step: rec.s, name: "train/loss", value: value ?? NaN });
  }
  return [...rows.values()];
}

export interface ExecuteOutcome {
  status: "finished" | "failed" | "stopped" | "lost";
  result?: TwinResult;
  error?: string;
}

export function checkpointDirFor(options: { cwd: string; checkpointDir?: string }, run: RunRecord): string {
  return join(options.checkpointDir ?? join(options.cwd, ".twin", "checkpoints"), run.study, run.id);
}

/**
 * Runs a run this worker has claimed (status running, worker = `worker`) and
 * records it. A run that throws is marked failed with its error; a run that
 * is stopped (signal) stays running with a checkpoint, to be continued; a run
 * taken over by another worker (heartbeat refused) is dropped ("lost").
 */
export async function executeRun(store: Store, run: RunRecord, worker: string, options: ExecuteOptions): Promise<ExecuteOutcome> {
  const lost = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal;
  let pending: MetricRow[] = [];
  const trainLoss: MetricRow[] = [];
  // Each beat first flushes the train-loss rows gathered since the last one.
  const heartbeat = startHeartbeat(store, run.id, worker, {
    onLost: () => lost.abort(),
    beforeBeat: async () => {
      const rows = pending;
      pending = [];
      if (rows.length) await store.addMetrics(rows);
    },
  });
  try {
    let setup: RunSetup;
    let result: TwinResult;
    let fingerprintHash: string | undefined;
    try {
      setup = await setupRun(run, options);
      const base = await studyFingerprint(setup.spec, setup.config.studyFile, setup.train, options.cwd);
      await options.guard?.(base, run);
      const split = await submittedSplit(store, run, setup);
      const dir = checkpointDirFor(options, run);
      // The train-loss curve goes to a file next to the checkpoints, step by step (synchronous:
      // a kill -9 loses nothing written), so a resumed run records the steps before its checkpoint too.
      mkdirSync(dir, { recursive: true });
      // Each checkpoint's hash goes to the store as it is written; on resume a checkpoint must match it.
      const recorded = await store.checkpoints(run.id);
      const expected = new Map(recorded.filter((c) => c.sha256 !== null).map((c) => [c.step, c.sha256!]));
      const curve = join(dir, CURVE_FILE);
      const fromScratch = !readdirSync(dir).some((f) => f.startsWith("step-"));
      const skipNow = fromScratch ? Object.fromEntries([...(options.skip ?? [])].filter(([v]) => v in setup.spec.variants)) : {};
      const trained = await trainFromRecord(run, setup, {
        ...options,
        split,
        // The study's fingerprint (code, data, environment) in the run's logs, for reports read from log folders: the hash a report compares runs by (not the command line).
        texts: { fingerprint: comparableFingerprintHash(base) },
        skipNow,
        signal,
        checkpoint: {
          dir,
          every: options.checkpointEvery ?? 100,
          expected,
          onSaved: (c) => store.addCheckpoint({ runId: run.id, step: c.step, path: c.path, sha256: c.sha256 }),
          onDamaged: (d) => (options.onWarning ?? ((t: string) => process.stderr.write(`twin: warning: ${t}\n`)))(`run ${run.id}: ${describeDamaged(d)}`),
          onResume: options.onResume,
        },
        onProgress: (p) => {
          appendFileSync(curve, JSON.stringify({ s: p.step, l: p.losses }) + "\n");
          for (const [variant, value] of Object.entries(p.losses)) pending.push({ runId: run.id, variant, step: p.step, name: "train/loss", value });
          options.onProgress?.(p);
        },
      });
      result = trained.result;
      trainLoss.push(...readCurve(curve, run.id));
      fingerprintHash = await store.putFingerprint(withSplit(base, trained.split));
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      if (lost.signal.aborted) return { status: "lost", error: message };
      await store.failRun(run.id, message, { worker }).catch(() => {});
      return { status: "failed", error: message };
    }
    await heartbeat.stop();
    if (lost.signal.aborted) return { status: "lost", result };
    if (!result.completed) return { status: "stopped", result };
    try {
      // The whole curve again (upserts): rows flushed before a kill and re-done after the resume land on the same keys.
      await recordResult(store, run, result, { worker, trainLoss, fingerprintHash });
    } catch (e) {
      if (e instanceof StoreError && /not running|by worker/.test(e.message)) return { status: "lost", result, error: e.message };
      throw e;
    }
    rmSync(checkpointDirFor(options, run), { recursive: true, force: true });
    // A run that finished with a variant failed or diverged says so (progress display, pool messages).
    const note = variantFailures(result);
    return note ? { status: "finished", result, error: note } : { status: "finished", result };
  } finally {
    await heartbeat.stop();
  }
}

/** Per-run callbacks of executeClaimed. */
export interface ClaimHooks {
  /** A run was claimed and is about to train; returns its own options (progress, resume notes). */
  onRunStart?: (run: RunRecord) => Partial<ExecuteOptions> | void;
  onRunEnd?: (run: RunRecord, outcome: ExecuteOutcome) => void;
}

/**
 * The claim → execute loop of every executor in a process (the study's own
 * process, a local pool's worker process): claims the given runs one at a
 * time (compare-and-set: each run is taken by exactly one worker) and
 * executes each. Returns true when it stopped early: the signal, or a run
 * that stopped with a checkpoint.
 */
export async function executeClaimed(store: Store, ids: readonly string[], worker: string, options: ExecuteOptions, hooks: ClaimHooks = {}): Promise<boolean> {
  for (const id of ids) {
    if (options.signal?.aborted) return true;
    if (options.halted?.()) return false;
    // A claim that fails is left to others, unless the store itself is gone or unusable: then nothing can be recorded.
    const claimed = await store.claimRun(id, worker).catch((e: unknown) => {
      if (e instanceof StoreVanishedError || e instanceof StoreDamagedError || e instanceof StoreReadOnlyError) throw e;
      return false;
    });
    if (!claimed) continue;
    const run = await store.getRun(id);
    const own = hooks.onRunStart?.(run) ?? {};
    const outcome = await executeRun(store, run, worker, { ...options, ...own });
    hooks.onRunEnd?.(run, outcome);
    if (outcome.status === "stopped") return true;
  }
  return false;
}
