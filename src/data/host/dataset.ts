/**
 * The host-side dataset shape shared by every reader: inputs and targets (and
 * optional masks) whose first axis is the example axis.
 */
import { sliceRows, type HostArray } from "./array.ts";

/** A first-axis-indexed set of examples. */
export interface Dataset {
  name: string;
  /** Inputs, first axis = examples (e.g. uint8 [N, C, H, W] or float32 [N, F]). */
  inputs: HostArray;
  /** Targets, first axis = examples (e.g. int64 [N] class indices). */
  targets: HostArray;
  /** Class names, index = class id, when targets are class indices. */
  classes?: string[];
  /** Segmentation masks, first axis = examples (e.g. uint8 [N, H, W]). */
  masks?: HostArray;
}

/** A dataset that comes with its own train/test split. */
export interface DatasetSplitSource {
  train: Dataset;
  test?: Dataset;
}

/** Number of examples in a dataset; throws if inputs, targets and masks disagree. */
export function datasetLength(ds: Dataset): number {
  const n = ds.inputs.shape[0] ?? 0;
  if ((ds.targets.shape[0] ?? 0) !== n) {
    throw new Error(`dataset "${ds.name}": inputs have ${n} examples but targets have ${ds.targets.shape[0]}`);
  }
  if (ds.masks && (ds.masks.shape[0] ?? 0) !== n) {
    throw new Error(`dataset "${ds.name}": inputs have ${n} examples but masks have ${ds.masks.shape[0]}`);
  }
  return n;
}

/** The first `n` examples of a dataset (copies). */
export function takeFirst(ds: Dataset, n: number): Dataset {
  const out: Dataset = { name: ds.name, inputs: sliceRows(ds.inputs, 0, n), targets: sliceRows(ds.targets, 0, n) };
  if (ds.classes) out.classes = ds.classes;
  if (ds.masks) out.masks = sliceRows(ds.masks, 0, n);
  return out;
}
