/**
 * One case of the memory benchmark, in its own process (so that its peak
 * resident memory is its own): twin-trains the given U-Net variants on
 * Fashion-Seg and prints one JSON line with process.resourceUsage().maxRSS.
 *
 *   npx tsx bench/memory/child.ts '{"variants":["adam","adamw"],"steps":30, …}'
 *
 * With "variants": [] it builds the data and the models' inputs but trains
 * nothing (the baseline: Node, libtorch, the dataset).
 */
import { fashionSeg, FASHION_SEG_NUM_CLASSES } from "../../src/data/datasets/fashion-seg.ts";
import { horizontalFlip, randomCrop } from "../../src/data/augment/index.ts";
import { memory, setNumThreads } from "../../src/torch/runtime.ts";
import { unet } from "../../src/torch/nn/unet.ts";
import * as optim from "../../src/torch/optim/index.ts";
import { twinTrain, type TrainBatch, type VariantFactory } from "../../src/twin/index.ts";
import { segmentationMetrics } from "../../src/twin/segmentation-metrics.ts";
import type { Generator } from "../../src/torch/generator.ts";

export interface ChildConfig {
  variants: string[];
  steps: number;
  batch: number;
  size: number;
  base: number;
  depth: number;
  threads: number;
  validation: number;
}

const cfg = JSON.parse(process.argv[2]) as ChildConfig;
setNumThreads(cfg.threads);

const model = () => unet({ inChannels: 1, numClasses: FASHION_SEG_NUM_CLASSES, base: cfg.base, depth: cfg.depth });
/** Four variants of the same architecture (the same weight memory each), differing in the optimizer. */
const ALL: Record<string, VariantFactory> = {
  adam: () => ({ model: model(), optimizer: (p) => optim.adam(p, { lr: 1e-3 }) }),
  adam3: () => ({ model: model(), optimizer: (p) => optim.adam(p, { lr: 3e-3 }) }),
  adamw: () => ({ model: model(), optimizer: (p) => optim.adamw(p, { lr: 1e-3, weightDecay: 1e-2 }) }),
  sgd: () => ({ model: model(), optimizer: (p) => optim.sgd(p, { lr: 0.05, momentum: 0.9 }) }),
};

const { train, test } = fashionSeg({ train: cfg.batch * cfg.steps, test: cfg.validation, size: cfg.size });
const augment = (b: TrainBatch, g: Generator) => randomCrop(horizontalFlip(b, { generator: g }), { size: cfg.size, padding: 4, ignoreIndex: 0, generator: g });
const rssSetup = process.memoryUsage().rss;
const t0 = performance.now();
let stateBytes = 0;
let result: Record<string, unknown> = {};
if (cfg.variants.length > 0) {
  const r = await twinTrain({
    study: "bench-memory",
    variants: Object.fromEntries(cfg.variants.map((v) => [v, ALL[v]])),
    train,
    validation: test,
    normalize: { scale: 255 },
    augment,
    target: "masks",
    metrics: segmentationMetrics({ numClasses: FASHION_SEG_NUM_CLASSES }),
    batchSize: cfg.batch,
    steps: cfg.steps,
    evalEvery: 10,
    evalBatchSize: cfg.batch,
    seed: { root: 0 },
    // Between steps only weights, gradients, optimizer state and kept batches are alive.
    onProgress: () => {
      stateBytes = Math.max(stateBytes, memory().bytes);
    },
  });
  result = Object.fromEntries(Object.entries(r.variants).map(([k, v]) => [k, { status: v.status, loss: v.final?.loss, miou: v.final?.miou }]));
}
const usage = process.resourceUsage();
console.log(JSON.stringify({
  max_rss_mb: usage.maxRSS / 1024,
  rss_after_setup_mb: rssSetup / 2 ** 20,
  tensor_bytes_between_steps_mb: stateBytes / 2 ** 20,
  seconds: (performance.now() - t0) / 1000,
  variants: result,
}));
