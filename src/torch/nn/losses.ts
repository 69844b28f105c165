/**
 * Losses, through the same aten ops torch.nn.functional uses (so the numbers
 * match PyTorch), and simple classification metrics.
 */
import { Tensor } from "../tensor.ts";
import * as ops from "../generated/ops.ts";
import { noGrad } from "../runtime.ts";
import { scope } from "../scope.ts";

export type Reduction = "mean" | "sum" | "none";

function reductionEnum(r: Reduction | undefined): number {
  switch (r ?? "mean") {
    case "none": return 0;
    case "mean": return 1;
    case "sum": return 2;
    default: throw new Error(`unknown reduction '${r}'; use "mean", "sum" or "none"`);
  }
}

export interface CrossEntropyOptions {
  /** Per-class weights [C]. */
  weight?: Tensor | null;
  /** Targets equal to this index are ignored (default -100). Class-index targets only. */
  ignoreIndex?: number;
  /** Label smoothing in [0, 1] (default 0). */
  labelSmoothing?: number;
  reduction?: Reduction;
}

/**
 * F.cross_entropy: logits [N, C] (or [N, C, d1, …]) against class indices
 * (int64 [N, …]) or class probabilities (float, same shape as the logits).
 */
export function crossEntropy(logits: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  return ops.cross_entropy_loss(logits, target, {
    weight: options.weight ?? null,
    reduction: reductionEnum(options.reduction),
    ignore_index: options.ignoreIndex ?? -100,
    label_smoothing: options.labelSmoothing ?? 0,
  });
}

export interface NllOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
}

/** F.nll_loss: log-probabilities [N, C] (or [N, C, d1, …]) against class indices. */
export function nllLoss(logProbs: Tensor, target: Tensor, options: NllOptions = {}): Tensor {
  return ops.nll_loss_nd(logProbs, target, {
    weight: options.weight ?? null,
    reduction: reductionEnum(options.reduction),
    ignore_index: options.ignoreIndex ?? -100,
  });
}

/** F.mse_loss. */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  return ops.mse_loss(input, target, { reduction: reductionEnum(options.reduction) });
}

/** F.l1_loss. */
export function l1Loss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  return ops.l1_loss(input, target, { reduction: reductionEnum(options.reduction) });
}

export interface BceOptions {
  /** Per-element rescaling weight, broadcast to the input. */
  weight?: Tensor | null;
  /** Weight of positive examples per class (broadcast over the last dimension). */
  posWeight?: Tensor | null;
  reduction?: Reduction;
}

/** F.binary_cross_entropy_with_logits: float targets in [0, 1], same shape as the logits. */
export function bceWithLogits(logits: Tensor, target: Tensor, options: BceOptions = {}): Tensor {
  return ops.binary_cross_entropy_with_logits(logits, target, {
    weight: options.weight ?? null,
    pos_weight: options.posWeight ?? null,
    reduction: reductionEnum(options.reduction),
  });
}

// ---- metrics -------------------------------------------------------------------

/**
 * Number of rows whose argmax over dim 1 equals the target, as a 0-d int64
 * tensor (no grad, no host sync): sum these over an epoch and call item() once.
 */
export function correct(logits: Tensor, target: Tensor): Tensor {
  return scope(() => noGrad(() => logits.argmax(1).eq(target).sum()));
}

/**
 * Fraction (0..1) of rows whose argmax equals the target, as a JS number
 * (one host sync). Use correct() to accumulate on the tensor side instead.
 */
export function accuracy(logits: Tensor, target: Tensor): number {
  const c = correct(logits, target);
  try {
    return c.item() / target.size(0);
  } finally {
    c.dispose();
  }
}

/** Number of rows whose target is among the k largest logits, as a 0-d int64 tensor. */
export function topKCorrect(logits: Tensor, target: Tensor, k: number): Tensor {
  return scope(() => noGrad(() => {
    const [, idx] = logits.topk(k, 1, true, false);
    return ops.any_dim(idx.eq(target.unsqueeze(1)), 1).sum();
  }));
}

/** Fraction (0..1) of rows whose target is among the k largest logits, as a JS number. */
export function topKAccuracy(logits: Tensor, target: Tensor, k: number): number {
  const c = topKCorrect(logits, target, k);
  try {
    return c.item() / target.size(0);
  } finally {
    c.dispose();
  }
}
