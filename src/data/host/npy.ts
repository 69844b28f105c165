/**
 * NumPy `.npy` and `.npz` files.
 *
 * NPY: format versions 1.0, 2.0 and 3.0; little- and big-endian data (converted
 * to the host's byte order); C and Fortran order (Fortran data is transposed to
 * C order on read, so a HostArray is always row-major). Supported dtypes:
 * `f4 f8 i1 i2 i4 i8 u1 u2 u4 b1` in any byte order. Object arrays (`|O`) hold
 * pickled Python objects and are refused: twin never unpickles (unsafe and not
 * portable). Structured, string, complex, float16 and uint64 arrays are refused
 * with a hint on how to convert them in NumPy.
 *
 * NPZ: a zip of `.npy` entries (stored or deflated, as `np.savez` /
 * `np.savez_compressed` write them), read into a Map name → HostArray with the
 * `.npy` suffix dropped. Writers produce version 1.0 headers (2.0 when the
 * header is too long), little-endian, C order.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { unzipSync, zipSync, type Zippable } from "fflate";
import { allocTyped, checkHostArray, dtypeOfTyped, numel, type HostArray, type HostDType, type HostTypedArray } from "./array.ts";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** True when the machine stores numbers little-endian (all platforms Node ships for, in practice). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const KIND_SIZE_TO_DTYPE: Record<string, HostDType> = {
  f4: "float32",
  f8: "float64",
  i1: "int8",
  i2: "int16",
  i4: "int32",
  i8: "int64",
  u1: "uint8",
  u2: "uint16",
  u4: "uint32",
  b1: "bool",
};

const DTYPE_TO_DESCR: Record<HostDType, string> = {
  float32: "<f4",
  float64: "<f8",
  int8: "|i1",
  int16: "<i2",
  int32: "<i4",
  int64: "<i8",
  uint8: "|u1",
  uint16: "<u2",
  uint32: "<u4",
  bool: "|b1",
};

/** Parsed NPY header. */
export interface NpyHeader {
  version: [number, number];
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the data. */
  dataOffset: number;
}

/** Reads and validates the NPY header of `bytes`; `source` names the file in errors. */
export function parseNpyHeader(bytes: Uint8Array, source = "<npy buffer>"): NpyHeader {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) {
    if (bytes.length > 0 && bytes[0] === 0x80) {
      throw new Error(
        `${source}: this is a Python pickle, not an NPY file; twin never unpickles data. Save a numeric array with np.save(path, np.asarray(x, dtype=np.float32))`,
      );
    }
    if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b) {
      throw new Error(`${source}: this is a zip archive (an .npz file?), not an .npy file; read it with readNpz`);
    }
    throw new Error(`${source}: not an NPY file (it does not start with "\\x93NUMPY"); write it with numpy.save`);
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error(`${source}: truncated NPY header`);
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    throw new Error(`${source}: unsupported NPY format version ${major}.${minor}; twin reads versions 1.0, 2.0 and 3.0`);
  }
  if (bytes.length < start + headerLen) {
    throw new Error(`${source}: truncated NPY header: needs ${start + headerLen} bytes, file has ${bytes.length}`);
  }
  const headerBytes = bytes.subarray(start, start + headerLen);
  const text = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(headerBytes);
  let dict: unknown;
  try {
    dict = parsePyLiteral(text);
  } catch (e) {
    throw new Error(`${source}: cannot parse NPY header ${JSON.stringify(text.trim())}: ${(e as Error).message}`);
  }
  if (typeof dict !== "object" || dict === null || Array.isArray(dict)) {
    throw new Error(`${source}: NPY header is not a dict: ${text.trim()}`);
  }
  const d = dict as Record<string, unknown>;
  const descr = d["descr"];
  if (typeof descr !== "string") {
    throw new Error(
      `${source}: structured (record) arrays are not supported (descr ${JSON.stringify(descr)}); save each field as its own array, e.g. np.savez(path, **{n: a[n] for n in a.dtype.names})`,
    );
  }
  const fortran = d["fortran_order"];
  if (typeof fortran !== "boolean") throw new Error(`${source}: NPY header has no boolean fortran_order: ${text.trim()}`);
  const shape = d["shape"];
  if (!Array.isArray(shape) || !shape.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 0)) {
    throw new Error(`${source}: NPY header has an invalid shape: ${text.trim()}`);
  }
  return { version: [major, minor], descr, fortranOrder: fortran, shape: shape as number[], dataOffset: start + headerLen };
}

/** Maps an NPY descr (`<f4`, `>i8`, `|u1`, ...) to a dtype and byte order, or throws a helpful error. */
export function npyDescrToDType(descr: string, source = "<npy>"): { dtype: HostDType; bigEndian: boolean } {
  const m = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  const order = m?.[1] ?? "";
  const kind = m?.[2] ?? "";
  if (kind === "O") {
    throw new Error(
      `${source}: object arrays (dtype "${descr}") hold pickled Python objects; twin never unpickles. Convert to a numeric dtype before saving, e.g. np.save(path, np.asarray(x, dtype=np.float32))`,
    );
  }
  const dtype = m ? KIND_SIZE_TO_DTYPE[`${kind}${m[3]}`] : undefined;
  if (!dtype) {
    const hint =
      kind === "f" && m?.[3] === "2"
        ? "float16 is not supported: save with a.astype(np.float32)"
        : kind === "u" && m?.[3] === "8"
          ? "uint64 is not supported: save with a.astype(np.int64) if the values fit"
          : kind === "U" || kind === "S"
            ? "string arrays are not supported: map strings to integer ids before saving"
            : kind === "c"
              ? "complex arrays are not supported: save real and imaginary parts separately"
              : "convert to one of float32, float64, int8/16/32/64, uint8/16/32 or bool before saving";
    throw new Error(`${source}: unsupported NPY dtype "${descr}"; ${hint}`);
  }
  const size = Number(m![3]);
  const bigEndian = size > 1 && (order === ">" || (order === "=" && !HOST_LITTLE_ENDIAN));
  return { dtype, bigEndian };
}

/** Decodes `.npy` bytes into a C-order HostArray. */
export function parseNpy(bytes: Uint8Array, source = "<npy buffer>"): HostArray {
  const h = parseNpyHeader(bytes, source);
  const { dtype, bigEndian } = npyDescrToDType(h.descr, source);
  const n = numel(h.shape);
  const size = allocTyped(dtype, 0).BYTES_PER_ELEMENT;
  const nbytes = n * size;
  const have = bytes.length - h.dataOffset;
  if (have < nbytes) {
    throw new Error(
      `${source}: truncated NPY data: shape [${h.shape.join(", ")}] of ${h.descr} needs ${nbytes} bytes, file has ${have}; the file is incomplete`,
    );
  }
  // A fresh, aligned copy of the data bytes (the file buffer may be unaligned).
  // (Not `bytes.slice`: on a Node Buffer that is a view, not a copy.)
  const raw = new Uint8Array(nbytes);
  raw.set(bytes.subarray(h.dataOffset, h.dataOffset + nbytes));
  if (bigEndian === HOST_LITTLE_ENDIAN && size > 1) swapBytes(raw, size);
  let data = makeTyped(dtype, raw.buffer, n);
  if (dtype === "bool") normalizeBool(data as Uint8Array);
  if (h.fortranOrder && h.shape.length > 1) data = fortranToC(data, h.shape);
  return { data, shape: h.shape, dtype };
}

/** Reads an `.npy` file. */
export function readNpy(path: string): HostArray {
  return parseNpy(readBytes(path, "NPY"), path);
}

/** Encodes a HostArray as `.npy` bytes (little-endian, C order). */
export function encodeNpy(array: HostArray): Uint8Array {
  checkHostArray(array, "encodeNpy");
  const descr = DTYPE_TO_DESCR[array.dtype];
  const shape =
    array.shape.length === 0 ? "()" : array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(", ")})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  let major = 1;
  let prefix = 10;
  // Pad with spaces and a final newline so the data starts on a 64-byte boundary.
  let total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  if (total - prefix > 0xffff) {
    major = 2;
    prefix = 12;
    total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  }
  dict = dict.padEnd(total - prefix - 1, " ") + "\n";
  const src = array.data;
  const out = new Uint8Array(total + src.byteLength);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, dict.length, true);
  else view.setUint32(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[prefix + i] = dict.charCodeAt(i);
  out.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), total);
  if (!HOST_LITTLE_ENDIAN && src.BYTES_PER_ELEMENT > 1) swapBytes(out.subarray(total), src.BYTES_PER_ELEMENT);
  return out;
}

/** Writes a HostArray to an `.npy` file. */
export function writeNpy(path: string, array: HostArray): void {
  writeFileSync(path, encodeNpy(array));
}

/** Decodes `.npz` bytes (stored or deflated zip entries) into a Map name → HostArray. */
export function parseNpz(bytes: Uint8Array, source = "<npz buffer>"): Map<string, HostArray> {
  if (!(bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b)) {
    if (bytes.length >= 6 && MAGIC.every((b, i) => bytes[i] === b)) {
      throw new Error(`${source}: this is an .npy file, not an .npz archive; read it with readNpy`);
    }
    throw new Error(`${source}: not an NPZ file (not a zip archive); write it with numpy.savez or numpy.savez_compressed`);
  }
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (e) {
    throw new Error(
      `${source}: cannot unzip NPZ archive (${(e as Error).message}); the file may be truncated, or use zip64 (arrays over 4 GiB), which twin does not read`,
    );
  }
  const out = new Map<string, HostArray>();
  for (const [name, data] of Object.entries(entries)) {
    if (name.endsWith("/")) continue; // directory entry
    const key = name.endsWith(".npy") ? name.slice(0, -4) : name;
    out.set(key, parseNpy(data, `${source}[${name}]`));
  }
  return out;
}

/** Reads an `.npz` file into a Map name → HostArray. */
export function readNpz(path: string): Map<string, HostArray> {
  return parseNpz(readBytes(path, "NPZ"), path);
}

/** Options for {@link encodeNpz}. */
export interface NpzWriteOptions {
  /** Deflate entries like `np.savez_compressed` (default false: stored, like `np.savez`). */
  compress?: boolean;
}

/** Encodes named arrays as `.npz` bytes; each entry is `<name>.npy`. */
export function encodeNpz(
  arrays: Map<string, HostArray> | Record<string, HostArray>,
  options: NpzWriteOptions = {},
): Uint8Array {
  const files: Zippable = {};
  const pairs = arrays instanceof Map ? [...arrays.entries()] : Object.entries(arrays);
  for (const [name, a] of pairs) {
    if (name === "") throw new Error("encodeNpz: array names must not be empty");
    files[`${name}.npy`] = [encodeNpy(a), { level: options.compress ? 6 : 0 }];
  }
  return zipSync(files);
}

/** Writes named arrays to an `.npz` file. */
export function writeNpz(
  path: string,
  arrays: Map<string, HostArray> | Record<string, HostArray>,
  options: NpzWriteOptions = {},
): void {
  writeFileSync(path, encodeNpz(arrays, options));
}

// ---------------------------------------------------------------------------

function readBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read ${what} file ${path}: ${(e as Error).message}`, { cause: e });
  }
}

function makeTyped(dtype: HostDType, buffer: ArrayBufferLike, n: number): HostTypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(buffer, 0, n);
    case "float64":
      return new Float64Array(buffer, 0, n);
    case "int8":
      return new Int8Array(buffer, 0, n);
    case "int16":
      return new Int16Array(buffer, 0, n);
    case "int32":
      return new Int32Array(buffer, 0, n);
    case "int64":
      return new BigInt64Array(buffer, 0, n);
    case "uint8":
    case "bool":
      return new Uint8Array(buffer, 0, n);
    case "uint16":
      return new Uint16Array(buffer, 0, n);
    case "uint32":
      return new Uint32Array(buffer, 0, n);
  }
}

function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i + size <= b.length; i += size) {
    for (let lo = i, hi = i + size - 1; lo < hi; lo++, hi--) {
      const t = b[lo]!;
      b[lo] = b[hi]!;
      b[hi] = t;
    }
  }
}

function normalizeBool(b: Uint8Array): void {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) b[i] = 1;
}

/** Reorders column-major (Fortran) data of C-shape `shape` into row-major order. */
function fortranToC(src: HostTypedArray, shape: number[]): HostTypedArray {
  const nd = shape.length;
  const n = src.length;
  const out = allocTyped(dtypeOfTyped(src), n);
  if (n === 0) return out;
  // C strides of each dim; walk the source in Fortran order (dim 0 fastest).
  const cStride = new Array<number>(nd);
  let s = 1;
  for (let d = nd - 1; d >= 0; d--) {
    cStride[d] = s;
    s *= shape[d]!;
  }
  const idx = new Array<number>(nd).fill(0);
  const o = out as unknown as { [i: number]: number | bigint };
  const i0 = src as unknown as { [i: number]: number | bigint };
  const d0 = shape[0]!;
  const st0 = cStride[0]!;
  let off = 0;
  for (let f = 0; f < n; ) {
    // Inner loop along dim 0.
    for (let k = 0; k < d0; k++, f++) o[off + k * st0] = i0[f]!;
    // Carry into dims 1..nd-1.
    let d = 1;
    for (; d < nd; d++) {
      idx[d]!++;
      off += cStride[d]!;
      if (idx[d]! < shape[d]!) break;
      off -= idx[d]! * cStride[d]!;
      idx[d] = 0;
    }
    if (d === nd) break;
  }
  return out;
}

/**
 * Parses the Python literal subset NPY headers use: dicts, tuples, lists,
 * quoted strings, integers (with an optional Python 2 `L`), True/False/None.
 */
export function parsePyLiteral(text: string): unknown {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (msg: string): never => {
    throw new Error(`${msg} at character ${i}`);
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj: Record<string, unknown> = {};
      for (;;) {
        ws();
        if (text[i] === "}") {
          i++;
          return obj;
        }
        const k = value();
        if (typeof k !== "string") fail("dict keys must be strings");
        ws();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        obj[k as string] = value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] !== "}") fail("expected ',' or '}'");
      }
    }
    if (c === "(" || c === "[") {
      const close = c === "(" ? ")" : "]";
      i++;
      const arr: unknown[] = [];
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          return arr;
        }
        arr.push(value());
        ws();
        if (text[i] === ",") i++;
        else if (text[i] !== close) fail(`expected ',' or '${close}'`);
      }
    }
    if (c === "'" || c === '"') {
      const q = c;
      i++;
      let s = "";
      while (i < text.length && text[i] !== q) {
        if (text[i] === "\\") i++;
        s += text[i++];
      }
      if (text[i] !== q) fail("unterminated string");
      i++;
      return s;
    }
    const m = /^(-?\d+)L?|^(True|False|None)/.exec(text.slice(i));
    if (!m) return fail(`unexpected ${c === undefined ? "end of header" : JSON.stringify(c)}`);
    i += m[0].length;
    if (m[1] !== undefined) return Number(m[1]);
    return m[2] === "True" ? true : m[2] === "False" ? false : null;
  };
  const v = value();
  ws();
  if (i !== text.length) fail("trailing characters");
  return v;
}
