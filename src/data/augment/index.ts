/**
 * Augmentations on batched tensors, every random number from an explicit
 * generator (in twin runs, the `augment` stream), computed once per step and
 * shared by every variant. Each function is pure: it returns a new batch and
 * never writes into its input.
 *
 *   import { augment } from "twin";
 *   const aug = augment.standard({ crop: { size: 28, padding: 2 }, flip: true });
 *   const out = aug(batch, generator);
 */
export type { AugBatch, AugFn } from "./types.ts";
export { randomCrop, type RandomCropOptions } from "./random-crop.ts";
export { horizontalFlip, verticalFlip, type FlipOptions } from "./flip.ts";
export { randomErasing, type RandomErasingOptions } from "./random-erasing.ts";
export { randomAffine, type RandomAffineOptions } from "./random-affine.ts";
export { gaussianNoise, type GaussianNoiseOptions } from "./gaussian-noise.ts";
export { mixup, type MixupOptions } from "./mixup.ts";
export { cutmix, cutmixBox, type CutmixOptions } from "./cutmix.ts";
export { compose, bind } from "./compose.ts";
export { standard, type StandardOptions } from "./standard.ts";
export { sampleBeta, sampleGamma } from "./beta.ts";
