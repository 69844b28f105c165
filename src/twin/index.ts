/** Twin training: K variants in lockstep on one data stream. */
export { twinTrain, type TwinRuntime } from "./trainer.ts";
export { crossEntropy, maskCrossEntropy, evaluateBatch, evaluateAll, targetClasses } from "./evaluate.ts";
export { batchChecksum, weightsHash } from "./checksum.ts";
export { latestCheckpoint, latestValidCheckpoint, checkCheckpoint, type CheckpointInfo, type CheckpointOptions, type DamagedCheckpoint } from "./checkpoint.ts";
export type * from "./types.ts";
export { WorkerPool, assignVariants, variantWorkers } from "./hosts.ts";
export * from "./segmentation-metrics.ts";
