import { test } from "node:test";
import assert from "node:assert/strict";
import { classSubset, hostArray, type Dataset } from "../../src/data/host/index.ts";

const ds: Dataset = {
  name: "toy",
  inputs: hostArray(Uint8Array.from([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]), [6, 2]),
  targets: hostArray(BigInt64Array.from([0n, 1n, 2n, 3n, 1n, 3n]), [6]),
  classes: ["a", "b", "c", "d"],
};

test("classSubset keeps the listed classes, relabelled by position, with their inputs and names", () => {
  const s = classSubset(ds, [3, 1]);
  assert.deepEqual(Array.from(s.targets.data as BigInt64Array, Number), [1, 0, 1, 0]);
  assert.deepEqual(Array.from(s.inputs.data as Uint8Array), [1, 1, 3, 3, 4, 4, 5, 5]);
  assert.deepEqual(s.inputs.shape, [4, 2]);
  assert.deepEqual(s.classes, ["d", "b"]);
});

test("classSubset: a class without examples or listed twice is an error naming it", () => {
  assert.throws(() => classSubset(ds, [1, 7]), /no example of class 7/);
  assert.throws(() => classSubset(ds, [1, 1]), /listed twice/);
});
