/**
 * The batch that every augmentation takes and returns, the step type that
 * `compose` chains, and the checks and helpers the augmentations share.
 *
 * Ownership: every tensor in a returned batch is a new handle owned by the
 * caller (dispose it, or let the enclosing `scope` do it). Fields that an
 * augmentation leaves alone come back as aliases (new handles over the same
 * storage, no copy), so disposing the input batch never invalidates the output
 * and vice versa. No augmentation writes into its input tensors.
 */
import { Tensor } from "../../torch/tensor.ts";
import * as ops from "../../torch/generated/ops.ts";
import { isFloating } from "../../torch/dtype.ts";
import type { Generator } from "../../torch/generator.ts";
import type { DType, Device } from "../../torch/dtype.ts";

export interface AugBatch {
  /** [B, C, H, W] floating point images. */
  inputs: Tensor;
  /** [B] int64 class ids, or [B, K] floating point soft labels. */
  targets: Tensor;
  /** Optional segmentation masks, [B, H, W] or [B, 1, H, W] integer class ids. */
  masks?: Tensor;
}

/**
 * One augmentation step with its options fixed: what `compose` chains and what
 * the twin trainer calls once per step with the `augment` stream's generator.
 * Extra fields of the batch (e.g. the loader's `indices`, `epoch`) pass through.
 */
export type AugFn = <B extends AugBatch>(batch: B, generator: Generator) => B;

/** Shape facts of a checked batch. */
export interface BatchInfo {
  B: number;
  C: number;
  H: number;
  W: number;
  dtype: DType;
  device: Device;
  /** True when masks are [B, 1, H, W] (false for [B, H, W]; undefined without masks). */
  maskHasChannel?: boolean;
}

/**
 * Checks what every random augmentation is given: an explicit generator, and
 * a batch of the right shapes and dtypes; throws an Error naming the
 * augmentation and what is wrong. Returns the batch's shape.
 */
export function checkInput(name: string, batch: AugBatch, generator: unknown): BatchInfo {
  checkGenerator(name, generator);
  const { inputs, targets, masks } = batch;
  if (!(inputs instanceof Tensor)) throw new TypeError(`${name}: batch.inputs must be a Tensor`);
  if (!(targets instanceof Tensor)) throw new TypeError(`${name}: batch.targets must be a Tensor`);
  const s = inputs.shape;
  if (s.length !== 4) throw new Error(`${name}: inputs must be [B, C, H, W], got [${s.join(", ")}]`);
  const dtype = inputs.dtype;
  if (!isFloating(dtype)) throw new Error(`${name}: inputs must be floating point, got ${dtype} (convert with .float())`);
  const [B, C, H, W] = s;
  const t = targets.shape;
  if (t.length < 1 || t.length > 2 || t[0] !== B) {
    throw new Error(`${name}: targets must be [B] class ids or [B, K] soft labels with B = ${B}, got [${t.join(", ")}]`);
  }
  const info: BatchInfo = { B, C, H, W, dtype, device: inputs.device };
  if (masks !== undefined) {
    if (!(masks instanceof Tensor)) throw new TypeError(`${name}: batch.masks must be a Tensor when present`);
    const m = masks.shape;
    const ok3 = m.length === 3 && m[0] === B && m[1] === H && m[2] === W;
    const ok4 = m.length === 4 && m[0] === B && m[1] === 1 && m[2] === H && m[3] === W;
    if (!ok3 && !ok4) {
      throw new Error(`${name}: masks must be [B, H, W] or [B, 1, H, W] matching inputs [${s.join(", ")}], got [${m.join(", ")}]`);
    }
    if (isFloating(masks.dtype)) throw new Error(`${name}: masks must hold integer class ids, got ${masks.dtype}`);
    info.maskHasChannel = ok4;
  }
  return info;
}

/** A new handle over the same storage (no copy): how unchanged fields are returned. */
export function alias(t: Tensor): Tensor {
  return ops.alias(t);
}

/**
 * The result batch: extra fields of the input pass through, `inputs`,
 * `targets` and `masks` are replaced (aliases of the input's when not given).
 */
export function rebuild<B extends AugBatch>(batch: B, changed: Partial<AugBatch>): B {
  const out = { ...batch } as B;
  out.inputs = changed.inputs ?? alias(batch.inputs);
  out.targets = changed.targets ?? alias(batch.targets);
  if (batch.masks !== undefined) out.masks = changed.masks ?? alias(batch.masks);
  return out;
}

/**
 * Uniform [0, 1) numbers from the generator, drawn on the CPU (the generator
 * is a CPU generator) in float64 unless a dtype is given, then moved to `device`.
 */
export function uniform(shape: readonly number[], generator: Generator, device: Device = "cpu", dtype: DType = "float64"): Tensor {
  const u = ops.rand_generator(shape, { generator, dtype });
  return device === "cpu" ? u : u.to({ device });
}

/** Standard normal numbers from the generator (drawn on the CPU), moved to `device`. */
export function normal(shape: readonly number[], generator: Generator, device: Device, dtype: DType): Tensor {
  const n = ops.randn_generator(shape, { generator, dtype });
  return device === "cpu" ? n : n.to({ device });
}

export function checkProbability(name: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${name}: p must be in [0, 1], got ${p}`);
}

export function checkGenerator(name: string, generator: unknown): asserts generator is Generator {
  if (generator === undefined || generator === null || typeof (generator as Generator).id !== "number") {
    throw new TypeError(`${name}: options.generator is required (every random number comes from an explicit generator, e.g. the run's 'augment' stream)`);
  }
}

/**
 * Targets as soft labels [B, K]: int64 class ids become one-hot float32 rows
 * (numClasses required); [B, K] floating targets are taken as they are.
 */
export function softTargets(name: string, targets: Tensor, numClasses: number | undefined): Tensor {
  const s = targets.shape;
  if (s.length === 2) {
    if (!isFloating(targets.dtype)) throw new Error(`${name}: [B, K] targets must be floating point soft labels, got ${targets.dtype}`);
    if (numClasses !== undefined && numClasses !== s[1]) {
      throw new Error(`${name}: numClasses is ${numClasses} but the soft targets have ${s[1]} columns`);
    }
    return targets;
  }
  if (numClasses === undefined || !Number.isInteger(numClasses) || numClasses < 1) {
    throw new Error(`${name}: class-id targets need options.numClasses (a positive integer) to become soft labels`);
  }
  if (targets.dtype !== "int64") throw new Error(`${name}: [B] targets must be int64 class ids, got ${targets.dtype}`);
  if (s[0] > 0) {
    const lo = targets.min().item();
    const hi = targets.max().item();
    if (lo < 0 || hi >= numClasses) throw new RangeError(`${name}: class ids must be in [0, ${numClasses}), got values in [${lo}, ${hi}]`);
  }
  return ops.one_hot(targets, { num_classes: numClasses }).to("float32");
}

/** A random permutation of 0..B-1 from the generator (drawn on the CPU), on `device`. */
export function permutation(B: number, generator: Generator, device: Device): Tensor {
  const p = ops.randperm_generator(B, { generator, dtype: "int64" });
  return device === "cpu" ? p : p.to({ device });
}
