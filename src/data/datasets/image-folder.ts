/**
 * Image-folder datasets, laid out like torchvision's `ImageFolder`:
 *
 * ```
 * root/<class>/<any/sub/path>/<name>.png|.jpg|.jpeg
 * ```
 *
 * Classes are the sub-folders of `root` sorted by name (string order, as
 * Python's `sorted`), so class indices match torchvision's. Files within a class
 * are found recursively and sorted by their path relative to the class folder.
 * Hidden files and files with other extensions are ignored.
 *
 * Inputs are uint8 [N, C, H, W]. C is 1 when every image is grayscale and 3
 * otherwise (grayscale images are then replicated to RGB); `channels` forces
 * either (RGB → gray with PIL's luma). Alpha is dropped. Every image must have
 * the same size unless `resize: [h, w]` is given, which resizes with
 * nearest-neighbour sampling (exact for masks, but not torchvision's bilinear
 * resize: resize in advance if that matters for your comparison).
 *
 * Masks: `masks: dir` reads a segmentation mask for every image from the same
 * relative path under `dir` (`root/cat/a.jpg` → `dir/cat/a.jpg`, or
 * `dir/cat/a.png` when the masks are PNGs, as they should be). Masks must be
 * single-channel PNGs (palette indices or gray values = class ids) and become
 * uint8 [N, H, W]. JPEG masks are refused: lossy compression changes labels.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { extname, join, relative, resolve, sep } from "node:path";
import type { HostArray } from "../host/array.ts";
import type { Dataset } from "../host/dataset.ts";
import {
  convertChannels,
  decodePngIndices,
  isImageFile,
  isJpeg,
  isPng,
  readImage,
  resizeNearest,
  type DecodedImage,
} from "../host/image.ts";

export interface ImageFolderOptions {
  /** Resize every image (and mask) to [height, width] with nearest-neighbour sampling. */
  resize?: [number, number];
  /** Force 1 (grayscale) or 3 (RGB) channels; default: 1 if all images are grayscale, else 3. */
  channels?: 1 | 3;
  /** Folder of masks with the same relative paths as the images. */
  masks?: string;
  /** Dataset name (default: the root folder's path). */
  name?: string;
}

/** One example's source files. */
export interface ImageFolderEntry {
  /** Absolute path of the image. */
  path: string;
  /** Class index. */
  label: number;
  /** Path relative to root, with "/" separators. */
  relPath: string;
}

/** Class names of an image folder (sorted sub-folder names) and its image files, without decoding. */
export function listImageFolder(root: string): { classes: string[]; entries: ImageFolderEntry[] } {
  const absRoot = resolve(root);
  if (!existsSync(absRoot) || !statSync(absRoot).isDirectory()) {
    throw new Error(`image folder ${absRoot} does not exist or is not a directory; expected root/<class>/<image>.png`);
  }
  const classes = readdirSync(absRoot, { withFileTypes: true })
    .filter((d) => !d.name.startsWith(".") && isDir(join(absRoot, d.name), d))
    .map((d) => d.name)
    .sort(codePointCompare);
  if (classes.length === 0) {
    throw new Error(`image folder ${absRoot} has no class sub-folders; expected root/<class>/<image>.png (one folder per class)`);
  }
  const entries: ImageFolderEntry[] = [];
  classes.forEach((cls, label) => {
    const files = walk(join(absRoot, cls))
      .filter(isImageFile)
      .map((p) => ({ p, rel: relative(join(absRoot, cls), p).split(sep).join("/") }))
      .sort((a, b) => codePointCompare(a.rel, b.rel));
    if (files.length === 0) {
      throw new Error(
        `image folder ${absRoot}: class folder "${cls}" has no .png/.jpg/.jpeg images; remove the folder or add its images`,
      );
    }
    for (const f of files) entries.push({ path: f.p, label, relPath: `${cls}/${f.rel}` });
  });
  return { classes, entries };
}

/** Loads an image folder as a Dataset: uint8 [N, C, H, W] inputs, int64 [N] labels, optional uint8 [N, H, W] masks. */
export function imageFolder(root: string, options: ImageFolderOptions = {}): Dataset {
  const { classes, entries } = listImageFolder(root);
  if (options.resize) {
    const [h, w] = options.resize;
    if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0)) {
      throw new Error(`imageFolder: resize must be [height, width] positive integers, got [${options.resize.join(", ")}]`);
    }
  }
  if (options.channels !== undefined && options.channels !== 1 && options.channels !== 3) {
    throw new Error(`imageFolder: channels must be 1 or 3, got ${options.channels}`);
  }

  // Decode everything first: the channel count depends on all images.
  const images: DecodedImage[] = [];
  let H = options.resize?.[0];
  let W = options.resize?.[1];
  let first: string | undefined;
  for (const e of entries) {
    let img = readImage(e.path);
    if (options.resize) img = resizeNearest(img, H!, W!);
    else if (H === undefined) {
      H = img.height;
      W = img.width;
      first = e.path;
    } else if (img.height !== H || img.width !== W) {
      throw new Error(
        `${e.path}: image is ${img.width}×${img.height} (width×height) but ${first} is ${W}×${H}; all images must have the same size, or pass resize: [height, width]`,
      );
    }
    images.push(img);
  }
  const C = options.channels ?? (images.every((im) => im.channels === 1) ? 1 : 3);
  const N = images.length;
  const plane = H! * W!;
  const x = new Uint8Array(N * C * plane);
  for (let i = 0; i < N; i++) {
    const img = convertChannels(images[i]!, C);
    images[i] = img; // release the unconverted one early
    const base = i * C * plane;
    const src = img.data;
    if (C === 1) x.set(src, base);
    else {
      // HWC → CHW
      for (let p = 0; p < plane; p++) {
        x[base + p] = src[3 * p]!;
        x[base + plane + p] = src[3 * p + 1]!;
        x[base + 2 * plane + p] = src[3 * p + 2]!;
      }
    }
  }
  const labels = new BigInt64Array(N);
  entries.forEach((e, i) => (labels[i] = BigInt(e.label)));
  const ds: Dataset = {
    name: options.name ?? resolve(root),
    inputs: { data: x, shape: [N, C, H!, W!], dtype: "uint8" },
    targets: { data: labels, shape: [N], dtype: "int64" },
    classes,
  };
  if (options.masks !== undefined) ds.masks = readMasks(options.masks, entries, H!, W!, options.resize !== undefined);
  return ds;
}

function readMasks(dir: string, entries: ImageFolderEntry[], H: number, W: number, resize: boolean): HostArray {
  const absDir = resolve(dir);
  if (!existsSync(absDir) || !statSync(absDir).isDirectory()) {
    throw new Error(`mask folder ${absDir} does not exist or is not a directory; it must mirror the image folder (same relative paths)`);
  }
  const N = entries.length;
  const out = new Uint8Array(N * H * W);
  entries.forEach((e, i) => {
    const same = join(absDir, e.relPath);
    const asPng = same.slice(0, same.length - extname(same).length) + ".png";
    const path = existsSync(same) ? same : existsSync(asPng) ? asPng : undefined;
    if (!path) {
      throw new Error(`no mask for image ${e.path}: expected ${same}${asPng !== same ? ` or ${asPng}` : ""}`);
    }
    const bytes = readFileSync(path);
    if (isJpeg(bytes)) {
      throw new Error(`${path}: masks must be PNG, not JPEG: lossy compression changes class ids at edges; save masks as PNG`);
    }
    if (!isPng(bytes)) throw new Error(`${path}: not a PNG file; masks must be single-channel PNGs`);
    let m = decodePngIndices(bytes, path);
    if (m.height !== H || m.width !== W) {
      if (!resize) {
        throw new Error(
          `${path}: mask is ${m.width}×${m.height} (width×height) but its image ${e.path} is ${W}×${H}; masks must match their images, or pass resize`,
        );
      }
      m = resizeNearest(m, H, W);
    }
    out.set(m.data, i * H * W);
  });
  return { data: out, shape: [N, H, W], dtype: "uint8" };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (d.name.startsWith(".")) continue;
    const p = join(dir, d.name);
    if (isDir(p, d)) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

function isDir(path: string, d: { isDirectory(): boolean; isSymbolicLink(): boolean }): boolean {
  if (d.isDirectory()) return true;
  if (d.isSymbolicLink()) {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  }
  return false;
}

function codePointCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
