/**
 * Does validation pick what test confirms? (Picard 2021, "torch.manual_seed(3407)
 * is all you need": a seed lucky on validation can be unlucky on test.) Across
 * seeds, and across k-seed ensembles scored on the same subsets on both sets:
 * Spearman's ρ of validation against test accuracy, whether the best on
 * validation is also best on test, and what picking by validation costs on test.
 */
import { ensembleSubsets, subsetAccuracy, checkPredictions, type Predictions } from "./ensemble.ts";
import { Xoshiro128 } from "./random.ts";
import { spearman } from "./spearman.ts";

export interface ValidationTestAgreement {
  /** Candidates compared (seeds, or k-seed subsets). */
  n: number;
  /** Spearman ρ of validation against test score; NaN below 3 candidates or when one side is constant. */
  spearman: number;
  /** Index of the candidate best on validation, and its rank on test (1 = best; ties share the best rank). */
  bestOnValidation: number;
  testRankOfBestOnValidation: number;
  bestOnValidationIsBestOnTest: boolean;
  /** Best test score minus the test score of the candidate best on validation (≥ 0): what choosing by validation cost. */
  testRegret: number;
}

/** Agreement of validation and test scores of the same candidates (higher is better). */
export function validationTestAgreement(validation: ArrayLike<number>, test: ArrayLike<number>): ValidationTestAgreement {
  if (validation.length !== test.length) throw new Error(`stats.validationTestAgreement: ${validation.length} validation and ${test.length} test scores; give one of each per candidate`);
  const n = validation.length;
  if (n === 0) throw new Error("stats.validationTestAgreement: no candidates");
  let best = 0;
  for (let i = 1; i < n; i++) if (validation[i]! > validation[best]!) best = i;
  let bestTest = -Infinity;
  for (let i = 0; i < n; i++) bestTest = Math.max(bestTest, test[i]!);
  let better = 0;
  for (let i = 0; i < n; i++) if (test[i]! > test[best]!) better++;
  return {
    n, spearman: n >= 3 ? spearman(validation, test) : NaN, bestOnValidation: best,
    testRankOfBestOnValidation: better + 1, bestOnValidationIsBestOnTest: better === 0, testRegret: bestTest - test[best]!,
  };
}

export interface EnsembleValidationTest extends ValidationTestAgreement {
  k: number;
  exhaustive: boolean;
}

/**
 * Validation against test for k-seed ensembles, k = 1..n: the same subsets
 * (all when at most `subsets`, else a seeded sample) scored on both sets.
 */
export function ensembleValidationTest(
  validation: readonly Predictions[], validationLabels: ArrayLike<number>,
  test: readonly Predictions[], testLabels: ArrayLike<number>,
  opts: { subsets?: number; seed?: number } = {},
): EnsembleValidationTest[] {
  checkPredictions("ensembleValidationTest", validation, validationLabels);
  checkPredictions("ensembleValidationTest", test, testLabels);
  if (validation.length !== test.length) throw new Error(`stats.ensembleValidationTest: ${validation.length} seeds on validation, ${test.length} on test; give both sets for every seed`);
  const rng = new Xoshiro128(opts.seed ?? 0);
  const out: EnsembleValidationTest[] = [];
  for (let k = 1; k <= validation.length; k++) {
    const { subsets, exhaustive } = ensembleSubsets(validation.length, k, opts.subsets ?? 50, rng);
    const v = subsets.map((s) => subsetAccuracy(validation, s, validationLabels));
    const t = subsets.map((s) => subsetAccuracy(test, s, testLabels));
    out.push({ k, exhaustive, ...validationTestAgreement(v, t) });
  }
  return out;
}
