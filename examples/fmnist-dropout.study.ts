/**
 * An A/B study on Fashion-MNIST: does dropout 0.2 help an MLP 784-256-10?
 *   npx twin compare examples/fmnist-dropout.study.ts --seeds 8
 */
import { defineStudy, fashionMnistData, nn, optim } from "twin";

export default defineStudy({
  name: "fmnist-dropout",
  data: fashionMnistData({ validation: 5000 }),
  batchSize: 128,
  epochs: 3,
  evalEvery: 50,
  seeds: 8,
  variants: {
    baseline: () => ({ model: nn.mlp([784, 256, 10]), optimizer: (p) => optim.adam(p, { lr: 1e-3 }) }),
    dropout: () => ({ model: nn.mlp([784, 256, 10], { dropout: 0.2 }), optimizer: (p) => optim.adam(p, { lr: 1e-3 }) }),
  },
});
