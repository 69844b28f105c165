/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017): 60,000 training and 10,000 test
 * 28×28 grayscale images of clothing in 10 classes, read from the four IDX
 * files of the original distribution.
 *
 * Directory: `options.dir`, else env `TWIN_FASHION_MNIST_DIR`, else
 * `/usr/share/datasets/fashion-mnist` (Debian package `dataset-fashion-mnist`).
 * Images stay uint8 [N, 1, 28, 28] (scaling to float happens later, on tensors);
 * labels are int64 [N] (libtorch's cross_entropy wants Long targets).
 *
 * Decoded arrays are cached per process, keyed by absolute file path, so
 * reloading is free. The returned arrays share that cache: treat them as
 * read-only (collation copies rows out with `gatherRows`, it never writes back).
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { HostArray } from "../host/array.ts";
import type { Dataset, DatasetSplitSource } from "../host/dataset.ts";
import { readIdx } from "../host/idx.ts";

/** Default location of the Fashion-MNIST files. */
export const FASHION_MNIST_DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";

/** Environment variable that overrides the default directory. */
export const FASHION_MNIST_DIR_ENV = "TWIN_FASHION_MNIST_DIR";

/** Class names, index = label. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

/** The four files, by split. */
export const FASHION_MNIST_FILES = {
  train: { images: "train-images-idx3-ubyte.gz", labels: "train-labels-idx1-ubyte.gz" },
  test: { images: "t10k-images-idx3-ubyte.gz", labels: "t10k-labels-idx1-ubyte.gz" },
} as const;

const INSTALL_HINT = "install it with: apt-get install dataset-fashion-mnist (or run bash scripts/setup.sh)";

export interface FashionMnistOptions {
  /** Directory holding the four IDX files; overrides env `TWIN_FASHION_MNIST_DIR`. */
  dir?: string;
  /** Keep only the first `limit` examples of each split (handy for quick tests). */
  limit?: number;
  /** Keep only the first `testLimit` examples of the test split (defaults to `limit`). */
  testLimit?: number;
}

const cache = new Map<string, HostArray>();

/** The directory Fashion-MNIST is read from, given the options and environment. */
export function fashionMnistDir(options: { dir?: string } = {}): string {
  return resolve(options.dir ?? process.env[FASHION_MNIST_DIR_ENV] ?? FASHION_MNIST_DEFAULT_DIR);
}

/** Loads Fashion-MNIST as `{ train, test }` host datasets. */
export function fashionMnist(options: FashionMnistOptions = {}): Required<DatasetSplitSource> {
  const dir = fashionMnistDir(options);
  checkLimit(options.limit, "limit");
  checkLimit(options.testLimit, "testLimit");
  // Check every file first so the message lists what is missing before any decoding.
  const missing: string[] = [];
  for (const split of Object.values(FASHION_MNIST_FILES)) {
    for (const name of Object.values(split)) if (!findFile(dir, name)) missing.push(join(dir, name));
  }
  if (missing.length > 0) {
    const what = missing.length === 1 ? `file is missing: ${missing[0]}` : `files are missing: ${missing.join(", ")}`;
    throw new Error(
      `Fashion-MNIST ${what}; ${INSTALL_HINT}, or point ${FASHION_MNIST_DIR_ENV} (or the dir option) at a folder holding ${Object.values(FASHION_MNIST_FILES).flatMap((s) => Object.values(s)).join(", ")}`,
    );
  }
  return {
    train: loadSplit(dir, "train", options.limit),
    test: loadSplit(dir, "test", options.testLimit ?? options.limit),
  };
}

/** Drops the in-memory cache (mostly for tests and memory-constrained tools). */
export function clearFashionMnistCache(): void {
  cache.clear();
}

function loadSplit(dir: string, split: "train" | "test", limit: number | undefined): Dataset {
  const files = FASHION_MNIST_FILES[split];
  const images = cached(findFile(dir, files.images)!, (path) => {
    const raw = readIdx(path);
    if (raw.dtype !== "uint8" || raw.shape.length !== 3 || raw.shape[1] !== 28 || raw.shape[2] !== 28) {
      throw new Error(
        `${path}: expected uint8 images of shape [N, 28, 28], got ${raw.dtype} [${raw.shape.join(", ")}]; the file is not Fashion-MNIST images, ${INSTALL_HINT}`,
      );
    }
    return { data: raw.data, shape: [raw.shape[0]!, 1, 28, 28], dtype: "uint8" };
  });
  const labels = cached(findFile(dir, files.labels)!, (path) => {
    const raw = readIdx(path);
    if (raw.dtype !== "uint8" || raw.shape.length !== 1) {
      throw new Error(`${path}: expected uint8 labels of shape [N], got ${raw.dtype} [${raw.shape.join(", ")}]; ${INSTALL_HINT}`);
    }
    const src = raw.data as Uint8Array;
    const out = new BigInt64Array(src.length);
    for (let i = 0; i < src.length; i++) {
      const v = src[i]!;
      if (v > 9) throw new Error(`${path}: label ${v} at index ${i} is outside 0..9; the file is corrupt, ${INSTALL_HINT}`);
      out[i] = BigInt(v);
    }
    return { data: out, shape: [src.length], dtype: "int64" };
  });
  if (images.shape[0] !== labels.shape[0]) {
    throw new Error(
      `Fashion-MNIST ${split}: ${files.images} has ${images.shape[0]} images but ${files.labels} has ${labels.shape[0]} labels; the files do not belong together, ${INSTALL_HINT}`,
    );
  }
  const n = limit === undefined ? images.shape[0]! : Math.min(limit, images.shape[0]!);
  return {
    name: `fashion-mnist/${split}`,
    inputs: firstRows(images, n),
    targets: firstRows(labels, n),
    classes: [...FASHION_MNIST_CLASSES],
  };
}

/** `name` in `dir`, or its uncompressed twin (without `.gz`), or undefined. */
function findFile(dir: string, name: string): string | undefined {
  const gz = join(dir, name);
  if (existsSync(gz)) return gz;
  const raw = join(dir, name.replace(/\.gz$/, ""));
  if (existsSync(raw)) return raw;
  return undefined;
}

function cached(path: string, load: (path: string) => HostArray): HostArray {
  let a = cache.get(path);
  if (!a) {
    a = load(path);
    cache.set(path, a);
  }
  return a;
}

/** A view (no copy) of the first `n` rows; the shape array is fresh so callers may not alias it. */
function firstRows(a: HostArray, n: number): HostArray {
  const row = a.data.length / a.shape[0]!;
  const data = n === a.shape[0] ? a.data : (a.data.subarray(0, n * row) as HostArray["data"]);
  return { data, shape: [n, ...a.shape.slice(1)], dtype: a.dtype };
}

function checkLimit(v: number | undefined, name: string): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= 0)) {
    throw new Error(`fashionMnist: option ${name} must be a non-negative integer, got ${v}`);
  }
}
