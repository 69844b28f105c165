/**
 * Compact storage of per-example class probabilities.
 *
 * Written as "q12-planes-deflate": each probability rounded to a multiple of
 * 1/4095 (12 bits: absolute error ≤ 1/8190 ≈ 1.2e-4), except that a row whose
 * rounding would change its first maximum (argmax, the predicted class) gets
 * its true top class raised one step above the others, so every stored row
 * predicts what the model predicted; NaN is kept (0xffff). The 16-bit codes
 * are stored as two byte planes (high bytes, then low bytes: the high plane is
 * nearly all zeros) and raw DEFLATE. On Fashion-MNIST (an MLP, 5,000
 * validation and 10,000 test examples) that is 37 + 74 KB per variant and run,
 * half of the 73 + 146 KB of half precision, with ensemble predictions as
 * close to the exact ones as half precision's (docs/deployment.md).
 *
 * Read also: "f16-planes-deflate" (IEEE half precision in byte planes), what
 * stores written before hold.
 *
 * Labels: uint8 when every class id fits, else int32, DEFLATE.
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";

export const PROBABILITY_ENCODING = "q12-planes-deflate";
const HALF_PRECISION_ENCODING = "f16-planes-deflate";
/** Every probability encoding this twin reads. */
export const READABLE_PROBABILITY_ENCODINGS: ReadonlySet<string> = new Set([PROBABILITY_ENCODING, HALF_PRECISION_ENCODING]);

/** The quantisation step of stored probabilities. */
export const PROBABILITY_LEVELS = 4095;
const NAN_CODE = 0xffff;

/** The number a half-precision bit pattern stands for. */
export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** 12-bit codes of one row of probabilities, its first maximum kept. */
function quantizeRow(values: ArrayLike<number>, offset: number, classes: number, out: Uint16Array): void {
  let top = -1, topValue = -Infinity, codeTop = -1, codeMax = -1;
  for (let j = 0; j < classes; j++) {
    const v = values[offset + j]!;
    if (Number.isNaN(v)) {
      out[offset + j] = NAN_CODE;
      continue;
    }
    const code = Math.round(Math.min(1, Math.max(0, v)) * PROBABILITY_LEVELS);
    out[offset + j] = code;
    if (v > topValue) { topValue = v; top = j; }
    if (code > codeMax) { codeMax = code; codeTop = j; }
  }
  if (top >= 0 && codeTop !== top) out[offset + top] = Math.min(PROBABILITY_LEVELS, codeMax + 1);
}

/** Encodes probabilities [examples × classes] (row-major) as q12-planes-deflate. */
export function encodeProbabilities(values: ArrayLike<number>, classes: number): Buffer {
  const n = values.length;
  if (classes < 1 || n % classes !== 0) throw new Error(`encodeProbabilities: ${n} values are not rows of ${classes} classes`);
  const codes = new Uint16Array(n);
  for (let off = 0; off < n; off += classes) quantizeRow(values, off, classes, codes);
  const planes = Buffer.alloc(2 * n);
  for (let i = 0; i < n; i++) {
    planes[i] = codes[i]! >>> 8;
    planes[n + i] = codes[i]! & 0xff;
  }
  return deflateRawSync(planes, { level: 9 });
}

/** Decodes stored probabilities of either encoding; `what` names the row in errors. */
export function decodeProbabilities(bytes: Uint8Array, encoding: string, count: number, what: string): Float32Array {
  if (!READABLE_PROBABILITY_ENCODINGS.has(encoding)) throw new Error(`${what}: unknown encoding ${encoding}; a newer twin wrote it`);
  const planes = inflateRawSync(bytes);
  if (planes.length !== 2 * count) throw new Error(`${what}: stored predictions hold ${planes.length / 2} values, expected ${count}; the row is damaged: delete the run's predictions or run it again`);
  const out = new Float32Array(count);
  const half = encoding === HALF_PRECISION_ENCODING;
  for (let i = 0; i < count; i++) {
    const code = (planes[i]! << 8) | planes[count + i]!;
    out[i] = half ? fromFloat16Bits(code) : code === NAN_CODE ? NaN : code / PROBABILITY_LEVELS;
  }
  return out;
}

export function encodeLabels(labels: ArrayLike<number>): { bytes: Buffer; encoding: "u8-deflate" | "i32-deflate" } {
  let max = 0;
  for (let i = 0; i < labels.length; i++) max = Math.max(max, labels[i]!);
  const small = max < 256;
  const raw = small ? Uint8Array.from(labels) : Int32Array.from(labels);
  return { bytes: deflateRawSync(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), { level: 9 }), encoding: small ? "u8-deflate" : "i32-deflate" };
}

export function decodeLabels(bytes: Uint8Array, encoding: string, count: number, what: string): Int32Array {
  const raw = inflateRawSync(bytes);
  if (encoding === "u8-deflate" && raw.length === count) return Int32Array.from(raw);
  if (encoding === "i32-deflate" && raw.length === 4 * count) return new Int32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  throw new Error(`${what}: stored labels (${encoding}, ${raw.length} bytes) do not hold ${count} labels; the row is damaged: delete the run's predictions or run it again`);
}
