/**
 * The demo's study: three Fashion-MNIST variants that differ in one thing each
 * (dropout; the optimizer). Its own module so that worker threads can rebuild
 * the variants (the parallel schedule, and batch prefetching).
 */
import { mlp } from "../torch/nn/index.ts";
import * as optim from "../torch/optim/index.ts";
import { fashionMnistData } from "../study/data-specs.ts";
import { defineStudy, type StudySpec } from "../study/define.ts";

/** Hidden width of the MLP 784-HIDDEN-10 (the reference model of docs/engine.md, "Reference numbers"). */
const HIDDEN = 256;

export function demoStudy(epochs = 3, limit?: number): StudySpec {
  return defineStudy({
    name: "fmnist-demo",
    data: fashionMnistData({ validation: 5000, limit }),
    batchSize: 128,
    epochs,
    evalEvery: 50,
    variants: {
      adam: () => ({ model: mlp([784, HIDDEN, 10]), optimizer: (p) => optim.adam(p, { lr: 1e-3 }) }),
      "adam-dropout": () => ({ model: mlp([784, HIDDEN, 10], { dropout: 0.2 }), optimizer: (p) => optim.adam(p, { lr: 1e-3 }) }),
      sgd: () => ({ model: mlp([784, HIDDEN, 10]), optimizer: (p) => optim.sgd(p, { lr: 0.05, momentum: 0.9 }) }),
    },
  });
}

export default demoStudy();
