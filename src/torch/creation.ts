/** Creating tensors: from JS data, filled, ranges, and random (always with an explicit generator). */
import { native } from "./native.ts";
import { Tensor } from "./tensor.ts";
import * as ops from "./generated/ops.ts";
import type { Generator } from "./generator.ts";
import type { DType, Device, TypedArray } from "./dtype.ts";

export interface CreateOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}

type Nested = number | boolean | Nested[];

function finish(t: Tensor, o: CreateOptions | undefined): Tensor {
  if (o?.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** The most dimensions a tensor from nested arrays may have (deeper is a bug in the data, not a tensor). */
const MAX_DIMS = 64;

/** Where an element sits, for errors: [0][3][1]. */
function at(path: readonly number[]): string {
  return path.map((i) => `[${i}]`).join("") || "(the value itself)";
}

function flatten(data: Nested, shape: number[], out: number[], depth: number, path: number[] = []): void {
  if (Array.isArray(data)) {
    if (depth >= MAX_DIMS) throw new Error(`torch.tensor: nested arrays deeper than ${MAX_DIMS} levels (at ${at(path)}); a tensor has at most ${MAX_DIMS} dimensions`);
    if (shape.length === depth) shape.push(data.length);
    else if (shape[depth] !== data.length) {
      throw new Error(`torch.tensor: ragged nested array (length ${data.length} where ${shape[depth]} was expected at depth ${depth})`);
    }
    data.forEach((d, i) => flatten(d, shape, out, depth + 1, [...path, i]));
  } else {
    if (depth !== shape.length) throw new Error(`torch.tensor: ragged nested array (a number where an array was expected, at ${at(path)})`);
    if (typeof data !== "number" && typeof data !== "boolean") {
      const kind = data === null ? "null" : typeof data;
      throw new Error(`torch.tensor: element ${at(path)} is ${kind === "object" || kind === "undefined" || kind === "null" ? kind : `a ${kind}`}; a tensor holds numbers or booleans (convert strings with Number() first)`);
    }
    out.push(typeof data === "boolean" ? (data ? 1 : 0) : data);
  }
}

const ARRAY_FOR: Partial<Record<DType, (n: number[]) => TypedArray>> = {
  float32: (n) => Float32Array.from(n),
  float64: (n) => Float64Array.from(n),
  int32: (n) => Int32Array.from(n),
  int64: (n) => BigInt64Array.from(n, (v) => BigInt(Math.trunc(v))),
  int16: (n) => Int16Array.from(n),
  int8: (n) => Int8Array.from(n),
  uint8: (n) => Uint8Array.from(n),
  bool: (n) => Uint8Array.from(n, (v) => (v ? 1 : 0)),
};

/**
 * A tensor from a typed array (copied once) or from nested JS arrays.
 * Nested numbers default to float32; booleans to bool; use options.dtype otherwise.
 */
export function tensor(data: TypedArray | Nested, options?: CreateOptions & { shape?: readonly number[] }): Tensor {
  if (ArrayBuffer.isView(data)) {
    const shape = options?.shape ?? [(data as TypedArray).length];
    let t = new Tensor(native.fromTypedArray(data, shape, data instanceof Uint8Array && options?.dtype === "bool" ? "bool" : undefined));
    if (options?.dtype && t.dtype !== options.dtype) t = t.to(options.dtype);
    return finish(t, options);
  }
  const shape: number[] = [];
  const flat: number[] = [];
  flatten(data, shape, flat, 0);
  const isBool = typeof firstLeaf(data) === "boolean";
  const dtype = options?.dtype ?? (isBool ? "bool" : "float32");
  const make = ARRAY_FOR[dtype];
  if (make === undefined) {
    const t = new Tensor(native.fromTypedArray(Float64Array.from(flat), options?.shape ?? shape));
    return finish(t.to(dtype), options);
  }
  return finish(new Tensor(native.fromTypedArray(make(flat), options?.shape ?? shape, dtype === "bool" ? "bool" : undefined)), options);
}

function firstLeaf(d: Nested): number | boolean | undefined {
  let x: Nested = d;
  while (Array.isArray(x)) {
    if (x.length === 0) return undefined;
    x = x[0];
  }
  return x;
}

function factory(o?: CreateOptions) {
  return { dtype: o?.dtype ?? null, device: o?.device ?? null };
}

export function zeros(shape: readonly number[], options?: CreateOptions): Tensor {
  return finish(ops.zeros(shape, factory(options)), options);
}
export function ones(shape: readonly number[], options?: CreateOptions): Tensor {
  return finish(ops.ones(shape, factory(options)), options);
}
export function empty(shape: readonly number[], options?: CreateOptions): Tensor {
  return finish(ops.empty_memory_format(shape, factory(options)), options);
}
export function full(shape: readonly number[], value: number, options?: CreateOptions): Tensor {
  return finish(ops.full(shape, value, factory(options)), options);
}
export function eye(n: number, options?: CreateOptions): Tensor {
  return finish(ops.eye(n, factory(options)), options);
}
export function zerosLike(t: Tensor, options?: CreateOptions): Tensor { return ops.zeros_like(t, factory(options)); }
export function onesLike(t: Tensor, options?: CreateOptions): Tensor { return ops.ones_like(t, factory(options)); }
export function emptyLike(t: Tensor, options?: CreateOptions): Tensor { return ops.empty_like(t, factory(options)); }
export function fullLike(t: Tensor, value: number, options?: CreateOptions): Tensor { return ops.full_like(t, value, factory(options)); }

/**
 * Values from start to end (exclusive) by step. Like PyTorch, integer
 * arguments give int64 unless a dtype is given.
 */
export function arange(start: number, end?: number, step = 1, options?: CreateOptions): Tensor {
  const [s, e] = end === undefined ? [0, start] : [start, end];
  const integral = Number.isInteger(s) && Number.isInteger(e) && Number.isInteger(step);
  const dtype = options?.dtype ?? (integral ? "int64" : "float32");
  return finish(ops.arange_start_step(s, e, { step, dtype, device: options?.device ?? null }), options);
}

export function linspace(start: number, end: number, steps: number, options?: CreateOptions): Tensor {
  return finish(ops.linspace(start, end, steps, factory(options)), options);
}

export interface RandomOptions extends CreateOptions {
  generator: Generator;
}

/** Random ops take their generator explicitly; without one they fail saying so (not a TypeError deep inside). */
function generatorOf(op: string, options: RandomOptions | undefined): Generator {
  const g = options?.generator;
  if (typeof (g as { id?: unknown } | undefined)?.id !== "number") {
    throw new Error(
      `torch.${op}: pass { generator } (a torch.Generator, e.g. new torch.Generator(0), or a named stream's take()); ` +
        "every random op in twin draws from an explicit generator, never from libtorch's global one",
    );
  }
  return g as Generator;
}

/** Uniform [0, 1) from an explicit generator. */
export function rand(shape: readonly number[], options: RandomOptions): Tensor {
  return finish(ops.rand_generator(shape, { generator: generatorOf("rand", options), ...factory(options) }), options);
}
/** Standard normal from an explicit generator. */
export function randn(shape: readonly number[], options: RandomOptions): Tensor {
  return finish(ops.randn_generator(shape, { generator: generatorOf("randn", options), ...factory(options) }), options);
}
/** Integers in [low, high) from an explicit generator (int64 by default). */
export function randint(low: number, high: number, shape: readonly number[], options: RandomOptions): Tensor {
  return ops.randint_low_generator(low, high, shape, { generator: generatorOf("randint", options), dtype: options.dtype ?? "int64", device: options.device ?? null });
}
/** A random permutation of 0..n-1 (int64) from an explicit generator. */
export function randperm(n: number, options: RandomOptions): Tensor {
  return ops.randperm_generator(n, { generator: generatorOf("randperm", options), dtype: options.dtype ?? "int64", device: options.device ?? null });
}
/** rand_like with an explicit generator (libtorch's rand_like has none). */
export function randLike(t: Tensor, generator: Generator): Tensor {
  const g = generatorOf("randLike", { generator });
  return ops.empty_like(t).uniform_(0, 1, g);
}
/** randn_like with an explicit generator. */
export function randnLike(t: Tensor, generator: Generator): Tensor {
  const g = generatorOf("randnLike", { generator });
  return ops.empty_like(t).normal_(0, 1, g);
}

export function cat(tensors: readonly Tensor[], dim = 0): Tensor { return ops.cat(tensors, { dim }); }
export function stack(tensors: readonly Tensor[], dim = 0): Tensor { return ops.stack(tensors, { dim }); }
export function where(condition: Tensor, a: Tensor, b: Tensor): Tensor { return ops.where_self(condition, a, b); }
