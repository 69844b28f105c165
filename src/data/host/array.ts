/**
 * Host-side arrays: plain typed arrays with a shape and a dtype, no tensors.
 *
 * Every reader in `src/data/host` and `src/data/datasets` returns these. They are
 * row-major (C order), contiguous, and their first axis is the example axis.
 * Conversion to libtorch tensors happens in a later layer.
 */

/** Element types a {@link HostArray} can hold (names follow NumPy / PyTorch). */
export type HostDType =
  | "float32"
  | "float64"
  | "int32"
  | "int64"
  | "uint8"
  | "int8"
  | "int16"
  | "uint16"
  | "uint32"
  | "bool";

/** Typed arrays that back a {@link HostArray}. `bool` is stored as a Uint8Array of 0/1. */
export type HostTypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Uint32Array;

/** A contiguous row-major array on the host. */
export interface HostArray {
  data: HostTypedArray;
  shape: number[];
  dtype: HostDType;
}

/** Every dtype, for iteration and validation. */
export const HOST_DTYPES: readonly HostDType[] = [
  "float32",
  "float64",
  "int32",
  "int64",
  "uint8",
  "int8",
  "int16",
  "uint16",
  "uint32",
  "bool",
];

type TypedArrayCtor = {
  new (length: number): HostTypedArray;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): HostTypedArray;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
};

const CTORS: Record<HostDType, TypedArrayCtor> = {
  float32: Float32Array as unknown as TypedArrayCtor,
  float64: Float64Array as unknown as TypedArrayCtor,
  int32: Int32Array as unknown as TypedArrayCtor,
  int64: BigInt64Array as unknown as TypedArrayCtor,
  uint8: Uint8Array as unknown as TypedArrayCtor,
  int8: Int8Array as unknown as TypedArrayCtor,
  int16: Int16Array as unknown as TypedArrayCtor,
  uint16: Uint16Array as unknown as TypedArrayCtor,
  uint32: Uint32Array as unknown as TypedArrayCtor,
  bool: Uint8Array as unknown as TypedArrayCtor,
};

/** The typed-array constructor that stores `dtype`. */
export function typedArrayCtor(dtype: HostDType): TypedArrayCtor {
  const ctor = CTORS[dtype];
  if (!ctor) throw new Error(`unknown host dtype "${String(dtype)}"; expected one of ${HOST_DTYPES.join(", ")}`);
  return ctor;
}

/** Bytes per element of `dtype`. */
export function bytesPerElement(dtype: HostDType): number {
  return typedArrayCtor(dtype).BYTES_PER_ELEMENT;
}

/** Allocates a zero-filled typed array of `length` elements for `dtype`. */
export function allocTyped(dtype: HostDType, length: number): HostTypedArray {
  return new (typedArrayCtor(dtype))(length);
}

/** Number of elements of a shape (1 for a scalar shape `[]`). */
export function numel(shapeOrArray: readonly number[] | HostArray): number {
  const shape = Array.isArray(shapeOrArray) ? shapeOrArray : (shapeOrArray as HostArray).shape;
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The dtype a typed array naturally holds (Uint8Array → "uint8"; use {@link hostArray} with "bool" explicitly). */
export function dtypeOfTyped(data: HostTypedArray): HostDType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof BigInt64Array) return "int64";
  if (data instanceof Uint8Array) return "uint8";
  if (data instanceof Int8Array) return "int8";
  if (data instanceof Int16Array) return "int16";
  if (data instanceof Uint16Array) return "uint16";
  if (data instanceof Uint32Array) return "uint32";
  throw new Error(`unsupported typed array ${(data as object)?.constructor?.name ?? typeof data}`);
}

/**
 * Throws unless `array` is well formed: a known dtype, a typed array of the
 * matching kind, non-negative integer dims, and `data.length === numel(shape)`.
 * `what` names the array in the message (a file name, "inputs", ...).
 */
export function checkHostArray(array: HostArray, what = "array"): void {
  const ctor = CTORS[array.dtype];
  if (!ctor) throw new Error(`${what}: unknown dtype "${String(array.dtype)}"; expected one of ${HOST_DTYPES.join(", ")}`);
  if (!(array.data instanceof (ctor as unknown as Function))) {
    throw new Error(
      `${what}: dtype "${array.dtype}" must be stored in a ${ctor.name}, got ${(array.data as object)?.constructor?.name}`,
    );
  }
  for (const d of array.shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${what}: invalid shape [${array.shape.join(", ")}] (dims must be non-negative integers)`);
  }
  const n = numel(array.shape);
  if (array.data.length !== n) {
    throw new Error(`${what}: shape [${array.shape.join(", ")}] needs ${n} elements but data holds ${array.data.length}`);
  }
}

/** Builds and checks a HostArray; dtype defaults to the typed array's natural dtype. */
export function hostArray(data: HostTypedArray, shape: readonly number[], dtype?: HostDType): HostArray {
  const a: HostArray = { data, shape: [...shape], dtype: dtype ?? dtypeOfTyped(data) };
  checkHostArray(a);
  return a;
}

/** Elements per row (product of all dims after the first). */
export function rowSize(array: HostArray): number {
  if (array.shape.length === 0) throw new Error("rowSize: a scalar array has no rows");
  let n = 1;
  for (let i = 1; i < array.shape.length; i++) n *= array.shape[i]!;
  return n;
}

/**
 * Copies the rows (first-axis entries) at `indices` into a new contiguous array
 * of shape `[indices.length, ...shape.slice(1)]`. This is the batch collation hot
 * path: each row is one `TypedArray.set(subarray)` (a memcpy), single-element rows
 * (labels) are a plain indexed copy. Indices are checked against the row count.
 */
export function gatherRows(array: HostArray, indices: Int32Array | readonly number[]): HostArray {
  const rows = array.shape[0];
  if (rows === undefined) throw new Error("gatherRows: a scalar array has no rows");
  const row = rowSize(array);
  const n = indices.length;
  const src = array.data;
  const out = allocTyped(array.dtype, n * row);
  if (row === 1) {
    // Labels and other one-element rows: avoid the subarray allocation per row.
    const s = src as unknown as { [i: number]: number | bigint };
    const o = out as unknown as { [i: number]: number | bigint };
    for (let i = 0; i < n; i++) {
      const r = indices[i]!;
      if (!(r >= 0 && r < rows) || !Number.isInteger(r)) throw new Error(`gatherRows: index ${r} at position ${i} is out of range [0, ${rows})`);
      o[i] = s[r]!;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const r = indices[i]!;
      if (!(r >= 0 && r < rows) || !Number.isInteger(r)) throw new Error(`gatherRows: index ${r} at position ${i} is out of range [0, ${rows})`);
      const start = r * row;
      (out as Uint8Array).set((src as Uint8Array).subarray(start, start + row), i * row);
    }
  }
  return { data: out, shape: [n, ...array.shape.slice(1)], dtype: array.dtype };
}

/** Rows `[start, end)` as a new contiguous copy (end clamped to the row count). */
export function sliceRows(array: HostArray, start: number, end?: number): HostArray {
  const rows = array.shape[0];
  if (rows === undefined) throw new Error("sliceRows: a scalar array has no rows");
  const e = Math.min(end ?? rows, rows);
  const s = Math.max(0, Math.min(start, e));
  const row = rowSize(array);
  const data = array.data.slice(s * row, e * row) as HostTypedArray;
  return { data, shape: [e - s, ...array.shape.slice(1)], dtype: array.dtype };
}

/**
 * Converts to float32, multiplying by `scale` when given (e.g. `1 / 255` for
 * uint8 images). int64 values are converted through `Number` (exact up to 2^53).
 * A float32 input without scale is copied, never aliased.
 */
export function toFloat32(array: HostArray, scale?: number): HostArray {
  const n = array.data.length;
  const out = new Float32Array(n);
  const src = array.data;
  if (src instanceof BigInt64Array) {
    if (scale === undefined) for (let i = 0; i < n; i++) out[i] = Number(src[i]!);
    else for (let i = 0; i < n; i++) out[i] = Number(src[i]!) * scale;
  } else {
    const s = src as Float64Array; // any numeric typed array; indexing is generic
    if (scale === undefined) out.set(s);
    else for (let i = 0; i < n; i++) out[i] = s[i]! * scale;
  }
  return { data: out, shape: [...array.shape], dtype: "float32" };
}

/** Reshapes without copying (the element count must match; `-1` infers one dim). */
export function reshape(array: HostArray, shape: readonly number[]): HostArray {
  const dims = [...shape];
  const inferAt = dims.indexOf(-1);
  if (inferAt >= 0) {
    const rest = dims.reduce((p, d, i) => (i === inferAt ? p : p * d), 1);
    if (rest === 0 || array.data.length % rest !== 0) {
      throw new Error(`reshape: cannot infer -1 in [${shape.join(", ")}] for ${array.data.length} elements`);
    }
    dims[inferAt] = array.data.length / rest;
  }
  const a: HostArray = { data: array.data, shape: dims, dtype: array.dtype };
  checkHostArray(a, "reshape");
  return a;
}
