/**
 * Random crop with zero padding, per sample: torchvision's
 * `RandomCrop(size, padding)` (the CIFAR recipe of He et al. 2016, "pad 4 and
 * crop 32"), applied to a whole batch at once.
 *
 * The batch is padded by `padding` pixels on every side (inputs with `fill`,
 * default 0; masks with `ignoreIndex`, default 255, the "void" label of
 * PASCAL VOC that segmentation losses skip with `ignore_index=255`), then each
 * sample gets its own offset (top, left), uniform over every position where a
 * `size` window fits. The crop is one gather (`take`) over a linear index grid
 * built from the offsets, vectorised over the batch: no JS loop over samples. Masks are cropped
 * with the same offsets, so pixel (i, j) of a cropped mask labels pixel (i, j)
 * of the cropped image.
 *
 * Draws from the generator: randint [B] for the top offsets, then randint [B]
 * for the left offsets (always, even when only one position fits).
 */
import { scope } from "../../torch/scope.ts";
import * as ops from "../../torch/generated/ops.ts";
import type { Tensor } from "../../torch/tensor.ts";
import type { Generator } from "../../torch/generator.ts";
import { checkInput, rebuild, type AugBatch } from "./types.ts";

export interface RandomCropOptions {
  /** Output size: a number for square crops, or [height, width]. */
  size: number | readonly [number, number];
  /** Pixels of padding on each side before cropping (default 0). */
  padding?: number;
  /** Value of padded input pixels (default 0). */
  fill?: number;
  /** Value of padded mask pixels (default 255, the usual ignore label). */
  ignoreIndex?: number;
  generator: Generator;
}

export function randomCrop<B extends AugBatch>(batch: B, options: RandomCropOptions): B {
  const name = "randomCrop";
  const info = checkInput(name, batch, options.generator);
  const [h, w] = typeof options.size === "number" ? [options.size, options.size] : options.size;
  const pad = options.padding ?? 0;
  if (!Number.isInteger(pad) || pad < 0) throw new RangeError(`${name}: padding must be a non-negative integer, got ${pad}`);
  const Hp = info.H + 2 * pad;
  const Wp = info.W + 2 * pad;
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1 || h > Hp || w > Wp) {
    throw new RangeError(`${name}: size ${h}x${w} does not fit in the padded ${Hp}x${Wp} image (${info.H}x${info.W} with padding ${pad})`);
  }
  const { B } = info;
  const device = info.device;
  return scope(() => {
    const g = options.generator;
    const top = ops.randint_low_generator(0, Hp - h + 1, [B], { generator: g, dtype: "int64" });
    const left = ops.randint_low_generator(0, Wp - w + 1, [B], { generator: g, dtype: "int64" });
    const onDev = (t: Tensor): Tensor => (device === "cpu" ? t : t.to({ device }));
    // Linear index grid into the padded [B, C', Hp, Wp] tensor:
    // ((b·C' + c)·Hp + top_b + i)·Wp + left_b + j, gathered with one `take`.
    const rows = top.view(B, 1, 1, 1).add(ops.arange(h, { dtype: "int64" }).view(1, 1, h, 1)).mul(Wp);
    const cols = left.view(B, 1, 1, 1).add(ops.arange(w, { dtype: "int64" }).view(1, 1, 1, w));
    const offsets = onDev(rows.add(cols)); // [B, 1, h, w]
    const crop4 = (t: Tensor, value: number): Tensor => {
      const channels = t.shape[1];
      const padded = pad === 0 ? t : ops.constant_pad_nd(t, [pad, pad, pad, pad], { value });
      const planes = onDev(ops.arange(B * channels, { dtype: "int64" }).mul(Hp * Wp).view(B, channels, 1, 1));
      return ops.take(padded, planes.add(offsets));
    };
    const inputs = crop4(batch.inputs, options.fill ?? 0);
    let masks: Tensor | undefined;
    if (batch.masks !== undefined) {
      const ignore = options.ignoreIndex ?? 255;
      masks = info.maskHasChannel ? crop4(batch.masks, ignore) : crop4(batch.masks.unsqueeze(1), ignore).squeeze(1);
    }
    return rebuild(batch, { inputs, masks });
  });
}
