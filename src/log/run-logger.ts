/**
 * `RunLogger`: what a trainer uses to log one run. Plain numbers in, files out:
 *
 * ```
 * <logdir>/<study>/events.out.tfevents….hparams   experiment summary (HParams tab)
 * <logdir>/<study>/<variant>/seed-<seed>/
 *     events.out.tfevents…                          TensorBoard event file(s)
 *     metrics.jsonl                                 the same numbers, full precision
 *     .twin-writer                                  the process writing them (run-writer.ts)
 * ```
 *
 * TensorBoard pointed at `<logdir>` (or at `<logdir>/<study>`) groups the runs
 * by study and variant in its run selector; the HParams tab lists each seed
 * as a session, grouped by variant.
 */
import { closeSync, mkdirSync, openSync, readdirSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { EventFileWriter, wallTimeNow } from "./event-writer.ts";
import { readEventDir } from "./event-reader.ts";
import {
  inferHParamInfos,
  mergeExperiments,
  sameExperiment,
  type Experiment,
  type HParams,
  type SessionStatus,
} from "./hparams.ts";
import { JsonlWriter } from "./jsonl.ts";
import { markWriter } from "./run-writer.ts";
import { METRICS_FILE, toJsonNumber, type JsonNumber, type MetricsLine } from "./metrics-jsonl.ts";

/** Options of {@link RunLogger}. */
export interface RunLoggerOptions {
  /** Root of the log tree. */
  logdir: string;
  /** Study name (a single path component). */
  study: string;
  /** Variant name (a single path component). */
  variant: string;
  /** Root seed of the run (a non-negative integer). */
  seed: number;
  /** Write a TensorBoard event file (default true). */
  events?: boolean;
  /** Write `metrics.jsonl` (default true). */
  jsonl?: boolean;
  /** Flush after this many buffered records (default 64 events / 32 lines). */
  flushEvery?: number;
  /** Flush buffered records at least this often, in seconds (default 5 / 2). */
  flushSecs?: number;
}

/** Suffix of the event files that hold a study's hparams experiment. */
export const EXPERIMENT_FILE_SUFFIX = ".hparams";

function checkComponent(kind: string, name: string): void {
  if (name === "" || name === "." || name === ".." || /[\\/\0]/.test(name)) {
    throw new Error(`${kind} name ${JSON.stringify(name)} cannot be used as a directory name`);
  }
}

/** `<logdir>/<study>`. */
export function studyDir(logdir: string, study: string): string {
  checkComponent("study", study);
  return join(logdir, study);
}

/** `<logdir>/<study>/<variant>/seed-<seed>`. */
export function runDir(logdir: string, study: string, variant: string, seed: number): string {
  checkComponent("variant", variant);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative integer, got ${seed}`);
  return join(studyDir(logdir, study), variant, `seed-${seed}`);
}

/**
 * Flattens a configuration into hparam values: nested plain objects become
 * dotted names (`optimizer.lr`), arrays and other objects become JSON
 * strings, bigints strings; `null`, `undefined` and functions are dropped.
 */
export function flattenHParams(config: Readonly<Record<string, unknown>>, prefix = ""): HParams {
  const out: HParams = {};
  for (const [k, v] of Object.entries(config)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") out[name] = v;
    else if (typeof v === "bigint") out[name] = v.toString();
    else if (v === null || v === undefined || typeof v === "function" || typeof v === "symbol") continue;
    else if (Array.isArray(v)) out[name] = JSON.stringify(v);
    else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
      Object.assign(out, flattenHParams(v as Record<string, unknown>, name));
    } else out[name] = JSON.stringify(v) ?? String(v);
  }
  return out;
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `fn` holding an exclusive lock file (stale locks older than 30 s are broken). */
function withLock<T>(lockPath: string, fn: () => T): T {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      closeSync(openSync(lockPath, "wx"));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      try {
        if (Date.now() - statSync(lockPath).mtimeMs > 30_000) unlinkSync(lockPath);
      } catch {
        // The holder released it meanwhile.
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${lockPath}`);
      sleepMs(10);
    }
  }
  try {
    return fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // Already gone (broken as stale by another process).
    }
  }
}

/**
 * Writes or extends the study's `_hparams_/experiment` summary in
 * `<logdir>/<study>/`: the experiment already there (if any) is merged with
 * `experiment` (hparam domains united, metrics united) and, when that changes
 * anything, written to a new `….hparams` event file that replaces the old
 * ones. Serialized across processes by a lock file.
 *
 * Note: a running TensorBoard keeps the first experiment it saw; restart it
 * (or write the full experiment once before the runs start) to see changes.
 *
 * @returns the experiment now on disk
 */
export function updateStudyExperiment(logdir: string, study: string, experiment: Experiment): Experiment {
  const dir = studyDir(logdir, study);
  mkdirSync(dir, { recursive: true });
  return withLock(join(dir, ".twin-hparams.lock"), () => {
    const oldFiles = readdirSync(dir)
      .filter((n) => n.includes("tfevents") && n.endsWith(EXPERIMENT_FILE_SUFFIX))
      .map((n) => join(dir, n));
    const existing = oldFiles.length > 0 ? readEventDir(dir).experiment : undefined;
    const merged = mergeExperiments(existing ?? { hparamInfos: [], metricInfos: [] }, experiment);
    if (existing && sameExperiment(existing, merged)) return existing;
    const writer = new EventFileWriter(dir, { filenameSuffix: EXPERIMENT_FILE_SUFFIX, flushSecs: 0 });
    try {
      writer.addHparamsExperiment(merged);
    } finally {
      writer.close();
    }
    for (const f of oldFiles) if (f !== writer.path) unlinkSync(f);
    return merged;
  });
}

/** Logs one run to an event file and `metrics.jsonl` in its run directory. */
export class RunLogger {
  /** The run directory `<logdir>/<study>/<variant>/seed-<seed>`. */
  readonly dir: string;
  readonly logdir: string;
  readonly study: string;
  readonly variant: string;
  readonly seed: number;
  private readonly events: EventFileWriter | undefined;
  private readonly jsonl: JsonlWriter | undefined;
  private sessionStarted = false;
  private isClosed = false;

  /** Creates the run directory and opens a new event file and `metrics.jsonl` (appending). */
  constructor(options: RunLoggerOptions) {
    this.logdir = options.logdir;
    this.study = options.study;
    this.variant = options.variant;
    this.seed = options.seed;
    this.dir = runDir(options.logdir, options.study, options.variant, options.seed);
    const flush = {
      ...(options.flushEvery !== undefined ? { flushEvery: options.flushEvery } : {}),
      ...(options.flushSecs !== undefined ? { flushSecs: options.flushSecs } : {}),
    };
    this.events = options.events === false ? undefined : new EventFileWriter(this.dir, flush);
    try {
      this.jsonl = options.jsonl === false ? undefined : new JsonlWriter(join(this.dir, METRICS_FILE), flush);
      // Which process writes: a reader can then tell a run that stopped without its end line from one still running.
      if (this.jsonl) markWriter(this.dir);
    } catch (err) {
      this.events?.close();
      throw err;
    }
  }

  private check(): void {
    if (this.isClosed) throw new Error(`run logger for ${this.dir} is closed`);
  }

  /**
   * Logs scalar metrics at a step, e.g. `log(100, {"train/loss": 0.31, "val/acc": 0.87})`.
   * NaN and ±Infinity are kept (as strings in the JSONL file).
   */
  log(step: number, metrics: Readonly<Record<string, number>>, wallTime: number = wallTimeNow()): void {
    this.check();
    if (!Number.isSafeInteger(step)) throw new RangeError(`step must be an integer, got ${step}`);
    const values: Record<string, JsonNumber> = {};
    for (const [tag, v] of Object.entries(metrics)) {
      if (typeof v !== "number") throw new TypeError(`metric ${tag} must be a number, got ${typeof v}`);
      values[tag] = toJsonNumber(v);
    }
    if (Object.keys(values).length === 0) return;
    this.events?.addScalars(metrics, step, wallTime);
    this.write({ kind: "scalars", step, wall_time: wallTime, values });
  }

  /** Logs a text note (fingerprints, config dumps, warnings). */
  logText(tag: string, text: string, step = 0, wallTime: number = wallTimeNow()): void {
    this.check();
    this.events?.addText(tag, text, step, wallTime);
    this.write({ kind: "text", step, wall_time: wallTime, tag, text });
  }

  /**
   * Records the run's hyper-parameters and the metric tags to show against
   * them in TensorBoard's HParams tab: a session start in this run (group:
   * `<study>/<variant>`, so seeds of a variant form one group) and, unless
   * `updateExperiment` is false, the study's experiment summary, extended
   * with these hparams and metrics (see {@link updateStudyExperiment}).
   *
   * @param config hparam values; nested objects are flattened (see {@link flattenHParams})
   * @param metrics scalar tags logged with {@link log}, e.g. `["val/acc", "val/loss"]`
   */
  hparams(
    config: Readonly<Record<string, unknown>>,
    metrics: readonly string[] = [],
    options: { groupName?: string; updateExperiment?: boolean } = {},
  ): void {
    this.check();
    const hp = flattenHParams(config);
    const group = options.groupName ?? `${this.study}/${this.variant}`;
    const now = wallTimeNow();
    this.events?.addHparams(hp, { groupName: group, startTimeSecs: now });
    this.write({ kind: "hparams", wall_time: now, hparams: hp, metrics: [...metrics], group });
    this.sessionStarted = true;
    if (options.updateExperiment !== false && this.events) {
      updateStudyExperiment(this.logdir, this.study, {
        hparamInfos: inferHParamInfos([hp]),
        metricInfos: metrics.map((tag) => ({ tag })),
      });
    }
  }

  private write(line: MetricsLine): void {
    this.jsonl?.write(line);
  }

  /** Writes buffered records of both files. */
  flush(): void {
    this.check();
    this.events?.flush();
    this.jsonl?.flush();
  }

  /**
   * Records the end status (HParams session end if {@link hparams} was
   * called; an `end` line in the JSONL), then flushes, fsyncs and closes both
   * files. Idempotent.
   */
  close(status: SessionStatus = "success"): void {
    if (this.isClosed) return;
    const now = wallTimeNow();
    try {
      if (this.sessionStarted) this.events?.addHparamsEnd(status, now);
      this.write({ kind: "end", wall_time: now, status });
    } finally {
      this.isClosed = true;
      try {
        this.events?.close();
      } finally {
        this.jsonl?.close();
      }
    }
  }

  /** `using log = new RunLogger(…)` closes it (status success) at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}
