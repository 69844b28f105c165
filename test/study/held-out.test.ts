/**
 * A held-out test set that shares examples with the training data is refused
 * before a study runs, naming the first shared rows and how many there are;
 * rows are compared byte for byte wherever they sit.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { hostArray } from "../../src/data/index.ts";
import { rowOverlap } from "../../src/data/overlap.ts";
import type { Dataset } from "../../src/data/host/dataset.ts";
import { runStudy } from "../../src/study/run-study.ts";
import { importStudy } from "../../src/study/study-file.ts";
import { studyProject } from "./fixtures/synthetic-study.ts";

test("rowOverlap finds copied rows anywhere, counts them, and tells rows apart that differ in one byte", () => {
  // 3 uint8 per row (unaligned rows: the byte path) and 4 float32 per row (the word path).
  for (const [make, width] of [[(n: number) => new Uint8Array(n), 3], [(n: number) => new Float32Array(n), 4]] as const) {
    const train = make(200 * width), test = make(50 * width);
    train.forEach((_, i) => (train[i] = (i * 37) % 251));
    test.forEach((_, i) => (test[i] = ((i * 53) % 241) + 3));
    const a = hostArray(train, [200, width]), b = hostArray(test, [50, width]);
    assert.equal(rowOverlap(a, b), undefined);
    test.set(train.subarray(150 * width, 151 * width), 20 * width);
    test.set(train.subarray(7 * width, 8 * width), 44 * width);
    assert.deepEqual(rowOverlap(a, b), { testRow: 20, trainRow: 150, count: 2 });
    test[20 * width + width - 1] = (test[20 * width + width - 1]! + 1) % 200;
    assert.deepEqual(rowOverlap(a, b), { testRow: 44, trainRow: 7, count: 1 });
  }
  assert.equal(rowOverlap(hostArray(new Uint8Array(8), [2, 4]), hostArray(new Float32Array(8), [2, 4])), undefined, "different dtypes hold no equal rows");
});

test("a study whose test set holds training examples is refused before it runs, naming the rows", async () => {
  const project = studyProject({ name: "leaky", steps: 4, evalEvery: 2 });
  try {
    const spec = await importStudy(project.file);
    const { train } = spec.data.load();
    const d = 16;
    const x = new Float32Array(30 * d);
    x.forEach((_, i) => (x[i] = 100 + i));
    x.set((train.inputs.data as Float32Array).subarray(321 * d, 322 * d), 12 * d);
    const leaky: Dataset = { name: "blobs-test", inputs: hostArray(x, [30, d]), targets: hostArray(new BigInt64Array(30), [30]) };
    let started = 0;
    await assert.rejects(
      runStudy({ ...spec, data: { ...spec.data, load: () => ({ train, test: leaky }) } }, { cwd: project.dir, plan: 2, onRunStart: () => started++ }),
      /the held-out test set blobs-test is not held out: 1 of its 30 examples is also in the training data blobs \(first: test row 12 equals training row 321, 0-based\)/,
    );
    assert.equal(started, 0);
  } finally {
    project.cleanup();
  }
});
