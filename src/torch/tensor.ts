/**
 * Tensor: a handle (id) to a tensor in the native table, with the usual
 * methods. Memory is freed by dispose(), by the enclosing torch.scope, or by
 * `using`; never by the garbage collector.
 *
 * Method names follow PyTorch: camelCase for multi-word names, a trailing
 * underscore for in-place ops (add_, mul_, zero_).
 */
import { native, type NativeResult } from "./native.ts";
import { track, untrack, setTensorCheck } from "./scope.ts";
import * as ops from "./generated/ops.ts";
import type { Generator } from "./generator.ts";
import type { DType, Device, Scalar, TypedArray } from "./dtype.ts";

export type TensorOrScalar = Tensor | number;

export class Tensor {
  /** Id of the tensor in the native table. */
  readonly id: number;
  #disposed = false;
  #kept = false;
  #borrowed = false;

  /** Wraps a native id; the tensor belongs to the innermost open scope. */
  constructor(id: number) {
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

  detach(): Tensor {
    return ops.detach(this);
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

  toString(): string {
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
    return ops.to_dtype_layout(this, { dtype: o.dtype ?? null, device: o.device ?? null });
  }
  float(): Tensor { return this.to("float32"); }
  double(): Tensor { return this.to("float64"); }
  long(): Tensor { return this.to("int64"); }
  int(): Tensor { return this.to("int32"); }
  bool(): Tensor { return this.to("bool"); }
  contiguous(): Tensor { return ops.contiguous(this); }
  clone(): Tensor { return ops.clone(this); }

  // ---- elementwise arithmetic ---------------------------------------------

  add(other: TensorOrScalar, alpha?: number): Tensor {
    const o = alpha === undefined ? undefined : { alpha };
    return other instanceof Tensor ? ops.add_Tensor(this, other, o) : ops.add_Scalar(this, other, o);
  }
  sub(other: TensorOrScalar, alpha?: number): Tensor {
    const o = alpha === undefined ? undefined : { alpha };
    return other instanceof Tensor ? ops.sub_Tensor(this, other, o) : ops.sub_Scalar(this, other, o);
  }
  mul(other: TensorOrScalar): Tensor {
    return other instanceof Tensor ? ops.mul_Tensor(this, other) : ops.mul_Scalar(this, other);
  }
  div(other: TensorOrScalar): Tensor {
    return other instanceof Tensor ? ops.div_Tensor(this, other) : ops.div_Scalar(this, other);
  }
  pow(exponent: TensorOrScalar): Tensor {
    return exponent instanceof Tensor ? ops.pow_Tensor_Tensor(this, exponent) : ops.pow_Tensor_Scalar(this, exponent);
  }
  remainder(other: TensorOrScalar): Tensor {
    return other instanceof Tensor ? ops.remainder_Tensor(this, other) : ops.remainder_Scalar(this, other);
  }
  maximum(other: Tensor): Tensor { return ops.maximum(this, other); }
  minimum(other: Tensor): Tensor { return ops.minimum(this, other); }
  neg(): Tensor { return ops.neg(this); }
  abs(): Tensor { return ops.abs(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  log1p(): Tensor { return ops.log1p(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  rsqrt(): Tensor { return ops.rsqrt(this); }
  square(): Tensor { return ops.square(this); }
  reciprocal(): Tensor { return ops.reciprocal(this); }
  sign(): Tensor { return ops.sign(this); }
  floor(): Tensor { return ops.floor(this); }
  ceil(): Tensor { return ops.ceil(this); }
  round(): Tensor { return ops.round(this); }
  sin(): Tensor { return ops.sin(this); }
  cos(): Tensor { return ops.cos(this); }
  tanh(): Tensor { return ops.tanh(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  relu(): Tensor { return ops.relu(this); }
  clamp(min: number | null, max?: number | null): Tensor { return ops.clamp(this, { min, max }); }
  isfinite(): Tensor { return ops.isfinite(this); }
  isnan(): Tensor { return ops.isnan(this); }

  // ---- comparison and logic -----------------------------------------------

  eq(other: TensorOrScalar): Tensor { return other instanceof Tensor ? ops.eq_Tensor(this, other) : ops.eq_Scalar(this, other); }
  ne(other: TensorOrScalar): Tensor { return other instanceof Tensor ? ops.ne_Tensor(this, other) : ops.ne_Scalar(this, other); }
  lt(other: TensorOrScalar): Tensor { return other instanceof Tensor ? ops.lt_Tensor(this, other) : ops.lt_Scalar(this, other); }
  le(other: TensorOrScalar): Tensor { return other instanceof Tensor ? ops.le_Tensor(this, other) : ops.le_Scalar(this, other); }
  gt(other: TensorOrScalar): Tensor { return other instanceof Tensor ? ops.gt_Tensor(this, other) : ops.gt_Scalar(this, other); }
  ge(other: TensorOrScalar): Tensor { return other instanceof Tensor ? ops.ge_Tensor(this, other) : ops.ge_Scalar(this, other); }
  logicalAnd(other: Tensor): Tensor { return ops.logical_and(this, other); }
  logicalOr(other: Tensor): Tensor { return ops.logical_or(this, other); }
  logicalNot(): Tensor { return ops.logical_not(this); }
  /** Exact equality of shape and every element. */
  equal(other: Tensor): boolean { return ops.equal(this, other); }
  allclose(other: Tensor, options?: { rtol?: number; atol?: number }): boolean { return ops.allclose(this, other, options); }
  maskedFill(mask: Tensor, value: number): Tensor { return ops.masked_fill_Scalar(this, mask, value); }

  // ---- reductions ---------------------------------------------------------

  sum(dim?: number | number[], keepdim = false): Tensor {
    return dim === undefined ? ops.sum(this) : ops.sum_dim_IntList(this, toDims(dim), { keepdim });
  }
  mean(dim?: number | number[], keepdim = false): Tensor {
    return dim === undefined ? ops.mean(this) : ops.mean_dim(this, toDims(dim), { keepdim });
  }
  /** Standard deviation with Bessel's correction (unbiased), like torch.std. */
  std(dim?: number | number[], keepdim = false, unbiased = true): Tensor {
    return dim === undefined ? ops.std(this, { unbiased }) : ops.std_dim(this, toDims(dim), { unbiased, keepdim });
  }
  var(dim?: number | number[], keepdim = false, unbiased = true): Tensor {
    return dim === undefined ? ops.var_op(this, { unbiased }) : ops.var_dim(this, toDims(dim), { unbiased, keepdim });
  }
  prod(): Tensor { return ops.prod(this); }
  max(): Tensor { return ops.max(this); }
  min(): Tensor { return ops.min(this); }
  amax(dim: number | number[], keepdim = false): Tensor { return ops.amax(this, { dim: toDims(dim), keepdim }); }
  amin(dim: number | number[], keepdim = false): Tensor { return ops.amin(this, { dim: toDims(dim), keepdim }); }
  argmax(dim?: number, keepdim = false): Tensor { return ops.argmax(this, { dim: dim ?? null, keepdim }); }
  argmin(dim?: number, keepdim = false): Tensor { return ops.argmin(this, { dim: dim ?? null, keepdim }); }
  all(): Tensor { return ops.all(this); }
  any(): Tensor { return ops.any(this); }
  norm(p = 2): Tensor { return ops.norm_Scalar(this, { p }); }
  logsumexp(dim: number | number[], keepdim = false): Tensor { return ops.logsumexp(this, toDims(dim), { keepdim }); }
  softmax(dim: number): Tensor { return ops.softmax_int(this, dim); }
  logSoftmax(dim: number): Tensor { return ops.log_softmax_int(this, dim); }
  topk(k: number, dim = -1, largest = true, sorted = true): [Tensor, Tensor] {
    return ops.topk(this, k, { dim, largest, sorted });
  }

  // ---- shape and indexing -------------------------------------------------

  reshape(...shape: number[]): Tensor { return ops.reshape(this, shape); }
  view(...shape: number[]): Tensor { return ops.view(this, shape); }
  flatten(startDim = 0, endDim = -1): Tensor { return ops.flatten_using_ints(this, { start_dim: startDim, end_dim: endDim }); }
  squeeze(dim?: number): Tensor { return dim === undefined ? ops.squeeze(this) : ops.squeeze_dim(this, dim); }
  unsqueeze(dim: number): Tensor { return ops.unsqueeze(this, dim); }
  transpose(dim0: number, dim1: number): Tensor { return ops.transpose_int(this, dim0, dim1); }
  /** Transpose of a 2-D tensor. */
  t(): Tensor { return ops.t(this); }
  permute(...dims: number[]): Tensor { return ops.permute(this, dims); }
  expand(...shape: number[]): Tensor { return ops.expand(this, shape); }
  repeat(...repeats: number[]): Tensor { return ops.repeat(this, repeats); }
  narrow(dim: number, start: number, length: number): Tensor { return ops.narrow(this, dim, start, length); }
  select(dim: number, index: number): Tensor { return ops.select_int(this, dim, index); }
  slice(dim: number, start?: number, end?: number, step = 1): Tensor {
    return ops.slice_Tensor(this, { dim, start: start ?? null, end: end ?? null, step });
  }
  chunk(chunks: number, dim = 0): Tensor[] { return ops.chunk(this, chunks, { dim }); }
  split(size: number, dim = 0): Tensor[] { return ops.split_Tensor(this, size, { dim }); }
  /** Advanced indexing, like x[idx0, idx1] in PyTorch (null skips a dimension). */
  index(indices: (Tensor | null)[]): Tensor { return ops.index_Tensor(this, indices); }
  indexSelect(dim: number, index: Tensor): Tensor { return ops.index_select(this, dim, index); }
  gather(dim: number, index: Tensor): Tensor { return ops.gather(this, dim, index); }
  matmul(other: Tensor): Tensor { return ops.matmul(this, other); }
  mm(other: Tensor): Tensor { return ops.mm(this, other); }
  bmm(other: Tensor): Tensor { return ops.bmm(this, other); }

  // ---- in place -----------------------------------------------------------

  add_(other: TensorOrScalar, alpha?: number): this {
    const o = alpha === undefined ? undefined : { alpha };
    if (other instanceof Tensor) ops.add__Tensor(this, other, o);
    else ops.add__Scalar(this, other, o);
    return this;
  }
  sub_(other: TensorOrScalar, alpha?: number): this {
    const o = alpha === undefined ? undefined : { alpha };
    if (other instanceof Tensor) ops.sub__Tensor(this, other, o);
    else ops.sub__Scalar(this, other, o);
    return this;
  }
  mul_(other: TensorOrScalar): this {
    if (other instanceof Tensor) ops.mul__Tensor(this, other);
    else ops.mul__Scalar(this, other);
    return this;
  }
  div_(other: TensorOrScalar): this {
    if (other instanceof Tensor) ops.div__Tensor(this, other);
    else ops.div__Scalar(this, other);
    return this;
  }
  addcmul_(t1: Tensor, t2: Tensor, value = 1): this { ops.addcmul_(this, t1, t2, { value }); return this; }
  addcdiv_(t1: Tensor, t2: Tensor, value = 1): this { ops.addcdiv_(this, t1, t2, { value }); return this; }
  lerp_(end: Tensor, weight: number): this { ops.lerp__Scalar(this, end, weight); return this; }
  clamp_(min: number | null, max?: number | null): this { ops.clamp_(this, { min, max }); return this; }
  sqrt_(): this { ops.sqrt_(this); return this; }
  zero_(): this { ops.zero_(this); return this; }
  fill_(value: Scalar): this { ops.fill__Scalar(this, value); return this; }
  copy_(src: Tensor): this { ops.copy_(this, src); return this; }
  uniform_(from: number, to: number, generator: Generator): this { ops.uniform_(this, { from, to, generator }); return this; }
  normal_(mean: number, std: number, generator: Generator): this { ops.normal_(this, { mean, std, generator }); return this; }
  bernoulli_(p: number, generator: Generator): this { ops.bernoulli__float(this, { p, generator }); return this; }
}

setTensorCheck((v: unknown): v is Tensor => v instanceof Tensor);

function toDims(dim: number | number[]): number[] {
  return typeof dim === "number" ? [dim] : dim;
}

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

export function ids(ts: readonly Tensor[]): number[] {
  return ts.map((t) => t.id);
}

export function optionalIds(ts: readonly (Tensor | null)[]): (number | null)[] {
  return ts.map((t) => (t === null ? null : t.id));
}
