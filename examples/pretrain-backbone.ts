/**
 * Step 1 of Picard's pretraining question at Fashion-MNIST scale: train the
 * CNN of examples/pretrain-finetune.study.ts on classes 0–4 (T-shirt, trouser,
 * pullover, dress, coat) once, from one fixed seed, and save its weights.
 * Step 2 (the study) fine-tunes only a re-drawn head on classes 5–9 over many
 * seeds and compares the seed spread with training from scratch.
 *
 *   npx tsx examples/pretrain-backbone.ts            # writes examples/weights/fmnist-classes-0-4-cnn.safetensors
 *   npx twin compare examples/pretrain-finetune.study.ts --seeds 12
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { data, nn, optim, rng, torch } from "twin";
import { PRETRAINED_WEIGHTS, backbone } from "./pretrain-model.ts";

const SEED = 3407;
const EPOCHS = 2;

torch.setNumThreads(1);
const { train, test } = data.fashionMnist();
const source = data.classSubset(train, [0, 1, 2, 3, 4]);
const heldOut = data.classSubset(test, [0, 1, 2, 3, 4]);
const streams = new rng.Streams({ root: SEED });
const model = backbone();
model.initialize((path, shape) => streams.parameterGenerator(path, shape), { disposeGenerators: true });
const opt = optim.adam(model.parameters(), { lr: 1e-3 });
const loader = new data.Loader(source, { batchSize: 128, order: streams.stream("order"), normalize: data.FASHION_MNIST_NORMALIZE });
const steps = EPOCHS * loader.batchesPerEpoch;
for (let step = 0; step < steps; step++) {
  torch.scope(() => {
    const b = loader.next();
    opt.zeroGrad();
    const loss = nn.crossEntropy(model.forward(b.inputs), b.targets);
    loss.backward();
    opt.step();
    if ((step + 1) % 100 === 0) process.stderr.write(`step ${step + 1}/${steps}  loss ${loss.item().toFixed(4)}\n`);
  });
}
model.eval();
let correct = 0, total = 0;
const evalLoader = new data.Loader(heldOut, { batchSize: 500, normalize: data.FASHION_MNIST_NORMALIZE });
torch.noGrad(() => {
  for (const b of evalLoader.sequential()) {
    torch.scope(() => {
      correct += nn.accuracy(model.forward(b.inputs), b.targets) * b.indices.length;
      total += b.indices.length;
    });
  }
});
const out = fileURLToPath(PRETRAINED_WEIGHTS);
mkdirSync(dirname(out), { recursive: true });
torch.saveSafetensors(out, model.stateDict(), { source: "fashion-mnist classes 0-4", seed: String(SEED), epochs: String(EPOCHS) });
process.stdout.write(`test accuracy on classes 0–4: ${((100 * correct) / total).toFixed(2)}% (${total} images)\nwrote ${out}\n`);
