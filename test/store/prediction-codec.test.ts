/** Half-precision encoding of stored predictions, bit for bit against NumPy's astype(float16) (/usr/bin/python3). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { decodeLabels, decodeProbabilities, encodeLabels, encodeProbabilities, fromFloat16Bits, toFloat16Bits } from "../../src/store/prediction-codec.ts";

test("toFloat16Bits rounds like NumPy (ties to even, subnormals, overflow, NaN) and fromFloat16Bits inverts it", () => {
  assert.equal(toFloat16Bits(-0), 0x8000);
  const values = [0, 1, -1, 0.1, 1 / 3, 0.99999, 1 - 2 ** -12, 1 - 2 ** -11 - 2 ** -13, 65504, 65520, 70000, -1e6, 2 ** -14, 2 ** -24, 2 ** -25, 3 * 2 ** -26, 2 ** -26, 1e-7, 5.96e-8, 6.1e-5, 0.5 + 2 ** -12, 0.5 + 3 * 2 ** -12, Infinity, -Infinity];
  for (let i = 0; i < 200; i++) values.push(Math.fround(Math.exp(-i / 7) * (i % 2 ? 1 : 0.7)));
  const r = spawnSync("/usr/bin/python3", ["-c", "import json,sys,numpy as np; v=np.array(json.load(sys.stdin),dtype=np.float64).astype(np.float32); print(json.dumps(v.astype(np.float16).view(np.uint16).tolist()))"], {
    input: JSON.stringify(values.map((v) => (Number.isFinite(v) ? v : v > 0 ? 1e39 : -1e39))),
    encoding: "utf8",
    env: { ...process.env, OPENBLAS_NUM_THREADS: "1" },
  });
  assert.equal(r.status, 0, r.stderr);
  const want = JSON.parse(r.stdout) as number[];
  values.forEach((v, i) => {
    assert.equal(toFloat16Bits(v), want[i], `value ${v}`);
    const back = fromFloat16Bits(want[i]!);
    assert.equal(toFloat16Bits(back), want[i], `round trip of ${v}`);
  });
  assert.ok(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN))));
});

test("probabilities and labels survive encoding; damaged rows are named", () => {
  const p = Float32Array.from({ length: 3000 }, (_, i) => ((i * 7919) % 1000) / 1000);
  const back = decodeProbabilities(encodeProbabilities(p), p.length, "x");
  p.forEach((v, i) => assert.ok(Math.abs(back[i]! - v) <= 2 ** -12));
  assert.throws(() => decodeProbabilities(encodeProbabilities(p), p.length + 1, "predictions of run r"), /predictions of run r: stored predictions hold 3000 values, expected 3001/);
  for (const labels of [Int32Array.from({ length: 500 }, (_, i) => i % 10), Int32Array.from({ length: 500 }, (_, i) => i * 3)]) {
    const { bytes, encoding } = encodeLabels(labels);
    assert.deepEqual(Array.from(decodeLabels(bytes, encoding, labels.length, "x")), Array.from(labels));
  }
});
