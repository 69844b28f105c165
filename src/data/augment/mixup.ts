/**
 * mixup: Zhang et al. 2018, "mixup: Beyond Empirical Risk Minimization"
 * (ICLR), in the batch form of the authors' code and torchvision's v2 `MixUp`:
 * one λ ~ Beta(α, α) for the whole batch, a partner for each sample from a
 * random permutation of the batch, and
 *
 *   inputs  = λ·x + (1 − λ)·x[perm]
 *   targets = λ·y + (1 − λ)·y[perm]   (soft labels [B, K], rows sum to 1)
 *
 * Class-id targets [B] become one-hot rows first (give `numClasses`); soft
 * targets [B, K] (e.g. from an earlier cutmix) are mixed as they are.
 * Batches with masks are refused: a blend of two segmentation maps is not a
 * segmentation map (use cutmix, which pastes masks with the box).
 *
 * Draws from the generator: λ (one `_standard_gamma` call over 2 values), then
 * one randperm [B].
 */
import { scope } from "../../torch/scope.ts";
import * as ops from "../../torch/generated/ops.ts";
import type { Generator } from "../../torch/generator.ts";
import { sampleLambda } from "./beta.ts";
import { checkInput, permutation, rebuild, softTargets, type AugBatch } from "./types.ts";

export interface MixupOptions {
  /** Beta(α, α) concentration (> 0); 0.2–0.4 for ImageNet, 1 for CIFAR in the paper. */
  alpha: number;
  /** Number of classes, required when targets are class ids. */
  numClasses?: number;
  generator: Generator;
}

export function mixup<B extends AugBatch>(batch: B, options: MixupOptions): B {
  const name = "mixup";
  const info = checkInput(name, batch, options.generator);
  if (batch.masks !== undefined) {
    throw new Error(`${name}: the batch has segmentation masks, and mixup of masks is undefined (a blend of two label maps is not a label map); use cutmix for segmentation, or drop the masks`);
  }
  if (!(options.alpha > 0) || !Number.isFinite(options.alpha)) throw new RangeError(`${name}: alpha must be positive and finite, got ${options.alpha}`);
  return scope(() => {
    const y = softTargets(name, batch.targets, options.numClasses);
    const lambda = sampleLambda(options.alpha, options.generator);
    const perm = permutation(info.B, options.generator, info.device);
    const inputs = ops.lerp_Scalar(batch.inputs.indexSelect(0, perm), batch.inputs, lambda);
    const targets = ops.lerp_Scalar(y.indexSelect(0, perm.device === y.device ? perm : perm.to({ device: y.device })), y, lambda);
    return rebuild(batch, { inputs, targets });
  });
}
