/**
 * The experiment store's records and its one interface, shared by the SQLite
 * and PostgreSQL back ends. Times are milliseconds since the epoch; seeds are
 * bigints (they may reach 2^64 and are stored as decimal text).
 */

export type RunStatus = "queued" | "running" | "finished" | "failed" | "diverged";
export const RUN_STATUSES: readonly RunStatus[] = ["queued", "running", "finished", "failed", "diverged"];

/** A seed as callers may hand it over; stored as decimal text, read back as bigint. */
export type SeedValue = number | bigint | string;

export type StoreKind = "sqlite" | "postgres";

export interface StudyInput {
  name: string;
  /** Hash of the resolved study specification (what makes two studies "the same"). */
  specHash: string;
  /** Fingerprint (hash) taken when the study began; see putFingerprint. */
  fingerprintHash?: string | null;
  /** The resolved specification itself, as JSON-able data (optional). */
  spec?: unknown;
}

export interface StudyRecord {
  name: string;
  specHash: string;
  fingerprintHash: string | null;
  spec: unknown;
  createdAt: number;
}

export interface StudySummary extends StudyRecord {
  /** Number of runs in each status. */
  runs: Record<RunStatus, number>;
}

export interface VariantInput {
  name: string;
  config?: unknown;
}

export interface VariantRecord {
  study: string;
  name: string;
  position: number;
  config: unknown;
}

export interface RunInput {
  study: string;
  /** One variant, or the variants of a twin run (trained side by side). */
  variants: string | readonly string[];
  /** Hash of the study spec this run belongs to (usually the study's specHash). */
  specHash: string;
  rootSeed: SeedValue;
  /** Every factor's seed (init, order, augment, dropout, split, eval, user factors). */
  seeds: Readonly<Record<string, SeedValue>>;
  /** The fully resolved configuration of the run (JSON-able). */
  config?: unknown;
  fingerprintHash?: string | null;
  /** Defaults to makeRunId(...). */
  id?: string;
}

export interface RunRecord {
  id: string;
  study: string;
  variants: string[];
  specHash: string;
  rootSeed: bigint;
  seeds: Record<string, bigint>;
  config: unknown;
  fingerprintHash: string | null;
  status: RunStatus;
  attempts: number;
  worker: string | null;
  queuedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  heartbeatAt: number | null;
  error: string | null;
}

/** A run as plain JSON (seeds as decimal strings), e.g. for `twin runs --json`. */
export type RunJson = Omit<RunRecord, "rootSeed" | "seeds"> & { rootSeed: string; seeds: Record<string, string> };

export interface SubmitResult {
  run: RunRecord;
  /** false when the same run (study, spec hash, variants, seeds) was already stored. */
  created: boolean;
}

export interface RunFilter {
  study?: string;
  status?: RunStatus | readonly RunStatus[];
}

export interface MetricInput {
  runId: string;
  variant: string;
  step: number;
  name: string;
  /** NaN is kept (read back as NaN), so are ±Infinity. */
  value: number;
}

export type MetricRecord = MetricInput;

export interface MetricQuery {
  runId: string;
  variant?: string;
  name?: string;
}

export interface FinalMetricQuery {
  study?: string;
  runIds?: readonly string[];
  name?: string;
}

export interface ControlSumInput {
  stream: string;
  draws: number;
  /** Hash of the generator state (ControlSum.state in src/rng). */
  state: string;
  chain: string;
}

export interface ControlSumRecord extends ControlSumInput {
  runId: string;
  step: number;
}

export interface BatchChecksumInput {
  step: number;
  checksum: string;
}

export interface BatchChecksumRecord extends BatchChecksumInput {
  runId: string;
}

export interface ArtifactInput {
  runId: string;
  kind: string;
  path: string;
  sha256: string;
  bytes: number;
}

export interface ArtifactRecord extends ArtifactInput {
  createdAt: number;
}

/** Which set per-example predictions were made on: the validation split (used for selection) or the held-out test set (never). */
export type PredictionSplit = "validation" | "test";

export interface PredictionInput {
  runId: string;
  variant: string;
  split: PredictionSplit;
  /** Class probabilities [examples × classes], row-major; stored as 12-bit probabilities (prediction-codec.ts). */
  probabilities: ArrayLike<number>;
  examples: number;
  classes: number;
  /** The true class of each example. */
  labels: ArrayLike<number>;
}

export interface PredictionRecord {
  runId: string;
  variant: string;
  split: PredictionSplit;
  examples: number;
  classes: number;
  probabilities: Float32Array;
  labels: Int32Array;
  /** Stored size of probabilities and labels, compressed. */
  bytes: number;
}

export interface CheckpointInput {
  runId: string;
  step: number;
  path: string;
  sha256?: string | null;
}

export interface CheckpointRecord {
  runId: string;
  step: number;
  path: string;
  sha256: string | null;
  createdAt: number;
}

export interface FingerprintRecord {
  hash: string;
  fingerprint: unknown;
  createdAt: number;
}

export interface RequeueOptions {
  study?: string;
  /** Runs that already had this many attempts become `failed` instead of queued. */
  maxAttempts?: number;
}

export interface RequeueResult {
  requeued: string[];
  failed: string[];
}

/**
 * The experiment store. Every method is async (PostgreSQL is); every write is
 * atomic (one statement or one transaction), so a failing write leaves the
 * rows already stored as they were.
 */
export interface Store {
  readonly kind: StoreKind;
  /** Where the store lives: a file path, or the PostgreSQL URL with its password masked. */
  readonly location: string;

  /**
   * Runs fn in one transaction: all of its writes are kept, or none (fn throws).
   * Inside fn use `tx`, not this store: on SQLite the outer store waits for the
   * transaction to end (one connection), on PostgreSQL it would not see its writes.
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  close(): Promise<void>;

  // Fingerprints
  /** Stores a fingerprint (deduplicated by its hash) and returns the hash. */
  putFingerprint(fingerprint: unknown): Promise<string>;
  getFingerprint(hash: string): Promise<FingerprintRecord | undefined>;

  // Studies and variants
  /** Creates the study if absent; returns the stored record and whether it was created. */
  putStudy(study: StudyInput): Promise<{ study: StudyRecord; created: boolean }>;
  getStudy(name: string): Promise<StudyRecord | undefined>;
  /** Replaces the study's fingerprint (after the caller accepted a changed one). */
  setStudyFingerprint(name: string, fingerprintHash: string | null): Promise<void>;
  listStudies(): Promise<StudySummary[]>;
  /** Stores the variants in order (inserted or updated). */
  putVariants(study: string, variants: readonly VariantInput[]): Promise<void>;
  listVariants(study: string): Promise<VariantRecord[]>;

  // Runs
  /** Queues a run; the same run submitted twice is stored once (created: false). */
  submitRun(run: RunInput): Promise<SubmitResult>;
  /** The run, or throws UnknownRunError. */
  getRun(id: string): Promise<RunRecord>;
  findRun(id: string): Promise<RunRecord | undefined>;
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;
  /** queued → running for this worker, atomically; true when this caller won. */
  claimRun(id: string, worker: string): Promise<boolean>;
  /** Claims the oldest queued run (of a study), or returns undefined when none is left. */
  claimNext(worker: string, study?: string): Promise<RunRecord | undefined>;
  /** Records that the worker still runs the run; false when the run is no longer its own. */
  heartbeat(id: string, worker?: string): Promise<boolean>;
  /** running → finished. Throws when the run is unknown or not running (or run by another worker). */
  /** `note`: what went wrong inside a run that finished (a variant that failed or diverged), kept in its `error` column. */
  finishRun(id: string, opts?: { worker?: string; note?: string }): Promise<void>;
  /** running (or queued) → failed, or diverged with {diverged: true}, keeping the error text. */
  failRun(id: string, error: string, opts?: { worker?: string; diverged?: boolean }): Promise<void>;
  /** Running runs whose last heartbeat is older than olderThanMs go back to queued. */
  requeueStale(olderThanMs: number, opts?: RequeueOptions): Promise<RequeueResult>;
  /** Failed or diverged runs among ids go back to queued (their error stays until they are claimed again); returns their ids. */
  requeueFailed(ids: readonly string[]): Promise<string[]>;
  /**
   * Takes a finished run back to running for `worker` (compare-and-set, like
   * claimRun), to train some of its variants again; finishRun ends it. False
   * when the run is not finished (another worker took it first).
   */
  reopenRun(id: string, worker: string): Promise<boolean>;

  // Measurements
  /** Bulk insert in one transaction; a (run, variant, name, step) written again is overwritten. */
  addMetrics(rows: readonly MetricInput[]): Promise<void>;
  metrics(query: MetricQuery): Promise<MetricRecord[]>;
  /** For each run, variant and metric name: the value at the last step. */
  finalMetrics(query?: FinalMetricQuery): Promise<MetricRecord[]>;
  addControlSums(runId: string, step: number, sums: readonly ControlSumInput[]): Promise<void>;
  controlSums(runId: string): Promise<ControlSumRecord[]>;
  addBatchChecksums(runId: string, rows: readonly BatchChecksumInput[]): Promise<void>;
  batchChecksums(runId: string): Promise<BatchChecksumRecord[]>;
  addArtifact(artifact: ArtifactInput): Promise<void>;
  artifacts(runId: string): Promise<ArtifactRecord[]>;
  /** Stores (or replaces) one variant's predictions on one set; removed with the run. */
  addPredictions(predictions: PredictionInput): Promise<void>;
  /** The run's stored predictions (of one variant / set when given), variants in name order, validation before test. */
  predictions(runId: string, filter?: { variant?: string; split?: PredictionSplit }): Promise<PredictionRecord[]>;
  addCheckpoint(checkpoint: CheckpointInput): Promise<void>;
  checkpoints(runId: string): Promise<CheckpointRecord[]>;
  latestCheckpoint(runId: string): Promise<CheckpointRecord | undefined>;
}
