/**
 * The verdict shows the held-out test set beside validation: each variant's
 * test mean, sd and range, each comparison repeated on test with the same
 * method; validation alone decides (advice and readings are validation's).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { StudyResults } from "../../src/study/run-study.ts";
import { studyVerdictWithTest, testMetricFor } from "../../src/study/test-set-verdict.ts";
import { formatVerdict, studySeedResults, studyVerdict } from "../../src/study/verdict.ts";

/** A study's results with only what verdicts read: per seed and variant, the final validation and test accuracy. */
function results(rows: Record<string, [number, number | undefined][]>): StudyResults {
  const variants = Object.keys(rows);
  const n = rows[variants[0]!]!.length;
  const runs = Array.from({ length: n }, (_, i) => ({
    plan: { group: "all", label: i, seed: { root: i } },
    runId: `r${i}`,
    result: {
      variants: Object.fromEntries(variants.map((v) => {
        const [val, tst] = rows[v]![i]!;
        return [v, { name: v, status: "finished", epochs: [], final: { accuracy: val, loss: 1 - val }, ...(tst === undefined ? {} : { test: { accuracy: tst, loss: 1 - tst } }) }];
      })),
    },
  }));
  return { study: "s", reference: variants[0]!, variants, runs } as unknown as StudyResults;
}

test("each variant and comparison carries its test-set figures, equal to the same analysis run on the test values", () => {
  const r = results({
    a: [[0.85, 0.84], [0.86, 0.845], [0.84, 0.83], [0.855, 0.842], [0.85, 0.836]],
    b: [[0.87, 0.85], [0.875, 0.852], [0.86, 0.84], [0.872, 0.851], [0.868, 0.846]],
  });
  const v = studyVerdictWithTest(r, "accuracy", { reference: "a", percent: true, smallestDifference: 0.005 });
  const onTest = studyVerdict(studySeedResults(r, "accuracy", "test"), { metric: "test accuracy", reference: "a", percent: true });
  const plain = studyVerdict(studySeedResults(r, "accuracy"), { metric: "validation accuracy", reference: "a", percent: true, smallestDifference: 0.005 });
  assert.equal(v.metric, "validation accuracy");
  assert.deepEqual(v.advice, plain.advice, "advice rests on validation");
  assert.deepEqual(v.comparisons[0]!.reading, plain.comparisons[0]!.reading);
  assert.equal(v.comparisons[0]!.diff, plain.comparisons[0]!.diff);
  const tb = v.variants.find((x) => x.name === "b")!.test_set!;
  const ob = onTest.variants.find((x) => x.name === "b")!;
  assert.deepEqual(tb, { n: 5, mean: ob.mean, sd: ob.sd, min: ob.min, max: ob.max });
  const tc = v.comparisons[0]!.test_set!;
  assert.deepEqual([tc.diff, tc.ci, tc.p, tc.test, tc.n_pairs], [onTest.comparisons[0]!.diff, onTest.comparisons[0]!.ci, onTest.comparisons[0]!.p, onTest.comparisons[0]!.test, 5]);
  assert.equal(v.test_set!.metric, "test accuracy");
  const text = formatVerdict("s", v);
  assert.match(text, /test columns: the held-out test set, evaluated once/);
  assert.match(text, /variant\s+n\s+val mean ± sd\s+min\s+max\s+range\s+test mean ± sd\s+test range\s+not finished/);
  assert.match(text, new RegExp(`b\\s+5\\s+86\\.90 ± \\d\\.\\d\\d .* ${(100 * ob.mean).toFixed(2)} ± ${(100 * ob.sd).toFixed(2)}`));
  assert.match(text, /on the test set: \+0\.92 pp {2}95% CI \[\+\d\.\d\d, \+\d\.\d\d\] {2}paired .*p = .* \(5 pairs; reported, not used to choose\)/);
});

test("a finished run that was not tested counts as missing on test; without any tested run the verdict is validation only", () => {
  const r = results({ a: [[0.85, 0.84], [0.86, undefined], [0.84, 0.83]], b: [[0.87, 0.85], [0.875, 0.852], [0.86, 0.84]] });
  const v = studyVerdictWithTest(r, "accuracy", { reference: "a", percent: true });
  assert.equal(v.variants.find((x) => x.name === "a")!.test_set!.n, 2);
  assert.equal(v.comparisons[0]!.test_set!.n_pairs, 2);
  assert.equal(v.variants.find((x) => x.name === "a")!.diverged, 0);
  const none = studyVerdictWithTest(results({ a: [[0.85, undefined], [0.86, undefined]], b: [[0.87, undefined], [0.875, undefined]] }), "accuracy", { reference: "a", percent: true });
  assert.equal(none.test_set, undefined);
  assert.ok(none.variants.every((x) => x.test_set === undefined));
  assert.doesNotMatch(formatVerdict("s", none), /test set|test mean/);
});

test("a results file's test column goes with its validation metric by name; only when that column exists", () => {
  const cols = ["val_accuracy", "test_accuracy", "val/loss", "test/loss", "validation-acc", "test-acc", "valid.f1", "accuracy"];
  assert.equal(testMetricFor("val_accuracy", cols), "test_accuracy");
  assert.equal(testMetricFor("val/loss", cols), "test/loss");
  assert.equal(testMetricFor("validation-acc", cols), "test-acc");
  assert.equal(testMetricFor("valid.f1", cols), undefined, "no test.f1 column");
  assert.equal(testMetricFor("accuracy", cols), undefined, "the name says no validation");
  assert.equal(testMetricFor("interval_x", ["test_x"]), undefined);
});
