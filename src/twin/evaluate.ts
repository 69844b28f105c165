/** Evaluation of one variant: on a single batch (paired curves) and on the whole validation set. */
import { noGrad } from "../torch/runtime.ts";
import { scope } from "../torch/scope.ts";
import * as ops from "../torch/generated/ops.ts";
import type { Tensor } from "../torch/tensor.ts";
import type { EvalMetrics, LossFn, TrainBatch, TwinModel } from "./types.ts";

export const crossEntropy: LossFn = (output, targets) => ops.cross_entropy_loss(output, targets);

/** Class ids of targets: themselves, or the argmax of soft labels. */
export function targetClasses(targets: Tensor): Tensor {
  return targets.ndim === 1 ? targets : targets.argmax(1);
}

/** Loss and accuracy of a model on one batch, in eval mode without gradients. */
export function evaluateBatch(model: TwinModel, loss: LossFn, batch: TrainBatch): EvalMetrics {
  return scope(() =>
    noGrad(() => {
      model.eval();
      const out = model.forward(batch.inputs);
      const l = loss(out, batch.targets).item();
      const correct = out.argmax(1).eq(targetClasses(batch.targets)).sum().item();
      return { loss: l, accuracy: correct / batch.targets.size(0) };
    }),
  );
}

export interface FullEval extends EvalMetrics {
  /** Softmax probabilities [N × K], row-major, when asked for. */
  probabilities?: Float32Array;
  numClasses: number;
}

/** Mean loss and accuracy over every batch of the validation set (weighted by batch size). */
export function evaluateAll(model: TwinModel, loss: LossFn, batches: Iterable<TrainBatch>, keepProbabilities: boolean): FullEval {
  let lossSum = 0;
  let correct = 0;
  let n = 0;
  let numClasses = 0;
  const chunks: Float32Array[] = [];
  for (const batch of batches) {
    scope(() =>
      noGrad(() => {
        model.eval();
        const out = model.forward(batch.inputs);
        const b = batch.targets.size(0);
        numClasses = out.size(1);
        lossSum += loss(out, batch.targets).item() * b;
        correct += out.argmax(1).eq(targetClasses(batch.targets)).sum().item();
        n += b;
        if (keepProbabilities) chunks.push(out.softmax(1).toArray() as Float32Array);
      }),
    );
  }
  let probabilities: Float32Array | undefined;
  if (keepProbabilities) {
    probabilities = new Float32Array(n * numClasses);
    let offset = 0;
    for (const c of chunks) {
      probabilities.set(c, offset);
      offset += c.length;
    }
  }
  return { loss: lossSum / n, accuracy: correct / n, probabilities, numClasses };
}
