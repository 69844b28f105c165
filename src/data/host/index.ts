/**
 * Host-side data: plain typed arrays and the file formats that fill them
 * (IDX, NPY/NPZ, CSV, PNG/JPEG). No tensors here.
 */
export * from "./array.ts";
export * from "./dataset.ts";
export * from "./idx.ts";
export * from "./npy.ts";
export * from "./csv.ts";
export * from "./image.ts";
export * from "./class-subset.ts";
