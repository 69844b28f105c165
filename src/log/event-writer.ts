/**
 * `EventFileWriter`: appends TensorBoard events to a new event file in a
 * directory, with buffered synchronous writes.
 *
 * - The file is named as TensorBoard's own writers name it:
 *   `events.out.tfevents.<unix seconds, 10 digits>.<hostname>.<pid>.<counter><suffix>`,
 *   and created exclusively, so reopening a directory (a resumed run, a second
 *   writer) appends a new file beside the old ones; TensorBoard reads all the
 *   event files of a run directory in name order.
 * - The first event is `file_version = "brain.Event:2"`, written and flushed
 *   at once, so the file is valid from its creation.
 * - Events are buffered and written (one `write` per flush) every
 *   `flushEvery` events, when `flushSecs` have passed (checked on every add
 *   and by an unref'd timer), on {@link EventFileWriter.flush}, on close and
 *   at process exit. Bytes written are never rewritten; a crash loses at most
 *   the unflushed buffer, and a record cut short by a kill is skipped by the
 *   reader.
 */
import { mkdirSync, openSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { encodeEvent, FILE_VERSION, scalarValue, textValue, type SummaryValue, type TBEvent } from "./event.ts";
import {
  hparamsExperimentValue,
  hparamsSessionEndValue,
  hparamsSessionStartValue,
  type Experiment,
  type HParams,
  type SessionStatus,
} from "./hparams.ts";
import { frameRecord } from "./tfrecord.ts";
import { BufferedFile, BufferedWriter } from "./buffered-file.ts";

/** Options of {@link EventFileWriter}. */
export interface EventFileWriterOptions {
  /** Flush after this many buffered events (default 64). */
  flushEvery?: number;
  /** Flush when the oldest buffered event is this many seconds old (default 5; 0 = flush on every add). */
  flushSecs?: number;
  /** Appended to the file name (e.g. `.hparams`); must not contain a path separator. */
  filenameSuffix?: string;
  /** Host name in the file name (default `os.hostname()`). */
  hostname?: string;
  /** `fsync` on every flush, not only on close (default false). */
  fsyncOnFlush?: boolean;
}

/** Prefix of every TensorBoard event file name. */
export const EVENT_FILE_PREFIX = "events.out.tfevents.";

let fileCounter = 0;

/** Seconds since the epoch, fractional: the wall time TensorBoard expects. */
export function wallTimeNow(): number {
  return Date.now() / 1000;
}

/** Builds an event file name the way TensorBoard / tensorboardX do. */
export function eventFileName(unixSeconds: number, host: string, pid: number, counter: number, suffix = ""): string {
  const secs = String(Math.floor(unixSeconds)).padStart(10, "0");
  return `${EVENT_FILE_PREFIX}${secs}.${host}.${pid}.${counter}${suffix}`;
}

/** Creates `dir` and a new event file in it (a name no other writer holds), opened for buffered appends. */
function createEventFile(dir: string, now: number, options: EventFileWriterOptions): BufferedFile {
  const suffix = options.filenameSuffix ?? "";
  if (/[\\/]/.test(suffix)) throw new Error(`filenameSuffix must not contain a path separator: ${suffix}`);
  const host = (options.hostname ?? hostname()).replace(/[\\/]/g, "_");
  mkdirSync(dir, { recursive: true });
  let path: string;
  let fd: number;
  for (;;) {
    path = join(dir, eventFileName(now, host, process.pid, fileCounter++, suffix));
    try {
      fd = openSync(path, "wx");
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  return new BufferedFile(path, fd, {
    flushEvery: options.flushEvery ?? 64,
    flushMs: (options.flushSecs ?? 5) * 1000,
    fsyncOnFlush: options.fsyncOnFlush ?? false,
    label: "event writer",
  });
}

/** Writes one TensorBoard event file. Not thread-safe; one writer per file. */
export class EventFileWriter extends BufferedWriter {
  /**
   * Creates `dir` (recursively) and a new event file in it.
   * @throws if the directory or file cannot be created
   */
  constructor(dir: string, options: EventFileWriterOptions = {}) {
    const now = wallTimeNow();
    super(createEventFile(dir, now, options));
    this.addEvent({ wallTime: now, step: 0, fileVersion: FILE_VERSION });
    this.flush();
  }

  /** Appends any event (buffered). */
  addEvent(event: TBEvent): void {
    this.file.append(frameRecord(encodeEvent(event)));
  }

  /** Appends one event holding a `Summary` of `values`. */
  addSummary(values: SummaryValue[], step: number, wallTime: number = wallTimeNow()): void {
    this.addEvent({ wallTime, step, summary: values });
  }

  /** Logs a scalar (stored as float32 `simple_value`). */
  addScalar(tag: string, value: number, step: number, wallTime?: number): void {
    this.addSummary([scalarValue(tag, value)], step, wallTime);
  }

  /** Logs several scalars at one step, in one event. */
  addScalars(record: Readonly<Record<string, number>>, step: number, wallTime?: number): void {
    const values = Object.entries(record).map(([tag, v]) => scalarValue(tag, v));
    if (values.length > 0) this.addSummary(values, step, wallTime);
  }

  /** Logs a text note (TensorBoard's TEXT tab renders it as Markdown). */
  addText(tag: string, text: string, step: number, wallTime?: number): void {
    this.addSummary([textValue(tag, text)], step, wallTime);
  }

  /**
   * Records this run's hyper-parameters (`_hparams_/session_start_info`), so
   * the HParams tab lists the run. Runs sharing `groupName` are shown as one
   * group (seeds of one configuration).
   */
  addHparams(
    hparams: HParams,
    options: { groupName?: string; startTimeSecs?: number; modelUri?: string; monitorUrl?: string } = {},
  ): void {
    const start = options.startTimeSecs ?? wallTimeNow();
    this.addSummary([hparamsSessionStartValue({ ...options, hparams, startTimeSecs: start })], 0, start);
  }

  /** Records how this run ended (`_hparams_/session_end_info`). */
  addHparamsEnd(status: SessionStatus, endTimeSecs: number = wallTimeNow()): void {
    this.addSummary([hparamsSessionEndValue({ status, endTimeSecs })], 0, endTimeSecs);
  }

  /**
   * Records the experiment (`_hparams_/experiment`): which hparams and metrics
   * the HParams tab shows. Write it once, in a run of its own above the
   * session runs (twin: the study directory).
   */
  addHparamsExperiment(experiment: Experiment, wallTime: number = wallTimeNow()): void {
    this.addSummary([hparamsExperimentValue(experiment)], 0, wallTime);
  }
}
