/**
 * The worked example of docs/torchscript.md: a torchvision-style scripted
 * segmentation model (forward returns {"out", "aux"}, dropout in its
 * classifier) as two twin variants, with and without the auxiliary loss
 * (test/nn/fixtures/scripted-seg-study.ts). Both learn; the dropout in the
 * scripted code draws one count per training step from each variant's stream;
 * the sequential and the parallel (worker threads) schedules give the same
 * numbers bit for bit; nothing leaks.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/torch/index.ts";
import { native } from "../../src/torch/native.ts";
import { fashionSeg } from "../../src/data/datasets/fashion-seg.ts";
import { twinTrain, type TwinConfig, type TwinResult } from "../../src/twin/index.ts";
import { variants, metrics } from "./fixtures/scripted-seg-study.ts";
import { runPython, pythonTorchProblem } from "../torch/py/python.ts";

const MODULE = { path: fileURLToPath(new URL("./fixtures/scripted-seg-study.ts", import.meta.url)) };
const { train, test: validation } = fashionSeg({ train: 96, test: 32, size: 32 });

let dir = "";

before(() => {
  const problem = pythonTorchProblem();
  if (problem) assert.fail(problem);
  dir = mkdtempSync(join(tmpdir(), "twin-torchscript-seg-"));
  runPython("torchscript_many_ref.py", { dir, dropoutSeed: 0 });
  process.env.TWIN_TEST_SCRIPTED = dir;
});

after(() => {
  delete process.env.TWIN_TEST_SCRIPTED;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const config = (overrides: Partial<TwinConfig> = {}): TwinConfig => ({
  study: "fcn-aux",
  variants,
  metrics,
  target: "masks",
  train,
  validation,
  normalize: { scale: 255 },
  batchSize: 16,
  steps: 18,
  evalEvery: 6,
  evalBatchSize: 32,
  seed: { root: 2 },
  ...overrides,
});

test("a Dict-output scripted model in a twin study: output \"out\" is the prediction, lastOutput(\"aux\") joins the loss; schedules agree bit for bit", async () => {
  const tensors = torch.memory().tensors;
  const losses: Record<string, number[]> = { fcn: [], "fcn+aux": [] };
  const sequential: TwinResult = await twinTrain(config({ onProgress: (p) => { for (const [k, v] of Object.entries(p.losses)) losses[k].push(v); } }));
  const parallel = await twinTrain(config({ variantsModule: MODULE, schedule: "parallel", workers: 2 }));
  for (const name of ["fcn", "fcn+aux"]) {
    const v = sequential.variants[name];
    assert.equal(v.status, "finished", `${name}: ${v.error ?? ""}`);
    const l = losses[name];
    assert.ok((l.at(-1)! + l.at(-2)!) / 2 < 0.8 * (l[0] + l[1]) / 2, `${name} learned: loss ${l[0].toFixed(3)} → ${l.at(-1)!.toFixed(3)}`);
    assert.ok(Number.isFinite(v.final!.miou) && v.final!.miou > 0, `${name}: mIoU ${v.final!.miou}`);
    // The classifier's dropout, in the scripted code, draws from the variant's stream: one count per training step.
    assert.equal(sequential.controlSums.find((c) => c.stream === `dropout@${name}`)!.draws, sequential.steps);
    assert.equal(parallel.variants[name].weightsHash, v.weightsHash, `${name}: parallel schedule`);
    assert.deepEqual(parallel.variants[name].epochs, v.epochs, `${name}: parallel schedule`);
  }
  assert.deepEqual(parallel.controlSumsByStep, sequential.controlSumsByStep);
  assert.equal(parallel.runChain, sequential.runChain);
  // One file, one start: the variants differ by the aux loss alone.
  assert.deepEqual(sequential.initialLayerHashes.fcn, sequential.initialLayerHashes["fcn+aux"]);
  assert.notEqual(sequential.variants.fcn.weightsHash, sequential.variants["fcn+aux"].weightsHash);
  // The first step's loss of fcn+aux is out + 0.5·aux on the same batch and weights: larger than fcn's out alone.
  assert.ok(losses["fcn+aux"][0] > losses.fcn[0]);
  assert.equal(torch.memory().tensors, tensors, "no tensors leaked");
  assert.equal(native.liveScriptedModules(), 0, "every scripted module was freed");
});
