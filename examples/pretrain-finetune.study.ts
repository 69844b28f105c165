/**
 * Picard's pretraining question ("torch.manual_seed(3407) is all you need",
 * 2021, on ImageNet: with a pretrained backbone and only the classification
 * head re-drawn, the seed spread shrank but did not vanish) at Fashion-MNIST
 * scale: on classes 5–9 (sandal, shirt, sneaker, bag, ankle boot), fine-tune
 * only a re-drawn head on the backbone pretrained on classes 0–4, against the
 * same CNN trained from scratch, over the same seeds (twin-paired). The
 * verdict's spread line answers "does pretraining shrink the seed spread, and
 * by how much": the variance ratio with its Pitman–Morgan interval.
 *
 *   npx tsx examples/pretrain-backbone.ts                       # once: the pretrained weights
 *   npx twin compare examples/pretrain-finetune.study.ts --seeds 12
 */
import { fileURLToPath } from "node:url";
import { defineStudy, fashionMnistData, nn, optim } from "twin";
import { PRETRAINED_WEIGHTS, backbone } from "./pretrain-model.ts";

export default defineStudy({
  name: "fmnist-pretrain",
  data: fashionMnistData({ validation: 5000, classes: [5, 6, 7, 8, 9] }),
  batchSize: 128,
  epochs: 1,
  evalEvery: 100,
  seeds: 12,
  variants: {
    scratch: () => ({ model: backbone(), optimizer: (p) => optim.adam(p, { lr: 1e-3 }) }),
    pretrained: () => ({
      // the backbone from the file, kept fixed; the head (layer 9) drawn from each run's init stream
      model: nn.pretrained(backbone(), { weights: fileURLToPath(PRETRAINED_WEIGHTS), reinit: ["9.*"], freeze: ["0.*", "3.*", "7.*"] }),
      // a linear head on fixed features: a larger step than the whole network's
      optimizer: (p) => optim.adam(p, { lr: 1e-2 }),
    }),
  },
});
