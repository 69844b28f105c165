/**
 * A variant whose loss blew up without reaching NaN (values from 1e10 to
 * 6e20, logged as float32) against one near 1e-4: every seed is a real,
 * huge difference. The rounding allowance of the largest value (16 float32
 * units of 6e20 is 5.6e14) once made the seeds at 1e10–4e12 "ties" (b = a up
 * to rounding): P(b > a) came out 0.3 where b is larger on every seed, and
 * the sign and t tests ran on zeros.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { comparePaired, compareUnpaired } from "../../src/stats/compare.ts";
import { pairedDifferencesWithoutRounding, tiedUpToRounding } from "../../src/stats/rounding.ts";

const a = [9.2e-5, 3e-4, 5e-4, 8e-4, 1.2e-3].map(Math.fround);
const b = [1.014e10, 2e10, 3e10, 4e12, 5.935e20].map(Math.fround);

test("a seed's difference is a tie only at that seed's own scale: values far below the largest one are not rounding", () => {
  const clean = pairedDifferencesWithoutRounding(a, b);
  assert.equal(clean.ties, 0);
  assert.ok(clean.values.every((d, i) => d === b[i]! - a[i]!));
  const v = comparePaired(a, b);
  assert.equal(v.prob_improvement.estimate, 1, "b is larger on every seed");
  assert.ok(!v.notes.some((n) => /ties|b = a up to/.test(n)), v.notes.join("\n"));
  assert.equal(compareUnpaired(a, b).prob_improvement.estimate, 1);
  // Ranks: distinct magnitudes keep distinct ranks; a rounding-level pair at any scale is still one value.
  const [x] = tiedUpToRounding([[1e10, 2e10, 5.935e20].map(Math.fround)]);
  assert.equal(new Set(x).size, 3);
  const [y] = tiedUpToRounding([[0.3, 0.1 + 0.2, 5e20]]);
  assert.equal(y![0], y![1]);
  // Rounding at a shared scale is still removed: 0.7 + 0.1 against 0.8 is a tie.
  assert.equal(pairedDifferencesWithoutRounding([0.8, 0.6, 0.9], [0.7 + 0.1, 0.65, 0.95]).ties, 1);
});
