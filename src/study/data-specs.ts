/** Ready-made data specs for studies. */
import { fashionMnist } from "../data/datasets/fashion-mnist.ts";
import { takeFirst } from "../data/host/dataset.ts";
import { FASHION_MNIST_NORMALIZE } from "../data/to-tensor.ts";
import type { DataSpec } from "./define.ts";

/** Fashion-MNIST: 60k training images (optionally the first `limit`), `validation` held out per run. */
export function fashionMnistData(options: { validation?: number; limit?: number; stratified?: boolean } = {}): DataSpec {
  return {
    name: "fashion-mnist",
    validation: options.validation ?? 5000,
    stratified: options.stratified ?? true,
    normalize: FASHION_MNIST_NORMALIZE,
    load: () => {
      const { train, test } = fashionMnist();
      return { train: options.limit === undefined ? train : takeFirst(train, options.limit), test };
    },
  };
}
