/**
 * twin statistics: pure functions over numbers, no I/O, no dependencies.
 * Every function is documented with the method it implements and the SciPy
 * (or paper) reference it matches; see docs/statistics.md.
 */
export * from "./validate.ts";
export * from "./rounding.ts";
export * from "./types.ts";
export * from "./random.ts";
export * from "./special.ts";
export * from "./normal.ts";
export * from "./studentt.ts";
export * from "./chisquare.ts";
export * from "./fdist.ts";
export * from "./noncentralt.ts";
export * from "./binomial.ts";
export * from "./solve.ts";
export * from "./descriptive.ts";
export * from "./quantile.ts";
export * from "./robust.ts";
export * from "./ranks.ts";
export * from "./ttest.ts";
export * from "./tinterval.ts";
export * from "./wilcoxon.ts";
export * from "./mannwhitney.ts";
export * from "./signtest.ts";
export * from "./permutation.ts";
export * from "./bootstrap.ts";
export * from "./effectsize.ts";
export * from "./aso.ts";
export * from "./multiple.ts";
export * from "./power.ts";
export * from "./variance.ts";
export * from "./outliers.ts";
export * from "./expectedmax.ts";
export * from "./ensemble.ts";
export * from "./two-level.ts";
export * from "./validation-test.ts";
export * from "./mcnemar-models.ts";
export * from "./spearman.ts";
export * from "./churn.ts";
export * from "./ensemble-gain.ts";
export * from "./sequential.ts";
export * from "./compare.ts";
export * from "./beta.ts";
export * from "./failures.ts";
export * from "./improvement-interval.ts";
export * from "./pairing-gain.ts";
export * from "./yuen.ts";
export * from "./swans.ts";
export * from "./skewness.ts";
export * from "./robust-verdict.ts";
export * from "./planning.ts";
export * from "./sequential-study.ts";
export * from "./pitman-morgan.ts";
export * from "./brown-forsythe.ts";
export * from "./spread-comparison.ts";
export * from "./factorial.ts";
