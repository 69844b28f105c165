import { test } from "node:test";
import assert from "node:assert/strict";
import { Loader, splitTrainValidation, hostArray, type Dataset } from "../../src/data/index.ts";
import { Streams } from "../../src/rng/index.ts";
import * as torch from "../../src/torch/index.ts";

function toy(n: number, classes = 4): Dataset {
  const inputs = hostArray(Float32Array.from({ length: n * 3 }, (_, i) => i), [n, 3]);
  const targets = hostArray(BigInt64Array.from({ length: n }, (_, i) => BigInt(i % classes)), [n]);
  return { name: "toy", inputs, targets };
}

test("loader order depends on the order stream only, and covers every example once per epoch", () => {
  const ds = toy(50);
  const order = (seed: number) => {
    const s = new Streams({ root: 1, factors: { order: seed } });
    const l = new Loader(ds, { batchSize: 10, order: s.stream("order") });
    const idx: number[] = [];
    for (let i = 0; i < 5; i++) idx.push(...l.nextIndices().indices);
    s.dispose();
    return idx;
  };
  const a = order(1);
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(order(1), a);
  assert.notDeepEqual(order(2), a);
});

test("dropLast, epochs and collation", () => {
  const ds = toy(25);
  const l = new Loader(ds, { batchSize: 10, dropLast: true });
  assert.equal(l.batchesPerEpoch, 2);
  const b = l.next();
  assert.deepEqual(b.inputs.shape, [10, 3]);
  assert.equal(b.targets.dtype, "int64");
  assert.deepEqual(b.inputs.toNumbers().slice(0, 3), [0, 1, 2]);
  l.next();
  assert.equal(l.next().epoch, 1);
  const keep = new Loader(ds, { batchSize: 10, dropLast: false });
  assert.equal(keep.batchesPerEpoch, 3);
  assert.equal([...keep.sequential()].at(-1)!.indices.length, 5);
  assert.throws(() => new Loader(ds, { batchSize: 30 }), /no full batch/);
});

test("loader state resumes the exact batch sequence", () => {
  const ds = toy(40);
  const s1 = new Streams({ root: 4 });
  const l1 = new Loader(ds, { batchSize: 8, order: s1.stream("order") });
  for (let i = 0; i < 7; i++) l1.nextIndices();
  const saved = { loader: l1.getState(), stream: s1.getState() };
  const rest1 = Array.from({ length: 9 }, () => Array.from(l1.nextIndices().indices));
  const s2 = new Streams({ root: 4 });
  const l2 = new Loader(ds, { batchSize: 8, order: s2.stream("order") });
  s2.setState(saved.stream);
  l2.setState(saved.loader);
  const rest2 = Array.from({ length: 9 }, () => Array.from(l2.nextIndices().indices));
  assert.deepEqual(rest2, rest1);
  s1.dispose();
  s2.dispose();
});

test("stratified split keeps class shares and depends on the split stream", () => {
  const ds = toy(400, 4);
  const s = new Streams({ root: 9 });
  const split = splitTrainValidation(ds, { validation: 0.25, stream: s.stream("split"), stratified: true });
  assert.equal(split.validationIndices.length, 100);
  assert.equal(split.trainIndices.length, 300);
  const counts = [0, 0, 0, 0];
  for (const i of split.validationIndices) counts[i % 4]++;
  assert.deepEqual(counts, [25, 25, 25, 25]);
  const other = splitTrainValidation(ds, { validation: 0.25, stream: new Streams({ root: 10 }).stream("split") });
  assert.notDeepEqual(Array.from(other.validationIndices), Array.from(split.validationIndices));
  assert.throws(() => splitTrainValidation(ds, { validation: 400, stream: s.stream("split") }), /validation size/);
  s.dispose();
  torch.memory();
});
