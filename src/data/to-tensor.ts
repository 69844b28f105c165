/** Host arrays to tensors, with the input normalisation a dataset needs. */
import { tensor } from "../torch/creation.ts";
import { scope } from "../torch/scope.ts";
import type { Tensor } from "../torch/tensor.ts";
import type { HostArray } from "./host/array.ts";

export interface Normalize {
  /** Divide raw values by this first (255 for uint8 images). */
  scale?: number;
  mean?: number | number[];
  std?: number | number[];
}

/** Fashion-MNIST's training-set pixel mean and standard deviation (after /255). */
export const FASHION_MNIST_NORMALIZE: Normalize = { scale: 255, mean: 0.286, std: 0.353 };

export function hostToTensor(a: HostArray): Tensor {
  // libtorch 1.13 has no uint16/uint32: widen them to int32/int64 first.
  if (a.dtype === "uint16") return tensor(Int32Array.from(a.data as Uint16Array), { shape: a.shape });
  if (a.dtype === "uint32") return tensor(BigInt64Array.from(a.data as Uint32Array, BigInt), { shape: a.shape });
  return tensor(a.data as Float32Array, { shape: a.shape, dtype: a.dtype === "bool" ? "bool" : undefined });
}

/** Inputs as float32, scaled and normalised per channel (dimension 1). */
export function inputsToTensor(a: HostArray, norm: Normalize = {}): Tensor {
  return scope(() => {
    let x = hostToTensor(a);
    if (x.dtype !== "float32") x = x.float();
    if (norm.scale !== undefined && norm.scale !== 1) x = x.div(norm.scale);
    const channelShape = a.shape.map((s, i) => (i === 1 ? s : 1));
    const perChannel = (v: number | number[]) =>
      typeof v === "number" ? v : tensor(v, { shape: channelShape.length > 1 ? channelShape : [v.length] });
    if (norm.mean !== undefined) x = x.sub(perChannel(norm.mean));
    if (norm.std !== undefined) x = x.div(perChannel(norm.std));
    return x;
  });
}

/** Class targets as int64 (what cross-entropy wants); others as float32. */
export function targetsToTensor(a: HostArray): Tensor {
  const t = hostToTensor(a);
  if (a.dtype === "int64" || a.dtype === "float32") return t;
  const integral = a.dtype.startsWith("int") || a.dtype.startsWith("uint");
  return scope(() => t.to(integral ? "int64" : "float32"));
}
