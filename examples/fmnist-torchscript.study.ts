/**
 * Two PyTorch models, scripted in Python, compared by twin training on
 * Fashion-MNIST: does dropout 0.3 before the head help this CNN?
 *   /usr/bin/python3 examples/torchscript/export.py      (writes the two .pt files)
 *   npx twin compare examples/fmnist-torchscript.study.ts --seeds 8
 *
 * init: "twin" draws the initial weights from each run's init stream with
 * PyTorch's default rules, so every seed starts the two models from their own
 * draw (and layers of the same path and shape identical across the two);
 * init: "file" would start every seed from the weights saved in the file.
 */
import { defineStudy, fashionMnistData, nn, optim } from "twin";

const model = (file: string) => nn.torchscript(new URL(`./torchscript/${file}`, import.meta.url), { init: "twin" });

export default defineStudy({
  name: "fmnist-torchscript",
  data: fashionMnistData({ validation: 5000 }),
  batchSize: 128,
  epochs: 2,
  evalEvery: 100,
  seeds: 8,
  variants: {
    cnn: () => ({ model: model("cnn.pt"), optimizer: (p) => optim.adam(p, { lr: 1e-3 }) }),
    "cnn-dropout": () => ({ model: model("cnn-dropout.pt"), optimizer: (p) => optim.adam(p, { lr: 1e-3 }) }),
  },
});
