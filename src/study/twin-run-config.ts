/**
 * What a study gives each of its twin runs: the data split (drawn from the
 * run's split stream), the training set-up, the seeds and the log name.
 */
import type { Dataset } from "../data/host/dataset.ts";
import { drawSplitIndices, splitFromIndices, type Split, type SplitIndices } from "../data/split.ts";
import { Streams } from "../rng/streams.ts";
import type { SeedSpec } from "../rng/factors.ts";
import type { TwinConfig } from "../twin/types.ts";
import type { StudySpec } from "./define.ts";

/** The run's train/validation split, drawn from its split stream. */
export function splitFor(spec: StudySpec, train: Dataset, seed: SeedSpec): Split {
  return splitFromIndices(train, splitIndicesFor(spec, train, seed));
}

/** Which examples of `train` the run validates on (no data copied): what the run's fingerprint hashes. */
export function splitIndicesFor(spec: StudySpec, train: Dataset, seed: SeedSpec): SplitIndices {
  const streams = new Streams(seed);
  try {
    return drawSplitIndices(train, { validation: spec.data.validation, stream: streams.stream("split"), stratified: spec.data.stratified });
  } finally {
    streams.dispose();
  }
}

/** What a study gives each of its twin runs: the data split, the training set-up, the seeds and the log name. */
export function studyTwinConfig(
  spec: StudySpec,
  at: { study: string; group: string; label: number; seed: SeedSpec },
  split: Split,
): Pick<TwinConfig, "study" | "variants" | "train" | "validation" | "normalize" | "augment" | "testAugment" | "batchSize" | "epochs" | "steps" | "evalEvery" | "target" | "metrics" | "seed" | "runLabel"> {
  return {
    study: at.study,
    variants: spec.variants,
    train: split.train,
    validation: split.validation,
    normalize: spec.data.normalize,
    augment: spec.augment,
    testAugment: spec.testAugment,
    batchSize: spec.batchSize,
    epochs: spec.epochs,
    steps: spec.steps,
    evalEvery: spec.evalEvery,
    target: spec.target,
    metrics: spec.metrics,
    seed: at.seed,
    runLabel: at.label,
  };
}
