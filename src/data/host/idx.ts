/**
 * IDX files (the MNIST / Fashion-MNIST format), raw or gzip-compressed.
 *
 * Layout: two zero bytes, a type byte, a dimension-count byte, then one
 * big-endian uint32 per dimension, then the data in big-endian row-major order.
 * Type bytes: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
 * 0x0E float64. Gzip is detected by its magic bytes 0x1f 0x8b, not by the
 * file name. Readers are synchronous: datasets are loaded once, up front.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { gunzipCached } from "./gunzip-cache.ts";
import { allocTyped, checkHostArray, numel, type HostArray, type HostDType } from "./array.ts";

const IDX_TYPES: Record<number, HostDType> = {
  0x08: "uint8",
  0x09: "int8",
  0x0b: "int16",
  0x0c: "int32",
  0x0d: "float32",
  0x0e: "float64",
};

const IDX_CODES: Partial<Record<HostDType, number>> = {
  uint8: 0x08,
  int8: 0x09,
  int16: 0x0b,
  int32: 0x0c,
  float32: 0x0d,
  float64: 0x0e,
};

/** True when `bytes` starts with the gzip magic 0x1f 0x8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Gunzips `bytes` when they are gzip-compressed (through the user's gunzip cache, gunzip-cache.ts); `source` names the file in errors. */
export function maybeGunzip(bytes: Uint8Array, source: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipCached(bytes);
  } catch (e) {
    throw new Error(
      `${source}: gzip data is corrupt or truncated (${(e as Error).message}); re-download or re-create the file`,
    );
  }
}

/**
 * Decodes IDX bytes (gzip or raw) into a HostArray, converting from big-endian.
 * `source` names the file in error messages.
 */
export function parseIdx(input: Uint8Array, source = "<idx buffer>"): HostArray {
  const bytes = maybeGunzip(input, source);
  if (bytes.length < 4) {
    throw new Error(`${source}: not an IDX file: only ${bytes.length} bytes, the header alone needs 4`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(
      `${source}: not an IDX file: magic starts with 0x${hex(bytes[0]!)} 0x${hex(bytes[1]!)}, expected 0x00 0x00`,
    );
  }
  const typeCode = bytes[2]!;
  const dtype = IDX_TYPES[typeCode];
  if (!dtype) {
    throw new Error(
      `${source}: unknown IDX type byte 0x${hex(typeCode)}; expected 0x08 (ubyte), 0x09 (byte), 0x0B (short), 0x0C (int), 0x0D (float) or 0x0E (double)`,
    );
  }
  const ndim = bytes[3]!;
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen) {
    throw new Error(`${source}: truncated IDX header: ${ndim} dimensions need ${headerLen} bytes, file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const n = numel(shape);
  const data = allocTyped(dtype, n);
  const size = data.BYTES_PER_ELEMENT;
  const expected = headerLen + n * size;
  if (bytes.length < expected) {
    throw new Error(
      `${source}: truncated IDX file: shape [${shape.join(", ")}] of ${dtype} needs ${expected} bytes, file has ${bytes.length}; the file is incomplete, re-download or re-create it`,
    );
  }
  if (bytes.length > expected) {
    throw new Error(
      `${source}: inconsistent IDX file: shape [${shape.join(", ")}] of ${dtype} needs ${expected} bytes but the file has ${bytes.length - expected} extra bytes`,
    );
  }
  const off = headerLen;
  switch (dtype) {
    case "uint8":
      (data as Uint8Array).set(bytes.subarray(off, off + n));
      break;
    case "int8":
      (data as Int8Array).set(new Int8Array(bytes.buffer, bytes.byteOffset + off, n));
      break;
    case "int16": {
      const d = data as Int16Array;
      for (let i = 0; i < n; i++) d[i] = view.getInt16(off + 2 * i, false);
      break;
    }
    case "int32": {
      const d = data as Int32Array;
      for (let i = 0; i < n; i++) d[i] = view.getInt32(off + 4 * i, false);
      break;
    }
    case "float32": {
      const d = data as Float32Array;
      for (let i = 0; i < n; i++) d[i] = view.getFloat32(off + 4 * i, false);
      break;
    }
    case "float64": {
      const d = data as Float64Array;
      for (let i = 0; i < n; i++) d[i] = view.getFloat64(off + 8 * i, false);
      break;
    }
    default:
      throw new Error(`${source}: internal: unhandled IDX dtype ${dtype}`);
  }
  return { data, shape, dtype };
}

/** Reads an IDX file (gzip or raw, detected by magic bytes). */
export function readIdx(path: string): HostArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read IDX file ${path}: ${(e as Error).message}`);
  }
  return parseIdx(bytes, path);
}

/** Encodes a HostArray as IDX bytes (big-endian). Supports uint8, int8, int16, int32, float32, float64. */
export function encodeIdx(array: HostArray): Uint8Array {
  checkHostArray(array, "encodeIdx");
  const code = IDX_CODES[array.dtype];
  if (code === undefined) {
    throw new Error(`encodeIdx: IDX cannot store dtype ${array.dtype}; convert to one of ${Object.keys(IDX_CODES).join(", ")}`);
  }
  if (array.shape.length > 255) throw new Error(`encodeIdx: IDX allows at most 255 dimensions, got ${array.shape.length}`);
  const n = array.data.length;
  const size = array.data.BYTES_PER_ELEMENT;
  const headerLen = 4 + 4 * array.shape.length;
  const out = new Uint8Array(headerLen + n * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = array.shape.length;
  array.shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const off = headerLen;
  const src = array.data;
  switch (array.dtype) {
    case "uint8":
      out.set(src as Uint8Array, off);
      break;
    case "int8":
      out.set(new Uint8Array(src.buffer, src.byteOffset, n), off);
      break;
    case "int16":
      for (let i = 0; i < n; i++) view.setInt16(off + 2 * i, (src as Int16Array)[i]!, false);
      break;
    case "int32":
      for (let i = 0; i < n; i++) view.setInt32(off + 4 * i, (src as Int32Array)[i]!, false);
      break;
    case "float32":
      for (let i = 0; i < n; i++) view.setFloat32(off + 4 * i, (src as Float32Array)[i]!, false);
      break;
    case "float64":
      for (let i = 0; i < n; i++) view.setFloat64(off + 8 * i, (src as Float64Array)[i]!, false);
      break;
    default:
      break;
  }
  return out;
}

/** Writes a HostArray as an IDX file, gzip-compressed when `gzip` is true. */
export function writeIdx(path: string, array: HostArray, options: { gzip?: boolean } = {}): void {
  const raw = encodeIdx(array);
  writeFileSync(path, options.gzip ? gzipSync(raw) : raw);
}

function hex(b: number): string {
  return b.toString(16).padStart(2, "0");
}
