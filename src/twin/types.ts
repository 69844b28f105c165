/**
 * The shapes the twin trainer works with. Models and optimizers are described
 * structurally, so any module/optimizer with these methods can be twin-trained.
 */
import type { Generator, GeneratorSource } from "../torch/generator.ts";
import type { Tensor } from "../torch/tensor.ts";
import type { Dataset } from "../data/host/dataset.ts";
import type { Normalize } from "../data/to-tensor.ts";
import type { SeedSpec } from "../rng/factors.ts";
import type { ControlSum } from "../rng/stream.ts";
import type { CheckpointOptions } from "./checkpoint.ts";

export interface TwinModel {
  forward(x: Tensor): Tensor;
  train(flag?: boolean): unknown;
  eval(): unknown;
  initialize(source: (path: string, shape: number[]) => Generator, options?: { disposeGenerators?: boolean }): unknown;
  setDropoutGenerator(g: Generator | GeneratorSource | null): unknown;
  parameters(): Tensor[];
  stateDict(): Record<string, Tensor>;
  loadStateDict(state: Record<string, Tensor>): unknown;
  dispose(): void;
}

/** Any serialisable optimizer state: tensors, numbers, strings, arrays and objects of them. */
export type StateTree = Tensor | number | string | boolean | null | StateTree[] | { [key: string]: StateTree };

export interface TwinOptimizer {
  step(): void;
  zeroGrad(): void;
  stateDict(): StateTree;
  loadStateDict(state: StateTree): void;
  /** Frees optimizer state tensors. */
  dispose?(): void;
}

/** A learning-rate schedule stepped once per training step. */
export interface TwinSchedule {
  step(): void;
  stateDict?(): StateTree;
  loadStateDict?(state: StateTree): void;
}

/** What a batch looks like to augmentation and to the models. */
export interface TrainBatch {
  inputs: Tensor;
  /** [B] int64 class ids, or [B, K] float soft labels (mixup/cutmix). */
  targets: Tensor;
  masks?: Tensor;
}

export type Augment = (batch: TrainBatch, generator: Generator) => TrainBatch;
/** targets: the batch's `targets`, or its `masks` when the run's target is "masks". */
export type LossFn = (output: Tensor, targets: Tensor) => Tensor;

/** What losses and accuracy are computed against: per-example `targets`, or per-pixel `masks` (segmentation). */
export type TargetKind = "labels" | "masks";

/**
 * Extra evaluation metrics accumulated over the batches of one evaluation (a
 * single batch, or the whole validation set): update() with each batch's
 * model output (eval mode, no gradients), compute() once at the end.
 */
export interface MetricAccumulator {
  update(output: Tensor, batch: TrainBatch): void;
  compute(): Record<string, number>;
}

/** One variant: built fresh for every run (never shared across runs). */
export interface VariantParts {
  model: TwinModel;
  optimizer: (parameters: Tensor[]) => TwinOptimizer;
  schedule?: (optimizer: TwinOptimizer, totalSteps: number) => TwinSchedule;
  /** Default: cross-entropy (class ids or soft labels; per pixel for masks, skipping labels that are not class ids). */
  loss?: LossFn;
}

export type VariantFactory = () => VariantParts;

export interface TwinConfig {
  study: string;
  variants: Record<string, VariantFactory>;
  /** The variant others are compared with (default: the first). */
  reference?: string;
  train: Dataset;
  validation: Dataset;
  /**
   * The held-out test set: every variant is evaluated on it once, after the
   * last step of a completed run, and never before; nothing in the run is
   * chosen by it (per-example probabilities are kept as for validation).
   */
  test?: Dataset;
  normalize?: Normalize;
  augment?: Augment;
  /** Test-time augmentation, applied identically for every variant from the eval stream. */
  testAugment?: Augment;
  /**
   * "labels" (default): losses and accuracy use `targets`. "masks": they use
   * the batch's `masks` (segmentation; accuracy is pixel accuracy over pixels
   * labelled with a class id, and per-example predictions are not kept).
   */
  target?: TargetKind;
  /** Extra metrics at every evaluation, for every variant (e.g. segmentationMetrics: miou, mdice). */
  metrics?: () => MetricAccumulator;
  batchSize: number;
  epochs?: number;
  /** Total steps (overrides epochs). */
  steps?: number;
  /** Evaluate every variant on the same validation batch every this many steps (default 50; 0 = never). */
  evalEvery?: number;
  evalBatchSize?: number;
  seed: SeedSpec;
  /** The number in the run's log folder seed-<n> (default: the root seed). */
  runLabel?: number;
  /** TensorBoard + JSON Lines under <logdir>/<study>/<variant>/seed-<n>/. */
  logdir?: string;
  /** Checkpoints (written atomically with a manifest of SHA-256 hashes, checked on load): see CheckpointOptions. */
  checkpoint?: CheckpointOptions;
  /** Resume from the latest checkpoint in checkpoint.dir when one exists (default true). */
  resume?: boolean;
  /** Stop after this many steps (for tests of resume); the run can be resumed later. */
  stopAfter?: number;
  /** Text summaries logged once with every variant's run (e.g. "fingerprint": the study's code/data/environment hash). */
  texts?: Record<string, string>;
  /**
   * Stops the run cleanly when aborted (Ctrl-C): the current step finishes, a
   * checkpoint is written when checkpoint.dir is set, workers stop, and the
   * result comes back with completed = false and stopped = true.
   */
  signal?: AbortSignal;
  /** Keep per-example validation probabilities at the end (default true). */
  keepPredictions?: boolean;
  /**
   * "sequential" (default): variants one after another, one set of activations
   * alive at a time. "parallel": one worker thread per variant (needs variantsModule).
   */
  schedule?: "sequential" | "parallel";
  /**
   * The module the variants come from (a study file: its default export has
   * `variants`). Lets worker threads rebuild them: required by the parallel
   * schedule; with the sequential one it moves training to a worker thread so
   * the next batch is prepared while the variants train.
   */
  variantsModule?: { path: string; exportName?: string };
  /** Worker threads for the parallel schedule (default: the borrowed pool's size, else the number of cores); variants beyond that share workers round-robin. */
  workers?: number;
  /**
   * Variants left out of this run, each with the reason: they stay in the
   * result as *skipped* with that reason as their error, never built, and their
   * streams untouched (the others train on the very same batches). Used for a
   * variant that failed the same way on a study's first runs, and to train
   * one variant of a run again (--retry-failed).
   */
  skip?: Record<string, string>;
  /** Checks that the batch is unchanged before every variant's step (default true). */
  verifyBatches?: boolean;
  onProgress?: (p: Progress) => void;
}

export interface Progress {
  step: number;
  totalSteps: number;
  epoch: number;
  losses: Record<string, number>;
}

/** skipped: not trained in this run (TwinConfig.skip; its error says why). */
export type VariantStatus = "running" | "finished" | "diverged" | "failed" | "skipped";

export interface EvalMetrics {
  loss: number;
  accuracy: number;
  /** Extra metrics from TwinConfig.metrics, by name. */
  [metric: string]: number;
}

export interface VariantResult {
  name: string;
  status: VariantStatus;
  divergedAtStep?: number;
  error?: string;
  /** Whole-validation-set metrics at the end of each epoch. */
  epochs: (EvalMetrics & { epoch: number; step: number })[];
  final?: EvalMetrics;
  /** Validation probabilities [N × K], row-major, at the end of training. */
  predictions?: Float32Array;
  numClasses?: number;
  /** Metrics on the held-out test set (TwinConfig.test), measured once after the last step. */
  test?: EvalMetrics;
  /** Test-set probabilities [N × K], row-major. */
  testPredictions?: Float32Array;
  /** SHA-256 of the final weights (state dict, in key order). */
  weightsHash?: string;
}

export interface TwinResult {
  study: string;
  seeds: Record<string, string>;
  steps: number;
  completed: boolean;
  /** True when the run was stopped by its signal before the end. */
  stopped: boolean;
  reference: string;
  schedule: "sequential" | "parallel";
  variants: Record<string, VariantResult>;
  validationTargets: Int32Array;
  /** The held-out test set's classes (empty without TwinConfig.test). */
  testTargets: Int32Array;
  /** Per step: the checksum of the batch every variant saw. */
  batchChecksums: string[];
  controlSums: ControlSum[];
  /** Every stream's control sum after each step (index = step). */
  controlSumsByStep: ControlSum[][];
  /** Per variant, the SHA-256 of each parameter and buffer right after initialisation. */
  initialLayerHashes: Record<string, Record<string, string>>;
  /** Hash over all batch checksums and control sums of the run. */
  runChain: string;
}
