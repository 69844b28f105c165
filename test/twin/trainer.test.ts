import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRunTree } from "../../src/log/index.ts";
import * as torch from "../../src/torch/index.ts";
import { blobRunConfig, noise, toyVariantsAs } from "./fixtures/blob-run.ts";
import { mlp } from "../../src/torch/nn/index.ts";
import * as optim from "../../src/torch/optim/index.ts";
import { twinTrain, type TwinConfig, type TrainBatch } from "../../src/twin/index.ts";

function config(overrides: Partial<TwinConfig> = {}): TwinConfig {
  return blobRunConfig({ study: "toy", variants: toyVariantsAs({ base: "base", dropout: "dropout" }), dataSeed: 1, rootSeed: 7, epochs: 3, augment: noise }, overrides);
}

test("the same root seed gives bitwise identical weights, metrics, checksums and logs", async () => {
  const dirA = mkdtempSync(join(tmpdir(), "twin-a-"));
  const dirB = mkdtempSync(join(tmpdir(), "twin-b-"));
  try {
    const a = await twinTrain(config({ logdir: dirA }));
    const b = await twinTrain(config({ logdir: dirB }));
    assert.equal(a.completed, true);
    for (const v of ["base", "dropout"]) {
      assert.equal(a.variants[v].status, "finished");
      assert.equal(a.variants[v].weightsHash, b.variants[v].weightsHash);
      assert.deepEqual(a.variants[v].epochs, b.variants[v].epochs);
      assert.deepEqual(a.variants[v].predictions, b.variants[v].predictions);
    }
    assert.ok(a.variants.base.final!.accuracy > 0.6, `learned something: ${a.variants.base.final!.accuracy}`);
    assert.deepEqual(a.batchChecksums, b.batchChecksums);
    assert.equal(a.runChain, b.runChain);
    // Everything but the wall-clock time must match.
    const series = (dir: string) =>
      readRunTree(dir, { prefer: "jsonl" }).map((r) => [r.variant, r.seed, Object.fromEntries(Object.entries(r.scalars).map(([k, pts]) => [k, pts.map((p) => [p.step, p.value])]))]);
    assert.deepEqual(series(dirA), series(dirB));
  } finally {
    rmSync(dirA, { recursive: true, force: true });
    rmSync(dirB, { recursive: true, force: true });
  }
});

test("event files parse back to the logged values", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-tb-"));
  try {
    const r = await twinTrain(config({ logdir: dir }));
    const runs = readRunTree(dir);
    const base = runs.find((x) => x.variant === "base")!;
    assert.equal(base.study, "toy");
    const val = base.scalars["val/accuracy"];
    assert.equal(val.length, 3);
    assert.equal(val.at(-1)!.value, Math.fround(r.variants.base.final!.accuracy));
    const drop = runs.find((x) => x.variant === "dropout")!;
    const paired = drop.scalars["paired/val/accuracy"].at(-1)!.value;
    assert.equal(paired, Math.fround(r.variants.dropout.final!.accuracy - r.variants.base.final!.accuracy));
    assert.equal(base.scalars["train/loss"].length, r.steps);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("changing only the order seed changes the batches and nothing drawn by other streams", async () => {
  const a = await twinTrain(config({ seed: { root: 7 } }));
  const b = await twinTrain(config({ seed: { root: 7, factors: { order: 8 } } }));
  assert.notDeepEqual(a.batchChecksums, b.batchChecksums);
  const state = (r: typeof a, s: string) => r.controlSums.find((c) => c.stream === s)!;
  for (const s of ["init", "augment", "eval", "dropout@base", "dropout@dropout"]) {
    assert.equal(state(a, s).state, state(b, s).state, s);
    assert.equal(state(a, s).draws, state(b, s).draws, s);
  }
  assert.notEqual(state(a, "order").state, state(b, "order").state);
});

test("an extra draw slipped into augmentation is caught at the step where it happened", async () => {
  const clean = await twinTrain(config());
  let step = 0;
  const sneaky = await twinTrain(
    config({
      augment: (b, g) => {
        if (step++ === 5) torch.rand([1], { generator: g });
        return { ...b, inputs: b.inputs.add(torch.randnLike(b.inputs, g).mul(0.1)) };
      },
    }),
  );
  const first = clean.controlSumsByStep.findIndex((sums, i) => JSON.stringify(sums) !== JSON.stringify(sneaky.controlSumsByStep[i]));
  assert.equal(first, 5);
  const changed = sneaky.controlSumsByStep[5].filter((c, k) => c.state !== clean.controlSumsByStep[5][k].state).map((c) => c.stream);
  assert.deepEqual(changed, ["augment"]);
});

test("two identical variants stay bitwise identical to the end (dropout included)", async () => {
  const same = () => ({ model: mlp([16, 32, 4], { dropout: 0.2 }), optimizer: (p: torch.Tensor[]) => optim.adam(p, { lr: 1e-2 }) });
  const r = await twinTrain(config({ variants: { a: same, b: same } }));
  assert.equal(r.variants.a.weightsHash, r.variants.b.weightsHash);
  assert.deepEqual(r.variants.a.predictions, r.variants.b.predictions);
});

test("matching parameters start identical across different architectures", async () => {
  // Two variants that share layer 0 (16 -> 32) but differ after it: their first
  // layer starts from the same weights; after 0 steps both hashes of layer 0 agree.
  const r = await twinTrain(
    config({
      steps: 1,
      evalEvery: 0,
      variants: {
        small: () => ({ model: mlp([16, 32, 4]), optimizer: (p) => optim.sgd(p, { lr: 0 }) }),
        deep: () => ({ model: mlp([16, 32, 32, 4]), optimizer: (p) => optim.sgd(p, { lr: 0 }) }),
      },
    }),
  );
  assert.equal(r.variants.small.status, "finished");
  assert.deepEqual(r.initialLayerHashes?.small["0.weight"], r.initialLayerHashes?.deep["0.weight"]);
  assert.notDeepEqual(r.initialLayerHashes?.small["2.weight"], r.initialLayerHashes?.deep["2.weight"]);
});

test("a diverging variant is stopped and marked; the others go on", async () => {
  const r = await twinTrain(
    config({
      variants: {
        base: () => ({ model: mlp([16, 32, 4]), optimizer: (p) => optim.sgd(p, { lr: 0.05 }) }),
        exploding: () => ({ model: mlp([16, 32, 4]), optimizer: (p) => optim.sgd(p, { lr: 1e6 }) }),
      },
    }),
  );
  assert.equal(r.variants.base.status, "finished");
  assert.equal(r.variants.exploding.status, "diverged");
  assert.ok(r.variants.exploding.divergedAtStep! < r.steps);
});

test("a model that modifies its input in place breaks the twin contract with a clear error", async () => {
  const inPlace = () => {
    const m = mlp([16, 32, 4]);
    const forward = m.forward.bind(m);
    m.forward = (x: torch.Tensor) => forward(x.mul_(2));
    return { model: m, optimizer: (p: torch.Tensor[]) => optim.sgd(p, { lr: 0.01 }) };
  };
  await assert.rejects(() => twinTrain(config({ variants: { bad: inPlace, base: inPlace } })), /changed before variant 'base'/);
});

test("resume from a checkpoint is bit-identical to the uninterrupted run", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-ckpt-"));
  try {
    const full = await twinTrain(config());
    const partial = await twinTrain(config({ checkpoint: { dir, every: 5 }, stopAfter: 13 }));
    assert.equal(partial.completed, false);
    assert.equal(partial.steps, 13);
    const resumed = await twinTrain(config({ checkpoint: { dir, every: 5 } }));
    assert.equal(resumed.completed, true);
    for (const v of ["base", "dropout"]) {
      assert.equal(resumed.variants[v].weightsHash, full.variants[v].weightsHash, v);
      assert.deepEqual(resumed.variants[v].epochs, full.variants[v].epochs);
    }
    assert.deepEqual(resumed.batchChecksums, full.batchChecksums);
    assert.equal(resumed.runChain, full.runChain);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("no tensors leak from a twin run", async () => {
  const before = torch.memory().tensors;
  await twinTrain(config({ epochs: 1 }));
  assert.equal(torch.memory().tensors, before);
});

test("test-time augmentation is drawn from the eval stream, identically for every variant", async () => {
  const tta = (b: TrainBatch, g: torch.Generator) => ({ ...b, inputs: b.inputs.add(torch.randnLike(b.inputs, g).mul(0.05)) });
  const same = () => ({ model: mlp([16, 32, 4]), optimizer: (p: torch.Tensor[]) => optim.sgd(p, { lr: 0.05 }) });
  const dir = mkdtempSync(join(tmpdir(), "twin-tta-"));
  try {
    const a = await twinTrain(config({ variants: { a: same, b: same }, testAugment: tta, logdir: dir }));
    const evalStream = (r: typeof a) => r.controlSums.find((c) => c.stream === "eval")!;
    assert.equal(evalStream(a).draws, Math.floor(a.steps / 4));
    const runs = readRunTree(dir, { prefer: "jsonl" });
    const curve = (v: string) => runs.find((r) => r.variant === v)!.scalars["eval/loss"].map((p) => p.value);
    assert.deepEqual(curve("a"), curve("b"));
    const plain = await twinTrain(config({ variants: { a: same, b: same } }));
    assert.equal(evalStream(plain).draws, 0);
    assert.equal(plain.variants.a.weightsHash, a.variants.a.weightsHash, "evaluation never touches training");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a dropout stream counts every mask it hands out: one per dropout layer per training step, none in evaluation", async () => {
  const r = await twinTrain(config({ steps: 9 }));
  const draws = (s: string) => r.controlSumsByStep.map((sums) => sums.find((c) => c.stream === s)!.draws);
  assert.deepEqual(draws("dropout@dropout"), [1, 2, 3, 4, 5, 6, 7, 8, 9], "mlp([16, 32, 4], { dropout }) has one dropout layer");
  assert.deepEqual(draws("dropout@base"), Array(9).fill(0), "no dropout layer, no draws");
});
