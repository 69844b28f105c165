/**
 * Studies of a twin log folder: `<logdir>/<study>/<variant>/seed-<n>/` with
 * metrics.jsonl or event files, `<logdir>/<study>/_checks/seed-<n>.jsonl`.
 * An earlier, different run of a seed moved aside to `seed-<n>.<run id>/`
 * (log/run-folder.ts) is not read: its run gets a note saying where it is
 * (and, for a run of other seeds set aside by a log folder written before
 * each plan got labels of its own, how to read it).
 * A study is read seed by seed (one run directory at a time); listings come
 * from the run index; changes are noticed with fs.watch (recursive), or by
 * polling the runs that have not ended where the platform cannot watch.
 * Nothing is written in the folder; with an index file (the dashboard's, see
 * log-index.ts) runs are read from the index where their files did not change.
 */
import { existsSync, opendirSync, readdirSync, statSync, type Dir } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { JsonlParseError, readJsonl } from "../../log/jsonl.ts";
import { damagedMetricsNote, METRICS_FILE } from "../../log/metrics-jsonl.ts";
import { readMetricsSeries, type MetricsSeriesData } from "../../log/metrics-series.ts";
import type { CheckLine, DataSource, RunData, SeedChecks, SeedGroup, Series, SourceSpec, StampedStudy, StudyData, StudyListing, StudyStream, TakenStamps } from "../types.ts";
import { seriesOf } from "../series.ts";
import { readDesignFile } from "../../study/factorial-design-record.ts";
import { watchFolders } from "./folder-watcher.ts";
import { factorSeedsFromHParams } from "../../log/factor-seeds.ts";
import { eventReader } from "./event-reader-use.ts";
import { LogIndex } from "./log-index.ts";
import { LogReaderPool, readerWrites } from "./log-reader-pool.ts";
import { RunIndex } from "./run-index.ts";
import { fileStamp, remember, runDirFiles as runDirFilesOf, runDirStamp as runDirStampOf, type RunDirFiles, type RunDirListings, type StampSeen } from "./run-dir-stamp.ts";
import { readRunDirPredictions, RUN_DIR_PREDICTION_STEMS } from "./run-dir-predictions.ts";
import { earlierRunOf } from "../../log/run-folder.ts";
import { writerOf } from "../../log/run-writer.ts";
import { isDeadLocalWorker, parseWorkerId } from "../../study/lifecycle.ts";
import { hostname } from "node:os";

export type { RunDirListings };

/** The listing's word for a run whose log has no end record and names no writer this machine can check: running, or stopped without writing its end. */
export const NO_END_RECORD = "no end record";

/**
 * What the listing calls a run whose log has no end record: "stopped" when
 * the process that wrote it (log/run-writer.ts) is gone from this host (as
 * `twin runs` decides for the store: study/lifecycle.ts), "running" while it
 * lives, NO_END_RECORD when the folder names no writer or one on another host.
 */
function runningWord(runDir: string): string {
  const writer = writerOf(runDir);
  const w = writer === undefined ? undefined : parseWorkerId(writer);
  if (!w || w.host !== hostname()) return NO_END_RECORD;
  return isDeadLocalWorker(writer!) ? "stopped" : "running";
}

const SEED_DIR = /^seed-(\d+)$/;
const CHECKS_DIR = "_checks";
/** Stamps taken from change notifications (seedStamps' `changed`) are taken again in full at least this often. */
const FULL_STAMP_EVERY_MS = 60_000;
/** The polling fallback looks at ended runs' files once every this many polls. */
const FULL_POLL_EVERY = 10;

function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith(".") && !e.name.startsWith("_"))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** True when `dir` looks like a study directory: `<variant>/seed-<n>/` inside. */
export function isStudyDir(dir: string): boolean {
  return listDirs(dir).some((v) => hasSeedDir(join(dir, v)));
}

/** Whether a folder holds a `seed-<n>/` folder: read until the first one (a variant of 10,000 seeds is not listed whole). */
function hasSeedDir(dir: string): boolean {
  let d: Dir;
  try {
    d = opendirSync(dir);
  } catch {
    return false;
  }
  try {
    for (let e = d.readSync(); e !== null; e = d.readSync()) if (e.isDirectory() && SEED_DIR.test(e.name)) return true;
    return false;
  } finally {
    d.closeSync();
  }
}

/** The factorial design written beside a study's log folders (study/factorial-design-record.ts), or why it cannot be read. */
function designOf(studyDir: string): Pick<StudyData, "design" | "designError"> {
  try {
    const design = readDesignFile(studyDir);
    return design ? { design } : {};
  } catch (e) {
    return { designError: (e as Error).message };
  }
}

/** Scalars by tag, sorted by step; a step logged twice (a resumed run) keeps the value written last. */
function bySteps(points: Iterable<{ tag: string; step: number; value: number }>): Record<string, Series> {
  const byTag = new Map<string, Map<number, number>>();
  for (const p of points) {
    let m = byTag.get(p.tag);
    if (!m) byTag.set(p.tag, (m = new Map()));
    m.set(p.step, p.value);
  }
  const out: Record<string, Series> = {};
  for (const tag of [...byTag.keys()].sort()) out[tag] = seriesOf([...byTag.get(tag)!].map(([step, value]) => ({ step, value })).sort((a, b) => a.step - b.step));
  return out;
}

/** One run directory (metrics.jsonl, read once; else its event files) with its prediction files, or undefined when it has neither. */
export function readRunDir(dir: string, variant: string, seed: string): RunData | undefined {
  const run = readRunFiles(dir, variant, seed);
  return run && withRunDirPredictions(run, dir);
}

/** One run directory's metrics.jsonl, else its event files (undefined: neither); prediction files not read. */
function readRunFiles(dir: string, variant: string, seed: string): RunData | undefined {
  const jsonl = join(dir, METRICS_FILE);
  let run: RunData;
  let data: MetricsSeriesData | undefined;
  let damaged: string | undefined;
  if (existsSync(jsonl)) {
    try {
      data = readMetricsSeries(jsonl);
    } catch (e) {
      if (!(e instanceof JsonlParseError)) throw e;
      if (eventReader().listEventFiles(dir).length === 0) throw new Error(damagedMetricsNote(e, false));
      damaged = damagedMetricsNote(e, true);
    }
  }
  if (data) {
    run = { variant, seed, status: data.status ?? "running", scalars: data.scalars, where: dir };
    if (data.hparams) run.hparams = data.hparams.hparams;
    const notes = data.texts.filter((t) => t.tag !== "fingerprint").map((t) => `${t.tag} (step ${t.step}): ${t.text}`);
    if (notes.length > 0) run.notes = notes;
    const fp = data.texts.filter((t) => t.tag === "fingerprint").pop();
    if (fp) run.fingerprint = fp.text;
  } else {
    const [r] = eventReader().readRunTree(dir, { prefer: "events" });
    if (!r) return undefined;
    // Event files of other tools record no end: their status is unknown, not "running" (twin stats reads them as results too).
    run = { variant, seed, status: r.status ?? (damaged ? "running" : "unknown"), scalars: bySteps(Object.entries(r.scalars).flatMap(([tag, pts]) => pts.map((p) => ({ tag, step: p.step, value: p.value })))), where: dir };
    if (r.hparams) run.hparams = r.hparams;
    if (damaged) run.notes = [damaged];
  }
  if (run.hparams) {
    const fs = factorSeedsFromHParams(run.hparams);
    if (fs) run.factorSeeds = fs;
    if (run.fingerprint === undefined && typeof run.hparams.fingerprint === "string") run.fingerprint = run.hparams.fingerprint;
  }
  return run;
}

/**
 * The run with the prediction files of its folder, if any (read each time:
 * they are not in the index); `listings` (the stamps' listings of run folders),
 * or `stamped` (the folder's files as the seed's stamp just found them), spare
 * looking for them in a folder listed without any.
 */
function withRunDirPredictions(run: RunData, dir: string, listings?: RunDirListings, stamped?: RunDirFiles): RunData {
  if ((stamped ?? (listings && runDirFiles(dir, listings)))?.predictions.length === 0) return run;
  const { predictions, notes } = readRunDirPredictions(dir);
  if (predictions) run.predictions = predictions;
  if (notes.length > 0) run.notes = [...(run.notes ?? []), ...notes];
  return run;
}

function readChecks(studyDir: string, seed: string): SeedChecks[] {
  const path = join(studyDir, CHECKS_DIR, `seed-${seed}.jsonl`);
  if (!existsSync(path)) return [];
  try {
    const { records } = readJsonl<CheckLine>(path);
    return [{ seed, lines: records.filter((r) => r && typeof r.step === "number" && Array.isArray(r.streams)) }];
  } catch {
    return [{ seed, lines: [] }];
  }
}

/** Run directories of a study by seed: seed → [variant, directory] in variant order. */
function runDirs(studyDir: string, earlier?: Map<string, string[]>): Map<string, [string, string][]> {
  const bySeed = new Map<string, [string, string][]>();
  for (const v of listDirs(studyDir)) {
    // Joined by hand: names read from a folder hold no separator, and join's normalizing was a tenth of a 10,000-run listing.
    const variantDir = join(studyDir, v);
    for (const s of listDirs(variantDir)) {
      const m = SEED_DIR.exec(s);
      if (!m) {
        const aside = earlierRunOf(s);
        if (aside && earlier) {
          const key = `${v}/${aside.seedDir}`;
          earlier.set(key, [...(earlier.get(key) ?? []), join(studyDir, v, s)]);
        }
        continue;
      }
      let arr = bySeed.get(m[1]!);
      if (!arr) bySeed.set(m[1]!, (arr = []));
      arr.push([v, variantDir + sep + s]);
    }
  }
  return new Map([...bySeed].sort((a, b) => Number(a[0]) - Number(b[0])));
}

/** A study's run folders as {@link runDirs} listed them, and the modification times of the folders listed then. */
interface RunDirsListed {
  mtimes: string;
  all: Map<string, [string, string][]>;
  earlier: Map<string, string[]>;
}

/** Remembered listings of studies' run folders (see {@link listedRunDirs}), by study directory. */
export type StudyRunDirs = Map<string, RunDirsListed>;

/**
 * A folder modified this close to when it was listed may change again with the
 * same modification time (coarse file-system clocks): its listing is not reused.
 */
const RACY_MTIME_MS = 2000;

/**
 * {@link runDirs}, answered from the last listing of the study while neither
 * the study's folder nor any variant's folder was modified since (a run
 * folder made, removed or renamed changes its variant folder's modification
 * time): a dashboard update reads one run, and listing 10,000 run folders
 * again cost 30–70 ms of it at 10,000 runs. Pruning the index is only needed
 * after a listing that is not the last one. `earlier` and the listing are
 * shared between calls: treat them as read-only.
 */
function listedRunDirs(studyDir: string, remembered: StudyRunDirs | undefined): RunDirsListed & { reused: boolean } {
  const mtimeOf = (dir: string): number | undefined => statSync(dir, { throwIfNoEntry: false })?.mtimeMs;
  const now = Date.now();
  const variants = remembered ? listDirs(studyDir) : [];
  const times = [mtimeOf(studyDir), ...variants.map((v) => mtimeOf(join(studyDir, v)))];
  const settled = times.every((t) => t !== undefined && t < now - RACY_MTIME_MS);
  const mtimes = [times[0], ...variants.map((v, i) => `${v}\u0000${times[i + 1]}`)].join("\u0001");
  const last = remembered?.get(studyDir);
  if (last && settled && last.mtimes === mtimes) return { ...last, reused: true };
  const earlier = new Map<string, string[]>();
  const all = runDirs(studyDir, earlier);
  if (remembered) {
    if (settled) remembered.set(studyDir, { mtimes, all, earlier });
    else remembered.delete(studyDir);
  }
  return { mtimes, all, earlier, reused: false };
}

/** The factors whose seeds differ between two runs' recorded factor seeds, as `init=3 (this run: 1)`; the split's left out (the other split mode is the same seed). */
function otherSeeds(aside: Readonly<Record<string, string>> | undefined, here: Readonly<Record<string, string>> | undefined): string[] {
  if (!aside || !here) return [];
  return Object.keys(aside)
    .filter((f) => f !== "split" && here[f] !== undefined && aside[f] !== here[f])
    .sort()
    .map((f) => `${f}=${aside[f]} (this run: ${here[f]})`);
}

/**
 * The run with a note per earlier run kept beside its folder (log/run-folder.ts):
 * a different run of its seed, or (a log folder written before each plan's
 * runs got labels of their own, study/run-labels.ts) a run of other seeds
 * that had the same label, which the note says how to read.
 */
function withEarlierRuns(run: RunData, dirs: readonly string[] | undefined): RunData {
  if (!dirs?.length) return run;
  const notes = dirs.map((d) => {
    const name = basename(d);
    const { runId, seedDir } = earlierRunOf(name)!;
    const differ = otherSeeds(readRunFiles(d, run.variant, run.seed)?.factorSeeds, run.factorSeeds);
    if (differ.length === 0) return `an earlier, different run of this seed (${runId}) is kept in ${d}: not in the verdict, which uses this run (the one trained last)`;
    return (
      `a run of other seeds (${runId}: ${differ.join(", ")}) was set aside in ${d} when this run took its folder ${seedDir}/: it is not read here. ` +
      `To read it, rename its folder ${name} of every variant, and _checks/${name}.jsonl, to an unused seed-<m>`
    );
  });
  return { ...run, notes: [...(run.notes ?? []), ...notes] };
}

const PREDICTION_FILE_NAMES = new Set(RUN_DIR_PREDICTION_STEMS.flatMap((stem) => [`${stem}.npy`, `${stem}.csv`]));

function runDirFiles(dir: string, listings?: RunDirListings): RunDirFiles | undefined {
  return runDirFilesOf(dir, PREDICTION_FILE_NAMES, listings);
}

function runDirStamp(dir: string, listings?: RunDirListings, seen?: StampSeen): string {
  return runDirStampOf(dir, PREDICTION_FILE_NAMES, listings, seen);
}

/**
 * Each seed's change stamp in a study directory: its run directories' and its
 * checks file's. `listings` (kept by the caller between calls) spares the
 * stats of files a run directory does not have.
 */
export function studyDirStamps(studyDir: string, listings?: RunDirListings, studyRunDirs?: StudyRunDirs): Map<string, string> {
  const out = new Map<string, string>();
  const checkFiles = checkFilesOf(studyDir);
  const dirs = studyRunDirs ? listedRunDirs(studyDir, studyRunDirs).all : runDirs(studyDir);
  for (const [seed, runs] of dirs) out.set(seed, seedStamp(studyDir, seed, runs, checkFiles.has(`seed-${seed}.jsonl`), listings));
  if (listings) forgetGoneFolders(studyDir, dirs, listings);
  return out;
}

/** The study's folders in `listings` that are not among its run folders now (`dirs`) are forgotten. */
function forgetGoneFolders(studyDir: string, dirs: ReadonlyMap<string, readonly [string, string][]>, listings: RunDirListings): void {
  const live = new Set([...dirs.values()].flatMap((runs) => runs.map(([, dir]) => dir)));
  for (const dir of listings.keys()) if (dir.startsWith(studyDir + sep) && !live.has(dir)) listings.delete(dir);
}

/** A study's checks files (`seed-<n>.jsonl`), none when it has no checks folder. */
function checkFilesOf(studyDir: string): Set<string> {
  try {
    return new Set(readdirSync(join(studyDir, CHECKS_DIR)));
  } catch {
    return new Set();
  }
}

/** A run folder's path relative to its study's folder (the run folders are listed as join(studyDir, variant, seed folder)). */
function relativeRunDir(studyDir: string, dir: string): string {
  return dir.startsWith(studyDir) && dir[studyDir.length] === sep ? dir.slice(studyDir.length + 1) : relative(studyDir, dir);
}

/** A run from the dashboard's index; undefined (read it from its files) when it has no metrics.jsonl or a damaged line in it. */
function indexedRun(index: IndexUse | undefined, studyDir: string, dir: string, variant: string, seed: string): RunData | undefined {
  if (!index) return undefined;
  try {
    const rel = relativeRunDir(studyDir, dir);
    return index.log.run(index.study, rel, join(dir, METRICS_FILE), variant, seed, dir) ?? index.log.eventRun(index.study, rel, runDirStamp(dir), variant, seed, dir, () => readRunFiles(dir, variant, seed));
  } catch (e) {
    if (e instanceof JsonlParseError) return undefined;
    throw e;
  }
}

/** One seed's stamp: its run directories' (`runs`: [variant, directory]) and its checks file's (`checks`: whether it has one). */
function seedStamp(studyDir: string, seed: string, runs: readonly [string, string][], checks: boolean, listings?: RunDirListings, seen?: StampSeen): string {
  const checksStamp = checks ? fileStamp(join(studyDir, CHECKS_DIR, `seed-${seed}.jsonl`)) : "-";
  return runs.map(([variant, dir]) => `${variant}=${runDirStamp(dir, listings, seen)}`).join(";") + `;checks=${checksStamp}`;
}

/** A changed file's seed, from its path relative to the study folder (`<variant>/seed-<n>/…` or `_checks/seed-<n>.jsonl`); undefined: not a seed's file. */
export function seedOfChangedFile(file: string): string | undefined {
  const parts = file.split(/[\\/]/);
  if (parts[0] === CHECKS_DIR) return parts.length === 2 ? /^seed-(\d+)\.jsonl$/.exec(parts[1]!)?.[1] : undefined;
  if (parts.length < 2 || parts[0]!.startsWith(".") || parts[0]!.startsWith("_")) return undefined;
  return SEED_DIR.exec(parts[1]!)?.[1];
}

/**
 * The stamps of a study whose seeds' stamps (`stamps`, in seed order) were
 * taken before and of which only the files `changed` changed since: those
 * seeds stamped again. Undefined when that is not enough (a file that is no
 * seed's, a new seed: the order changes), and every seed must be stamped.
 */
function restampSeeds(studyDir: string, stamps: ReadonlyMap<string, string>, changed: ReadonlySet<string>, listings?: RunDirListings): Map<string, string> | undefined {
  const seeds = new Set<string>();
  for (const file of changed) {
    const seed = seedOfChangedFile(file);
    if (seed === undefined || !stamps.has(seed)) return undefined;
    seeds.add(seed);
  }
  const out = new Map(stamps);
  if (seeds.size === 0) return out;
  const variants = listDirs(studyDir);
  for (const seed of seeds) {
    const runs = variants.map((v) => [v, join(studyDir, v, `seed-${seed}`)] as [string, string]).filter(([, dir]) => existsSync(dir));
    if (runs.length === 0) out.delete(seed);
    else out.set(seed, seedStamp(studyDir, seed, runs, existsSync(join(studyDir, CHECKS_DIR, `seed-${seed}.jsonl`)), listings));
  }
  return out;
}

/** Seed groups read between two writes of the index. */
const GROUPS_PER_FLUSH = 200;
/**
 * Runs unknown to the index that a read must have for reader threads to read
 * them: fewer are read in this thread, as starting a thread costs about 0.2 s
 * of CPU (its modules, SQLite), what reading some 500 runs of 500 steps costs.
 */
const POOL_MIN_RUNS = 500;
/** Runs sent to a reader thread in one message. */
const RUNS_PER_BATCH = 16;
/** Runs read ahead of the one folded at most (their states wait in memory: about 20 kB a run of 500 steps). */
const RUNS_AHEAD = 256;
/**
 * Runs this thread reads itself from the end of the list while the reader
 * threads have not answered yet, at most (they wait in memory until their
 * seed's turn, about 10 kB a run of 500 steps, and their index rows until the
 * next write of the index, as much again).
 */
const RUNS_READ_HERE = 2048;

/** Where the runs of a study are read through the index: the study's name in it, the index, and the source's listings of run folders (see withRunDirPredictions). */
interface IndexUse {
  study: string;
  log: LogIndex;
  listings?: RunDirListings;
  studyRunDirs?: StudyRunDirs;
}

/** Prunes the index's rows of the study's runs and seeds that are gone (`all`: its run folders by seed now). */
function pruneIndex(studyDir: string, all: ReadonlyMap<string, [string, string][]>, index: IndexUse): void {
  index.log.prune(index.study, [...all.values()].reduce((n, dirs) => n + dirs.length, 0), () => ({
    dirs: new Set([...all.values()].flatMap((dirs) => dirs.map(([, dir]) => relativeRunDir(studyDir, dir)))),
    seeds: new Set(all.keys()),
  }));
}

/**
 * A study's seeds stamped as it is read (LogDirSource.openStudyStamped: a
 * cold first view), each run folder just before it is read, so that reading
 * starts at once instead of after every seed is stamped; the read then uses
 * what the stamp found (the metrics file's size and time, the folder's files)
 * instead of a second stat of each. A run read by a reader thread is stamped
 * by that thread (adoptRun), the others here (stampRun); a seed's stamp is
 * made of its runs' once they are read (stamp). A run is thus read as its
 * stamp found it (its metrics.jsonl up to the stamp's size) or later, never
 * earlier: a line appended after the stamp makes the next stamp differ, and
 * the seed is read again then.
 */
export class SeedStamping {
  private readonly stamps = new Map<string, string>();
  /** Run folders' stamps, taken here or by the reader thread that read the run, until their seed's stamp is made of them. */
  private readonly runStamps = new Map<string, string>();
  private readonly files = new Map<string, RunDirFiles | undefined>();
  private readonly metrics = new Map<string, { size: number; mtimeMs: number } | undefined>();
  private readonly checkFiles: Set<string>;
  /** The study's run folders, listed once for the stamps and the read. */
  readonly listed: RunDirsListed & { reused: boolean };
  private readonly seen: StampSeen = (dir, files, metrics) => {
    this.files.set(dir, files);
    this.metrics.set(dir, metrics && { size: metrics.size, mtimeMs: metrics.mtimeMs });
  };

  /** `studyRunDirs`, `listings`: the source's listings of studies and of run folders, kept between calls. */
  constructor(readonly studyDir: string, studyRunDirs?: StudyRunDirs, private readonly listings?: RunDirListings) {
    this.listed = listedRunDirs(studyDir, studyRunDirs);
    this.checkFiles = checkFilesOf(studyDir);
  }

  /** Stamps one run folder, once (just before it is read here). */
  stampRun(dir: string): void {
    if (!this.stampedRun(dir)) this.runStamps.set(dir, runDirStamp(dir, this.listings, this.seen));
  }

  /** Whether the run folder was stamped (here or by a reader thread). */
  stampedRun(dir: string): boolean {
    return this.files.has(dir);
  }

  /** A run folder stamped by the reader thread that then read it (log-reader-worker.ts): its stamp, and what the stamp found. */
  adoptRun(dir: string, stamp: string, files: RunDirFiles | undefined, metrics: { size: number; mtimeMs: number } | undefined): void {
    if (this.stampedRun(dir)) return;
    this.runStamps.set(dir, stamp);
    this.seen(dir, files, metrics);
    if (files) remember(dir, files, this.listings);
  }

  /** Stamps the seed, once: of its run folders' stamps taken before (here or by reader threads), the others taken now. */
  stamp(seed: string): void {
    const runs = this.listed.all.get(seed);
    if (!runs || this.stamps.has(seed)) return;
    const checks = this.checkFiles.has(`seed-${seed}.jsonl`) ? fileStamp(join(this.studyDir, CHECKS_DIR, `seed-${seed}.jsonl`)) : "-";
    const parts = runs.map(([variant, dir]) => {
      this.stampRun(dir);
      const stamp = this.runStamps.get(dir)!;
      this.runStamps.delete(dir);
      return `${variant}=${stamp}`;
    });
    // As seedStamp words it.
    this.stamps.set(seed, parts.join(";") + `;checks=${checks}`);
  }

  /** The run folder's files as its seed's stamp found them (undefined: gone then, or not stamped). */
  filesOf(dir: string): RunDirFiles | undefined {
    return this.files.get(dir);
  }

  /** The run folder's metrics.jsonl as its seed's stamp found it (undefined: none then). */
  metricsOf(dir: string): { size: number; mtimeMs: number } | undefined {
    return this.metrics.get(dir);
  }

  /** Every seed's stamp in seed order (as seedStamps gives them), once the study was read to its end; the listings of folders gone are forgotten. */
  taken(): Map<string, string> {
    const out = new Map<string, string>();
    for (const seed of this.listed.all.keys()) {
      const stamp = this.stamps.get(seed);
      if (stamp === undefined) throw new Error(`seed ${seed} of ${this.studyDir} was not stamped: the study must be read to its end before its stamps are taken`);
      out.set(seed, stamp);
    }
    if (this.listings) forgetGoneFolders(this.studyDir, this.listed.all, this.listings);
    return out;
  }
}

/** A seed group from its run folders (`dirs`: [variant, directory]), each run read by `read` (undefined: no run there), with its predictions and earlier runs. */
function seedGroup(studyDir: string, seed: string, dirs: readonly [string, string][], earlier: ReadonlyMap<string, string[]>, index: IndexUse | undefined, read: (variant: string, dir: string) => RunData | undefined, stamping?: SeedStamping): SeedGroup {
  const runs = dirs
    .map(([variant, dir]) => {
      const indexed = index && read(variant, dir);
      const run = indexed ? withRunDirPredictions(indexed, dir, index.listings, stamping?.filesOf(dir)) : readRunDir(dir, variant, seed);
      return run && withEarlierRuns(run, earlier.get(`${variant}/seed-${seed}`));
    })
    .filter((r): r is RunData => r !== undefined);
  const checks = index ? index.log.checks(index.study, seed, join(studyDir, CHECKS_DIR, `seed-${seed}.jsonl`)) : readChecks(studyDir, seed);
  return { seed, runs, checks };
}

/**
 * The seed groups of a study directory (only `seeds` when given), read one
 * seed at a time; through `index` (the study's name in it and the index) where given.
 */
export function* studyDirGroups(studyDir: string, seeds?: ReadonlySet<string>, index?: IndexUse): Generator<SeedGroup> {
  const earlier = new Map<string, string[]>();
  const all = runDirs(studyDir, earlier);
  if (index) pruneIndex(studyDir, all, index);
  yield* listedGroups(studyDir, all, earlier, seeds, index);
}

/** studyDirGroups of a study folder already listed (runDirs: the seeds' run folders, and the earlier runs kept beside them); `stamping`: each seed stamped just before it is read. */
function* listedGroups(studyDir: string, all: ReadonlyMap<string, [string, string][]>, earlier: ReadonlyMap<string, string[]>, seeds: ReadonlySet<string> | undefined, index: IndexUse | undefined, stamping?: SeedStamping): Generator<SeedGroup> {
  let n = 0;
  for (const [seed, dirs] of all) {
    if (seeds && !seeds.has(seed)) continue;
    stamping?.stamp(seed);
    const group = seedGroup(studyDir, seed, dirs, earlier, index, (variant, dir) => indexedRun(index, studyDir, dir, variant, seed), stamping);
    if (index && ++n % GROUPS_PER_FLUSH === 0) index.log.flush();
    if (group.runs.length > 0 || group.checks.length > 0) yield group;
  }
  index?.log.flush();
}

/** A run read by a reader thread, or undefined (not given to one, or it could not read it: read here). */
type PoolRead = Promise<{ run: RunData } | undefined>;

/**
 * studyDirGroups through the index, where the runs the index knows nothing
 * of (a cold start) are read by a pool of reader threads (log-reader-pool.ts)
 * ahead of the seed being folded: the same groups, in the same order, with the
 * same values (a run a thread cannot read is read here, as studyDirGroups reads it).
 * While the threads' next answer has not come, this thread reads runs from the
 * end of the list itself (at most `readHereMax` waiting for their turn) instead
 * of waiting idle: at 10,000 runs it waited for the one reader thread most of
 * the cold read. With fewer than `minRuns` such runs, studyDirGroups reads them all here.
 * `stamping`: each run folder stamped just before it is read, by the thread that reads it (SeedStamping).
 */
export async function* pooledStudyDirGroups(studyDir: string, seeds: ReadonlySet<string> | undefined, index: IndexUse, indexFile: string | undefined, minRuns = POOL_MIN_RUNS, readHereMax = RUNS_READ_HERE, stamping?: SeedStamping): AsyncGenerator<SeedGroup> {
  const { all, earlier, reused } = stamping?.listed ?? listedRunDirs(studyDir, index.studyRunDirs);
  if (!reused) pruneIndex(studyDir, all, index);
  const wanted = [...all].filter(([seed]) => !seeds || seeds.has(seed));
  const unknown: { variant: string; seed: string; dir: string; rel: string }[] = [];
  for (const [seed, dirs] of wanted) {
    for (const [variant, dir] of dirs) {
      const rel = relativeRunDir(studyDir, dir);
      if (index.log.unknown(index.study, rel)) unknown.push({ variant, seed, dir, rel });
    }
  }
  if (unknown.length < minRuns) {
    // Read here (a dashboard update: a few runs), from the listing made above (listing 10,000 run folders again cost ~35 ms an update).
    yield* listedGroups(studyDir, all, earlier, seeds, index, stamping);
    return;
  }
  const pool = new LogReaderPool(indexFile, undefined, [...PREDICTION_FILE_NAMES]);
  const reads = new Map<string, PoolRead>();
  /** Folders whose thread's answer came. */
  const arrived = new Set<string>();
  /** The threads read unknown[0, sent) (from the front, ahead of the fold); this thread read unknown[end, length) (from the back, while it had nothing to fold). */
  let sent = 0, folded = 0, end = unknown.length;
  /** Runs read here, by folder, until their seed's turn. */
  const readHere = new Map<string, RunData>();
  /** Answers not received yet; the threads are stopped (their memory freed) once every run is sent and answered. */
  let waiting = 0;
  /**
   * Once every run is sent and answered: the rows of the runs read here go to
   * a thread, written with its own after the reading (the view's thread
   * writes none while the pool reads), and the threads are told to end.
   */
  let open = true;
  const closePool = (): void => {
    if (!open) return;
    open = false;
    // Not when reads are in flight (an error, or the read was given up): the threads are stopped then, and the rows are written here.
    if (waiting === 0) index.log.handOver((rows) => pool.write(rows));
    void pool.close();
  };
  const answered = (): void => {
    if (--waiting === 0 && sent >= end) closePool();
  };
  /**
   * Reads the last runs no thread has, here: this thread would otherwise wait
   * idle for the threads' answer. A run that cannot be read is left to its
   * seed's turn (read again then: the same error at the same place).
   */
  const readFromTheBack = (): void => {
    const from = Math.max(sent, end - RUNS_PER_BATCH);
    for (const u of unknown.slice(from, end)) {
      stamping?.stampRun(u.dir);
      try {
        const run = index.log.run(index.study, u.rel, join(u.dir, METRICS_FILE), u.variant, u.seed, u.dir);
        if (run) readHere.set(u.dir, run);
      } catch {
        // Left to its turn.
      }
    }
    end = from;
    if (waiting === 0 && sent >= end) closePool();
  };
  /** Sends the next runs to the threads, up to RUNS_AHEAD past the runs folded. */
  const readAhead = (): void => {
    while (sent < end && sent - folded < RUNS_AHEAD) {
      const batch = unknown.slice(sent, Math.min(end, sent + RUNS_PER_BATCH)).flatMap((u): (typeof u & { path: string; size?: number; mtimeMs?: number })[] => {
        const path = join(u.dir, METRICS_FILE);
        // The thread stamps the run folder, then reads up to what its stamp found: see SeedStamping.
        if (stamping && !stamping.stampedRun(u.dir)) return [{ ...u, path }];
        // Stamped here before: read up to what that stamp found (the thread reads `size` bytes), not a later size.
        const st = stamping ? stamping.metricsOf(u.dir) : statSync(path, { throwIfNoEntry: false });
        return st ? [{ ...u, path, size: st.size, mtimeMs: st.mtimeMs }] : [];
      });
      sent = Math.min(end, sent + RUNS_PER_BATCH);
      if (batch.length === 0) continue;
      const answer = pool.read({
        study: index.study,
        files: batch.map(({ rel, path, size, mtimeMs, dir }) => (size === undefined || mtimeMs === undefined ? { dir: rel, path, stamp: dir } : { dir: rel, path, size, mtimeMs })),
      });
      waiting++;
      const came = (): void => {
        for (const f of batch) arrived.add(f.dir);
        answered();
      };
      answer.then(came, came);
      batch.forEach((f, k) => {
        reads.set(
          f.dir,
          answer.then(
            ({ results, written }) => {
              const r = results[k]!;
              if (r.stamp) stamping?.adoptRun(f.dir, r.stamp.text, r.stamp.files ?? undefined, r.stamp.metrics ?? undefined);
              if ("error" in r) return undefined;
              return { run: index.log.adopt(index.study, f.rel, r.size, r.mtimeMs, r.tail, r.state, written, f.variant, f.seed, f.dir) };
            },
            () => undefined,
          ),
        );
      });
    }
  };
  try {
    let n = 0;
    for (const [seed, dirs] of wanted) {
      readAhead();
      const read = new Map<string, RunData>();
      for (const [, dir] of dirs) {
        const here = readHere.get(dir);
        if (here) {
          readHere.delete(dir);
          read.set(dir, here);
          continue;
        }
        const pending = reads.get(dir);
        if (!pending) continue;
        reads.delete(dir);
        folded++;
        while (!arrived.has(dir) && sent < end && readHere.size < readHereMax) {
          readFromTheBack();
          // The threads' answers that came meanwhile.
          await new Promise((resolve) => setImmediate(resolve));
        }
        arrived.delete(dir);
        const got = await pending;
        if (got) read.set(dir, got.run);
      }
      // After its runs' reads came: a run read by a thread was stamped there, just before; the others are stamped now, before they are read here.
      stamping?.stamp(seed);
      const group = seedGroup(studyDir, seed, dirs, earlier, index, (variant, dir) => read.get(dir) ?? indexedRun(index, studyDir, dir, variant, seed), stamping);
      if (++n % GROUPS_PER_FLUSH === 0 && !open) index.log.flush();
      if (group.runs.length > 0 || group.checks.length > 0) yield group;
    }
    closePool();
    index.log.flush();
  } finally {
    closePool();
  }
}

/** Loads a whole study directory `<logdir>/<study>` into memory (throws when it holds no runs). */
export function loadStudyDir(path: string): StudyData {
  const abs = resolve(path);
  const runs: RunData[] = [];
  const checks: SeedChecks[] = [];
  for (const g of studyDirGroups(abs)) {
    runs.push(...g.runs);
    checks.push(...g.checks);
  }
  if (runs.length === 0) {
    throw new Error(`${path}: no runs found; expected a study directory <logdir>/<study> holding <variant>/seed-<n>/ with event files or metrics.jsonl`);
  }
  return { name: basename(abs), runs, checks, source: `log directory ${abs}`, ...designOf(abs) };
}

/** Studies of a log directory. `root` may also be a single study directory. */
export interface LogDirOptions {
  /** The dashboard's index file (log-index.ts): runs are read from it where their files did not change. */
  index?: string;
}

export class LogDirSource implements DataSource {
  readonly root: string;
  readonly description: string;
  private readonly index = new RunIndex();
  private readonly indexFile: string | undefined;
  /** The index, opened on first use (undefined: none, or it could not be opened). */
  private log: LogIndex | undefined | null = null;
  /** Whether the index's run statuses were given to the listing (primeListing). */
  private primed = false;
  private readonly listings = new Map<string, StudyListing>();
  /** Per study, the run folders whose writer process was alive at the last listing. */
  private readonly liveRuns = new Map<string, string[]>();
  /** Per study changed since its last listing, the files that changed (relative to the study; null: not all known). */
  private readonly dirty = new Map<string, Set<string> | null>();
  /** Per study, each run folder's word in the last listing (to update a listing run by run). */
  private readonly words = new Map<string, Map<string, string>>();
  private readonly runDirListings: RunDirListings = new Map();
  private readonly studyRunDirs: StudyRunDirs = new Map();
  /** Each study's seed stamps as last taken, and when every seed was last stamped. */
  private readonly stamps = new Map<string, TakenStamps>();
  private watching = false;

  constructor(root: string, options: LogDirOptions = {}) {
    this.root = resolve(root);
    this.description = `log directory ${this.root}`;
    this.indexFile = options.index && resolve(options.index);
  }

  /** The index (opened now when first needed; without one when it cannot be, said once on stderr). */
  logIndex(): LogIndex | undefined {
    if (this.log !== null) return this.log;
    this.log = undefined;
    if (this.indexFile === undefined) return undefined;
    try {
      this.log = new LogIndex(this.indexFile);
      // Studies whose folders are gone leave the index (not while the log folder itself is missing: an unmounted disk).
      if (existsSync(this.root)) this.log.keepStudies(new Set(this.studies().keys()));
    } catch (e) {
      process.stderr.write(`twin: the dashboard's index ${this.indexFile} cannot be used (${(e as Error).message}); reading every log instead\n`);
    }
    return this.log;
  }

  /**
   * The run statuses the index holds, given to the listing's tail index once,
   * before the first listing or poll (only files that changed since then
   * have their tail read): not when the source only builds views (the
   * dashboard's view worker), for which reading every run's row is 50–80 ms
   * before the first update after a restart at 10,000 runs.
   */
  private primeListing(): void {
    const log = this.logIndex();
    if (this.primed || !log) return;
    this.primed = true;
    let statuses: ReturnType<LogIndex["statuses"]>;
    try {
      statuses = log.statuses();
    } catch {
      // Not primed: the listing reads each run's tail.
      return;
    }
    for (const [name, dir] of this.studies()) {
      for (const [run, seen] of statuses) {
        if (run.startsWith(`${name}/`)) this.index.prime(join(dir, run.slice(name.length + 1), METRICS_FILE), seen);
      }
    }
  }

  /** name → study directory. */
  private studies(): Map<string, string> {
    const out = new Map<string, string>();
    if (isStudyDir(this.root)) {
      out.set(basename(this.root), this.root);
      return out;
    }
    for (const name of listDirs(this.root)) {
      const dir = join(this.root, name);
      if (isStudyDir(dir)) out.set(name, dir);
    }
    return out;
  }

  private listing(name: string, dir: string): StudyListing {
    const cached = this.listings.get(name);
    // A writer that dies changes no file: the runs it was writing are looked at again.
    const died = (this.liveRuns.get(name) ?? []).some((d) => runningWord(d) !== "running");
    if (cached && this.watching && !this.dirty.has(name) && !died) return cached;
    const files = this.dirty.get(name);
    this.dirty.delete(name);
    if (cached && this.watching && files && !died) {
      const updated = this.updatedListing(name, dir, cached, files);
      if (updated) return updated;
    }
    const live: string[] = [];
    const words = new Map<string, string>();
    const variants = new Set<string>();
    const seeds = new Set<string>();
    const status: Record<string, number> = {};
    let runs = 0, updatedAt = 0;
    for (const [seed, dirs] of runDirs(dir)) {
      seeds.add(seed);
      for (const [variant, runDir] of dirs) {
        variants.add(variant);
        runs++;
        const seen = this.index.look(runDir + sep + METRICS_FILE);
        const word = seen.status === "running" ? runningWord(runDir) : seen.status;
        if (word === "running") live.push(runDir);
        words.set(runDir, word);
        status[word] = (status[word] ?? 0) + 1;
        if (seen.mtimeMs > updatedAt) updatedAt = seen.mtimeMs;
      }
    }
    const listing: StudyListing = { name, variants: [...variants].sort(), runs, seeds: seeds.size, status, updatedAt };
    this.listings.set(name, listing);
    this.liveRuns.set(name, live);
    this.words.set(name, words);
    return listing;
  }

  /**
   * The listing updated for the runs whose files changed (`files`, relative to
   * the study): undefined when a file is not inside a run folder listed before
   * (a new run, a removed one, anything else), and the listing is made again.
   */
  private updatedListing(name: string, dir: string, cached: StudyListing, files: ReadonlySet<string>): StudyListing | undefined {
    const words = this.words.get(name);
    if (!words) return undefined;
    const runDirsChanged = new Set<string>();
    for (const file of files) {
      const parts = file.split(/[\\/]/);
      if (parts[0] === CHECKS_DIR) continue; // checks files are not in the listing
      if (parts.length < 3 || seedOfChangedFile(file) === undefined) return undefined;
      const runDir = join(dir, parts[0]!, parts[1]!);
      if (!words.has(runDir) || !existsSync(runDir)) return undefined;
      runDirsChanged.add(runDir);
    }
    const status = { ...cached.status };
    let updatedAt = cached.updatedAt;
    const live = new Set(this.liveRuns.get(name) ?? []);
    for (const runDir of runDirsChanged) {
      const seen = this.index.look(join(runDir, METRICS_FILE));
      const word = seen.status === "running" ? runningWord(runDir) : seen.status;
      const before = words.get(runDir)!;
      if ((status[before] = (status[before] ?? 1) - 1) <= 0) delete status[before];
      status[word] = (status[word] ?? 0) + 1;
      words.set(runDir, word);
      if (word === "running") live.add(runDir);
      else live.delete(runDir);
      if (seen.mtimeMs > updatedAt) updatedAt = seen.mtimeMs;
    }
    const listing: StudyListing = { ...cached, status, updatedAt };
    this.listings.set(name, listing);
    this.liveRuns.set(name, [...live]);
    return listing;
  }

  async listStudies(): Promise<StudyListing[]> {
    this.primeListing();
    return [...this.studies()].map(([name, dir]) => this.listing(name, dir));
  }

  async openStudy(name: string, seeds?: ReadonlySet<string>): Promise<StudyStream | undefined> {
    const dir = this.studies().get(name);
    if (dir === undefined) return undefined;
    const log = this.logIndex();
    const groups = log ? pooledStudyDirGroups(dir, seeds, { study: name, log, listings: this.runDirListings, studyRunDirs: this.studyRunDirs }, this.indexFile) : studyDirGroups(dir, seeds);
    return { name, source: `log directory ${dir}`, ...designOf(dir), groups };
  }

  async openStudyStamped(name: string): Promise<StampedStudy | undefined> {
    const dir = this.studies().get(name);
    const log = this.logIndex();
    if (dir === undefined || !log || this.stamps.has(name)) return undefined;
    const at = Date.now();
    const stamping = new SeedStamping(dir, this.studyRunDirs, this.runDirListings);
    const groups = pooledStudyDirGroups(dir, undefined, { study: name, log, listings: this.runDirListings, studyRunDirs: this.studyRunDirs }, this.indexFile, POOL_MIN_RUNS, RUNS_READ_HERE, stamping);
    return {
      stream: { name, source: `log directory ${dir}`, ...designOf(dir), groups },
      seeds: stamping.listed.all.size,
      stamps: () => {
        const stamps = stamping.taken();
        this.stamps.set(name, { at, stamps });
        return new Map(stamps);
      },
    };
  }

  /**
   * Each seed's stamp; with `changed` (the files changed since the last call,
   * as the watcher told them) only those seeds are stamped again, and every
   * seed at least every FULL_STAMP_EVERY_MS (a change notification lost).
   */
  async seedStamps(name: string, changed?: ReadonlySet<string>): Promise<Map<string, string> | undefined> {
    const dir = this.studies().get(name);
    if (dir === undefined) {
      this.stamps.delete(name);
      return undefined;
    }
    const last = this.stamps.get(name);
    const now = Date.now();
    if (changed && last && now - last.at < FULL_STAMP_EVERY_MS) {
      const stamps = restampSeeds(dir, last.stamps, changed, this.runDirListings);
      if (stamps) {
        this.stamps.set(name, { at: last.at, stamps });
        return new Map(stamps);
      }
    }
    const stamps = studyDirStamps(dir, this.runDirListings, this.studyRunDirs);
    this.stamps.set(name, { at: now, stamps });
    return new Map(stamps);
  }

  /** With each study's stamps, its run folders as listed for them (where the listing is kept: see listedRunDirs). */
  takenStamps(): Map<string, TakenStamps> {
    const studies = this.studies();
    return new Map(
      [...this.stamps].map(([name, t]) => {
        const dir = studies.get(name);
        const listed = dir === undefined ? undefined : this.studyRunDirs.get(dir);
        return [name, { ...t, ...(dir !== undefined && listed ? { runDirs: { studyDir: dir, ...listed } } : {}) }];
      }),
    );
  }

  /**
   * Also the run-folder listings handed with the stamps, for studies this
   * source has not listed: used as its own (again only while the study's and
   * variants' folders keep the times they had when it was made), so that
   * the dashboard's view worker does not list 10,000 run folders again after a
   * restart (about 40 ms of CPU, and the index pruned after it, about 35 ms).
   */
  adoptStamps(taken: ReadonlyMap<string, TakenStamps>): void {
    for (const [name, t] of taken) {
      if (!this.stamps.has(name)) this.stamps.set(name, { at: t.at, stamps: new Map(t.stamps) });
      const listed = t.runDirs;
      if (listed && this.studies().get(name) === listed.studyDir && !this.studyRunDirs.has(listed.studyDir)) {
        this.studyRunDirs.set(listed.studyDir, { mtimes: listed.mtimes, all: listed.all, earlier: listed.earlier });
      }
    }
  }

  savedViews(): LogIndex | undefined {
    return this.logIndex();
  }

  spec(): SourceSpec {
    return { kind: "logdir", root: this.root, ...(this.indexFile !== undefined ? { index: this.indexFile } : {}) };
  }

  async close(): Promise<void> {
    // The reader threads' rows first: they write them after the reading (log-reader-worker.ts).
    await readerWrites();
    this.log?.close();
    this.log = null;
    this.primed = false;
  }

  /**
   * Calls `onChange(study)` when a study's files change: fs.watch on the
   * folder down to its run folders (folder-watcher.ts), else (or with mode "poll") polling every `pollMs` the
   * runs that have not ended and the run folders. Returns the function that stops watching.
   */
  watch(onChange: (study: string, file?: string) => void, pollMs = 1000, mode: "auto" | "poll" = "auto"): () => void {
    const single = isStudyDir(this.root) ? basename(this.root) : undefined;
    const changed = (study: string, file?: string): void => {
      const files = this.dirty.get(study);
      if (file === undefined || files === null || (files && files.size >= 1000)) this.dirty.set(study, null);
      else this.dirty.set(study, (files ?? new Set()).add(file));
      onChange(study, file);
    };
    let stopWatching: (() => void) | undefined;
    if (mode === "auto") try {
      // The run folders are 3 levels below a log folder (study, variant, seed), 2 below a study's.
      stopWatching = watchFolders(this.root, single ? 2 : 3, (file) => {
        if (file === null) {
          for (const s of this.studies().keys()) changed(s);
          return;
        }
        const study = single ?? file.split(/[\\/]/)[0]!;
        // The file relative to the study's folder (none: the study's folder itself).
        const inStudy = single ? file : file.slice(study.length + 1);
        if (study) changed(study, inStudy || undefined);
      }, () => {
        stopWatching = undefined;
        this.watching = false;
        stopPolling = this.poll(changed, pollMs);
      });
      this.watching = true;
    } catch {
      stopWatching = undefined;
    }
    let stopPolling = stopWatching ? () => {} : this.poll(changed, pollMs);
    return () => {
      stopWatching?.();
      stopPolling();
      this.watching = false;
    };
  }

  /**
   * Polling fallback: per study, the run folders and the metrics files of
   * runs that have not ended; ended runs (which rarely change: a resumed run)
   * only every FULL_POLL_EVERY polls.
   */
  private poll(changed: (study: string) => void, pollMs: number): () => void {
    this.primeListing();
    const mtimes = new Map<string, number>();
    const counts = new Map<string, string>();
    let polls = 0;
    const look = (): void => {
      const full = polls++ % FULL_POLL_EVERY === 0;
      for (const [name, dir] of this.studies()) {
        let runs = 0, moved = false;
        for (const dirs of runDirs(dir).values()) {
          for (const [, runDir] of dirs) {
            runs++;
            const path = join(runDir, METRICS_FILE);
            if (!full && this.index.isFinal(path) && mtimes.has(path)) continue;
            const m = this.index.look(path).mtimeMs;
            if (mtimes.has(path) && mtimes.get(path) !== m) moved = true;
            mtimes.set(path, m);
          }
        }
        const count = `${runs}:${listDirsCount(join(dir, CHECKS_DIR))}`;
        if (counts.has(name) && (moved || counts.get(name) !== count)) changed(name);
        counts.set(name, count);
      }
    };
    look();
    const timer = setInterval(look, pollMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}

function listDirsCount(dir: string): number {
  try {
    return readdirSync(dir).length;
  } catch {
    return 0;
  }
}
