/**
 * Exact McNemar test for two models scored on the same test examples
 * (McNemar 1947; exact binomial form, Fagerland, Lydersen & Laake 2013):
 * only the examples exactly one model gets right count; under equal accuracy
 * each of them is B's with probability 1/2. Two-sided p =
 * min(1, 2 · P(Binomial(m, 1/2) ≤ min(b, c))), `scipy.stats.binomtest(c, b + c)`.
 */
import { mcnemarExact } from "./failures.ts";
import type { TestResult } from "./types.ts";

export interface ModelMcNemar extends TestResult {
  /** Examples only A gets right, and only B. */
  onlyA: number;
  onlyB: number;
  /** Accuracy of B minus accuracy of A. */
  difference: number;
}

/** Compares two models' per-example correctness (true/1 = correct) on the same examples. */
export function mcnemarModels(correctA: ArrayLike<number | boolean>, correctB: ArrayLike<number | boolean>): ModelMcNemar {
  if (correctA.length !== correctB.length) {
    throw new Error(`stats.mcnemarModels: both models must be scored on the same examples, got ${correctA.length} and ${correctB.length}`);
  }
  const wrongA = Array.from(correctA, (c) => !c);
  const wrongB = Array.from(correctB, (c) => !c);
  const r = mcnemarExact(wrongA, wrongB);
  // mcnemarExact counts failures: "only A failed" = only B correct.
  return { ...r, test: "exact McNemar (per example)", onlyA: r.onlyB, onlyB: r.onlyA, difference: (r.onlyA - r.onlyB) / correctA.length };
}
