/** Ready-made host datasets: Fashion-MNIST and image folders. */
export * from "./fashion-mnist.ts";
export * from "./image-folder.ts";
export * from "./fashion-seg.ts";
