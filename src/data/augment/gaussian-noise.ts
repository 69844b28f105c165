/**
 * Additive Gaussian noise: x + sigma·ε with ε ~ N(0, 1) independently per
 * element (torchvision's `GaussianNoise(mean=0, sigma)`, v0.20+, without its
 * clipping unless `clip` is given). Masks and targets are unchanged.
 *
 * Draws from the generator: one standard normal of the inputs' shape (in the
 * inputs' dtype), even when sigma is 0.
 */
import { scope } from "../../torch/scope.ts";
import * as ops from "../../torch/generated/ops.ts";
import type { Generator } from "../../torch/generator.ts";
import { checkInput, normal, rebuild, type AugBatch } from "./types.ts";

export interface GaussianNoiseOptions {
  /** Standard deviation of the noise (>= 0). */
  sigma: number;
  /** Clamp the result to [min, max] (e.g. [0, 1] for images in [0, 1]); default no clamping. */
  clip?: readonly [number, number];
  generator: Generator;
}

export function gaussianNoise<B extends AugBatch>(batch: B, options: GaussianNoiseOptions): B {
  const name = "gaussianNoise";
  const info = checkInput(name, batch, options.generator);
  const sigma = options.sigma;
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new RangeError(`${name}: sigma must be a finite number >= 0, got ${sigma}`);
  return scope(() => {
    const eps = normal(batch.inputs.shape, options.generator, info.device, info.dtype);
    let inputs = ops.add_Tensor(batch.inputs, eps, { alpha: sigma });
    if (options.clip !== undefined) inputs = inputs.clamp_(options.clip[0], options.clip[1]);
    return rebuild(batch, { inputs });
  });
}
