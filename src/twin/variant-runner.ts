/**
 * One variant of a twin run: its model, optimizer, schedule, loss and dropout
 * stream, and the operations the trainer asks of it. It does not know which
 * schedule runs it: the sequential schedule calls it on the main thread, the
 * parallel one inside a worker thread, with the same results bit for bit.
 */
import { join } from "node:path";
import { scope } from "../torch/scope.ts";
import type { Tensor } from "../torch/tensor.ts";
import { loadSafetensors, saveSafetensors } from "../torch/safetensors.ts";
import type { RandomStream, ControlSum, StreamState } from "../rng/stream.ts";
import { Streams } from "../rng/streams.ts";
import type { StreamSpec } from "../rng/factors.ts";
import { weightsHash } from "./checksum.ts";
import { batchTargets, crossEntropy, evaluateAll, evaluateBatch, maskCrossEntropy, type EvalOptions, type FullEval } from "./evaluate.ts";
import { joinTree, splitTree } from "./state-tree.ts";
import type { EvalMetrics, LossFn, TargetKind, TrainBatch, TwinModel, TwinOptimizer, TwinSchedule, VariantFactory, VariantResult } from "./types.ts";

export interface StepOutcome {
  loss?: number;
  status: VariantResult["status"];
  error?: string;
  /** The dropout stream's control sum at the end of this step. */
  dropout: ControlSum;
}

/** What a variant writes into a checkpoint besides its two safetensors files. */
export interface VariantCheckpoint {
  result: VariantResult;
  optimizer: unknown;
  schedule?: unknown;
  dropout: Omit<StreamState, "generator"> & { generator: string };
}

export class VariantRunner {
  readonly name: string;
  readonly model: TwinModel;
  readonly optimizer: TwinOptimizer;
  readonly schedule?: TwinSchedule;
  readonly loss: LossFn;
  readonly streams: Streams;
  readonly dropout: RandomStream;
  /** What loss and accuracy use, and the extra metrics (TwinConfig.target / metrics). */
  readonly evalOptions: EvalOptions;
  result: VariantResult;

  /**
   * Builds the variant from its streams (the run's init and dropout, as specs):
   * init per parameter from (init seed, path, shape); every dropout mask drawn
   * from the dropout stream, which counts them.
   */
  constructor(name: string, factory: VariantFactory, streams: readonly StreamSpec[], totalSteps: number, evalOptions: EvalOptions = {}) {
    this.name = name;
    const parts = factory();
    this.model = parts.model;
    this.streams = new Streams(streams);
    this.model.initialize((path, shape) => this.streams.parameterGenerator(path, shape), { disposeGenerators: true });
    this.dropout = this.streams.stream("dropout");
    this.model.setDropoutGenerator(this.dropout);
    this.optimizer = parts.optimizer(this.model.parameters());
    this.schedule = parts.schedule?.(this.optimizer, totalSteps);
    this.evalOptions = evalOptions;
    this.loss = parts.loss ?? (this.target === "masks" ? maskCrossEntropy : crossEntropy);
    this.result = { name, status: "running", epochs: [] };
  }

  get target(): TargetKind {
    return this.evalOptions.target ?? "labels";
  }

  get running(): boolean {
    return this.result.status === "running";
  }

  /** Forward, backward and optimizer step on the shared batch, then the dropout control sum. */
  trainStep(batch: TrainBatch, step: number): StepOutcome {
    const outcome = this.#train(batch, step);
    return { ...outcome, dropout: this.dropout.record() };
  }

  /** NaN/Inf loss marks the variant diverged; an exception marks it failed. */
  #train(batch: TrainBatch, step: number): Omit<StepOutcome, "dropout"> {
    if (!this.running) return { status: this.result.status };
    try {
      return scope(() => {
        this.model.train();
        const out = this.model.forward(batch.inputs);
        const loss = this.loss(out, batchTargets(batch, this.target));
        const value = loss.item();
        if (!Number.isFinite(value)) {
          this.result.status = "diverged";
          this.result.divergedAtStep = step;
          return { status: "diverged" as const, loss: value };
        }
        this.optimizer.zeroGrad();
        loss.backward();
        this.optimizer.step();
        this.schedule?.step();
        return { status: "running" as const, loss: value };
      });
    } catch (e) {
      this.result.status = "failed";
      this.result.error = `step ${step}: ${(e as Error).message}`;
      return { status: "failed", error: this.result.error };
    }
  }

  evaluateBatch(batch: TrainBatch): EvalMetrics {
    return evaluateBatch(this.model, this.loss, batch, this.evalOptions);
  }

  /** Whole validation set; records the epoch and, when last, the final metrics and predictions. */
  evaluateEpoch(batches: TrainBatch[], epoch: number, step: number, last: boolean, keepPredictions: boolean): FullEval {
    // Per-pixel probabilities of a segmentation set would be huge: kept for labels only.
    const full = evaluateAll(this.model, this.loss, batches, last && keepPredictions && this.target === "labels", this.evalOptions);
    const metrics = { ...full.extra, loss: full.loss, accuracy: full.accuracy };
    this.result.epochs.push({ epoch, step, ...metrics });
    if (last) {
      this.result.final = metrics;
      this.result.predictions = full.probabilities;
      this.result.numClasses = full.numClasses;
    }
    return full;
  }

  /** The held-out test set, once, after training: its metrics and (for labels) per-example probabilities. */
  evaluateTest(batches: TrainBatch[], keepPredictions: boolean): EvalMetrics {
    const full = evaluateAll(this.model, this.loss, batches, keepPredictions && this.target === "labels", this.evalOptions);
    this.result.test = { ...full.extra, loss: full.loss, accuracy: full.accuracy };
    this.result.testPredictions = full.probabilities;
    return this.result.test;
  }

  dropoutSum(): ControlSum {
    return this.dropout.controlSum();
  }

  layerHashes(): Record<string, string> {
    return scope(() => Object.fromEntries(Object.entries(this.model.stateDict()).map(([k, t]) => [k, weightsHash({ [k]: t })])));
  }

  finish(completed: boolean): VariantResult {
    if (completed && this.result.status === "running") this.result.status = "finished";
    this.result.weightsHash = scope(() => weightsHash(this.model.stateDict()));
    return this.result;
  }

  /** Writes model-<name>.safetensors and optim-<name>.safetensors into dir; returns the rest. */
  save(dir: string): VariantCheckpoint {
    return scope(() => {
      saveSafetensors(join(dir, `model-${this.name}.safetensors`), this.model.stateDict());
      const optTensors: Record<string, Tensor> = {};
      const optimizer = splitTree(this.optimizer.stateDict(), "optim", optTensors);
      saveSafetensors(join(dir, `optim-${this.name}.safetensors`), optTensors);
      const sched = this.schedule?.stateDict?.();
      const d = this.dropout.getState();
      return {
        result: { ...this.result, predictions: undefined, testPredictions: undefined },
        optimizer,
        schedule: sched === undefined ? undefined : splitTree(sched, "schedule", {}),
        dropout: { ...d, generator: Buffer.from(d.generator).toString("base64") },
      };
    });
  }

  load(dir: string, saved: VariantCheckpoint): void {
    scope(() => {
      const model = loadSafetensors(join(dir, `model-${this.name}.safetensors`)).tensors;
      this.model.loadStateDict(model);
      const opt = loadSafetensors(join(dir, `optim-${this.name}.safetensors`)).tensors;
      this.optimizer.loadStateDict(joinTree(saved.optimizer, opt));
      if (saved.schedule !== undefined) this.schedule?.loadStateDict?.(joinTree(saved.schedule, {}));
    });
    this.dropout.setState({ ...saved.dropout, generator: Uint8Array.from(Buffer.from(saved.dropout.generator, "base64")) });
    this.result = saved.result;
  }

  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose?.();
    this.streams.dispose();
  }
}
