/**
 * Tensor: a handle (id) to a tensor in the native table. Memory is freed by
 * dispose(), by the enclosing torch.scope, or by `using`; never by the garbage
 * collector.
 *
 * This file holds what is not an op: lifetimes, metadata, autograd, data
 * exchange, printing and conversion. The op methods (add, matmul, sum, add_,
 * ...) are generated from libtorch's schemas into generated/tensor-methods.ts
 * (see scripts/tensor-methods.ts). Method names follow PyTorch: camelCase for
 * multi-word names, a trailing underscore for in-place ops (add_, mul_, zero_).
 */
import { native, type NativeResult } from "./native.ts";
import { track, untrack, setTensorCheck } from "./scope.ts";
import { TensorMethods } from "./generated/tensor-methods.ts";
import type { DType, Device, TypedArray } from "./dtype.ts";

export type TensorOrScalar = Tensor | number;

export class Tensor extends TensorMethods {
  /** Id of the tensor in the native table. */
  readonly id: number;
  #disposed = false;
  #kept = false;
  #borrowed = false;

  /** Wraps a native id; the tensor belongs to the innermost open scope. */
  constructor(id: number) {
    super();
    this.id = id;
    track(this);
  }

  /**
   * A handle to a tensor another thread owns (the native table is shared by
   * worker threads): never tracked by a scope and never freed from here.
   */
  static borrow(id: number): Tensor {
    const t = new Tensor(id);
    untrack(t);
    t.#kept = true;
    t.#borrowed = true;
    return t;
  }

  // ---- lifetime -----------------------------------------------------------

  /** Frees the tensor now. Further use throws. Safe to call twice. */
  dispose(): void {
    if (this.#disposed || this.#borrowed) return;
    this.#disposed = true;
    native.free(this.id);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * Marks the tensor disposed and returns its id for the caller to free
   * (in a batch, with native.freeMany); -1 when it was already disposed.
   * Used by torch.scope; not for general use.
   */
  _releaseId(): number {
    if (this.#disposed) return -1;
    this.#disposed = true;
    return this.id;
  }

  /** Keeps this tensor alive past the scope that created it (for parameters, state). */
  keep(): this {
    if (!this.#kept) {
      this.#kept = true;
      untrack(this);
    }
    return this;
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  // ---- metadata -----------------------------------------------------------

  get shape(): number[] {
    return native.shape(this.id);
  }

  get dtype(): DType {
    return native.dtype(this.id) as DType;
  }

  get device(): Device {
    return native.info(this.id).device;
  }

  get ndim(): number {
    return native.shape(this.id).length;
  }

  get numel(): number {
    return native.shape(this.id).reduce((a, b) => a * b, 1);
  }

  size(dim: number): number {
    const s = this.shape;
    const d = dim < 0 ? s.length + dim : dim;
    if (d < 0 || d >= s.length) throw new RangeError(`size(${dim}): tensor has ${s.length} dimensions`);
    return s[d];
  }

  // ---- autograd -----------------------------------------------------------

  get requiresGrad(): boolean {
    return native.requiresGrad(this.id);
  }

  set requiresGrad(flag: boolean) {
    native.setRequiresGrad(this.id, flag);
  }

  requiresGrad_(flag = true): this {
    native.setRequiresGrad(this.id, flag);
    return this;
  }

  /** The accumulated gradient (a new handle each call), or null. */
  get grad(): Tensor | null {
    const g = native.grad(this.id);
    return g === null ? null : new Tensor(g);
  }

  set grad(g: Tensor | null) {
    native.setGrad(this.id, g === null ? null : g.id);
  }

  backward(gradient?: Tensor, options?: { retainGraph?: boolean }): void {
    native.backward(this.id, gradient?.id ?? null, options?.retainGraph ?? false);
  }

  // ---- data ---------------------------------------------------------------

  /** The single value of a one-element tensor. */
  item(): number {
    return native.item(this.id);
  }

  /** A copy of the data as a typed array (BigInt64Array for int64, Uint8Array for bool). */
  toArray(): TypedArray {
    return native.toTypedArray(this.id) as TypedArray;
  }

  /** The data as plain numbers (row-major). */
  toNumbers(): number[] {
    return Array.from(this.toArray() as ArrayLike<number | bigint>, Number);
  }

  /** A typed array over the tensor's own memory, no copy (contiguous CPU tensors). */
  dataView(): TypedArray {
    return native.view(this.id) as TypedArray;
  }

  override toString(): string {
    if (this.#disposed) return "Tensor(disposed)";
    const info = native.info(this.id);
    const head = `Tensor[${info.shape.join(", ")}] ${info.dtype}${info.device === "cpu" ? "" : " " + info.device}`;
    const n = info.shape.reduce((a, b) => a * b, 1);
    if (n > 16) return head;
    return `${head} [${this.toNumbers().map((v) => +v.toPrecision(6)).join(", ")}]`;
  }

  // ---- conversion ---------------------------------------------------------

  to(target: DType | { dtype?: DType; device?: Device }): Tensor {
    const o = typeof target === "string" ? { dtype: target } : target;
    return this._to(o.dtype ?? null, o.device ?? null);
  }
  float(): Tensor { return this.to("float32"); }
  double(): Tensor { return this.to("float64"); }
  long(): Tensor { return this.to("int64"); }
  int(): Tensor { return this.to("int32"); }
  bool(): Tensor { return this.to("bool"); }

  // ---- results of the generated op methods --------------------------------

  protected wrap(result: NativeResult): Tensor {
    return asTensor(result);
  }
  protected wrapList(result: NativeResult): Tensor[] {
    return asTensors(result);
  }
}

setTensorCheck((v: unknown): v is Tensor => v instanceof Tensor);

// ---- helpers used by the generated op layer -------------------------------

export function asTensor(r: NativeResult): Tensor {
  if (typeof r !== "number") throw new Error(`expected a tensor from libtorch, got ${r === null ? "an undefined tensor" : typeof r}`);
  return new Tensor(r);
}

export function asTensorOrNull(r: NativeResult): Tensor | null {
  return r === null ? null : asTensor(r);
}

export function asTensors(r: NativeResult): Tensor[] {
  if (!Array.isArray(r)) throw new Error("expected a list of tensors from libtorch");
  return r.map(asTensor);
}

