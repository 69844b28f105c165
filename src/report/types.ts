/**
 * What the report and the dashboard read: studies, their runs (scalar series
 * per tag) and their reproducibility records, from any {@link DataSource}
 * (a log directory, the store).
 */
import type { SeedChecks } from "../study/control-sum-audit.ts";
import type { FactorialDesign } from "../study/factorial-design.ts";

export type { CheckLine, SeedChecks } from "../study/control-sum-audit.ts";

/** One point of a scalar series. */
export interface Point {
  step: number;
  value: number;
}

/**
 * One tag's series as packed numbers: point i is (steps[i], values[i]),
 * sorted by step (a step may repeat where a source gave it twice). No object
 * per point: 10,000 runs × 500 steps are 5 million points, and the dashboard
 * folds them into its curve columns straight from these arrays.
 */
export interface Series {
  readonly steps: Float64Array;
  readonly values: Float64Array;
}

/** Per-example class probabilities of one run on one set, with the true classes. */
export interface SplitPredictions {
  /** [examples × classes], row-major. */
  probabilities: Float32Array | Float64Array;
  labels: Int32Array;
  classes: number;
}

/** One run of one variant (one seed). */
export interface RunData {
  variant: string;
  /** Root seed, as text (store seeds may exceed 2^53). */
  seed: string;
  /** "running", "finished", "success", "failure", "diverged", … when known. */
  status?: string;
  /** Series by tag, sorted by step. Read them before the source reads on: a source may hand out views on arrays it keeps (see run-state.ts runDataOf). */
  scalars: Record<string, Series>;
  /** Flattened hyper-parameters, when recorded. */
  hparams?: Record<string, string | number | boolean>;
  /** Every factor's seed (init, order, …), when recorded: drives the variance-by-factor view. */
  factorSeeds?: Record<string, string>;
  /** Fingerprint hash or text, when recorded. */
  fingerprint?: string;
  /** Text notes (status messages such as "diverged at step 120"). */
  notes?: string[];
  /** Where the run came from (a directory, a store run id). */
  where: string;
  /** Per-example predictions kept by the run (store, or prediction files in its log folder): seed ensembles and validation against test. */
  predictions?: { validation?: SplitPredictions; test?: SplitPredictions };
  /**
   * In a view of several studies (the dashboard's comparison of two): the
   * study the run comes from. Each study gets its own deployment section:
   * ensembles, churn and the choices never mix studies, whose examples and
   * splits may differ.
   */
  study?: string;
}


export interface StudyData {
  name: string;
  runs: RunData[];
  checks: SeedChecks[];
  /** Human description of where the data came from. */
  source: string;
  /** Variant order (reference first) when the source knows it. */
  variantOrder?: string[];
  /**
   * true: the variants of a seed were twin-trained (side by side on the same
   * batches); false: separate runs that share a seed (a sweep). Unknown: the
   * report infers it from logged paired series and control sums.
   */
  twinTrained?: boolean;
  /** The runs give final values only, no steps (a results file): no learning curves or paired differences over steps are drawn. */
  finalValuesOnly?: true;
  /** A factorial study's factors and each variant's levels (recorded with the study): the report adds the factorial analysis. */
  design?: FactorialDesign;
  /** Why a recorded design could not be read (the report says so and shows the rest). */
  designError?: string;
}

/** Every run of one seed (one per variant) and the seed's reproducibility records. */
export interface SeedGroup {
  seed: string;
  runs: RunData[];
  checks: SeedChecks[];
}

/**
 * A study read seed by seed: the report model is built from the groups as
 * they come, so memory does not grow with the number of runs.
 */
export interface StudyStream extends Omit<StudyData, "runs" | "checks"> {
  /** Seed groups in seed order. */
  groups: Iterable<SeedGroup> | AsyncIterable<SeedGroup>;
}

export interface StudyListing {
  name: string;
  variants: string[];
  runs: number;
  seeds: number;
  /** Runs by status ("finished", "failed", …; a store's running run whose worker is gone "stopped"; a log without an end line "no end record"; "unknown" when not recorded). */
  status: Record<string, number>;
  /** Last change, ms since the epoch (0 when unknown). */
  updatedAt: number;
}

/** A data source as plain data, to open it again in a worker thread. */
export type SourceSpec =
  | { kind: "logdir"; root: string; index?: string }
  | { kind: "store"; url: string; readOnly: boolean }
  /** A log folder whose runs take their predictions from the store. */
  | { kind: "logdir+store"; root: string; index?: string; store: { url: string; readOnly: boolean } }
  | { kind: "multi"; sources: SourceSpec[] };

/** Views kept between runs of the dashboard, each with the signature of the data it was built from. */
export interface SavedViews {
  view(key: string): { signature: string; body: string } | undefined;
  saveView(key: string, signature: string, body: string): void;
  /** The keys of the views saved, the last saved first. */
  keys(): string[];
  /** A study's accumulator saved under `key` (src/serve/saved-accumulator.ts): its bytes and their digest. */
  accumulator?(key: string): { digest: Buffer; body: Buffer } | undefined;
  /** Saves these accumulators in place of every one saved before. */
  saveAccumulators?(accumulators: ReadonlyMap<string, { digest: Buffer; body: Buffer }>): void;
}

/**
 * Where the report and the dashboard read studies from. Read-only by contract:
 * no method writes anything.
 */
/** A study opened by DataSource.openStudyStamped: its stream, its number of seeds, and (once the stream was read to its end) its seeds' stamps, as seedStamps gives them. */
export interface StampedStudy {
  stream: StudyStream;
  seeds: number;
  stamps(): Map<string, string>;
}

/** A study's seed stamps as a source took them, and when (ms since the epoch) it last stamped every seed. */
export interface TakenStamps {
  at: number;
  stamps: Map<string, string>;
  /**
   * A log folder's study: its run folders as listed when the stamps were
   * taken (by seed, [variant, folder] per run; runs set aside beside them, by
   * `<variant>/seed-<n>`), and the modification times of the study's and its
   * variants' folders then (`mtimes`): the listing holds while they are the same.
   */
  runDirs?: { studyDir: string; mtimes: string; all: Map<string, [string, string][]>; earlier: Map<string, string[]> };
}

export interface DataSource {
  /** e.g. "log directory runs/" or "store .twin/twin.db". */
  readonly description: string;
  listStudies(): Promise<StudyListing[]>;
  /** The study, read seed by seed (only the seeds in `seeds` when given), or undefined when there is no such study. */
  openStudy(name: string, seeds?: ReadonlySet<string>): Promise<StudyStream | undefined>;
  /**
   * Each seed's change stamp: a text that differs whenever the data of the
   * seed's runs may have changed (file sizes and times, run status and
   * heartbeat), so that a view is updated for the changed seeds only.
   * `changed`: the files (relative to the study's folder) that changed since
   * the last call, as {@link watch} told them, where all of them are known: a
   * source may then stamp those seeds only. Undefined when there is no such study.
   */
  seedStamps?(name: string, changed?: ReadonlySet<string>): Promise<Map<string, string> | undefined>;
  /**
   * The whole study, each seed stamped just before its runs are read, so that
   * reading starts at once instead of after every seed is stamped (a cold
   * first view): each run is read as its seed's stamp found it or later, so a
   * change after the stamp is read again on the next view. Undefined where
   * the source holds stamps of the study already, or does not stamp while
   * reading: then seedStamps, and openStudy of the seeds that changed.
   */
  openStudyStamped?(name: string): Promise<StampedStudy | undefined>;
  /**
   * The seed stamps this source took last, per study, to hand to another
   * source of the same data in another thread (the dashboard's view worker),
   * which then need not stamp every seed again ({@link adoptStamps}).
   */
  takenStamps?(): Map<string, TakenStamps>;
  /**
   * Adopts stamps another source of the same data took ({@link takenStamps})
   * for the studies this one has none of. The caller then tells, as
   * seedStamps' `changed`, every file changed since they were taken (the
   * dashboard: the changes it heard since its watcher started), or nothing
   * known (every seed is stamped again).
   */
  adoptStamps?(taken: ReadonlyMap<string, TakenStamps>): void;
  /** Where the dashboard keeps the last view built of each study between its runs (the log folder's index), when there is such a place. */
  savedViews?(): SavedViews | undefined;
  /** How to open this source again in another thread (the dashboard builds its views in a worker thread); none: it cannot be. */
  spec?(): SourceSpec | undefined;
  /**
   * Calls `onChange(study, file?)` whenever a study's data changes (file-change
   * notification, or polling every `pollMs` where there is none; `file`: the
   * path that changed, relative to the study's folder, where it is known);
   * returns the function that stops watching.
   */
  watch(onChange: (study: string, file?: string) => void, pollMs?: number): () => void;
  close?(): Promise<void>;
}
