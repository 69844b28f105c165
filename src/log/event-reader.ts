/**
 * Reading TensorBoard event files back: one file, one run directory, or a
 * whole twin log tree `<logdir>/<study>/<variant>/seed-<n>/`.
 *
 * Works on files written by twin and by other writers (TensorFlow, PyTorch's
 * SummaryWriter, tensorboardX): scalars come from `simple_value` or from a
 * scalar-plugin tensor (float_val, double_val or tensor_content); texts from
 * text-plugin string tensors; hparams from hparams-plugin metadata. As in
 * TensorBoard, a tag's plugin is the one named by the first metadata seen for
 * that tag in the run.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { decodeEvent, SCALARS_PLUGIN, tensorNumbers, tensorStrings, TEXT_PLUGIN, type TBEvent } from "./event.ts";
import {
  decodeHParamsPluginData,
  HPARAMS_PLUGIN,
  type Experiment,
  type HParams,
  type SessionEndInfo,
  type SessionStartInfo,
  type SessionStatus,
} from "./hparams.ts";
import { damagedMetricsNote, METRICS_FILE } from "./metrics-jsonl.ts";
import { readMetricsSeries, type MetricsSeriesData, type TagSeries } from "./metrics-series.ts";
import { JsonlParseError } from "./jsonl.ts";
import { parseRecords } from "./tfrecord.ts";
import { readRegularFile } from "./regular-file.ts";
import { earlierRunOf } from "./run-folder.ts";

/** One scalar observation. */
export interface ScalarPoint {
  tag: string;
  step: number;
  /** As stored (float32 for `simple_value`). */
  value: number;
  /** Seconds since the epoch. */
  wallTime: number;
}

/** One text observation. */
export interface TextPoint {
  tag: string;
  step: number;
  text: string;
  wallTime: number;
}

/** The events of one file. */
export interface EventFileData {
  events: TBEvent[];
  /** Byte offset of an incomplete last record that was skipped. */
  truncatedAt?: number;
}

/** Everything twin reads from one run directory's event files. */
export interface EventDirData {
  dir: string;
  /** Event files read, in reading order. */
  files: string[];
  /** Scalars, in file and write order (duplicates kept). */
  scalars: ScalarPoint[];
  texts: TextPoint[];
  /** Last `_hparams_/session_start_info`. */
  sessionStart?: SessionStartInfo;
  /** Last `_hparams_/session_end_info`. */
  sessionEnd?: SessionEndInfo;
  /** Last `_hparams_/experiment`. */
  experiment?: Experiment;
  /** Files whose last record was cut short (a killed writer), with the offset. */
  truncated: { file: string; offset: number }[];
}

const collator = new Intl.Collator("en", { numeric: true });

/** True for a TensorBoard event file name. */
export function isEventFileName(name: string): boolean {
  return name.includes("tfevents");
}

/**
 * The event files of a directory (not recursive), in reading order: by name,
 * comparing digit runs as numbers (so counter 10 comes after 9).
 */
export function listEventFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return names
    .filter((n) => isEventFileName(n) && statSync(join(dir, n)).isFile())
    .sort((a, b) => collator.compare(a, b))
    .map((n) => join(dir, n));
}

/** Reads one event file (CRC-checked; tolerates a truncated last record). */
export function readEventFile(path: string): EventFileData {
  const { records, truncatedAt } = parseRecords(readRegularFile(path), path);
  const events: TBEvent[] = [];
  for (let i = 0; i < records.length; i++) {
    try {
      events.push(decodeEvent(records[i]!));
    } catch (err) {
      throw new Error(`${path}: record ${i} is not a valid Event proto (${(err as Error).message})`);
    }
  }
  return truncatedAt === undefined ? { events } : { events, truncatedAt };
}

/**
 * Reads all event files of a run directory and sorts out scalars, texts and
 * hparams. A missing directory gives empty data.
 */
export function readEventDir(dir: string): EventDirData {
  const out: EventDirData = { dir, files: [], scalars: [], texts: [], truncated: [] };
  const pluginOfTag = new Map<string, string>();
  for (const file of listEventFiles(dir)) {
    out.files.push(file);
    const { events, truncatedAt } = readEventFile(file);
    if (truncatedAt !== undefined) out.truncated.push({ file, offset: truncatedAt });
    for (const e of events) {
      for (const v of e.summary ?? []) {
        const declared = v.metadata?.pluginData?.pluginName;
        if (declared !== undefined && !pluginOfTag.has(v.tag)) pluginOfTag.set(v.tag, declared);
        const plugin = pluginOfTag.get(v.tag);
        if (plugin === HPARAMS_PLUGIN) {
          const content = v.metadata?.pluginData?.content;
          if (!content) continue; // hparams summaries always carry their metadata
          const data = decodeHParamsPluginData(content);
          if (data.kind === "experiment") out.experiment = data.experiment;
          else if (data.kind === "sessionStart") out.sessionStart = data.sessionStartInfo;
          else out.sessionEnd = data.sessionEndInfo;
        } else if (v.simpleValue !== undefined) {
          out.scalars.push({ tag: v.tag, step: e.step, value: v.simpleValue, wallTime: e.wallTime });
        } else if (v.tensor && (plugin === SCALARS_PLUGIN || plugin === undefined)) {
          const nums = tensorNumbers(v.tensor);
          // Without metadata only a rank-0 / single-element numeric tensor is taken as a scalar.
          if (nums.length === 1 && (plugin === SCALARS_PLUGIN || (v.tensor.shape ?? []).length === 0)) {
            out.scalars.push({ tag: v.tag, step: e.step, value: nums[0]!, wallTime: e.wallTime });
          }
        } else if (v.tensor && plugin === TEXT_PLUGIN) {
          out.texts.push({ tag: v.tag, step: e.step, text: tensorStrings(v.tensor).join("\n"), wallTime: e.wallTime });
        }
      }
    }
  }
  return out;
}

/** One point of a scalar series. */
export interface SeriesPoint {
  step: number;
  value: number;
  /** When it was logged, from event files; points read from metrics.jsonl (readMetricsSeries, which reads no wall time) have none. */
  wallTime?: number;
}

/** The scalar series of one run of a twin log tree. */
export interface RunSeries {
  study: string;
  variant: string;
  seed: number;
  /** The run directory. */
  dir: string;
  /** Which files the numbers came from. */
  source: "events" | "jsonl";
  /**
   * Series by tag, sorted by step; when a step was logged more than once (a
   * resumed run) the value written last wins.
   */
  scalars: Record<string, SeriesPoint[]>;
  hparams?: HParams;
  /** Session status, when the run recorded its end. */
  status?: SessionStatus;
  /** Files cut off mid-record (a killed writer): what was read stops there. */
  truncated?: { file: string; at: string }[];
  /** What the reader had to work around (a damaged metrics.jsonl line: the event files were read). */
  notes?: string[];
  /** The last status change twin logged for the run (text tag "status"), e.g. "diverged at step 11: loss NaN". */
  statusText?: string;
  /** The study's fingerprint hash twin logged with the run (text tag "fingerprint", else an hparam "fingerprint"). */
  fingerprint?: string;
}

/** The last text logged under the tag "status" (twin's status changes: diverged, failed, skipped), or another tag. */
function lastStatusText(texts: readonly { tag: string; text: string }[], tag = "status"): string | undefined {
  for (let i = texts.length - 1; i >= 0; i--) if (texts[i]!.tag === tag) return texts[i]!.text;
  return undefined;
}

/** Options of {@link readRunTree}. */
export interface ReadRunTreeOptions {
  /**
   * Which files to read when a run has both (default `"events"`); a run that
   * has only one kind is read from that.
   */
  prefer?: "events" | "jsonl";
  /** Filled with the run folders set aside (`seed-<n>.<run id>`, log/run-folder.ts), which are not read. */
  setAside?: string[];
}

const SEED_DIR = /^seed-(\d+)$/;

/** Series read from metrics.jsonl (sorted, one value per step) as points (no wall time: see SeriesPoint). */
function pointsOfSeries(series: Record<string, TagSeries>): Record<string, SeriesPoint[]> {
  const out: Record<string, SeriesPoint[]> = {};
  for (const [tag, s] of Object.entries(series)) out[tag] = Array.from(s.steps, (step, i) => ({ step, value: s.values[i]! }));
  return out;
}

function toSeries(points: readonly ScalarPoint[]): Record<string, SeriesPoint[]> {
  const byTag = new Map<string, Map<number, SeriesPoint>>();
  for (const p of points) {
    let m = byTag.get(p.tag);
    if (!m) byTag.set(p.tag, (m = new Map()));
    m.delete(p.step); // re-insert so the last write wins
    m.set(p.step, { step: p.step, value: p.value, wallTime: p.wallTime });
  }
  const out: Record<string, SeriesPoint[]> = {};
  for (const tag of [...byTag.keys()].sort()) out[tag] = [...byTag.get(tag)!.values()].sort((a, b) => a.step - b.step);
  return out;
}

function findSeedDirs(dir: string, found: string[], setAside?: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const sub = join(dir, e.name);
    if (SEED_DIR.test(e.name)) found.push(sub);
    else if (earlierRunOf(e.name)) setAside?.push(sub);
    else findSeedDirs(sub, found, setAside);
  }
}

/** Where a run of a log tree is: what its list is sorted by. */
interface RunPlace {
  study: string;
  variant: string;
  seed: number;
}

/** A run's scalars as read: packed series from metrics.jsonl, points from event files. */
type ReadScalars = { packed: Record<string, TagSeries> } | { points: Record<string, SeriesPoint[]> };

/**
 * Walks a log tree and makes one entry per run directory named `seed-<n>` with
 * `keep`, given the run (its scalars still empty) and its scalars as read;
 * nothing of a run is held after `keep` returns but what it kept, so the
 * memory of a whole tree is the kept entries' (readRunTree, readRunFinals).
 */
function readRuns<T extends RunPlace>(root: string, options: ReadRunTreeOptions, keep: (run: RunSeries, scalars: ReadScalars) => T): T[] {
  const prefer = options.prefer ?? "events";
  const abs = resolve(root);
  const dirs: string[] = [];
  if (SEED_DIR.test(basename(abs))) dirs.push(abs);
  else findSeedDirs(abs, dirs, options.setAside);
  const runs: T[] = [];
  for (const dir of dirs) {
    const seed = Number(SEED_DIR.exec(basename(dir))![1]);
    const variant = basename(dirname(dir));
    const study = basename(dirname(dirname(dir)));
    const hasEvents = listEventFiles(dir).length > 0;
    const hasJsonl = existsSync(join(dir, METRICS_FILE));
    if (!hasEvents && !hasJsonl) continue;
    let useEvents = hasEvents && (prefer === "events" || !hasJsonl);
    let jsonl: MetricsSeriesData | undefined;
    let damaged: string | undefined;
    if (!useEvents) {
      try {
        jsonl = readMetricsSeries(join(dir, METRICS_FILE), { lastStep: true });
      } catch (e) {
        if (!(e instanceof JsonlParseError)) throw e;
        if (!hasEvents) throw new Error(damagedMetricsNote(e, false));
        damaged = damagedMetricsNote(e, true);
        useEvents = true;
      }
    }
    const run: RunSeries = { study, variant, seed, dir, source: useEvents ? "events" : "jsonl", scalars: {}, ...(damaged ? { notes: [damaged] } : {}) };
    let texts: readonly { tag: string; text: string }[];
    let scalars: ReadScalars;
    if (useEvents) {
      const data = readEventDir(dir);
      texts = data.texts;
      scalars = { points: toSeries(data.scalars) };
      if (data.sessionStart) run.hparams = data.sessionStart.hparams;
      if (data.sessionEnd) run.status = data.sessionEnd.status;
      // twin's own run (it has a metrics.jsonl, damaged) whose event files record no end has not ended, as its metrics.jsonl would say.
      else if (damaged) run.status = "running";
      if (data.truncated.length) run.truncated = data.truncated.map((t) => ({ file: t.file, at: `byte ${t.offset}` }));
      const said = lastStatusText(data.texts);
      if (said !== undefined) run.statusText = said;
    } else {
      const data = jsonl!;
      texts = data.texts;
      scalars = { packed: data.scalars };
      if (data.hparams) run.hparams = data.hparams.hparams;
      if (data.status) run.status = data.status;
      if (data.truncatedLine !== undefined) run.truncated = [{ file: join(dir, METRICS_FILE), at: `line ${data.truncatedLine}` }];
      const said = lastStatusText(data.texts);
      if (said !== undefined) run.statusText = said;
    }
    const fingerprint = lastStatusText(texts, "fingerprint") ?? run.hparams?.fingerprint;
    if (typeof fingerprint === "string") run.fingerprint = fingerprint;
    runs.push(keep(run, scalars));
  }
  return runs.sort(
    (a, b) => collator.compare(a.study, b.study) || collator.compare(a.variant, b.variant) || a.seed - b.seed,
  );
}

/**
 * Walks a log tree and returns the scalar series of every run directory named
 * `seed-<n>`, with its variant (parent directory name) and study (grandparent
 * directory name). `root` may be the logdir, a study directory, a variant
 * directory or a seed directory itself. Runs with neither event files nor
 * `metrics.jsonl` are skipped. Sorted by study, variant, seed.
 */
export function readRunTree(root: string, options: ReadRunTreeOptions = {}): RunSeries[] {
  return readRuns(root, options, (run, scalars) => {
    run.scalars = "points" in scalars ? scalars.points : pointsOfSeries(scalars.packed);
    return run;
  });
}

/** A run of a log tree with each series' last value instead of the series (readRunFinals). */
export interface RunFinals extends Omit<RunSeries, "scalars"> {
  /** Each tag's value at its last step (after a step logged twice keeps the value written last), tags in the order of RunSeries.scalars. */
  finals: Record<string, number>;
  /** True when some point of some series (as RunSeries.scalars holds them) is NaN or ±Infinity. */
  nonFinite: boolean;
}

/** The last value of each series, and whether any value of any series is not finite. */
function finalsOf(run: RunSeries, scalars: ReadScalars): RunFinals {
  const { scalars: _empty, ...rest } = run;
  const finals: Record<string, number> = {};
  let nonFinite = false;
  if ("points" in scalars) {
    for (const [tag, points] of Object.entries(scalars.points)) {
      if (points.length > 0) finals[tag] = points[points.length - 1]!.value;
      nonFinite ||= points.some((p) => !Number.isFinite(p.value));
    }
  } else {
    for (const [tag, { values }] of Object.entries(scalars.packed)) {
      if (values.length > 0) finals[tag] = values[values.length - 1]!;
      nonFinite ||= values.some((v) => !Number.isFinite(v));
    }
  }
  return { ...rest, finals, nonFinite };
}

/**
 * readRunTree's runs with each series reduced to its last value as it is read
 * (what `twin stats` needs of a log folder): memory per run, not per point.
 */
export function readRunFinals(root: string, options: ReadRunTreeOptions = {}): RunFinals[] {
  return readRuns(root, options, finalsOf);
}
