/**
 * What the report and the dashboard read: studies, their runs (scalar series
 * per tag) and their reproducibility records, from any {@link DataSource}
 * (a log directory, the store).
 */

/** One point of a scalar series. */
export interface Point {
  step: number;
  value: number;
}

/** One run of one variant (one seed). */
export interface RunData {
  variant: string;
  /** Root seed, as text (store seeds may exceed 2^53). */
  seed: string;
  /** "running", "finished", "success", "failure", "diverged", … when known. */
  status?: string;
  /** Series by tag, sorted by step. */
  scalars: Record<string, Point[]>;
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
}

/** One step's reproducibility record of one twin run (shared by all its variants). */
export interface CheckLine {
  step: number;
  /** Checksum of the batch every variant saw. */
  batch?: string;
  streams: { stream: string; draws: number; state: string }[];
}

/** The reproducibility records of one seed's twin run. */
export interface SeedChecks {
  seed: string;
  /** Variants this record covers (all variants of a twin run; one for separate runs). */
  variants?: string[];
  lines: CheckLine[];
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
}

export interface StudyListing {
  name: string;
  variants: string[];
  runs: number;
  seeds: number;
  /** Runs by status ("running", "finished", …; "unknown" when not recorded). */
  status: Record<string, number>;
  /** Last change, ms since the epoch (0 when unknown). */
  updatedAt: number;
}

/**
 * Where the report and the dashboard read studies from. Read-only by contract:
 * no method writes anything.
 */
export interface DataSource {
  /** e.g. "log directory runs/" or "store .twin/twin.db". */
  readonly description: string;
  listStudies(): Promise<StudyListing[]>;
  /** The study, or undefined when there is no such study. */
  loadStudy(name: string): Promise<StudyData | undefined>;
  /**
   * A cheap signature per study that changes whenever the study's data
   * changes (the dashboard polls it to push live updates).
   */
  signatures(): Promise<Record<string, string>>;
  close?(): Promise<void>;
}
