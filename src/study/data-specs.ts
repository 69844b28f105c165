/** Ready-made data specs for studies. */
import { fashionMnist } from "../data/datasets/fashion-mnist.ts";
import { takeFirst } from "../data/host/dataset.ts";
import { classSubset } from "../data/host/class-subset.ts";
import { FASHION_MNIST_NORMALIZE } from "../data/to-tensor.ts";
import type { DataSpec } from "./define.ts";

/**
 * Fashion-MNIST: 60k training images (optionally the first `limit`), `validation` held out per run;
 * `classes` keeps those classes only, relabelled 0..k−1 in that order (train and test).
 */
export function fashionMnistData(options: { validation?: number; limit?: number; stratified?: boolean; classes?: readonly number[] } = {}): DataSpec {
  return {
    name: options.classes ? `fashion-mnist-classes-${options.classes.join("-")}` : "fashion-mnist",
    validation: options.validation ?? 5000,
    stratified: options.stratified ?? true,
    normalize: FASHION_MNIST_NORMALIZE,
    load: () => {
      const all = fashionMnist();
      const [train, test] = options.classes ? [classSubset(all.train, options.classes), classSubset(all.test, options.classes)] : [all.train, all.test];
      return { train: options.limit === undefined ? train : takeFirst(train, options.limit), test };
    },
  };
}
