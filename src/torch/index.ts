/** twin's tensor engine over libtorch: `import { torch } from "twin"`. */
export { Tensor } from "./tensor.ts";
export type { TensorOrScalar } from "./tensor.ts";
export { Generator } from "./generator.ts";
export { scope, scopeDepth } from "./scope.ts";
export * from "./creation.ts";
export * from "./runtime.ts";
export type { DType, Device, Layout, MemoryFormat, Scalar, TypedArray } from "./dtype.ts";
export { isFloating } from "./dtype.ts";
export * as ops from "./generated/ops.ts";
export * as nn from "./nn/index.ts";
export * as optim from "./optim/index.ts";
export { saveSafetensors, loadSafetensors, encodeSafetensors, decodeSafetensors, saveStateTree, loadStateTree, saveOptimizer, loadOptimizer } from "./safetensors.ts";
export type { SafetensorsFile, TensorTree } from "./safetensors.ts";
