// The bytes an accumulator is saved as (src/serve/saved-accumulator.ts): typed
// arrays come back as views on the bytes read (no copy), equal in type,
// length, values and identity; damage anywhere is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { crc32 } from "node:zlib";
import { ACCUMULATOR_FORMAT, decodeAccumulator, encodeSaved } from "../../src/serve/saved-accumulator.ts";
import { drawingCodeStamp } from "../../src/serve/drawing-code.ts";

/** A payload of this format with typed arrays of every kind, odd lengths, a view inside a larger buffer and one array held twice. */
function payload(): { value: Record<string, unknown>; shared: Float64Array } {
  const shared = Float64Array.from([1.5, -0, NaN, Infinity, 2 ** -1074]);
  const big = new Float64Array(64).map((_, i) => i / 7);
  const accumulator = {
    curves: [{ tag: "train/loss", values: shared, again: shared, part: big.subarray(3, 10) }],
    bytes: Uint8Array.from([1, 2, 3]),
    kinds: [new Int8Array([-1]), new Uint8ClampedArray([255]), new Int16Array([-2, 3]), new Uint16Array([7]), new Int32Array([-9, 9, 1]), new Uint32Array([4e9]), new Float32Array([0.1]), new BigInt64Array([-5n]), new BigUint64Array([5n]), new DataView(new ArrayBuffer(3))],
    finals: new Map([["0", { value: NaN, note: "diverged" }]]),
  };
  return { value: { format: ACCUMULATOR_FORMAT, stamps: [["0", "a"], ["1", "b"]], accumulator, chartKeys: ["k1"], drawingCode: drawingCodeStamp(), drawings: [] }, shared };
}

test("a saved accumulator comes back equal, its typed arrays views on the saved bytes (none copied, every one aligned)", () => {
  const { value, shared } = payload();
  const saved = encodeSaved(value);
  const body = Buffer.from(new Uint8Array(saved.body));
  const back = decodeAccumulator({ digest: saved.digest, body });
  assert.ok(back, "decoded");
  assert.deepEqual(back.stamps, new Map([["0", "a"], ["1", "b"]]));
  assert.deepEqual(back.chartKeys, ["k1"]);
  const acc = back.snapshot as unknown as ReturnType<typeof payload>["value"]["accumulator"] & Record<string, unknown>;
  assert.deepEqual(acc, value.accumulator);
  const curve = (acc.curves as { values: Float64Array; again: Float64Array; part: Float64Array }[])[0]!;
  assert.ok(Object.is(curve.values[1], -0), "-0 kept");
  assert.equal(curve.values, curve.again, "an array held twice is one array again");
  assert.notEqual(curve.values, shared);
  const views = [curve.values, curve.part, acc.bytes as Uint8Array, ...(acc.kinds as ArrayBufferView[])];
  for (const v of views) {
    assert.equal(v.buffer, body.buffer, `${v.constructor.name}: a view on the bytes read`);
    assert.equal(v.byteOffset % 8, 0, `${v.constructor.name}: aligned`);
  }
});

test("damaged, truncated or forged saved bytes are refused", () => {
  const saved = encodeSaved(payload().value);
  const flip = (at: number): Buffer => {
    const b = Buffer.from(saved.body);
    b[at]! ^= 1;
    return b;
  };
  assert.ok(decodeAccumulator({ digest: saved.digest, body: Buffer.from(saved.body) }));
  assert.equal(decodeAccumulator({ digest: saved.digest, body: flip(20) }), undefined, "a byte of the structure");
  assert.equal(decodeAccumulator({ digest: saved.digest, body: flip(saved.body.length - 30) }), undefined, "a byte of an array");
  assert.equal(decodeAccumulator({ digest: saved.digest, body: saved.body.subarray(0, saved.body.length - 8) }), undefined, "truncated");
  // The check matches but an array's bytes lie beyond the data: refused by the layout, not read out of bounds.
  const short = saved.body.subarray(0, saved.body.length - 64);
  const digest = Buffer.alloc(4);
  digest.writeUInt32LE(crc32(short));
  assert.equal(decodeAccumulator({ digest, body: short }), undefined, "an array outside the data");
  // Another format under a matching check.
  assert.equal(decodeAccumulator(encodeSaved({ ...payload().value, format: ACCUMULATOR_FORMAT - 1 })), undefined, "an older format");
});
