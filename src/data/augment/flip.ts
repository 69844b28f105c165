/**
 * Random flips, per sample: torchvision's `RandomHorizontalFlip(p)` and
 * `RandomVerticalFlip(p)` on a whole batch. Each sample is flipped with
 * probability p, independently; masks are flipped exactly where their images are.
 *
 * Draws from the generator: one uniform [B] (sample i flips when u_i < p), so
 * p = 1 flips every sample and p = 0 none.
 */
import { scope } from "../../torch/scope.ts";
import * as ops from "../../torch/generated/ops.ts";
import type { Tensor } from "../../torch/tensor.ts";
import type { Generator } from "../../torch/generator.ts";
import { checkInput, checkProbability, rebuild, uniform, type AugBatch } from "./types.ts";

export interface FlipOptions {
  /** Probability that a sample is flipped (default 0.5). */
  p?: number;
  generator: Generator;
}

function randomFlip<B extends AugBatch>(name: string, batch: B, options: FlipOptions, axis: "h" | "v"): B {
  const info = checkInput(name, batch, options.generator);
  const p = options.p ?? 0.5;
  checkProbability(name, p);
  const { B } = info;
  return scope(() => {
    const flip = uniform([B], options.generator, info.device).lt(p);
    const apply = (t: Tensor): Tensor => {
      const nd = t.ndim;
      const dim = axis === "h" ? nd - 1 : nd - 2;
      const cond = flip.view(B, ...new Array<number>(nd - 1).fill(1));
      return ops.where_self(cond, ops.flip(t, [dim]), t);
    };
    const inputs = apply(batch.inputs);
    const masks = batch.masks === undefined ? undefined : apply(batch.masks);
    return rebuild(batch, { inputs, masks });
  });
}

/** Flips each sample left-right with probability p (masks too). */
export function horizontalFlip<B extends AugBatch>(batch: B, options: FlipOptions): B {
  return randomFlip("horizontalFlip", batch, options, "h");
}

/** Flips each sample upside down with probability p (masks too). */
export function verticalFlip<B extends AugBatch>(batch: B, options: FlipOptions): B {
  return randomFlip("verticalFlip", batch, options, "v");
}
