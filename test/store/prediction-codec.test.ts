/**
 * Stored predictions: 12-bit quantised probabilities whose rows keep their
 * predicted class, NaN kept, damaged rows named; rows written in half
 * precision by earlier versions still read, bit for bit against NumPy's
 * float16 (/usr/bin/python3).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { deflateRawSync } from "node:zlib";
import { decodeLabels, decodeProbabilities, encodeLabels, encodeProbabilities, fromFloat16Bits, PROBABILITY_ENCODING, PROBABILITY_LEVELS } from "../../src/store/prediction-codec.ts";

/** First maximum of each row (numpy.argmax). */
function argmaxRows(p: ArrayLike<number>, classes: number): number[] {
  const out: number[] = [];
  for (let off = 0; off < p.length; off += classes) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (p[off + j]! > p[off + best]!) best = j;
    out.push(best);
  }
  return out;
}

test("probabilities come back within half a 1/4095 step, every row predicting the class it predicted; NaN kept; damaged rows named", () => {
  const C = 10;
  const rows = 2000;
  const p = new Float32Array(rows * C);
  let s = 12345;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < C; j++) sum += p[r * C + j] = Math.exp(6 * rand());
    for (let j = 0; j < C; j++) p[r * C + j]! /= sum;
  }
  // Near-ties that 12 bits cannot tell apart: the first row's top class is the second (0.500051 > 0.499949), the second row's the second too (0.30005 > 0.3).
  p.set([0.499949, 0.500051, 0, 0, 0, 0, 0, 0, 0, 0], 0);
  p.set([0.3, 0.30005, 0.3, 0.09995, 0, 0, 0, 0, 0, 0], C);
  const back = decodeProbabilities(encodeProbabilities(p, C), PROBABILITY_ENCODING, p.length, "x");
  assert.deepEqual(argmaxRows(back, C), argmaxRows(p, C));
  let raised = 0;
  p.forEach((v, i) => {
    const err = Math.abs(back[i]! - v);
    if (err > 0.5 / PROBABILITY_LEVELS + 1e-7) {
      raised++;
      assert.ok(err <= 1.5 / PROBABILITY_LEVELS + 1e-7, `value ${i}: ${v} came back as ${back[i]}`);
    }
  });
  assert.ok(raised >= 2 && raised < 10, `only the near-tie rows' top classes are raised a step (${raised})`);
  const withNan = Float32Array.from([0.2, NaN, 0.8, 1, 0, 0]);
  const nan = decodeProbabilities(encodeProbabilities(withNan, 3), PROBABILITY_ENCODING, 6, "x");
  assert.ok(Number.isNaN(nan[1]!));
  assert.deepEqual([nan[0], nan[2], nan[3]].map((v) => Math.round(v! * PROBABILITY_LEVELS)), [819, 3276, 4095]);
  assert.throws(() => encodeProbabilities(withNan, 4), /6 values are not rows of 4 classes/);
  assert.throws(() => decodeProbabilities(encodeProbabilities(p, C), PROBABILITY_ENCODING, p.length + 1, "predictions of run r"), /predictions of run r: stored predictions hold 20000 values, expected 20001/);
  assert.throws(() => decodeProbabilities(encodeProbabilities(p, C), "q9-future", p.length, "predictions of run r"), /predictions of run r: unknown encoding q9-future; a newer twin wrote it/);
});

test("rows stored in half precision by earlier versions read back as NumPy's float16 values", () => {
  const values = [0, 1, 0.1, 1 / 3, 0.99999, 1 - 2 ** -12, 2 ** -14, 2 ** -24, 3 * 2 ** -26, 1e-7, 6.1e-5, 0.5 + 3 * 2 ** -12, 65504, -2];
  for (let i = 0; i < 100; i++) values.push(Math.fround(Math.exp(-i / 7) * (i % 2 ? 1 : 0.7)));
  const r = spawnSync("/usr/bin/python3", ["-c", "import json,sys,numpy as np; h=np.array(json.load(sys.stdin),dtype=np.float32).astype(np.float16); print(json.dumps([h.view(np.uint16).tolist(), h.astype(np.float64).tolist()]))"], {
    input: JSON.stringify(values),
    encoding: "utf8",
    env: { ...process.env, OPENBLAS_NUM_THREADS: "1" },
  });
  assert.equal(r.status, 0, r.stderr);
  const [bits, want] = JSON.parse(r.stdout) as [number[], number[]];
  bits.forEach((b, i) => assert.equal(fromFloat16Bits(b), want[i], `bits ${b.toString(16)}`));
  const n = bits.length;
  const planes = Buffer.alloc(2 * n);
  bits.forEach((b, i) => { planes[i] = b >>> 8; planes[n + i] = b & 0xff; });
  assert.deepEqual(Array.from(decodeProbabilities(deflateRawSync(planes), "f16-planes-deflate", n, "x")), want.map(Math.fround));
});

test("labels survive encoding", () => {
  for (const labels of [Int32Array.from({ length: 500 }, (_, i) => i % 10), Int32Array.from({ length: 500 }, (_, i) => i * 3)]) {
    const { bytes, encoding } = encodeLabels(labels);
    assert.deepEqual(Array.from(decodeLabels(bytes, encoding, labels.length, "x")), Array.from(labels));
  }
});
