/**
 * The batch loader. Its shuffle comes from the `order` stream only, so the
 * batch sequence depends on the order seed and nothing else; its position
 * (epoch, cursor, this epoch's permutation) is checkpointed for exact resume.
 */
import { randperm } from "../torch/creation.ts";
import { scope } from "../torch/scope.ts";
import type { Tensor } from "../torch/tensor.ts";
import type { RandomStream } from "../rng/stream.ts";
import { gatherRows } from "./host/array.ts";
import { datasetLength, type Dataset } from "./host/dataset.ts";
import { inputsToTensor, targetsToTensor, type Normalize } from "./to-tensor.ts";

export interface Batch {
  inputs: Tensor;
  targets: Tensor;
  masks?: Tensor;
  /** Dataset indices of the examples, in batch order. */
  indices: Int32Array;
  epoch: number;
  /** Index of this batch within its epoch. */
  batchInEpoch: number;
}

export interface LoaderOptions {
  batchSize: number;
  /** Shuffle each epoch from the order stream (default true when a stream is given). */
  order?: RandomStream;
  /** Drop the last incomplete batch of each epoch (default true for training). */
  dropLast?: boolean;
  normalize?: Normalize;
}

export interface LoaderState {
  epoch: number;
  cursor: number;
  /** This epoch's order (shared, not copied: a new epoch makes a new array). */
  permutation: Int32Array | number[];
}

export class Loader {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly dropLast: boolean;
  readonly #order?: RandomStream;
  readonly #normalize?: Normalize;
  readonly #n: number;
  #epoch = -1;
  #cursor = 0;
  #permutation: Int32Array = new Int32Array(0);

  constructor(dataset: Dataset, options: LoaderOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new Error(`loader: batchSize must be a positive integer (got ${options.batchSize})`);
    }
    this.dataset = dataset;
    this.#n = datasetLength(dataset);
    this.batchSize = options.batchSize;
    this.dropLast = options.dropLast ?? true;
    this.#order = options.order;
    this.#normalize = options.normalize;
    if (this.batchesPerEpoch === 0) {
      throw new Error(`loader: ${this.#n} examples make no full batch of ${this.batchSize}; lower batchSize or set dropLast: false`);
    }
  }

  get batchesPerEpoch(): number {
    return this.dropLast ? Math.floor(this.#n / this.batchSize) : Math.ceil(this.#n / this.batchSize);
  }

  get epoch(): number {
    return Math.max(this.#epoch, 0);
  }

  #startEpoch(): void {
    this.#epoch++;
    this.#cursor = 0;
    if (this.#order === undefined) {
      this.#permutation = Int32Array.from({ length: this.#n }, (_, i) => i);
    } else {
      const g = this.#order.take();
      this.#permutation = scope(() => Int32Array.from(randperm(this.#n, { generator: g }).toArray() as BigInt64Array, Number));
    }
  }

  /** Indices of the next batch (starting a new epoch when this one is used up). */
  nextIndices(): { indices: Int32Array; epoch: number; batchInEpoch: number } {
    const remaining = this.#n - this.#cursor;
    if (this.#epoch < 0 || remaining === 0 || (this.dropLast && remaining < this.batchSize)) this.#startEpoch();
    const end = Math.min(this.#cursor + this.batchSize, this.#n);
    const indices = this.#permutation.slice(this.#cursor, end);
    const batchInEpoch = Math.floor(this.#cursor / this.batchSize);
    this.#cursor = end;
    return { indices, epoch: this.#epoch, batchInEpoch };
  }

  /** Gathers examples into tensors. */
  collate(indices: Int32Array): { inputs: Tensor; targets: Tensor; masks?: Tensor } {
    const ds = this.dataset;
    return {
      inputs: inputsToTensor(gatherRows(ds.inputs, indices), this.#normalize),
      targets: targetsToTensor(gatherRows(ds.targets, indices)),
      masks: ds.masks === undefined ? undefined : targetsToTensor(gatherRows(ds.masks, indices)),
    };
  }

  next(): Batch {
    const { indices, epoch, batchInEpoch } = this.nextIndices();
    return { ...this.collate(indices), indices, epoch, batchInEpoch };
  }

  /** Every example once, in order, in batches (evaluation). */
  *sequential(batchSize = this.batchSize): Generator<Batch> {
    for (let start = 0, b = 0; start < this.#n; start += batchSize, b++) {
      const indices = Int32Array.from({ length: Math.min(batchSize, this.#n - start) }, (_, i) => start + i);
      yield { ...this.collate(indices), indices, epoch: 0, batchInEpoch: b };
    }
  }

  getState(): LoaderState {
    return { epoch: this.#epoch, cursor: this.#cursor, permutation: this.#permutation };
  }

  setState(s: LoaderState): void {
    this.#epoch = s.epoch;
    this.#cursor = s.cursor;
    this.#permutation = Int32Array.from(s.permutation);
  }
}
