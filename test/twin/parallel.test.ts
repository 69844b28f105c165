import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/torch/index.ts";
import { blobRunConfig, noise, toyVariantsAs } from "./fixtures/blob-run.ts";
import { assignVariants, twinTrain, type TwinConfig, type TwinResult } from "../../src/twin/index.ts";

const MODULE = { path: fileURLToPath(new URL("./fixtures/toy-study.ts", import.meta.url)) };

function config(names: string[], overrides: Partial<TwinConfig> = {}): TwinConfig {
  const picked = toyVariantsAs(Object.fromEntries(names.map((n) => [n, n])));
  return blobRunConfig({ study: "toy-parallel", variants: picked, dataSeed: 3, rootSeed: 11, epochs: 2, augment: noise }, overrides);
}

function sameNumbers(a: TwinResult, b: TwinResult, names: string[]): void {
  for (const v of names) {
    assert.equal(a.variants[v].status, b.variants[v].status, v);
    assert.equal(a.variants[v].weightsHash, b.variants[v].weightsHash, v);
    assert.deepEqual(a.variants[v].epochs, b.variants[v].epochs, v);
    assert.deepEqual(a.variants[v].predictions, b.variants[v].predictions, v);
  }
  assert.deepEqual(a.batchChecksums, b.batchChecksums);
  assert.deepEqual(a.controlSumsByStep, b.controlSumsByStep);
  assert.deepEqual(a.controlSums, b.controlSums);
  assert.equal(a.runChain, b.runChain);
  assert.deepEqual(a.initialLayerHashes, b.initialLayerHashes);
}

const NAMES = ["base", "dropout", "wide"];

test("parallel and worker-sequential schedules are bit-identical to the in-process sequential run", async () => {
  const before = torch.memory().tensors;
  const inProcess = await twinTrain(config(NAMES));
  const sequentialWorker = await twinTrain(config(NAMES, { variantsModule: MODULE }));
  const parallel = await twinTrain(config(NAMES, { variantsModule: MODULE, schedule: "parallel", workers: 3 }));
  const shared = await twinTrain(config(NAMES, { variantsModule: MODULE, schedule: "parallel", workers: 2 }));
  assert.equal(parallel.schedule, "parallel");
  sameNumbers(inProcess, sequentialWorker, NAMES);
  sameNumbers(inProcess, parallel, NAMES);
  sameNumbers(inProcess, shared, NAMES);
  assert.equal(torch.memory().tensors, before, "no tensors leaked by workers or shared batches");
});

test("variants beyond the worker count share workers round-robin", () => {
  assert.deepEqual(assignVariants(["a", "b", "c", "d", "e"], 2), [["a", "c", "e"], ["b", "d"]]);
  assert.deepEqual(assignVariants(["a", "b"], 8), [["a"], ["b"]]);
});

test("parallel: a diverging variant and a failing variant are stopped and reported; the others go on", async () => {
  const r = await twinTrain(config(["base", "exploding", "broken"], { variantsModule: MODULE, schedule: "parallel", workers: 3 }));
  assert.equal(r.variants.base.status, "finished");
  assert.equal(r.variants.exploding.status, "diverged");
  assert.equal(r.variants.broken.status, "failed");
  assert.match(r.variants.broken.error!, /fails on its third call/);
  const seq = await twinTrain(config(["base", "exploding", "broken"]));
  assert.equal(seq.variants.base.weightsHash, r.variants.base.weightsHash);
});

test("parallel: resume from a checkpoint is bit-identical", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-par-ckpt-"));
  try {
    const full = await twinTrain(config(NAMES));
    const partial = await twinTrain(config(NAMES, { variantsModule: MODULE, schedule: "parallel", checkpoint: { dir, every: 3 }, stopAfter: 7 }));
    assert.equal(partial.completed, false);
    const resumed = await twinTrain(config(NAMES, { variantsModule: MODULE, schedule: "parallel", checkpoint: { dir, every: 3 } }));
    sameNumbers(full, resumed, NAMES);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a bad variants module is a clear error and leaves nothing running", async () => {
  const before = torch.memory().tensors;
  await assert.rejects(
    () => twinTrain(config(["base"], { variantsModule: { path: MODULE.path, exportName: "nope" }, schedule: "parallel" })),
    /export 'nope' has no 'variants'/,
  );
  await assert.rejects(() => twinTrain(config(["base"], { schedule: "parallel" })), /must come from a module/);
  assert.equal(torch.memory().tensors, before);
});

test("a checkpoint written while the next batch was already prepared resumes bit-identically", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-prefetch-ckpt-"));
  try {
    const full = await twinTrain(config(NAMES));
    await twinTrain(config(NAMES, { variantsModule: MODULE, checkpoint: { dir, every: 3 }, stopAfter: 7 }));
    // Drop the final checkpoint (step 7): the one left (step 6) was written with batch 7 prefetched.
    rmSync(join(dir, "step-00000007"), { recursive: true });
    const resumed = await twinTrain(config(NAMES, { variantsModule: MODULE, checkpoint: { dir, every: 3 } }));
    sameNumbers(full, resumed, NAMES);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an abort signal (Ctrl-C) stops all workers, leaves a resumable checkpoint, and leaks nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-abort-"));
  const before = torch.memory().tensors;
  try {
    const full = await twinTrain(config(NAMES));
    const controller = new AbortController();
    const stopped = await twinTrain(
      config(NAMES, {
        variantsModule: MODULE,
        schedule: "parallel",
        checkpoint: { dir, every: 100 },
        signal: controller.signal,
        onProgress: (p) => { if (p.step === 5) controller.abort(); },
      }),
    );
    assert.equal(stopped.stopped, true);
    assert.equal(stopped.completed, false);
    // The step in hand finishes (with workers running one step ahead, possibly the next one too).
    assert.ok(stopped.steps === 5 || stopped.steps === 6, `stopped after step ${stopped.steps}`);
    assert.equal(torch.memory().tensors, before);
    const resumed = await twinTrain(config(NAMES, { variantsModule: MODULE, schedule: "parallel", checkpoint: { dir, every: 100 } }));
    sameNumbers(full, resumed, NAMES);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("no worker threads outlive a run, whether it finishes, fails or is stopped", async () => {
  const { readdirSync } = await import("node:fs");
  const threads = () => readdirSync("/proc/self/task").length;
  const settle = async () => {
    // Terminated worker threads leave the task list a moment after terminate() resolves.
    for (let i = 0; i < 50 && threads() > baseline; i++) await new Promise((r) => setTimeout(r, 20));
  };
  await twinTrain(config(["base"], { variantsModule: MODULE, schedule: "parallel", steps: 2 }));
  const baseline = threads();
  await twinTrain(config(NAMES, { variantsModule: MODULE, schedule: "parallel", steps: 4 }));
  await settle();
  assert.equal(threads(), baseline, "after a finished run");
  await assert.rejects(() => twinTrain(config(["base"], { variantsModule: { path: MODULE.path, exportName: "nope" }, schedule: "parallel" })));
  await settle();
  assert.equal(threads(), baseline, "after a run that failed to start");
  const controller = new AbortController();
  await twinTrain(config(NAMES, { variantsModule: MODULE, schedule: "parallel", signal: controller.signal, onProgress: () => controller.abort() }));
  await settle();
  assert.equal(threads(), baseline, "after a stopped run");
});
