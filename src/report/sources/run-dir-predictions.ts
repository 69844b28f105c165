/**
 * Per-example predictions in a run's log folder, under the names `twin sweep`
 * reads from TWIN_RUN_DIR (predictions.npy + labels.npy on validation,
 * test_predictions.npy + test_labels.npy on the held-out test set; CSV too),
 * so that a log folder written by any framework gets seed ensembles in the
 * report. A file that cannot be used becomes a note on the run, never an error.
 */
import { basename } from "node:path";
import { checkPredictionSet, readLabelsFile, readPredictionFile } from "../../study/prediction-files.ts";
import { findPredictionFile, PREDICTION_FILES } from "../../study/sweep-predictions.ts";
import type { RunData } from "../types.ts";

/** The run folder's predictions (undefined when it has none) and what could not be read. */
export function readRunDirPredictions(dir: string): { predictions?: NonNullable<RunData["predictions"]>; notes: string[] } {
  const notes: string[] = [];
  let predictions: NonNullable<RunData["predictions"]> | undefined;
  for (const f of PREDICTION_FILES) {
    const predPath = findPredictionFile(dir, f.predictions);
    if (!predPath) continue;
    const labelPath = findPredictionFile(dir, f.labels);
    if (!labelPath) {
      notes.push(`${basename(predPath)} not used: no ${f.labels}.npy (the true classes) next to it`);
      continue;
    }
    try {
      const p = readPredictionFile(predPath);
      const labels = readLabelsFile(labelPath);
      checkPredictionSet([p], labelPath, labels);
      const probabilities = p.data instanceof Float32Array || p.data instanceof Float64Array ? p.data : Float64Array.from(p.data);
      (predictions ??= {})[f.split] = { probabilities, labels: labels.labels, classes: p.shape[1] };
    } catch (e) {
      notes.push(`${f.split} predictions not used: ${(e as Error).message}`);
    }
  }
  return { ...(predictions ? { predictions } : {}), notes };
}

/** The prediction files' names (without extension) whose sizes and times go into a run folder's change stamp (labels are written with them). */
export const RUN_DIR_PREDICTION_STEMS: readonly string[] = PREDICTION_FILES.map((f) => f.predictions);
