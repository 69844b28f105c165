/**
 * Fashion-Seg: a small semantic-segmentation task built offline from
 * Fashion-MNIST, for U-Nets and the memory benchmark.
 *
 * Construction of example i (of a split with n examples), all integer
 * arithmetic, no random numbers drawn:
 *
 * 1. Items: example i pastes `items` (default 2) Fashion-MNIST images of the
 *    same split, source indices (i·items + j) mod M for j = 0…items−1 (M =
 *    the split's size), so consecutive examples use disjoint items.
 * 2. Placement: a canvas of `size`×`size` (default 64) zeros; item j goes at
 *    (top, left) = two values in [0, size − 28] from a fixed integer hash
 *    (a 32-bit mix in the style of splitmix/murmur finalisers) of
 *    (seed, i, j). Items may overlap and may touch the border.
 * 3. Image: every canvas pixel is the maximum of the item pixels covering it
 *    (0 where none does), uint8 [N, 1, size, size].
 * 4. Mask: int64 [N, size, size]. 0 = background, where that maximum is
 *    below `threshold` (default 50 of 255); otherwise 1 + the Fashion-MNIST
 *    category of the item whose pixel is the maximum there (ties: the later
 *    item). So there are 11 classes: background, then the 10 garments in
 *    Fashion-MNIST's order.
 * 5. Target (per image): the category (1…10, as in the mask) covering the most
 *    foreground pixels of the example (ties: the smaller id; the first item's
 *    if no pixel is foreground), so the dataset
 *    also works where a per-example label is expected.
 *
 * The same options always give the same bytes: the train split is built from
 * Fashion-MNIST train, the test split from Fashion-MNIST test, independently.
 * Geometric augmentations (randomCrop, horizontalFlip, randomAffine) move the
 * masks with the images; crops pad masks with 255 (the usual ignore label)
 * unless told otherwise, and the padded image pixels (0) are background here,
 * so `ignoreIndex: 0` in randomCrop gives exact labels.
 */
import type { HostArray } from "../host/array.ts";
import type { Dataset, DatasetSplitSource } from "../host/dataset.ts";
import { FASHION_MNIST_CLASSES, fashionMnist, type FashionMnistOptions } from "./fashion-mnist.ts";

/** Class names of the masks: index 0 is background, then the 10 garments. */
export const FASHION_SEG_CLASSES: readonly string[] = ["background", ...FASHION_MNIST_CLASSES];

export const FASHION_SEG_NUM_CLASSES = FASHION_SEG_CLASSES.length;

export interface FashionSegOptions {
  /** Number of training examples (default 2000). */
  train?: number;
  /** Number of test examples (default 500). */
  test?: number;
  /** Canvas height = width (default 64; at least 28). */
  size?: number;
  /** Items pasted per canvas (default 2). */
  items?: number;
  /** Pixels at or above this value (0-255) are foreground (default 50). */
  threshold?: number;
  /** Changes the placements (default 0); the items used do not depend on it. */
  seed?: number;
  /** Fashion-MNIST folder (see fashionMnist). */
  dir?: FashionMnistOptions["dir"];
}

const ITEM = 28;

/** A 32-bit integer mix (murmur3's finaliser over a few words). */
export function hash32(...words: number[]): number {
  let h = 0x9e3779b9;
  for (const w of words) {
    h = Math.imul(h ^ (w >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** Builds Fashion-Seg's train and test splits (see the file's doc comment). */
export function fashionSeg(options: FashionSegOptions = {}): Required<DatasetSplitSource> {
  const nTrain = options.train ?? 2000;
  const nTest = options.test ?? 500;
  const size = options.size ?? 64;
  const items = options.items ?? 2;
  const threshold = options.threshold ?? 50;
  const seed = options.seed ?? 0;
  for (const [k, v] of Object.entries({ train: nTrain, test: nTest })) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`fashionSeg: ${k} must be a non-negative integer, got ${v}`);
  }
  if (!Number.isInteger(size) || size < ITEM) throw new Error(`fashionSeg: size must be an integer ≥ ${ITEM}, got ${size}`);
  if (!Number.isInteger(items) || items < 1) throw new Error(`fashionSeg: items must be a positive integer, got ${items}`);
  if (!(threshold >= 1 && threshold <= 255)) throw new Error(`fashionSeg: threshold must be in 1…255, got ${threshold}`);
  const src = fashionMnist({ dir: options.dir });
  const params = { size, items, threshold, seed };
  return {
    train: compose("train", src.train, nTrain, params),
    test: compose("test", src.test, nTest, params),
  };
}

interface ComposeParams {
  size: number;
  items: number;
  threshold: number;
  seed: number;
}

function compose(split: string, source: Dataset, n: number, p: ComposeParams): Dataset {
  const { size, items, threshold, seed } = p;
  const M = source.inputs.shape[0]!;
  if (M === 0) throw new Error(`fashionSeg: the Fashion-MNIST ${split} split is empty`);
  const srcPixels = source.inputs.data as Uint8Array;
  const srcLabels = source.targets.data as BigInt64Array;
  const area = size * size;
  const images = new Uint8Array(n * area);
  const masks = new BigInt64Array(n * area);
  const targets = new BigInt64Array(n);
  const owner = new Int32Array(area);
  const big = Array.from({ length: FASHION_SEG_NUM_CLASSES }, (_, c) => BigInt(c));
  const counts = new Int32Array(FASHION_SEG_NUM_CLASSES);
  const span = size - ITEM + 1;
  for (let i = 0; i < n; i++) {
    const img = images.subarray(i * area, (i + 1) * area);
    const cls: number[] = [];
    for (let j = 0; j < items; j++) {
      const k = (i * items + j) % M;
      cls.push(Number(srcLabels[k]) + 1);
      const top = hash32(seed, i, j, 0) % span;
      const left = hash32(seed, i, j, 1) % span;
      const pix = srcPixels.subarray(k * ITEM * ITEM, (k + 1) * ITEM * ITEM);
      for (let r = 0; r < ITEM; r++) {
        const row = (top + r) * size + left;
        for (let c = 0; c < ITEM; c++) {
          const v = pix[r * ITEM + c]!;
          const at = row + c;
          if (v >= img[at]!) {
            img[at] = v;
            owner[at] = j;
          }
        }
      }
    }
    counts.fill(0);
    const m = masks.subarray(i * area, (i + 1) * area);
    for (let at = 0; at < area; at++) {
      const label = img[at]! >= threshold ? cls[owner[at]]! : 0;
      m[at] = big[label]!;
      counts[label]++;
    }
    let best = cls[0]!;
    let bestCount = 0;
    for (let c = 1; c < counts.length; c++) {
      if (counts[c]! > bestCount) {
        best = c;
        bestCount = counts[c]!;
      }
    }
    targets[i] = big[best]!;
  }
  const inputs: HostArray = { data: images, shape: [n, 1, size, size], dtype: "uint8" };
  return {
    name: `fashion-seg/${split}`,
    inputs,
    targets: { data: targets, shape: [n], dtype: "int64" },
    masks: { data: masks, shape: [n, size, size], dtype: "int64" },
    classes: [...FASHION_SEG_CLASSES],
  };
}
