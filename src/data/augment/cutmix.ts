/**
 * CutMix: Yun et al. 2019, "CutMix: Regularization Strategy to Train Strong
 * Classifiers with Localizable Features" (ICCV), as in the authors' code and
 * torchvision's v2 `CutMix`: one λ ~ Beta(α, α) and one box for the whole
 * batch; each sample gets the box cut from its partner in a random
 * permutation of the batch.
 *
 * The box: cut ratio r = sqrt(1 − λ), size (⌊H·r⌋, ⌊W·r⌋), centre (cy, cx)
 * uniform over the pixels, clipped to the image. The target weight is the
 * actual kept area, λ' = 1 − (box area)/(H·W), so targets are
 *
 *   targets = λ'·y + (1 − λ')·y[perm]   (soft labels [B, K], rows sum to 1)
 *
 * and the fraction of pasted pixels in every sample is exactly 1 − λ'.
 * Masks get the same box pasted from the same partner, so they keep labelling
 * their pixels. Class-id targets [B] become one-hot rows (give `numClasses`).
 *
 * Draws from the generator: λ (one `_standard_gamma` call over 2 values), one
 * randperm [B], one uniform [2] (box centre).
 */
import { scope } from "../../torch/scope.ts";
import * as ops from "../../torch/generated/ops.ts";
import type { Tensor } from "../../torch/tensor.ts";
import type { Generator } from "../../torch/generator.ts";
import { sampleLambda } from "./beta.ts";
import { checkInput, permutation, rebuild, softTargets, uniform, type AugBatch } from "./types.ts";

export interface CutmixOptions {
  /** Beta(α, α) concentration (> 0); the paper uses 1. */
  alpha: number;
  /** Number of classes, required when targets are class ids. */
  numClasses?: number;
  generator: Generator;
}

/** The CutMix box [y1, y2) × [x1, x2) for a given λ and centre, clipped to H × W. */
export function cutmixBox(lambda: number, H: number, W: number, cy: number, cx: number): { y1: number; y2: number; x1: number; x2: number } {
  const r = Math.sqrt(1 - lambda);
  const ch = Math.floor(H * r);
  const cw = Math.floor(W * r);
  const clip = (v: number, hi: number): number => Math.min(Math.max(v, 0), hi);
  return {
    y1: clip(cy - Math.floor(ch / 2), H),
    y2: clip(cy + Math.floor(ch / 2), H),
    x1: clip(cx - Math.floor(cw / 2), W),
    x2: clip(cx + Math.floor(cw / 2), W),
  };
}

export function cutmix<B extends AugBatch>(batch: B, options: CutmixOptions): B {
  const name = "cutmix";
  const info = checkInput(name, batch, options.generator);
  if (!(options.alpha > 0) || !Number.isFinite(options.alpha)) throw new RangeError(`${name}: alpha must be positive and finite, got ${options.alpha}`);
  const { B, H, W } = info;
  return scope(() => {
    const g = options.generator;
    const y = softTargets(name, batch.targets, options.numClasses);
    const lambda = sampleLambda(options.alpha, g);
    const perm = permutation(B, g, info.device);
    const centre = uniform([2], g).toNumbers();
    const cy = Math.min(Math.floor(centre[0] * H), H - 1);
    const cx = Math.min(Math.floor(centre[1] * W), W - 1);
    const { y1, y2, x1, x2 } = cutmixBox(lambda, H, W, cy, cx);
    const kept = 1 - ((y2 - y1) * (x2 - x1)) / (H * W);
    // Paste the box from the partners into a copy (never into the input).
    const paste = (t: Tensor): Tensor => {
      const out = t.clone();
      if (y2 > y1 && x2 > x1) {
        const nd = t.ndim;
        const region = (u: Tensor): Tensor => u.slice(nd - 2, y1, y2).slice(nd - 1, x1, x2);
        region(out).copy_(region(t).indexSelect(0, perm));
      }
      return out;
    };
    const inputs = paste(batch.inputs);
    const masks = batch.masks === undefined ? undefined : paste(batch.masks);
    const targets = ops.lerp_Scalar(y.indexSelect(0, perm.device === y.device ? perm : perm.to({ device: y.device })), y, kept);
    return rebuild(batch, { inputs, targets, masks });
  });
}
