/**
 * Per-example predictions written by an external training command: NPY (or
 * CSV) files in its TWIN_RUN_DIR, kept in the store like twin's own runs.
 *   predictions.npy       [examples, classes] validation probabilities or logits (softmaxed)
 *   labels.npy            [examples] their true classes
 *   test_predictions.npy  the same on the held-out test set
 *   test_labels.npy
 */
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import type { PredictionSplit, Store } from "../store/index.ts";
import { checkPredictionSet, readLabelsFile, readPredictionFile } from "./prediction-files.ts";

/** The prediction files of a run folder, per set (validation, test). */
export const PREDICTION_FILES: { split: PredictionSplit; predictions: string; labels: string }[] = [
  { split: "validation", predictions: "predictions", labels: "labels" },
  { split: "test", predictions: "test_predictions", labels: "test_labels" },
];

/** `<runDir>/<stem>.npy`, else `.csv`, when one exists. */
export function findPredictionFile(runDir: string, stem: string): string | undefined {
  for (const ext of [".npy", ".csv"]) if (existsSync(join(runDir, stem + ext))) return join(runDir, stem + ext);
  return undefined;
}

/**
 * Stores the prediction files found in runDir for the run's variant; returns
 * one warning per file set that could not be stored (the run's metrics stand).
 */
export async function storeSweepPredictions(store: Store, runId: string, variant: string, runDir: string): Promise<string[]> {
  const warnings: string[] = [];
  for (const f of PREDICTION_FILES) {
    const predPath = findPredictionFile(runDir, f.predictions);
    if (!predPath) continue;
    const labelPath = findPredictionFile(runDir, f.labels);
    if (!labelPath) {
      warnings.push(`run ${runId}: ${basename(predPath)} not stored: write the true classes to $TWIN_RUN_DIR/${f.labels}.npy next to it`);
      continue;
    }
    try {
      const preds = readPredictionFile(predPath);
      const labels = readLabelsFile(labelPath);
      checkPredictionSet([preds], labelPath, labels);
      await store.addPredictions({ runId, variant, split: f.split, probabilities: preds.data, examples: preds.shape[0], classes: preds.shape[1], labels: labels.labels });
    } catch (e) {
      warnings.push(`run ${runId}: ${f.split} predictions not stored: ${(e as Error).message}`);
    }
  }
  return warnings;
}
