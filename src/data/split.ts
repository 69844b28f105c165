/**
 * Train/validation split drawn from the `split` stream: changing the split seed
 * changes which examples are held out, and nothing else.
 */
import { randperm } from "../torch/creation.ts";
import { scope } from "../torch/scope.ts";
import type { RandomStream } from "../rng/stream.ts";
import { gatherRows, type HostArray } from "./host/array.ts";
import { datasetLength, type Dataset } from "./host/dataset.ts";

export interface SplitOptions {
  /** Validation size: a count (5000) or a fraction in (0, 1). */
  validation: number;
  stream: RandomStream;
  /** Keep each class's share the same in both parts (needs integer class targets). */
  stratified?: boolean;
}

/** Which examples of a dataset go to training and which to validation: indices (sorted), for fingerprints and audits. */
export interface SplitIndices {
  trainIndices: Int32Array;
  validationIndices: Int32Array;
}

export interface Split extends SplitIndices {
  train: Dataset;
  validation: Dataset;
}

function permutation(n: number, stream: RandomStream): Int32Array {
  return scope(() => Int32Array.from(randperm(n, { generator: stream.take() }).toArray() as BigInt64Array, Number));
}

function subset(ds: Dataset, indices: Int32Array, name: string): Dataset {
  const pick = (a: HostArray | undefined) => (a === undefined ? undefined : gatherRows(a, indices));
  return { ...ds, name, inputs: pick(ds.inputs)!, targets: pick(ds.targets)!, masks: pick(ds.masks) };
}

function classOf(targets: HostArray, i: number): number {
  return Number(targets.data[i]);
}

export function splitTrainValidation(ds: Dataset, options: SplitOptions): Split {
  return splitFromIndices(ds, drawSplitIndices(ds, options));
}

/** The train and validation datasets of a split drawn by drawSplitIndices (rows copied). */
export function splitFromIndices(ds: Dataset, { trainIndices, validationIndices }: SplitIndices): Split {
  return {
    train: subset(ds, trainIndices, `${ds.name}/train`),
    validation: subset(ds, validationIndices, `${ds.name}/validation`),
    trainIndices,
    validationIndices,
  };
}

/** Draws a train/validation split of `ds` from `options.stream`, as indices only. */
export function drawSplitIndices(ds: Dataset, options: SplitOptions): SplitIndices {
  const n = datasetLength(ds);
  const v = options.validation < 1 ? Math.round(options.validation * n) : options.validation;
  if (!Number.isInteger(v) || v <= 0 || v >= n) {
    throw new Error(`split: validation size must be a count in [1, ${n - 1}] or a fraction in (0, 1); got ${options.validation}`);
  }
  const perm = permutation(n, options.stream);
  let validation: number[];
  if (options.stratified) {
    if (ds.targets.shape.length !== 1) throw new Error("split: stratified splits need one class id per example");
    const byClass = new Map<number, number[]>();
    for (const i of perm) {
      const c = classOf(ds.targets, i);
      if (!byClass.has(c)) byClass.set(c, []);
      byClass.get(c)!.push(i);
    }
    validation = [];
    // Largest-remainder apportionment so the class quotas add up to exactly v.
    const quotas = [...byClass.entries()].map(([c, idx]) => ({ c, idx, exact: (idx.length * v) / n }));
    for (const q of quotas) validation.push(...q.idx.slice(0, Math.floor(q.exact)));
    const rest = v - validation.length;
    quotas.sort((a, b) => b.exact - Math.floor(b.exact) - (a.exact - Math.floor(a.exact)) || a.c - b.c);
    for (let k = 0; k < rest; k++) validation.push(quotas[k].idx[Math.floor(quotas[k].exact)]);
  } else {
    validation = Array.from(perm.subarray(0, v));
  }
  const inValidation = new Uint8Array(n);
  for (const i of validation) inValidation[i] = 1;
  const validationIndices = Int32Array.from(validation).sort();
  const trainIndices = new Int32Array(n - v);
  for (let i = 0, k = 0; i < n; i++) if (!inValidation[i]) trainIndices[k++] = i;
  return { trainIndices, validationIndices };
}
