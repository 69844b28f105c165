/**
 * Variants of the parallel-schedule benchmark (worker threads rebuild them from
 * this module): two CNNs conv32-conv64-fc128 and two MLPs 784-256-10 that
 * differ only in their learning rate.
 */
import { cnn, mlp } from "../src/torch/nn/index.ts";
import * as optim from "../src/torch/optim/index.ts";
import type { Tensor } from "../src/torch/tensor.ts";
import type { VariantFactory } from "../src/twin/index.ts";

export const cnnPair: Record<string, VariantFactory> = {
  "cnn-lr1e-3": () => ({ model: cnn(), optimizer: (p: Tensor[]) => optim.adam(p, { lr: 1e-3 }) }),
  "cnn-lr5e-4": () => ({ model: cnn(), optimizer: (p: Tensor[]) => optim.adam(p, { lr: 5e-4 }) }),
};

export const mlpPair: Record<string, VariantFactory> = {
  "mlp-lr1e-3": () => ({ model: mlp([784, 256, 10]), optimizer: (p: Tensor[]) => optim.adam(p, { lr: 1e-3 }) }),
  "mlp-lr5e-4": () => ({ model: mlp([784, 256, 10]), optimizer: (p: Tensor[]) => optim.adam(p, { lr: 5e-4 }) }),
};

export default { variants: { ...cnnPair, ...mlpPair } };
