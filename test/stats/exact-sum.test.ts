// exactSum (and exactSumOfSquares) against Python's math.fsum: CPython's own
// test cases, then random samples where the order of a plain sum shows (mixed
// magnitudes, cancelling values, sums on half-way points), in two orders.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { exactSum, exactSumOfSquares, Xoshiro128 } from "../../src/stats/index.ts";

const PYTHON = "/usr/bin/python3";

test("exactSum gives math.fsum's results on CPython's test cases", () => {
  const eps = 2 ** -52;
  const cases: [number[], number][] = [
    [[], 0],
    [[0], 0],
    [[1e100, 1, -1e100, 1e-100, 1e50, -1, -1e50], 1e-100],
    [[2 ** 53, -0.5, -(2 ** -54)], 2 ** 53 - 1],
    [[2 ** 53, 1, 2 ** -100], 2 ** 53 + 2],
    [[2 ** 53 + 10, 1, 2 ** -100], 2 ** 53 + 12],
    [[2 ** 53 - 4, 0.5, 2 ** -54], 2 ** 53 - 3],
    [Array(10).fill(0.1), 1],
    [[1e16, 1, 1e-16], 10000000000000002],
    [[1e16, 1, -1e16], 1],
    [[1.7976931348623157e308, 1.7976931348623157e308, -1.7976931348623157e308], 1.7976931348623157e308],
    [[1 - eps, -1, eps], 0],
  ];
  for (const [values, want] of cases) assert.ok(Object.is(exactSum(values), want), `fsum(${values}) = ${exactSum(values)}, not ${want}`);
  assert.ok(Number.isNaN(exactSum([1, NaN, 2])));
  assert.ok(Number.isNaN(exactSum([Infinity, 1, -Infinity])));
  assert.equal(exactSum([Infinity, 1, Infinity]), Infinity);
  assert.equal(exactSum([1.7976931348623157e308, 1.7976931348623157e308]), Infinity);
});

test("exactSum equals math.fsum on random samples, in any order", () => {
  const r = new Xoshiro128(11);
  const samples: number[][] = [];
  const pick = <T>(xs: T[]): T => xs[Math.floor(r.nextFloat() * xs.length)]!;
  for (let k = 0; k < 250; k++) {
    const n = 1 + Math.floor(r.nextFloat() * 300);
    const kind = k % 5;
    samples.push(
      Array.from({ length: n }, () => {
        const u = r.nextFloat() - 0.5;
        if (kind === 0) return u;
        if (kind === 1) return u * 10 ** Math.floor(r.nextFloat() * 40 - 20);
        if (kind === 2) return pick([1e16, 1, -1e16, u]);
        if (kind === 3) return r.nextNormal() * 1e-3 + 0.7;
        // Exact sums on and next to the half-way points between doubles (ties to even).
        return pick([2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1, -1, 0.5, 0.25, 2 ** -40, -(2 ** -40)]);
      }),
    );
  }
  const centers = samples.map((s) => s[0]! * 0.75);
  // float(): JSON gives integral numbers to Python as ints, whose arithmetic is exact.
  const script = "import json, math, sys\nss, cs = json.load(sys.stdin)\nprint(json.dumps([[math.fsum(s), math.fsum((float(x) - c) * (float(x) - c) for x in s)] for s, c in zip(ss, map(float, cs))]))";
  const py = spawnSync(PYTHON, ["-c", script], { input: JSON.stringify([samples, centers]), encoding: "utf8" });
  assert.equal(py.status, 0, py.stderr);
  const fsums = JSON.parse(py.stdout) as [number, number][];
  const want = fsums.map(([sum]) => sum);
  let plainDiffers = 0;
  samples.forEach((s, k) => {
    assert.ok(Object.is(exactSum(s), want[k]), `sample ${k}: ${exactSum(s)} against math.fsum ${want[k]}`);
    const reversed = [...s].reverse();
    assert.ok(Object.is(exactSum(reversed), want[k]), `sample ${k} reversed`);
    if (s.reduce((a, b) => a + b, 0) !== reversed.reduce((a, b) => a + b, 0)) plainDiffers++;
    for (const order of [s, reversed]) assert.ok(Object.is(exactSumOfSquares(Float64Array.from(order), centers[k]!), fsums[k]![1]), `sample ${k}: squares about ${centers[k]}`);
  });
  // The samples do show the order of a plain sum.
  assert.ok(plainDiffers > 50, `a plain sum differed between orders in ${plainDiffers} of ${samples.length} samples`);
});

test("sums whose every addition is exact (zeros, signed zeros, integers, subnormals) equal math.fsum, as the sum itself", () => {
  const tiny = 2 ** -1074;
  const samples: number[][] = [
    new Array(5000).fill(0),
    [0, -0, 0, -0],
    [-0, -0],
    [-0],
    [3, -3, 3, -3, 0],
    Array.from({ length: 999 }, (_, i) => (i % 7) - 3),
    Array.from({ length: 100 }, (_, i) => (i % 3) * tiny - tiny),
    [tiny, -tiny, 2 * tiny, 2 ** -1022, -(2 ** -1022)],
    [2 ** 52, 1, 2, -(2 ** 52)],
    Array.from({ length: 64 }, (_, i) => 2 ** -i),
  ];
  const script = "import json, math, sys\nss = json.load(sys.stdin)\nprint(json.dumps([[math.fsum(float(x) for x in s), math.copysign(1, math.fsum(float(x) for x in s))] for s in ss]))";
  // JSON has no −0: the samples go to Python with every −0 as the string "-0".
  const py = spawnSync(PYTHON, ["-c", script], { input: JSON.stringify(samples.map((s) => s.map((x) => (Object.is(x, -0) ? "-0" : x)))), encoding: "utf8" });
  assert.equal(py.status, 0, py.stderr);
  const fsums = JSON.parse(py.stdout) as [number, number][];
  samples.forEach((s, k) => {
    const [sum, sign] = fsums[k]!;
    const want = sum === 0 && sign < 0 ? -0 : sum;
    assert.ok(Object.is(exactSum(s), want), `sample ${k}: ${exactSum(s)} against math.fsum ${want}`);
    assert.ok(Object.is(exactSum([...s].reverse()), want), `sample ${k} reversed`);
    // Squares about a center each value sits on or is an integer away from: every square and addition exact.
    assert.ok(Object.is(exactSumOfSquares(Float64Array.from(s), 0), exactSum(s.map((x) => x * x))), `sample ${k}: squares`);
  });
});

test("the plain sum runs as four interleaved sums: an error in any one of them (or in the squares') is counted", () => {
  // Nonzero values only at the places ≡ offset (mod 4): 1, then halves of an ulp of 1 that each round away in a
  // plain sum (for the squares about 0: 2⁻²⁷, whose squares, quarters of an ulp, do too).
  const samples: number[][] = [];
  for (let offset = 0; offset < 4; offset++) {
    for (const n of [4, 7, 8, 9, 12, 13, 16, 17, 20, 21]) {
      const s = new Array<number>(n).fill(0);
      let first = true;
      for (let i = offset; i < n; i += 4) {
        s[i] = first ? 1 : 2 ** -53;
        first = false;
      }
      samples.push(s);
    }
  }
  const script = "import json, math, sys\nss = json.load(sys.stdin)\nprint(json.dumps([[math.fsum(float(x) for x in s), math.fsum((2.0 ** -27 if x == 2.0 ** -53 else float(x)) ** 2 for x in s)] for s in ss]))";
  const py = spawnSync(PYTHON, ["-c", script], { input: JSON.stringify(samples), encoding: "utf8" });
  assert.equal(py.status, 0, py.stderr);
  const fsums = JSON.parse(py.stdout) as [number, number][];
  let erred = 0;
  samples.forEach((s, k) => {
    assert.ok(Object.is(exactSum(s), fsums[k]![0]), `sample ${k} (${s}): ${exactSum(s)} against math.fsum ${fsums[k]![0]}`);
    const roots = Float64Array.from(s, (x) => (x === 2 ** -53 ? 2 ** -27 : x));
    assert.ok(Object.is(exactSumOfSquares(roots, 0), fsums[k]![1]), `sample ${k}: squares of ${roots}: ${exactSumOfSquares(roots, 0)} against math.fsum ${fsums[k]![1]}`);
    if (s.reduce((a, b) => a + b, 0) !== fsums[k]![0]) erred++;
    if (roots.reduce((a, b) => a + b * b, 0) !== fsums[k]![1]) erred++;
  });
  assert.ok(erred >= 16, `a plain sum erred in ${erred} samples`);
});
