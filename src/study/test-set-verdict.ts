/**
 * The held-out test set beside the verdict: each variant's metric on test and
 * each comparison repeated on test with the same method, attached to the
 * validation verdict as `test_set`. Test figures are reported, never used to
 * choose: advice, readings and the deployment choices rest on validation.
 */
import type { Analysis } from "./analyze.ts";
import type { StudyResults } from "./run-study.ts";
import { studySeedResults, studyVerdict } from "./verdict.ts";

export const TEST_SET_NOTE = "the held-out test set, evaluated once after the last step: reported beside validation, never used to choose";

/**
 * The test-set metric that goes with a validation one in results files and
 * logs: val_accuracy → test_accuracy, val/loss → test/loss,
 * validation_acc → test_acc; undefined when the name says no validation or
 * no such column exists.
 */
export function testMetricFor(metric: string, metrics: readonly string[]): string | undefined {
  const m = /^(val|valid|validation)([_/.-])(.+)$/i.exec(metric);
  if (!m) return undefined;
  const name = `test${m[2]}${m[3]}`;
  return metrics.includes(name) ? name : undefined;
}

/** `validation` with each variant's and each comparison's figures on `test` (an analysis of the same runs on the test set). */
export function withTestSet(validation: Analysis, test: Analysis, note = TEST_SET_NOTE): Analysis {
  const variants = validation.variants.map((v) => {
    const t = test.variants.find((x) => x.name === v.name);
    return { ...v, test_set: t && t.n > 0 ? { n: t.n, mean: t.mean, sd: t.sd, min: t.min, max: t.max } : null };
  });
  const comparisons = validation.comparisons.map((c) => {
    const t = test.comparisons.find((x) => x.a === c.a && x.b === c.b);
    return { ...c, test_set: t ? { diff: t.diff, ci: t.ci, test: t.test, method: t.method, p: t.p, p_adjusted: t.p_adjusted, n_pairs: t.n_pairs, n: t.n } : null };
  });
  return { ...validation, variants, comparisons, test_set: { metric: test.metric, note } };
}

/**
 * The study's verdict on validation `metric`, with the test set beside it when
 * some run was tested (its data has a test split).
 */
export function studyVerdictWithTest(
  results: StudyResults,
  metric: "accuracy" | "loss",
  options: { reference: string; smallestDifference?: number; percent?: boolean },
): Analysis {
  const validation = studyVerdict(studySeedResults(results, metric), { metric: `validation ${metric}`, ...options });
  if (!results.runs.some((r) => Object.values(r.result.variants).some((v) => v.test !== undefined))) return validation;
  const { smallestDifference: _, ...rest } = options;
  const test = studyVerdict(studySeedResults(results, metric, "test"), { metric: `test ${metric}`, ...rest });
  return withTestSet(validation, test);
}
