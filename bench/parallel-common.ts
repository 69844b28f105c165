/** Shared set-up of the parallel benchmark: the cases and their data. */
import { fashionMnist, sliceRows, takeFirst, FASHION_MNIST_NORMALIZE, type Dataset } from "../src/data/index.ts";
import type { TwinConfig } from "../src/twin/index.ts";
import { cnnPair, mlpPair } from "./parallel-variants.ts";

/** The workloads of threads-against-processes table in docs/engine.md, "Threads". */
export const CASES = {
  cnn: { variants: cnnPair, batch: 64, steps: 300 },
  mlp: { variants: mlpPair, batch: 128, steps: 2000 },
} as const;
export type CaseName = keyof typeof CASES;

const VALIDATION = 500;

export function caseConfig(name: CaseName, only?: string): TwinConfig {
  const c = CASES[name];
  const { train } = fashionMnist();
  const all = takeFirst(train, 30000 + VALIDATION);
  const trainSet: Dataset = takeFirst(all, 30000);
  const validation: Dataset = { ...all, name: "validation", inputs: sliceRows(all.inputs, 30000), targets: sliceRows(all.targets, 30000) };
  const variants = only === undefined ? { ...c.variants } : { [only]: (c.variants as Record<string, TwinConfig["variants"][string]>)[only] };
  return {
    study: `bench-parallel-${name}`, variants, train: trainSet, validation, normalize: FASHION_MNIST_NORMALIZE,
    batchSize: c.batch, steps: c.steps, evalEvery: 0, seed: { root: 0 }, keepPredictions: false,
  };
}
