/**
 * A seed-sensitivity study (Picard's "seed 3407" design, per factor): how much
 * does the final accuracy of one MLP move with the seed, and which source of
 * randomness moves it most?
 *   npx twin seeds examples/fmnist-seeds.study.ts --n 10
 *   npx twin seeds examples/fmnist-seeds.study.ts --n 6 --vary each
 */
import { defineStudy, fashionMnistData, nn, optim } from "twin";

export default defineStudy({
  name: "fmnist-seeds",
  data: fashionMnistData({ validation: 5000 }),
  batchSize: 128,
  epochs: 2,
  evalEvery: 100,
  variants: {
    mlp: () => ({ model: nn.mlp([784, 256, 10], { dropout: 0.1 }), optimizer: (p) => optim.adam(p, { lr: 1e-3 }) }),
  },
});
