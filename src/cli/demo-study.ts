/**
 * The demo's study: three Fashion-MNIST variants that differ in one thing each
 * (dropout; the optimizer). Its own module so that worker threads can rebuild
 * the variants (the parallel schedule, and batch prefetching).
 */
import { mlp } from "../torch/nn/index.ts";
import * as optim from "../torch/optim/index.ts";
import { fashionMnistData } from "../study/data-specs.ts";
import { defineStudy, type StudySpec } from "../study/define.ts";

// The demo's settings, each with its reason.
/** Hidden width of the MLP 784-256-10, the reference model of docs/engine.md ("Reference numbers"): about 87% validation accuracy after 3 epochs. */
const HIDDEN = 256;
/** Adam's default learning rate (Kingma & Ba), the setting most readers compare against. */
const ADAM_LR = 1e-3;
/** Dropout 0.2 on the hidden layer: a common light setting, so the comparison asks a real question (does it help at 3 epochs?). */
const DROPOUT = 0.2;
/** SGD with momentum 0.9 at 0.05: a standard pairing that trains this MLP in the same 3 epochs, so the optimizers are compared at equal budgets. */
const SGD_LR = 0.05;
const SGD_MOMENTUM = 0.9;
/** Batch size 128: 429 steps per epoch on the 55 000 images left for training, enough steps for the curves, quick on a CPU. */
const BATCH_SIZE = 128;
/** 5000 validation images held out of the training set (a fresh split per seed, from its split stream). */
const VALIDATION = 5000;

export function demoStudy(epochs = 3, limit?: number): StudySpec {
  return defineStudy({
    name: "fmnist-demo",
    data: fashionMnistData({ validation: VALIDATION, limit }),
    batchSize: BATCH_SIZE,
    epochs,
    variants: {
      adam: () => ({ model: mlp([784, HIDDEN, 10]), optimizer: (p) => optim.adam(p, { lr: ADAM_LR }) }),
      "adam-dropout": () => ({ model: mlp([784, HIDDEN, 10], { dropout: DROPOUT }), optimizer: (p) => optim.adam(p, { lr: ADAM_LR }) }),
      sgd: () => ({ model: mlp([784, HIDDEN, 10]), optimizer: (p) => optim.sgd(p, { lr: SGD_LR, momentum: SGD_MOMENTUM }) }),
    },
  });
}

export default demoStudy();
