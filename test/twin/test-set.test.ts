/**
 * The held-out test set (TwinConfig.test): every variant is evaluated on it
 * once, after the last step of a completed run; evaluating it changes nothing
 * in training; in-process and worker-thread hosts agree; a stopped run has no
 * test result.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { mlp } from "../../src/torch/nn/index.ts";
import * as optim from "../../src/torch/optim/index.ts";
import { twinTrain, type TwinConfig } from "../../src/twin/index.ts";
import { blobSplitWithTest } from "./fixtures/blobs.ts";
import { variants as moduleVariants } from "./fixtures/toy-study.ts";

const { train, validation, test: TEST } = blobSplitWithTest(3);
const MODULE = { path: fileURLToPath(new URL("./fixtures/toy-study.ts", import.meta.url)) };

function config(overrides: Partial<TwinConfig> = {}): TwinConfig {
  return {
    study: "held-out",
    variants: {
      base: () => ({ model: mlp([16, 32, 4]), optimizer: (p) => optim.sgd(p, { lr: 0.05, momentum: 0.9 }) }),
      dropout: () => ({ model: mlp([16, 32, 4], { dropout: 0.3 }), optimizer: (p) => optim.adam(p, { lr: 1e-2 }) }),
    },
    train,
    validation,
    batchSize: 32,
    epochs: 2,
    evalEvery: 4,
    seed: { root: 11 },
    ...overrides,
  };
}

function argmaxAccuracy(probs: Float32Array, labels: Int32Array, classes: number): number {
  let correct = 0;
  for (let e = 0; e < labels.length; e++) {
    const row = Array.from(probs.subarray(e * classes, (e + 1) * classes));
    if (row.indexOf(Math.max(...row)) === labels[e]) correct++;
  }
  return correct / labels.length;
}

test("each variant is scored on the test set once at the end; training is unchanged by it", async () => {
  const without = await twinTrain(config());
  const withTest = await twinTrain(config({ test: TEST }));
  assert.deepEqual(Array.from(withTest.testTargets), Array.from(TEST.targets.data as BigInt64Array, Number));
  assert.equal(without.testTargets.length, 0);
  for (const name of ["base", "dropout"]) {
    const a = without.variants[name]!, b = withTest.variants[name]!;
    assert.equal(a.test, undefined);
    assert.equal(b.weightsHash, a.weightsHash, "the test set changes no weight");
    assert.deepEqual(b.epochs, a.epochs, "nor any validation number");
    assert.deepEqual(b.predictions, a.predictions);
    assert.ok(b.test && b.test.accuracy > 0.6, `${name} learned: ${b.test?.accuracy}`);
    assert.equal(b.testPredictions!.length, 100 * 4);
    assert.equal(argmaxAccuracy(b.testPredictions!, withTest.testTargets, 4), b.test.accuracy);
  }
  assert.equal(withTest.runChain, without.runChain, "no stream drew for it");
});

test("worker-thread hosts give the same test results as the trainer's own thread; a stopped run has none", async () => {
  const names = { base: moduleVariants.base!, dropout: moduleVariants.dropout! };
  const inProcess = await twinTrain(config({ variants: names, test: TEST }));
  const parallel = await twinTrain(config({ variants: names, test: TEST, variantsModule: MODULE, schedule: "parallel", workers: 2 }));
  for (const name of ["base", "dropout"]) {
    assert.deepEqual(parallel.variants[name]!.test, inProcess.variants[name]!.test);
    assert.deepEqual(parallel.variants[name]!.testPredictions, inProcess.variants[name]!.testPredictions);
  }
  const stopped = await twinTrain(config({ variants: names, test: TEST, stopAfter: 5 }));
  assert.equal(stopped.completed, false);
  assert.equal(stopped.variants.base!.test, undefined);
  assert.equal(stopped.testTargets.length, 0);
});
