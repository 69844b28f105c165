/**
 * Random affine transform, per sample: a small rotation, scale and translation
 * about the image centre, like torchvision's `RandomAffine(degrees, translate,
 * scale)` (without shear), done for the whole batch with one
 * `affine_grid` + `grid_sample` (align_corners = false, zeros padding).
 *
 * Per sample: angle uniform in `degrees` (positive = counter-clockwise, as
 * torchvision), scale uniform in `scale`, translation uniform in
 * ±translate[0]·W horizontally and ±translate[1]·H vertically (continuous;
 * torchvision rounds it to whole pixels). The matrix is built in pixel units
 * so that non-square images rotate without shearing.
 *
 * Inputs are resampled bilinearly (or nearest with `interpolation: "nearest"`),
 * pixels from outside the image are 0. Masks use the same sampling grid with
 * nearest-neighbour sampling, so labels are never blended, and pixels from
 * outside the image get `ignoreIndex` (default 255, as randomCrop).
 *
 * Draws from the generator: one uniform [B, 4] (angle, tx, ty, scale).
 */
import { scope } from "../../torch/scope.ts";
import * as ops from "../../torch/generated/ops.ts";
import type { Tensor } from "../../torch/tensor.ts";
import type { Generator } from "../../torch/generator.ts";
import type { DType } from "../../torch/dtype.ts";
import { checkInput, rebuild, uniform, type AugBatch } from "./types.ts";

export interface RandomAffineOptions {
  /** Rotation range in degrees: d for [-d, d], or [min, max] (default 10). */
  degrees?: number | readonly [number, number];
  /** Largest translation as a fraction of width and height: f for [f, f], or [fx, fy] (default [0.1, 0.1]). */
  translate?: number | readonly [number, number];
  /** Scale range [min, max] (default [0.9, 1.1]); > 1 zooms in. */
  scale?: readonly [number, number];
  /** Resampling of inputs (default "bilinear"); masks are always resampled with nearest. */
  interpolation?: "bilinear" | "nearest";
  /** Value of mask pixels that come from outside the image (default 255). */
  ignoreIndex?: number;
  generator: Generator;
}

const MODE = { bilinear: 0, nearest: 1 } as const;
const ZEROS = 0;

export function randomAffine<B extends AugBatch>(batch: B, options: RandomAffineOptions): B {
  const name = "randomAffine";
  const info = checkInput(name, batch, options.generator);
  const deg = options.degrees ?? 10;
  const [d0, d1] = typeof deg === "number" ? [-Math.abs(deg), Math.abs(deg)] : deg;
  const tr = options.translate ?? [0.1, 0.1];
  const [fx, fy] = typeof tr === "number" ? [tr, tr] : tr;
  const [s0, s1] = options.scale ?? [0.9, 1.1];
  if (!(d0 <= d1)) throw new RangeError(`${name}: degrees must be [min, max] with min <= max, got [${d0}, ${d1}]`);
  if (!(fx >= 0 && fy >= 0)) throw new RangeError(`${name}: translate fractions must be >= 0, got [${fx}, ${fy}]`);
  if (!(s0 > 0 && s0 <= s1)) throw new RangeError(`${name}: scale must satisfy 0 < min <= max, got [${s0}, ${s1}]`);
  const interpolation = options.interpolation ?? "bilinear";
  if (!Object.hasOwn(MODE, interpolation)) throw new RangeError(`${name}: interpolation must be "bilinear" or "nearest", got ${interpolation}`);
  const { B, C, H, W, dtype, device } = info;
  return scope(() => {
    const u = uniform([B, 4], options.generator);
    const angle = u.select(1, 0).mul(((d1 - d0) * Math.PI) / 180).add((d0 * Math.PI) / 180);
    const tx = u.select(1, 1).mul(4 * fx).sub(2 * fx); // normalised units: 2·(pixels)/W
    const ty = u.select(1, 2).mul(4 * fy).sub(2 * fy);
    const inv = u.select(1, 3).mul(s1 - s0).add(s0).reciprocal();
    // Output -> input map in pixel units about the centre: x_in = R(a)(x_out - t)/s,
    // with R(a) = [[cos, -sin], [sin, cos]] (counter-clockwise content rotation
    // in y-down image coordinates); conjugated by diag(W/2, H/2) to normalised units.
    const c = angle.cos().mul(inv);
    const s = angle.sin().mul(inv);
    const a00 = c;
    const a01 = s.mul(-H / W);
    const a10 = s.mul(W / H);
    const a11 = c;
    const b0 = a00.mul(tx).add(a01.mul(ty)).neg();
    const b1 = a10.mul(tx).add(a11.mul(ty)).neg();
    const theta64 = ops.stack([a00, a01, b0, a10, a11, b1], { dim: 1 }).view(B, 2, 3);
    const gridFor = (dt: DType, channels: number): Tensor => {
      const theta = theta64.to({ dtype: dt, device });
      return ops.affine_grid_generator(theta, [B, channels, H, W], false);
    };
    const grid = gridFor(dtype, C);
    const inputs = ops.grid_sampler(batch.inputs, grid, MODE[interpolation], ZEROS, false);
    let masks: Tensor | undefined;
    if (batch.masks !== undefined) {
      const ignore = options.ignoreIndex ?? 255;
      // Labels as floats (exact below 2^24 in float32), shifted so that zeros
      // padding becomes ignoreIndex after shifting back.
      const mdt: DType = dtype === "float64" ? "float64" : "float32";
      const m4 = info.maskHasChannel ? batch.masks : batch.masks.unsqueeze(1);
      const shifted = m4.to(mdt).sub(ignore);
      const sampled = ops.grid_sampler(shifted, mdt === dtype ? grid : gridFor(mdt, 1), MODE.nearest, ZEROS, false);
      let m = sampled.add(ignore).round().to(batch.masks.dtype);
      if (!info.maskHasChannel) m = m.squeeze(1);
      masks = m;
    }
    return rebuild(batch, { inputs, masks });
  });
}
