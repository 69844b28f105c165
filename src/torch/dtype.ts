/** Element types, devices and scalar values as twin spells them. */

export type DType =
  | "float32" | "float64" | "float16" | "bfloat16"
  | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool"
  | "complex64" | "complex128";

/** A device string: "cpu", "cuda", "cuda:1". */
export type Device = string;
export type Layout = "strided" | "sparse_coo";
export type MemoryFormat = "contiguous_format" | "preserve_format" | "channels_last" | "channels_last_3d";
/** A number passed to an op where PyTorch takes a Python scalar. */
export type Scalar = number | boolean | bigint;

/** c10::ScalarType enum order, for ops that return a ScalarType. */
const SCALAR_TYPE_ENUM: (DType | undefined)[] = [
  "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
  undefined, "complex64", "complex128", "bool", undefined, undefined, undefined, "bfloat16",
];

export function dtypeFromEnum(value: number): DType {
  const d = SCALAR_TYPE_ENUM[value];
  if (d === undefined) throw new Error(`libtorch returned scalar type #${value}, which twin does not name`);
  return d;
}

export const FLOATING: ReadonlySet<DType> = new Set(["float32", "float64", "float16", "bfloat16"]);

export function isFloating(d: DType): boolean {
  return FLOATING.has(d);
}

/** The typed array that holds each dtype's elements in JS. */
export type TypedArrayFor<D extends DType> = D extends "float32"
  ? Float32Array
  : D extends "float64"
    ? Float64Array
    : D extends "int64"
      ? BigInt64Array
      : D extends "int32"
        ? Int32Array
        : D extends "int16"
          ? Int16Array
          : D extends "int8"
            ? Int8Array
            : D extends "uint8" | "bool"
              ? Uint8Array
              : D extends "float16" | "bfloat16"
                ? Uint16Array
                : ArrayBufferView;

export type TypedArray =
  | Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;
