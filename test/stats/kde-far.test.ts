// kernelSum skips the values whose kernel term is exp(t) with t below
// BELOW_EXP_ZERO, where exp is 0: the sums must equal the plain loop's bit for
// bit, also where every term is subnormal (t just above −745.13, where a
// threshold set too high would drop them), and the densities with them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BELOW_EXP_ZERO, gaussianKde, kernelSum } from "../../src/stats/kde.ts";
import { Xoshiro128 } from "../../src/stats/index.ts";

function plainKernelSum(values: readonly number[], x: number, h: number): number {
  let s = 0;
  for (const v of values) s += Math.exp(-0.5 * ((x - v) / h) ** 2);
  return s;
}

test("exp is 0 below the threshold and not just above -745.134", () => {
  for (let t = BELOW_EXP_ZERO; t > -800; t -= 0.0137) assert.equal(Math.exp(t), 0, `exp(${t})`);
  assert.equal(Math.exp(-1e300), 0);
  assert.ok(Math.exp(-745.13) > 0);
});

test("kernel sums skipping far values equal the plain sums: outliers, subnormal terms, the edge of exp's range", () => {
  const r = new Xoshiro128(4);
  const body = Array.from({ length: 2000 }, () => 0.88 + 0.006 * r.nextNormal());
  const swans = Array.from({ length: 20 }, () => 0.78 + 0.006 * r.nextNormal());
  const samples: [string, number[], number][] = [
    ["body and swans", [...body, ...swans], 0.001],
    // Every value 38.57–38.61 bandwidths from 0: each term subnormal or 0 (t from −743.8 to −745.4).
    ["subnormal terms", Array.from({ length: 300 }, (_, i) => (i % 2 ? 1 : -1) * (38.57 + 0.04 * r.nextFloat())), 1],
    ["huge distances", [1e300, -1e300, 0, 5, 1e-300], 1e-3],
  ];
  let subnormal = 0;
  for (const [name, values, h] of samples) {
    const lo = Math.min(...values.filter(Number.isFinite)), hi = Math.max(...values);
    const grid = [0, ...Array.from({ length: 80 }, (_, i) => lo + ((hi - lo) * i) / 79)];
    for (const x of grid) {
      const want = plainKernelSum(values, x, h);
      assert.ok(Object.is(kernelSum(values, x, h), want), `${name} at ${x}: ${kernelSum(values, x, h)} against ${want}`);
      if (want > 0 && want < 2 ** -1022) subnormal++;
    }
    assert.deepStrictEqual(gaussianKde(values, grid, h), grid.map((x) => plainKernelSum(values, x, h) * (1 / (values.length * h * Math.sqrt(2 * Math.PI)))));
  }
  assert.ok(subnormal >= 1, "some sums are all subnormal terms");
});
