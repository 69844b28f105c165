/**
 * The batch pipeline of a twin run: prepare (draw a batch from the order and
 * augment streams once for every variant, checksum it, keep a snapshot to
 * catch in-place changes), run ahead (hand the next batch to worker hosts
 * before this thread has logged the current step), and hand over (batches
 * cross to hosts as tensor ids in the shared native table).
 */
import { scope } from "../torch/scope.ts";
import type { Loader, LoaderState } from "../data/loader.ts";
import type { Streams } from "../rng/streams.ts";
import type { ControlSum, StreamState } from "../rng/stream.ts";
import { batchChecksum } from "./checksum.ts";
import { DATA_STREAMS } from "./defaults.ts";
import type { SharedBatch } from "./hosts.ts";
import type { StepOutcome } from "./variant-runner.ts";
import type { Augment, TrainBatch } from "./types.ts";

/** A prepared batch: its tensors (kept until the step is over), ids, checksum and data-stream sums. */
export interface Prepared {
  batch: TrainBatch;
  shared: SharedBatch;
  snapshot?: TrainBatch;
  checksum: string;
  dataSums: ControlSum[];
  epoch: number;
}

/** A step handed to the hosts: its batch and the variants' outcomes to come. */
export interface Handed {
  current: Prepared;
  pending: Promise<Record<string, StepOutcome>>;
}

/** Where the loader and data streams stood before the prefetched batch was drawn (what a checkpoint saves). */
export interface DataState {
  loader: LoaderState;
  streams: Record<string, StreamState>;
}

export function share(b: TrainBatch): SharedBatch {
  return { inputs: b.inputs.id, targets: b.targets.id, masks: b.masks?.id };
}

export function disposeBatch(b: TrainBatch | undefined): void {
  b?.inputs.dispose();
  b?.targets.dispose();
  b?.masks?.dispose();
}

export interface PipelineOptions {
  loader: Loader;
  streams: Streams;
  augment?: Augment;
  /** Keep a copy of every batch to check that no variant changed it in place. */
  verify: boolean;
  /** Hands a batch to every host for one step; resolves with every variant's outcome. */
  post: (batch: SharedBatch, snapshot: SharedBatch | undefined, step: number) => Promise<Record<string, StepOutcome>>;
  /** Whether the next step may be handed over before this one is logged (worker hosts only). */
  runAhead: boolean;
}

export class BatchPipeline {
  readonly #o: PipelineOptions;
  #next: Prepared | undefined;
  #ahead: Handed | undefined;
  #beforeNext: DataState | undefined;

  constructor(options: PipelineOptions) {
    this.#o = options;
  }

  /** True when no step has been handed over ahead of the current one. */
  get idle(): boolean {
    return this.#ahead === undefined;
  }

  /** Draws the batch for one step from the order and augment streams, once for every variant. */
  #prepare(): Prepared {
    const { loader, streams, augment, verify } = this.#o;
    this.#beforeNext = { loader: loader.getState(), streams: Object.fromEntries(DATA_STREAMS.map((s) => [s, streams.stream(s).getState()])) };
    const { batch, snapshot, checksum, epoch } = scope(() => {
      const { indices, epoch } = loader.nextIndices();
      let b: TrainBatch = loader.collate(indices);
      if (augment) b = augment(b, streams.stream("augment").take());
      const checksum = batchChecksum(indices, [b.inputs, b.targets, b.masks]);
      const snapshot = verify ? { inputs: b.inputs.clone(), targets: b.targets.clone(), masks: b.masks?.clone() } : undefined;
      return { batch: { inputs: b.inputs, targets: b.targets, masks: b.masks }, snapshot, checksum, epoch };
    });
    for (const t of [batch.inputs, batch.targets, batch.masks, snapshot?.inputs, snapshot?.targets, snapshot?.masks]) t?.keep();
    const dataSums = DATA_STREAMS.map((s) => streams.recordStream(s));
    return { batch, shared: share(batch), snapshot, checksum, dataSums, epoch };
  }

  #post(p: Prepared, step: number): Promise<Record<string, StepOutcome>> {
    return this.#o.post(p.shared, p.snapshot && share(p.snapshot), step);
  }

  /** Prepares the first batch of a run that starts (or resumes) at `step`. */
  start(step: number, stopAt: number): void {
    if (step < stopAt) this.#next = this.#prepare();
  }

  /**
   * Hands step `step` to the hosts (unless it went ahead already); when the
   * next step needs nothing from this one (`mayRunAhead`), hands that over
   * too; then prepares the batch after the last one handed out, while the
   * variants train.
   */
  hand(step: number, stopAt: number, mayRunAhead: boolean): Handed {
    let handed: Handed;
    if (this.#ahead !== undefined) {
      handed = this.#ahead;
      this.#ahead = undefined;
    } else {
      const current = this.#next!;
      this.#next = undefined;
      handed = { current, pending: this.#post(current, step) };
    }
    if (this.#o.runAhead && mayRunAhead) {
      const following = this.#next ?? this.#prepare();
      this.#next = undefined;
      this.#ahead = { current: following, pending: this.#post(following, step + 1) };
      this.#ahead.pending.catch(() => undefined); // awaited in its own step (or in dispose)
    }
    const lastHanded = this.#ahead === undefined ? step : step + 1;
    if (this.#next === undefined && lastHanded + 1 < stopAt) this.#next = this.#prepare();
    return handed;
  }

  /** Throws when a variant changed the shared batch in place (the snapshot differs). */
  checkUnchanged(p: Prepared, step: number): void {
    if (p.snapshot && !(p.batch.inputs.equal(p.snapshot.inputs) && p.batch.targets.equal(p.snapshot.targets))) {
      throw new Error(`step ${step}: a variant modified the shared batch in place, which breaks twin training (every variant must see the same batch)`);
    }
  }

  /** The data side as a checkpoint must see it: without the draws of a prefetched batch whose step has not run. */
  dataState(): DataState {
    const { loader, streams } = this.#o;
    if (this.#next !== undefined && this.#beforeNext !== undefined) return this.#beforeNext;
    return { loader: loader.getState(), streams: Object.fromEntries(DATA_STREAMS.map((s) => [s, streams.stream(s).getState()])) };
  }

  release(p: Prepared): void {
    disposeBatch(p.batch);
    disposeBatch(p.snapshot);
  }

  async dispose(): Promise<void> {
    if (this.#ahead !== undefined) {
      await this.#ahead.pending.catch(() => undefined);
      this.release(this.#ahead.current);
      this.#ahead = undefined;
    }
    if (this.#next !== undefined) this.release(this.#next);
    this.#next = undefined;
  }
}
