/**
 * Twin training against separate runs: wall time of one K-variant twin run
 * against K single-variant runs of the same variants (same seeds, same data),
 * for an augmentation-heavy pipeline and a light one. Twin training augments
 * each batch once for all K variants, so the heavier the augmentation, the more
 * it saves. Writes bench/results/twin.json.
 *
 *   npm run bench:twin
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { fashionMnist, takeFirst, sliceRows, FASHION_MNIST_NORMALIZE, type Dataset } from "../src/data/index.ts";
import { standard } from "../src/data/augment/index.ts";
import { setNumThreads } from "../src/torch/runtime.ts";
import { mlp } from "../src/torch/nn/index.ts";
import * as optim from "../src/torch/optim/index.ts";
import { twinTrain, type Augment, type TwinConfig, type VariantFactory } from "../src/twin/index.ts";

/** Training examples per run (a Fashion-MNIST subset keeps the benchmark to a minute or two). */
const TRAIN_EXAMPLES = 20000;
const VALIDATION_EXAMPLES = 2000;
const BATCH = 128;
const EPOCHS = 1;
const REPEATS = 3;

const VARIANTS: Record<string, VariantFactory> = {
  adam: () => ({ model: mlp([784, 256, 10]), optimizer: (p) => optim.adam(p, { lr: 1e-3 }) }),
  dropout: () => ({ model: mlp([784, 256, 10], { dropout: 0.2 }), optimizer: (p) => optim.adam(p, { lr: 1e-3 }) }),
  sgd: () => ({ model: mlp([784, 256, 10]), optimizer: (p) => optim.sgd(p, { lr: 0.05, momentum: 0.9 }) }),
};

const PIPELINES: Record<string, Augment | undefined> = {
  // crop + flip + affine + erasing: the cost of a typical image-classification recipe
  heavy: standard({ crop: { size: 28, padding: 2 }, flip: true, affine: true, erasing: true }) as Augment,
  light: undefined,
};

function data(): { train: Dataset; validation: Dataset } {
  const { train } = fashionMnist();
  const all = takeFirst(train, TRAIN_EXAMPLES + VALIDATION_EXAMPLES);
  return {
    train: takeFirst(all, TRAIN_EXAMPLES),
    validation: { ...all, name: "validation", inputs: sliceRows(all.inputs, TRAIN_EXAMPLES), targets: sliceRows(all.targets, TRAIN_EXAMPLES) },
  };
}

async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

setNumThreads(1);
const { train, validation } = data();
const base = (variants: Record<string, VariantFactory>, augment: Augment | undefined): TwinConfig => ({
  study: "bench-twin", variants, train, validation, augment, normalize: FASHION_MNIST_NORMALIZE,
  batchSize: BATCH, epochs: EPOCHS, evalEvery: 50, seed: { root: 0 }, keepPredictions: false,
});

const cases = [];
for (const [name, augment] of Object.entries(PIPELINES)) {
  const k = Object.keys(VARIANTS).length;
  await twinTrain({ ...base(VARIANTS, augment), steps: 5 }); // warm-up
  const twin: number[] = [];
  const separate: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    twin.push(await seconds(() => twinTrain(base(VARIANTS, augment))));
    separate.push(await seconds(async () => { for (const [v, f] of Object.entries(VARIANTS)) await twinTrain(base({ [v]: f }, augment)); }));
  }
  const row = { name: `mlp-${name}-augmentation`, k, twin_s: +median(twin).toFixed(3), separate_s: +median(separate).toFixed(3), ratio: +(median(twin) / median(separate)).toFixed(3) };
  cases.push(row);
  console.log(`${row.name.padEnd(28)} k=${k}  twin ${row.twin_s.toFixed(2)} s  separate ${row.separate_s.toFixed(2)} s  ratio ${row.ratio.toFixed(3)}`);
}
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/twin.json", JSON.stringify({ cases, repeats: REPEATS, train_examples: TRAIN_EXAMPLES, epochs: EPOCHS, batch: BATCH }, null, 2) + "\n");
console.log("wrote bench/results/twin.json");
