/**
 * The usual image-classification (and segmentation) pipeline in one call:
 *
 *   augment.standard({ crop: { size: 28, padding: 2 }, flip: true, erasing: true })
 *
 * gives one `AugFn` (batch, generator) => batch. Steps run in this fixed
 * order, each only when its option is given: randomCrop → horizontalFlip →
 * randomAffine → gaussianNoise → randomErasing → mixup / cutmix (the order of
 * the timm and torchvision ImageNet recipes: geometry, then photometric, then
 * erasing on the final image, then batch mixing). With both mixup and cutmix
 * each batch gets one of them, cutmix with probability `switchProb` (default
 * 0.5, as timm's Mixup), decided by one uniform draw from the generator.
 */
import type { Generator } from "../../torch/generator.ts";
import { scope } from "../../torch/scope.ts";
import { compose, bind } from "./compose.ts";
import { randomCrop, type RandomCropOptions } from "./random-crop.ts";
import { horizontalFlip, type FlipOptions } from "./flip.ts";
import { randomAffine, type RandomAffineOptions } from "./random-affine.ts";
import { gaussianNoise, type GaussianNoiseOptions } from "./gaussian-noise.ts";
import { randomErasing, type RandomErasingOptions } from "./random-erasing.ts";
import { mixup, type MixupOptions } from "./mixup.ts";
import { cutmix, type CutmixOptions } from "./cutmix.ts";
import { checkProbability, uniform, type AugBatch, type AugFn } from "./types.ts";

type Opts<O> = Omit<O, "generator">;

export interface StandardOptions {
  crop?: Opts<RandomCropOptions>;
  /** Horizontal flip: true for p = 0.5, or { p }. */
  flip?: boolean | Opts<FlipOptions>;
  /** Random affine: true for the defaults (±10°, ±10 % translation, scale 0.9–1.1), or options. */
  affine?: boolean | Opts<RandomAffineOptions>;
  /** Gaussian noise: sigma, or options. */
  noise?: number | Opts<GaussianNoiseOptions>;
  /** Random erasing: true for torchvision's defaults (p 0.5, scale 0.02–0.33, ratio 0.3–3.3), or options. */
  erasing?: boolean | Opts<RandomErasingOptions>;
  mixup?: Opts<MixupOptions>;
  cutmix?: Opts<CutmixOptions>;
  /** With both mixup and cutmix: probability that a batch gets cutmix (default 0.5). */
  switchProb?: number;
}

export function standard(options: StandardOptions): AugFn {
  const steps: AugFn[] = [];
  if (options.crop) steps.push(bind(randomCrop, options.crop));
  if (options.flip) steps.push(bind(horizontalFlip, options.flip === true ? {} : options.flip));
  if (options.affine) steps.push(bind(randomAffine, options.affine === true ? {} : options.affine));
  if (options.noise !== undefined) steps.push(bind(gaussianNoise, typeof options.noise === "number" ? { sigma: options.noise } : options.noise));
  if (options.erasing) steps.push(bind(randomErasing, options.erasing === true ? {} : options.erasing));
  const { mixup: mx, cutmix: cm } = options;
  if (mx && cm) {
    const switchProb = options.switchProb ?? 0.5;
    checkProbability("standard: switchProb", switchProb);
    const mixStep = bind(mixup, mx);
    const cutStep = bind(cutmix, cm);
    steps.push(<B extends AugBatch>(batch: B, generator: Generator): B => {
      const useCutmix = scope(() => uniform([1], generator).item()) < switchProb;
      return useCutmix ? cutStep(batch, generator) : mixStep(batch, generator);
    });
  } else if (mx) {
    steps.push(bind(mixup, mx));
  } else if (cm) {
    steps.push(bind(cutmix, cm));
  }
  return compose(...steps);
}
