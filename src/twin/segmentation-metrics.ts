/**
 * Segmentation metrics from logits and masks: the confusion matrix, IoU
 * (Jaccard) and Dice (F1) per class and their means, pixel accuracy.
 *
 * - Predictions are argmax over the class dimension (1) of logits
 *   [B, K, H, W]; an integer tensor shaped like the masks is taken as
 *   predictions as they are. Masks are [B, H, W] (or [B, 1, H, W]) class ids.
 * - Pixels whose mask is `ignoreIndex`, or is not a class id at all (< 0 or
 *   ≥ K, e.g. 255 or -100 padding), are left out of everything. When
 *   `ignoreIndex` is itself a class id (e.g. 0 = background), that class is
 *   also left out of the per-class results (NaN) and of the means.
 * - The confusion matrix C is K×K, rows = true class, columns = predicted
 *   class, counted with one bincount over (true·K + predicted).
 * - Per class c: TP = C[c,c], FP = column sum − TP, FN = row sum − TP;
 *   IoU = TP / (TP + FP + FN), Dice = 2TP / (2TP + FP + FN). A class with
 *   TP + FP + FN = 0 (neither in the masks nor predicted) has no score (NaN)
 *   and is left out of the means (the "nanmean" of mmsegmentation and
 *   torchmetrics); a class that is predicted but absent from the masks scores 0.
 * - Over a set, counts are summed first (accumulate the confusion matrix with
 *   ConfusionMeter) and the scores computed once: the dataset IoU, not the
 *   mean of per-batch IoUs.
 */
import { noGrad } from "../torch/runtime.ts";
import { scope } from "../torch/scope.ts";
import * as ops from "../torch/generated/ops.ts";
import { isFloating } from "../torch/dtype.ts";
import type { Tensor } from "../torch/tensor.ts";
import type { MetricAccumulator, TrainBatch } from "./types.ts";

export interface SegmentationOptions {
  numClasses: number;
  /** Mask value to leave out (pixels, and the class when it is one). */
  ignoreIndex?: number;
}

export interface SegmentationScores {
  /** Per-class IoU, NaN where the class has no score. */
  iou: number[];
  /** Per-class Dice, NaN where the class has no score. */
  dice: number[];
  /** Mean IoU over the classes that have a score (NaN if none). */
  meanIoU: number;
  /** Mean Dice over the classes that have a score (NaN if none). */
  meanDice: number;
  /** Correct pixels / counted pixels (NaN if none counted). */
  pixelAccuracy: number;
  /** Pixels counted (not ignored). */
  pixels: number;
}

function checkOptions(options: SegmentationOptions): void {
  if (!Number.isInteger(options.numClasses) || options.numClasses < 1) {
    throw new Error(`segmentation metrics: numClasses must be a positive integer, got ${options.numClasses}`);
  }
}

/**
 * The K×K confusion matrix (int64 tensor, rows = true, columns = predicted) of
 * a batch. `output`: logits [B, K, H, W] or integer predictions shaped like masks.
 */
export function confusionMatrix(output: Tensor, masks: Tensor, options: SegmentationOptions): Tensor {
  checkOptions(options);
  const K = options.numClasses;
  return scope(() =>
    noGrad(() => {
      let target = masks;
      if (target.ndim === 4 && target.size(1) === 1) target = target.squeeze(1);
      let pred: Tensor;
      if (isFloating(output.dtype)) {
        if (output.ndim !== target.ndim + 1 || output.size(1) !== K) {
          throw new Error(`confusionMatrix: logits [${output.shape.join(", ")}] do not fit masks [${masks.shape.join(", ")}] with ${K} classes (expected [B, ${K}, …mask dims])`);
        }
        pred = output.argmax(1);
      } else {
        pred = output;
      }
      if (pred.shape.length !== target.shape.length || pred.shape.some((d, i) => d !== target.shape[i])) {
        throw new Error(`confusionMatrix: predictions [${pred.shape.join(", ")}] and masks [${target.shape.join(", ")}] differ in shape`);
      }
      const t = target.flatten().long();
      const p = pred.flatten().long();
      let valid = t.ge(0).logicalAnd(t.lt(K));
      if (options.ignoreIndex !== undefined) valid = valid.logicalAnd(t.ne(options.ignoreIndex));
      // Predictions outside 0…K-1 cannot come from argmax; clamp guards integer inputs.
      const idx = t.mul(K).add(p.clamp(0, K - 1)).index([valid]);
      return ops.bincount(idx, { minlength: K * K }).reshape(K, K);
    }),
  );
}

/** Scores from a confusion matrix (row-major K×K counts, or the tensor). */
export function scoresFromConfusion(matrix: ArrayLike<number> | ArrayLike<bigint> | Tensor, options: SegmentationOptions): SegmentationScores {
  checkOptions(options);
  const K = options.numClasses;
  const raw = "toArray" in matrix ? scope(() => (matrix as Tensor).toArray()) : matrix;
  if (raw.length !== K * K) throw new Error(`scoresFromConfusion: expected ${K}×${K} = ${K * K} counts, got ${raw.length}`);
  const C = Array.from(raw as ArrayLike<number | bigint>, Number);
  const iou: number[] = [];
  const dice: number[] = [];
  let correct = 0;
  let pixels = 0;
  for (let c = 0; c < K; c++) {
    let row = 0;
    let col = 0;
    for (let k = 0; k < K; k++) {
      row += C[c * K + k];
      col += C[k * K + c];
    }
    const tp = C[c * K + c];
    correct += tp;
    pixels += row;
    const fp = col - tp;
    const fn = row - tp;
    const skip = c === options.ignoreIndex || tp + fp + fn === 0;
    iou.push(skip ? NaN : tp / (tp + fp + fn));
    dice.push(skip ? NaN : (2 * tp) / (2 * tp + fp + fn));
  }
  return { iou, dice, meanIoU: nanMean(iou), meanDice: nanMean(dice), pixelAccuracy: pixels > 0 ? correct / pixels : NaN, pixels };
}

function nanMean(xs: number[]): number {
  let s = 0;
  let n = 0;
  for (const x of xs) {
    if (!Number.isNaN(x)) {
      s += x;
      n++;
    }
  }
  return n > 0 ? s / n : NaN;
}

/** IoU, Dice and pixel accuracy of one batch. */
export function segmentationScores(output: Tensor, masks: Tensor, options: SegmentationOptions): SegmentationScores {
  return scope(() => scoresFromConfusion(confusionMatrix(output, masks, options), options));
}

/** Accumulates the confusion matrix over batches (on the host, in doubles: exact up to 2^53 pixels). */
export class ConfusionMeter {
  readonly options: SegmentationOptions;
  readonly matrix: Float64Array;

  constructor(options: SegmentationOptions) {
    checkOptions(options);
    this.options = { ...options };
    this.matrix = new Float64Array(options.numClasses * options.numClasses);
  }

  update(output: Tensor, masks: Tensor): this {
    const counts = scope(() => confusionMatrix(output, masks, this.options).toArray() as BigInt64Array);
    for (let i = 0; i < counts.length; i++) this.matrix[i] += Number(counts[i]);
    return this;
  }

  scores(): SegmentationScores {
    return scoresFromConfusion(this.matrix, this.options);
  }

  reset(): this {
    this.matrix.fill(0);
    return this;
  }
}

export interface SegmentationMetricsOptions extends SegmentationOptions {
  /** Also report IoU per class as "iou/<name>" (default false). */
  perClass?: boolean;
  /** Names for the per-class keys (default the class ids). */
  classNames?: readonly string[];
}

/**
 * The twin trainer's `metrics` plug-in for segmentation: every evaluation
 * (one batch, or the whole validation set) accumulates one confusion matrix
 * from the model's logits and `batch.masks`, and reports
 * `miou`, `mdice` (and `iou/<class>` with perClass).
 *
 *   twinTrain({ …, target: "masks", metrics: segmentationMetrics({ numClasses: 11 }) })
 */
export function segmentationMetrics(options: SegmentationMetricsOptions): () => MetricAccumulator {
  checkOptions(options);
  const names = options.classNames ?? Array.from({ length: options.numClasses }, (_, c) => String(c));
  return () => {
    const meter = new ConfusionMeter(options);
    return {
      update(output: Tensor, batch: TrainBatch): void {
        if (!batch.masks) throw new Error("segmentationMetrics: the evaluation batch has no masks (the validation dataset needs masks)");
        meter.update(output, batch.masks);
      },
      compute(): Record<string, number> {
        const s = meter.scores();
        const out: Record<string, number> = { miou: s.meanIoU, mdice: s.meanDice };
        if (options.perClass) s.iou.forEach((v, c) => (out[`iou/${names[c] ?? c}`] = v));
        return out;
      },
    };
  };
}
