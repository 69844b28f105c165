/**
 * Scripted PyTorch models as twin variants: trained side by side with a
 * native one, reproducible across reruns, identical under the sequential and
 * parallel schedules (their dropout drawn from each variant's dropout stream
 * through the global-generator swap), and resumed bit-identically.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/torch/index.ts";
import { native } from "../../src/torch/native.ts";
import { twinTrain, type TwinConfig, type TwinResult } from "../../src/twin/index.ts";
import { blobSplit } from "../twin/fixtures/blobs.ts";
import { variants } from "./fixtures/scripted-study.ts";
import { runPython, pythonTorchProblem } from "../torch/py/python.ts";

const MODULE = { path: fileURLToPath(new URL("./fixtures/scripted-study.ts", import.meta.url)) };
const NAMES = ["scripted", "scripted-twin-init", "native"];
const { train: TRAIN, validation: VALIDATION } = blobSplit(3);

let dir = "";

before(() => {
  const problem = pythonTorchProblem();
  if (problem) assert.fail(problem);
  dir = mkdtempSync(join(tmpdir(), "twin-torchscript-twin-"));
  runPython("torchscript_ref.py", { dir, steps: 1, batch: 1, fixtures: true });
  process.env.TWIN_TEST_SCRIPTED = dir;
});

after(() => {
  delete process.env.TWIN_TEST_SCRIPTED;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function config(overrides: Partial<TwinConfig> = {}): TwinConfig {
  return {
    study: "scripted",
    variants,
    train: TRAIN,
    validation: VALIDATION,
    batchSize: 32,
    epochs: 2,
    evalEvery: 4,
    evalBatchSize: 48,
    seed: { root: 11 },
    ...overrides,
  };
}

function sameNumbers(a: TwinResult, b: TwinResult): void {
  for (const v of NAMES) {
    assert.equal(a.variants[v].status, "finished", `${v}: ${a.variants[v].error ?? ""}`);
    assert.equal(a.variants[v].weightsHash, b.variants[v].weightsHash, v);
    assert.deepEqual(a.variants[v].epochs, b.variants[v].epochs, v);
  }
  assert.deepEqual(a.controlSumsByStep, b.controlSumsByStep);
  assert.deepEqual(a.controlSums, b.controlSums);
  assert.equal(a.runChain, b.runChain);
}

test("scripted variants train beside a native one; reruns, parallel and worker schedules are bit-identical", async () => {
  const tensors = torch.memory().tensors;
  const first = await twinTrain(config());
  const again = await twinTrain(config());
  const parallel = await twinTrain(config({ variantsModule: MODULE, schedule: "parallel", workers: 3 }));
  const shared = await twinTrain(config({ variantsModule: MODULE, schedule: "parallel", workers: 2 }));
  sameNumbers(first, again);
  sameNumbers(first, parallel);
  sameNumbers(first, shared);
  // init "twin" draws the scripted MLP exactly as the native nn.mlp of the same shape.
  assert.deepEqual(first.initialLayerHashes?.["scripted-twin-init"], first.initialLayerHashes?.native);
  assert.notDeepEqual(first.initialLayerHashes?.scripted, first.initialLayerHashes?.native);
  // ... and then trains exactly as it: the same masks from the same dropout stream, the same weights at the end.
  assert.equal(first.variants["scripted-twin-init"].weightsHash, first.variants.native.weightsHash);
  assert.deepEqual(first.variants["scripted-twin-init"].epochs, first.variants.native.epochs);
  // Dropout in the scripted code is drawn from the variant's dropout stream: one draw per training step, as native dropout's one mask.
  const draws = (v: string) => first.controlSums.find((c) => c.stream === `dropout@${v}`)!.draws;
  assert.equal(draws("scripted"), first.steps);
  assert.equal(draws("native"), first.steps);
  const state = (v: string) => first.controlSums.find((c) => c.stream === `dropout@${v}`)!.chain;
  assert.equal(state("scripted"), state("native"));
  assert.ok(first.variants.scripted.final!.accuracy > 0.5, `scripted variant learned (${first.variants.scripted.final!.accuracy})`);
  assert.equal(torch.memory().tensors, tensors, "no tensors leaked");
  assert.equal(native.liveScriptedModules(), 0, "every scripted module was freed");
});

test("a scripted run resumes from a checkpoint bit-identically", async () => {
  const ckpt = mkdtempSync(join(tmpdir(), "twin-torchscript-ckpt-"));
  try {
    const full = await twinTrain(config());
    const partial = await twinTrain(config({ checkpoint: { dir: ckpt, every: 3 }, stopAfter: 7 }));
    assert.equal(partial.completed, false);
    const resumed = await twinTrain(config({ checkpoint: { dir: ckpt, every: 3 } }));
    sameNumbers(full, resumed);
  } finally {
    rmSync(ckpt, { recursive: true, force: true });
  }
});
