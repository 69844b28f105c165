/**
 * Decoding single PNG and JPEG images into compact uint8 pixel buffers
 * (height × width × channels, channels 1 or 3), plus nearest-neighbour resize
 * and channel conversion. Used by the image-folder dataset.
 *
 * - PNG (pngjs): grayscale (with or without alpha) → 1 channel; RGB, RGBA and
 *   palette → 3 channels; alpha is dropped (not composited). 16-bit samples
 *   are scaled to 8 bits by pngjs.
 * - Palette PNGs can instead be read as their palette indices
 *   ({@link decodePngIndices}), which is what segmentation masks store.
 * - JPEG (jpeg-js): 1-component (grayscale) → 1 channel, otherwise 3 (RGB).
 *   jpeg-js is not libjpeg: pixels differ from PIL / torchvision decoding by a
 *   level or two, and by more (measured up to 6 on a smooth 4:2:0 image) where
 *   chroma is subsampled, since jpeg-js replicates chroma where libjpeg
 *   interpolates. Convert to PNG when bit-exact parity with PyTorch matters.
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { PNG } from "pngjs";
import jpeg from "jpeg-js";

/** A decoded image: uint8 pixels in height × width × channels order. */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 3;
  /** HWC, length height * width * channels. */
  data: Uint8Array;
}

/** File extensions read as images (lower case, with the dot). */
export const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg"] as const;

/** True when `path` has a PNG or JPEG extension (case-insensitive). */
export function isImageFile(path: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

/** Reads and decodes a PNG or JPEG file, chosen by its magic bytes. */
export function readImage(path: string): DecodedImage {
  const bytes = readBytes(path);
  if (isPng(bytes)) return decodePng(bytes, path);
  if (isJpeg(bytes)) return decodeJpeg(bytes, path);
  throw new Error(`${path}: not a PNG or JPEG image (unrecognised magic bytes); remove it or convert it to PNG`);
}

/** True when `bytes` start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
}

/** True when `bytes` start with the JPEG SOI marker. */
export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** pngjs's decoding (RGBA, 8 bits a channel); a corrupt file becomes an error naming `source`. */
function readPng(bytes: Uint8Array, source: string): ReturnType<typeof PNG.sync.read> {
  try {
    return PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new Error(`${source}: cannot decode PNG (${(e as Error).message}); the file is corrupt or truncated`);
  }
}

/** Decodes PNG bytes; `source` names the file in errors. */
export function decodePng(bytes: Uint8Array, source = "<png>"): DecodedImage {
  const png = readPng(bytes, source);
  const { width, height } = png;
  const channels: 1 | 3 = png.color ? 3 : 1;
  const rgba = png.data;
  const n = width * height;
  const data = new Uint8Array(n * channels);
  if (channels === 1) {
    for (let i = 0; i < n; i++) data[i] = rgba[4 * i]!;
  } else {
    for (let i = 0; i < n; i++) {
      data[3 * i] = rgba[4 * i]!;
      data[3 * i + 1] = rgba[4 * i + 1]!;
      data[3 * i + 2] = rgba[4 * i + 2]!;
    }
  }
  return { width, height, channels, data };
}

/**
 * Decodes a PNG as one channel of labels: palette PNGs give their palette
 * indices (as in Pascal VOC masks), grayscale PNGs their gray values. Colour
 * (RGB/RGBA) PNGs are refused: a mask must be single-channel.
 */
export function decodePngIndices(bytes: Uint8Array, source = "<png>"): DecodedImage {
  const palette = readPngPalette(bytes);
  const png = readPng(bytes, source);
  const { width, height } = png;
  const n = width * height;
  const rgba = png.data;
  const data = new Uint8Array(n);
  if (png.palette && palette) {
    // pngjs expands palette entries to RGBA; map each colour back to its first index.
    const index = new Map<number, number>();
    for (let k = palette.length / 3 - 1; k >= 0; k--) {
      index.set((palette[3 * k]! << 16) | (palette[3 * k + 1]! << 8) | palette[3 * k + 2]!, k);
    }
    for (let i = 0; i < n; i++) {
      const key = (rgba[4 * i]! << 16) | (rgba[4 * i + 1]! << 8) | rgba[4 * i + 2]!;
      const k = index.get(key);
      if (k === undefined) throw new Error(`${source}: pixel ${i} has a colour not in the PNG palette; the file is corrupt`);
      data[i] = k;
    }
  } else if (!png.color) {
    for (let i = 0; i < n; i++) data[i] = rgba[4 * i]!;
  } else {
    throw new Error(
      `${source}: a mask must be a single-channel PNG (grayscale or palette, one class id per pixel), but this is an RGB${png.alpha ? "A" : ""} PNG; convert it, e.g. with PIL: Image.open(p).convert("L") after mapping colours to class ids`,
    );
  }
  return { width, height, channels: 1, data };
}

/** The PLTE chunk (RGB triples) of a PNG, or undefined when it has none. */
export function readPngPalette(bytes: Uint8Array): Uint8Array | undefined {
  if (!isPng(bytes)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 8;
  while (off + 8 <= bytes.length) {
    const len = view.getUint32(off, false);
    const type = String.fromCharCode(bytes[off + 4]!, bytes[off + 5]!, bytes[off + 6]!, bytes[off + 7]!);
    if (type === "PLTE") return bytes.slice(off + 8, off + 8 + len);
    if (type === "IDAT" || type === "IEND") return undefined;
    off += 12 + len;
  }
  return undefined;
}

/** Decodes JPEG bytes; `source` names the file in errors. */
export function decodeJpeg(bytes: Uint8Array, source = "<jpeg>"): DecodedImage {
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 2048 });
  } catch (e) {
    throw new Error(`${source}: cannot decode JPEG (${(e as Error).message}); the file is corrupt, truncated or an unsupported JPEG variant`);
  }
  const { width, height } = img;
  if (jpegComponents(bytes) === 1) {
    const n = width * height;
    const data = new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = img.data[3 * i]!;
    return { width, height, channels: 1, data };
  }
  return { width, height, channels: 3, data: img.data };
}

/** Number of colour components in a JPEG's frame header (SOFn), or undefined. */
export function jpegComponents(bytes: Uint8Array): number | undefined {
  let off = 2;
  while (off + 4 <= bytes.length) {
    if (bytes[off] !== 0xff) return undefined;
    const marker = bytes[off + 1]!;
    if (marker === 0xff) {
      off++;
      continue;
    }
    const len = (bytes[off + 2]! << 8) | bytes[off + 3]!;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return bytes[off + 9];
    if (marker === 0xda) return undefined; // start of scan without a frame header
    off += 2 + len;
  }
  return undefined;
}

/**
 * Nearest-neighbour resize to `height × width`: output pixel (y, x) takes input
 * pixel (floor((y + 0.5) · H / height), floor((x + 0.5) · W / width)), i.e.
 * pixel-centre sampling as PIL's `NEAREST` and PyTorch's `nearest-exact` do
 * (PyTorch's plain `nearest` uses floor(y · H / height)). Exact for label
 * masks and cheap, but it is not torchvision's default (bilinear, antialiased)
 * resize for images.
 */
export function resizeNearest(img: DecodedImage, height: number, width: number): DecodedImage {
  if (img.height === height && img.width === width) return img;
  const C = img.channels;
  const out = new Uint8Array(height * width * C);
  const xs = new Int32Array(width);
  for (let x = 0; x < width; x++) xs[x] = Math.min(img.width - 1, Math.floor(((x + 0.5) * img.width) / width));
  for (let y = 0; y < height; y++) {
    const sy = Math.min(img.height - 1, Math.floor(((y + 0.5) * img.height) / height));
    const srow = sy * img.width * C;
    const drow = y * width * C;
    for (let x = 0; x < width; x++) {
      const s = srow + xs[x]! * C;
      const d = drow + x * C;
      for (let c = 0; c < C; c++) out[d + c] = img.data[s + c]!;
    }
  }
  return { width, height, channels: C, data: out };
}

/**
 * Converts between 1 and 3 channels: gray → RGB replicates the value; RGB →
 * gray uses ITU-R 601-2 luma, L = 0.299 R + 0.587 G + 0.114 B, with PIL's
 * fixed-point rounding (`(R·19595 + G·38470 + B·7471 + 32768) >> 16`), so the
 * result matches PIL's `convert("L")`.
 */
export function convertChannels(img: DecodedImage, channels: 1 | 3): DecodedImage {
  if (img.channels === channels) return img;
  const n = img.width * img.height;
  const out = new Uint8Array(n * channels);
  if (channels === 3) {
    for (let i = 0; i < n; i++) {
      const v = img.data[i]!;
      out[3 * i] = v;
      out[3 * i + 1] = v;
      out[3 * i + 2] = v;
    }
  } else {
    for (let i = 0; i < n; i++) {
      out[i] = (img.data[3 * i]! * 19595 + img.data[3 * i + 1]! * 38470 + img.data[3 * i + 2]! * 7471 + 0x8000) >>> 16;
    }
  }
  return { width: img.width, height: img.height, channels, data: out };
}

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read image ${path}: ${(e as Error).message}`, { cause: e });
  }
}
