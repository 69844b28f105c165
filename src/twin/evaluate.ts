/** Evaluation of one variant: on a single batch (paired curves) and on the whole validation set. */
import { noGrad } from "../torch/runtime.ts";
import { scope } from "../torch/scope.ts";
import * as ops from "../torch/generated/ops.ts";
import type { Tensor } from "../torch/tensor.ts";
import type { EvalMetrics, LossFn, MetricAccumulator, TargetKind, TrainBatch, TwinModel } from "./types.ts";

export const crossEntropy: LossFn = (output, targets) => ops.cross_entropy_loss(output, targets);

/**
 * Per-pixel cross-entropy for masks [B, H, W] and logits [B, K, H, W]; pixels
 * whose label is not a class id (255 padding, -100, …) are left out.
 */
export const maskCrossEntropy: LossFn = (output, masks) => {
  const K = output.size(1);
  return ops.cross_entropy_loss(output, masks.maskedFill(masks.lt(0).logicalOr(masks.ge(K)), -100), { ignore_index: -100 });
};

/** Class ids of targets: themselves, or the argmax of soft labels. */
export function targetClasses(targets: Tensor): Tensor {
  return targets.ndim === 1 ? targets : targets.argmax(1);
}

/** What the loss and accuracy compare the output with: `targets`, or `masks` ([B, 1, H, W] squeezed to [B, H, W]). */
export function batchTargets(batch: TrainBatch, target: TargetKind = "labels"): Tensor {
  if (target === "labels") return batch.targets;
  const m = batch.masks;
  if (m === undefined) throw new Error(`target "masks": the batch has no masks; the dataset needs masks (e.g. fashionSeg())`);
  return m.ndim === 4 && m.size(1) === 1 ? m.squeeze(1) : m;
}

/** Correct predictions and how many were counted (examples, or pixels labelled with a class id). */
function countCorrect(out: Tensor, y: Tensor, target: TargetKind): { correct: number; n: number } {
  if (target === "labels") return { correct: out.argmax(1).eq(targetClasses(y)).sum().item(), n: y.size(0) };
  const valid = y.ge(0).logicalAnd(y.lt(out.size(1)));
  return { correct: out.argmax(1).eq(y).logicalAnd(valid).sum().item(), n: valid.sum().item() };
}

export interface EvalOptions {
  /** What loss and accuracy use (default "labels"). */
  target?: TargetKind;
  /** Extra metrics, accumulated over the evaluation. */
  metrics?: () => MetricAccumulator;
}

/** Loss and accuracy (and extra metrics) of a model on one batch, in eval mode without gradients. */
export function evaluateBatch(model: TwinModel, loss: LossFn, batch: TrainBatch, options: EvalOptions = {}): EvalMetrics {
  const target = options.target ?? "labels";
  return scope(() =>
    noGrad(() => {
      model.eval();
      const out = model.forward(batch.inputs);
      const y = batchTargets(batch, target);
      const l = loss(out, y).item();
      const { correct, n } = countCorrect(out, y, target);
      const acc = options.metrics?.();
      acc?.update(out, batch);
      return { ...acc?.compute(), loss: l, accuracy: correct / n };
    }),
  );
}

export interface FullEval {
  loss: number;
  accuracy: number;
  /** Extra metrics, by name (empty without a metrics option). */
  extra: Record<string, number>;
  /** Softmax probabilities [N × K], row-major, when asked for. */
  probabilities?: Float32Array;
  numClasses: number;
}

/**
 * Mean loss and accuracy over every batch of the validation set (weighted by
 * the examples, or labelled pixels, each batch counts), plus extra metrics
 * accumulated over all batches.
 */
export function evaluateAll(model: TwinModel, loss: LossFn, batches: Iterable<TrainBatch>, keepProbabilities: boolean, options: EvalOptions = {}): FullEval {
  const target = options.target ?? "labels";
  let lossSum = 0;
  let correct = 0;
  let n = 0;
  let numClasses = 0;
  const acc = options.metrics?.();
  const chunks: Float32Array[] = [];
  for (const batch of batches) {
    scope(() =>
      noGrad(() => {
        model.eval();
        const out = model.forward(batch.inputs);
        const y = batchTargets(batch, target);
        numClasses = out.size(1);
        const c = countCorrect(out, y, target);
        lossSum += loss(out, y).item() * c.n;
        correct += c.correct;
        n += c.n;
        acc?.update(out, batch);
        if (keepProbabilities) chunks.push(out.softmax(1).toArray() as Float32Array);
      }),
    );
  }
  let probabilities: Float32Array | undefined;
  if (keepProbabilities) {
    probabilities = new Float32Array(chunks.reduce((s, c) => s + c.length, 0));
    let offset = 0;
    for (const c of chunks) {
      probabilities.set(c, offset);
      offset += c.length;
    }
  }
  return { loss: lossSum / n, accuracy: correct / n, extra: acc?.compute() ?? {}, probabilities, numClasses };
}
