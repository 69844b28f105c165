import { test } from "node:test";
import assert from "node:assert/strict";
import {
  checkHostArray,
  gatherRows,
  hostArray,
  numel,
  reshape,
  rowSize,
  sliceRows,
  toFloat32,
  type HostArray,
} from "../../src/data/host/array.ts";
import { datasetLength, takeFirst } from "../../src/data/host/dataset.ts";

test("numel and rowSize", () => {
  assert.equal(numel([]), 1);
  assert.equal(numel([2, 3, 4]), 24);
  assert.equal(numel([5, 0, 3]), 0);
  assert.equal(rowSize(hostArray(new Float32Array(24), [2, 3, 4])), 12);
});

test("checkHostArray rejects a length mismatch and a wrong typed array", () => {
  assert.throws(() => checkHostArray({ data: new Float32Array(5), shape: [2, 3], dtype: "float32" }, "x"), /x: shape \[2, 3\] needs 6 elements but data holds 5/);
  assert.throws(() => checkHostArray({ data: new Float32Array(6), shape: [2, 3], dtype: "int32" }), /must be stored in a Int32Array/);
  assert.throws(() => checkHostArray({ data: new Float32Array(6), shape: [2, -3], dtype: "float32" }), /invalid shape/);
  checkHostArray({ data: new Uint8Array(6), shape: [6], dtype: "bool" });
});

test("gatherRows copies rows in the given order, with repeats", () => {
  // 4 rows of shape [2, 3]; value = row * 100 + position.
  const data = new Float32Array(24);
  for (let r = 0; r < 4; r++) for (let k = 0; k < 6; k++) data[r * 6 + k] = r * 100 + k;
  const a = hostArray(data, [4, 2, 3]);
  const g = gatherRows(a, new Int32Array([3, 0, 3, 1]));
  assert.deepEqual(g.shape, [4, 2, 3]);
  assert.equal(g.dtype, "float32");
  assert.ok(g.data instanceof Float32Array);
  const expected: number[] = [];
  for (const r of [3, 0, 3, 1]) for (let k = 0; k < 6; k++) expected.push(r * 100 + k);
  assert.deepEqual([...g.data], expected);
  // A copy, not a view.
  (g.data as Float32Array)[0] = -1;
  assert.equal(data[18], 300);
});

test("gatherRows on int64 labels and bool, from a plain number[]", () => {
  const labels = hostArray(new BigInt64Array([5n, 6n, 7n, 8n]), [4]);
  const g = gatherRows(labels, [2, 2, 0]);
  assert.deepEqual([...(g.data as BigInt64Array)], [7n, 7n, 5n]);
  assert.deepEqual(g.shape, [3]);
  const b = gatherRows({ data: new Uint8Array([1, 0, 1, 1]), shape: [2, 2], dtype: "bool" }, [1]);
  assert.equal(b.dtype, "bool");
  assert.deepEqual([...b.data], [1, 1]);
  const empty = gatherRows(labels, []);
  assert.deepEqual(empty.shape, [0]);
});

test("gatherRows rejects out-of-range indices", () => {
  const a = hostArray(new Uint8Array(6), [3, 2]);
  assert.throws(() => gatherRows(a, [0, 3]), /index 3 at position 1 is out of range \[0, 3\)/);
  assert.throws(() => gatherRows(a, [-1]), /out of range/);
  assert.throws(() => gatherRows(hostArray(new Uint8Array(3), [3]), [1.5]), /out of range/);
});

test("gatherRows on a view (non-zero byteOffset) reads the right bytes", () => {
  const buf = new Uint8Array([9, 9, 1, 2, 3, 4, 5, 6]);
  const a = hostArray(buf.subarray(2), [3, 2]);
  assert.deepEqual([...gatherRows(a, [2, 0]).data], [5, 6, 1, 2]);
});

test("toFloat32 converts and scales, never aliases", () => {
  const u8: HostArray = hostArray(new Uint8Array([0, 255, 51]), [3]);
  assert.deepEqual([...toFloat32(u8, 1 / 255).data], [0, 1, Math.fround(51 / 255)]);
  const i64 = hostArray(new BigInt64Array([-3n, 4n]), [2]);
  assert.deepEqual([...toFloat32(i64).data], [-3, 4]);
  assert.deepEqual([...toFloat32(i64, 0.5).data], [-1.5, 2]);
  const f = hostArray(new Float32Array([1, 2]), [2]);
  const g = toFloat32(f);
  assert.notEqual(g.data, f.data);
  assert.equal(g.dtype, "float32");
});

test("sliceRows, reshape, takeFirst, datasetLength", () => {
  const a = hostArray(new Int32Array([0, 1, 2, 3, 4, 5]), [3, 2]);
  assert.deepEqual([...sliceRows(a, 1).data], [2, 3, 4, 5]);
  assert.deepEqual(sliceRows(a, 1, 99).shape, [2, 2]);
  assert.deepEqual(reshape(a, [-1]).shape, [6]);
  assert.throws(() => reshape(a, [4, -1]), /cannot infer/);
  const ds = { name: "d", inputs: a, targets: hostArray(new BigInt64Array(3), [3]) };
  assert.equal(datasetLength(ds), 3);
  assert.equal(datasetLength(takeFirst(ds, 2)), 2);
  assert.throws(() => datasetLength({ ...ds, targets: hostArray(new BigInt64Array(2), [2]) }), /inputs have 3 examples but targets have 2/);
});
