// signFlipCounts sums each draw from tables of byte sums, in another order than
// the index order the paired permutation test defines, and sums a draw again in
// index order where the rounding could decide a comparison. Its counts must be
// the plain loop's, draw for draw: thresholds placed exactly on draws' sums,
// differences whose sums round differently in another order (±1e8 beside 1e-8),
// integers (many draws tie with a threshold), zeros and −0, huge and subnormal
// values, and lengths around the 8-pair bytes and 32-pair words.
import { test } from "node:test";
import assert from "node:assert/strict";
import { signFlipCounts } from "../../src/stats/sign-flip-sums.ts";
import { Xoshiro128 } from "../../src/stats/random.ts";

/** Every draw's flipped differences added in index order (bit j of word w: pair 32w + j), as the test defines them. */
function drawSums(d: Float64Array, resamples: number, seed: number): number[] {
  const rng = new Xoshiro128(seed);
  const out: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let f = 0;
    for (let i = 0; i < d.length; i += 32) {
      const bits = rng.nextUint32();
      for (let j = 0; j < 32 && i + j < d.length; j++) if ((bits >>> j) & 1) f += d[i + j]!;
    }
    out.push(f);
  }
  return out;
}

function plainCounts(sums: readonly number[], fLo: number, fHi: number): { le: number; ge: number } {
  return { le: sums.filter((f) => f >= fLo).length, ge: sums.filter((f) => f <= fHi).length };
}

/** Thresholds that trip a sum in another order: draws' own sums, their neighbours one ulp away, and the median. */
function thresholds(sums: readonly number[]): number[] {
  const sorted = [...sums].sort((a, b) => a - b);
  const picks = [sorted[0]!, sorted[Math.floor(sorted.length / 2)]!, sorted[Math.floor(sorted.length / 5)]!, sorted[sorted.length - 1]!];
  const next = (x: number, up: boolean): number => {
    const b = new DataView(new ArrayBuffer(8));
    b.setFloat64(0, x);
    const bits = b.getBigInt64(0);
    b.setBigInt64(0, x === 0 ? (up ? 1n : -9223372036854775807n) : bits + ((x > 0) === up ? 1n : -1n));
    return b.getFloat64(0);
  };
  return picks.flatMap((x) => [x, next(x, true), next(x, false)]).concat([-Infinity, Infinity, NaN]);
}

const rng = new Xoshiro128(42);
const samples: [string, (n: number) => number[]][] = [
  ["mixed magnitudes", (n) => Array.from({ length: n }, (_, i) => (i % 3 === 0 ? (rng.nextUint32() & 1 ? 1e8 : -1e8) : (rng.nextFloat() - 0.45) * 3e-8))],
  ["normal", (n) => Array.from({ length: n }, () => 0.004 + 0.006 * rng.nextNormal())],
  ["integers", (n) => Array.from({ length: n }, () => (rng.nextUint32() % 5) - 2)],
  ["tenths", (n) => Array.from({ length: n }, () => ((rng.nextUint32() % 7) - 3) / 10)],
  ["zeros and −0", (n) => Array.from({ length: n }, (_, i) => (i % 2 ? -0 : 0))],
  ["one value", (n) => Array.from({ length: n }, () => 0.1)],
  ["huge", (n) => Array.from({ length: n }, () => (rng.nextFloat() - 0.5) * 3.5e308)],
  ["near 1e300", (n) => Array.from({ length: n }, () => (rng.nextFloat() - 0.45) * 1e300)],
  ["subnormal", (n) => Array.from({ length: n }, () => (rng.nextFloat() - 0.5) * 1e-310)],
  ["smallest normals", (n) => Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * (1 + (rng.nextUint32() % 1024) * 2 ** -52) * 2 ** -1020)],
  ["tiny beside 1", (n) => Array.from({ length: n }, (_, i) => (i === 5 ? 1 : (rng.nextFloat() - 0.5) * 1e-17))],
];

test("sign-flip counts from byte tables equal the index-order loop's, draw for draw", () => {
  let decidedByThreshold = 0;
  for (const n of [17, 24, 31, 32, 33, 40, 63, 64, 65, 257, 1000]) {
    for (const [name, make] of samples) {
      const d = Float64Array.from(make(n));
      const seed = n * 7 + name.length;
      const sums = drawSums(d, 300, seed);
      const ts = thresholds(sums);
      for (const fLo of ts) {
        for (const fHi of [fLo, ts[(ts.indexOf(fLo) + 4) % ts.length]!]) {
          const want = plainCounts(sums, fLo, fHi);
          const got = signFlipCounts(d, new Xoshiro128(seed), 300, fLo, fHi);
          assert.deepStrictEqual(got, want, `${name}, n = ${n}, fLo ${fLo}, fHi ${fHi}`);
          if (want.le > 0 && want.le < 300) decidedByThreshold++;
        }
      }
    }
  }
  assert.ok(decidedByThreshold > 500, "thresholds inside the draws' range");
});

test("where another order of additions changes a draw's sum, the counts still follow index order", () => {
  // The mixed magnitudes' sums differ by order: summed from the last pair down, some draws round otherwise.
  const d = Float64Array.from(samples[0]![1](100));
  const sums = drawSums(d, 500, 3);
  let differ = 0;
  const rng2 = new Xoshiro128(3);
  for (let r = 0; r < 500; r++) {
    const flipped: number[] = [];
    for (let i = 0; i < 100; i += 32) {
      const bits = rng2.nextUint32();
      for (let j = 0; j < 32 && i + j < 100; j++) if ((bits >>> j) & 1) flipped.push(d[i + j]!);
    }
    let back = 0;
    for (let k = flipped.length - 1; k >= 0; k--) back += flipped[k]!;
    if (back !== sums[r]) {
      differ++;
      // A threshold on this draw's own sum: a count from the other order would miss it.
      assert.deepStrictEqual(signFlipCounts(d, new Xoshiro128(3), 500, sums[r]!, sums[r]!), plainCounts(sums, sums[r]!, sums[r]!));
    }
  }
  assert.ok(differ > 20, `${differ} draws round otherwise in another order`);
});
