/**
 * Random erasing, per sample: Zhong et al. 2020, "Random Erasing Data
 * Augmentation" (AAAI), as torchvision's `RandomErasing(p, scale, ratio, value)`;
 * the fixed-size square variant is DeVries & Taylor 2017's Cutout.
 *
 * With probability p a sample gets one rectangle overwritten: its area is a
 * fraction `scale` of the image (uniform), its aspect ratio h/w log-uniform in
 * `ratio`, h = round(sqrt(area * ratio)), w = round(sqrt(area / ratio)); like
 * torchvision, up to 10 attempts per sample and the first one that fits
 * (h < H and w < W) is used; a sample where none fits is left as it is. The
 * top-left corner is uniform over the positions where the rectangle fits.
 * The rectangle is filled with `value`: a number (default 0), one number per
 * channel, or "random" (independent standard normal per pixel and channel, as
 * torchvision's value="random").
 *
 * Masks are untouched: erasing hides pixels but does not change what they
 * are, so the labels stay (occlusion robustness is the point). If you want
 * the loss to skip erased pixels, do it in the loss.
 *
 * Draws from the generator, always the same number whatever the outcomes (so
 * control sums depend only on shapes): uniform [B] (apply when u < p),
 * uniform [B, 10] (areas), uniform [B, 10] (log ratios), uniform [B, 2]
 * (corner), then with value "random" a normal of the inputs' shape.
 */
import { scope } from "../../torch/scope.ts";
import { tensor } from "../../torch/creation.ts";
import * as ops from "../../torch/generated/ops.ts";
import type { Tensor } from "../../torch/tensor.ts";
import type { Generator } from "../../torch/generator.ts";
import { checkInput, checkProbability, normal, rebuild, uniform, type AugBatch } from "./types.ts";

export interface RandomErasingOptions {
  /** Probability that a sample gets a rectangle erased (default 0.5, as torchvision). */
  p?: number;
  /** Range of the erased area as a fraction of the image (default [0.02, 0.33]). */
  scale?: readonly [number, number];
  /** Range of the aspect ratio h/w, sampled log-uniformly (default [0.3, 3.3]). */
  ratio?: readonly [number, number];
  /** Fill: a number (default 0), one number per channel, or "random" (standard normal per pixel). */
  value?: number | readonly number[] | "random";
  generator: Generator;
}

const ATTEMPTS = 10;

export function randomErasing<B extends AugBatch>(batch: B, options: RandomErasingOptions): B {
  const name = "randomErasing";
  const info = checkInput(name, batch, options.generator);
  const p = options.p ?? 0.5;
  checkProbability(name, p);
  const [s0, s1] = options.scale ?? [0.02, 0.33];
  const [r0, r1] = options.ratio ?? [0.3, 3.3];
  if (!(s0 >= 0 && s0 <= s1 && s1 <= 1)) throw new RangeError(`${name}: scale must satisfy 0 <= min <= max <= 1, got [${s0}, ${s1}]`);
  if (!(r0 > 0 && r0 <= r1)) throw new RangeError(`${name}: ratio must satisfy 0 < min <= max, got [${r0}, ${r1}]`);
  const value = options.value ?? 0;
  if (Array.isArray(value) && value.length !== info.C) {
    throw new RangeError(`${name}: value has ${value.length} entries but the inputs have ${info.C} channels`);
  }
  const { B, H, W, device, dtype } = info;
  return scope(() => {
    const g = options.generator;
    // Parameters in float64 on the CPU; only the final box goes to the device.
    const coin = uniform([B], g);
    const uArea = uniform([B, ATTEMPTS], g);
    const uRatio = uniform([B, ATTEMPTS], g);
    const uPos = uniform([B, 2], g);
    const area = uArea.mul(s1 - s0).add(s0).mul(H * W);
    const aspect = uRatio.mul(Math.log(r1) - Math.log(r0)).add(Math.log(r0)).exp();
    const hAll = area.mul(aspect).sqrt().round();
    const wAll = area.div(aspect).sqrt().round();
    const fits = hAll.lt(H).logicalAnd(wAll.lt(W));
    const first = fits.to("int32").argmax(1, true); // first attempt that fits (0 when none does)
    const h = hAll.gather(1, first).view(B);
    const w = wAll.gather(1, first).view(B);
    const apply = coin.lt(p).logicalAnd(ops.any_dim(fits, 1));
    const top = ops.minimum(uPos.select(1, 0).mul(h.neg().add(H + 1)).floor(), h.neg().add(H));
    const left = ops.minimum(uPos.select(1, 1).mul(w.neg().add(W + 1)).floor(), w.neg().add(W));
    const rows = ops.arange(H, { dtype: "float64" }).view(1, H, 1);
    const cols = ops.arange(W, { dtype: "float64" }).view(1, 1, W);
    const t3 = top.view(B, 1, 1);
    const l3 = left.view(B, 1, 1);
    let box = rows.ge(t3).logicalAnd(rows.lt(t3.add(h.view(B, 1, 1))))
      .logicalAnd(cols.ge(l3).logicalAnd(cols.lt(l3.add(w.view(B, 1, 1)))))
      .logicalAnd(apply.view(B, 1, 1))
      .view(B, 1, H, W);
    if (device !== "cpu") box = box.to({ device });
    let inputs: Tensor;
    if (value === "random") {
      inputs = ops.where_self(box, normal(batch.inputs.shape, g, device, dtype), batch.inputs);
    } else if (typeof value === "number") {
      inputs = batch.inputs.maskedFill(box, value);
    } else {
      let fill = tensor(Float64Array.from(value), { shape: [1, info.C, 1, 1], dtype });
      if (device !== "cpu") fill = fill.to({ device });
      inputs = ops.where_self(box, fill, batch.inputs);
    }
    return rebuild(batch, { inputs });
  });
}
