/**
 * Compact storage of per-example class probabilities: IEEE half precision
 * (round to nearest even, as NumPy's astype(float16); relative error ≤ 2^-11,
 * absolute ≤ 2^-12 for probabilities), the high bytes of all values then the low
 * bytes (byte planes: the exponents of probabilities repeat and compress well),
 * raw DEFLATE. Labels: uint8 when every class id fits, else int32, DEFLATE.
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";

export const PROBABILITY_ENCODING = "f16-planes-deflate";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Half-precision bits of x (round to nearest, ties to even; overflow to ±Infinity). */
export function toFloat16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1) === 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++; // a carry into the exponent is the right rounding
  return sign | h;
}

/** The number a half-precision bit pattern stands for. */
export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

export function encodeProbabilities(values: ArrayLike<number>): Buffer {
  const n = values.length;
  const planes = Buffer.alloc(2 * n);
  for (let i = 0; i < n; i++) {
    const h = toFloat16Bits(values[i]!);
    planes[i] = h >>> 8;
    planes[n + i] = h & 0xff;
  }
  return deflateRawSync(planes, { level: 9 });
}

export function decodeProbabilities(bytes: Uint8Array, count: number, what: string): Float32Array {
  const planes = inflateRawSync(bytes);
  if (planes.length !== 2 * count) throw new Error(`${what}: stored predictions hold ${planes.length / 2} values, expected ${count}; the row is damaged: delete the run's predictions or run it again`);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = fromFloat16Bits((planes[i]! << 8) | planes[count + i]!);
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
