/** Data: host-side readers, datasets, splits, the loader and augmentations. */
export * from "./host/index.ts";
export * from "./datasets/index.ts";
export * from "./split.ts";
export * from "./loader.ts";
export * from "./to-tensor.ts";
