/**
 * A seed scan in the manner of Picard ("torch.manual_seed(3407) is all you
 * need", 2021): one small model, trained briefly, over many seeds, to see the
 * whole distribution the seed alone produces: its spread, its black swans,
 * and how the best and worst seed found keep moving as more seeds are scanned.
 *
 *   npx twin seeds examples/fmnist-picard.study.ts --n 1000 --jobs 2 --json > picard.json
 *   npx tsx examples/picard-range.ts picard.json     # min / max / range against seeds scanned
 *
 * Every run is recorded in the store: stop at any time and run the same command
 * again to continue; a larger --n adds seeds to the ones already scanned.
 */
import { defineStudy, fashionMnistData, nn, optim } from "twin";

export default defineStudy({
  name: "fmnist-picard",
  // 12,000 training images, 2,000 of them held out per run: enough for the seed to matter, small enough for 1,000 runs.
  data: fashionMnistData({ validation: 2000, limit: 12000 }),
  batchSize: 64,
  steps: 150,
  evalEvery: 150,
  variants: {
    mlp: () => ({ model: nn.mlp([784, 64, 10]), optimizer: (p) => optim.sgd(p, { lr: 0.05, momentum: 0.9 }) }),
  },
});
