// Edge cases: bad input, n = 1 and 2, ties, all-equal values, zero differences.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as s from "../../src/stats/index.ts";

test("non-finite values give a clear error naming the function and index", () => {
  assert.throws(() => s.mean([1, 2, 3, NaN]), { message: "stats.mean: value 3 is NaN; remove or fix non-finite results before analysing" });
  assert.throws(() => s.sd([1, Infinity, 3]), /stats\.sd: value 1 is Infinity; remove or fix/);
  assert.throws(() => s.pairedTTest([1, 2, 3], [1, -Infinity, 3]), /pairedTTest: b value 1 is -Infinity/);
  assert.throws(() => s.comparePaired([1, 2, NaN], [1, 2, 3]), /comparePaired: a value 2 is NaN/);
  assert.throws(() => s.bootstrapInterval([1, NaN]), /NaN/);
});

test("too small n says what n is needed", () => {
  assert.throws(() => s.mean([]), /stats\.mean: needs at least 1 value, got n = 0/);
  assert.throws(() => s.sd([1]), /stats\.sd: needs at least 2 values .*got n = 1/);
  assert.throws(() => s.pairedTTest([1], [2]), /needs at least 2 values.*got n = 1/);
  assert.throws(() => s.welchTTest([1], [2, 3]), /needs at least 2 values/);
  assert.throws(() => s.tInterval([1]), /needs at least 2/);
  assert.throws(() => s.comparePaired([1], [2]), /at least 2 seeds/);
  assert.throws(() => s.pairedTTest([1, 2], [1, 2, 3]), /same length/);
});

test("n = 1 and n = 2 work where they are defined", () => {
  const d1 = s.describe([0.9]);
  assert.equal(d1.n, 1);
  assert.equal(d1.mean, 0.9);
  assert.ok(Number.isNaN(d1.sd) && Number.isNaN(d1.se));
  assert.equal(d1.median, 0.9);
  assert.equal(d1.iqm, 0.9);
  assert.equal(d1.range, 0);
  const r = s.pairedTTest([1, 2], [1.5, 2.7]);
  assert.equal(r.df, 1);
  assert.ok(r.p > 0 && r.p < 1);
  const v = s.comparePaired([1, 2], [1.5, 2.7]);
  assert.equal(v.n, 2);
  assert.ok(v.ci[0] < v.diff && v.diff < v.ci[1]);
  assert.ok(v.notes.some((n) => /only 2 seeds/.test(n)));
});

test("all values equal: t-tests explain instead of returning NaN", () => {
  assert.throws(() => s.pairedTTest([1, 2, 3], [1.5, 2.5, 3.5]), /paired differences b − a are identical.*standard deviation is 0/);
  assert.throws(() => s.oneSampleTTest([2, 2, 2]), /identical/);
  assert.throws(() => s.welchTTest([1, 1, 1], [2, 2, 2]), /identical/);
  const same = s.comparePaired([0.8, 0.85, 0.9], [0.8, 0.85, 0.9]);
  assert.equal(same.p, 1);
  assert.deepEqual(same.ci, [0, 0]);
  assert.ok(same.notes[0]!.includes("exactly 0"));
  const shifted = s.comparePaired([1, 2, 3, 4, 5, 6], [2, 3, 4, 5, 6, 7]);
  assert.equal(shifted.test, "sign");
  assert.ok(Math.abs(shifted.p - 0.03125) < 1e-15);
  assert.ok(shifted.notes.some((n) => /same difference/.test(n)));
  assert.ok(shifted.notes.every((n) => !/NaN/.test(n)));
});

test("zero differences and ties in rank tests", () => {
  assert.throws(() => s.wilcoxonSignedRank([1, 2, 3], [1, 2, 3]), /all 3 differences b − a are zero/);
  assert.throws(() => s.signTest([1, 2], [1, 2]), /all 2 differences/);
  assert.throws(() => s.mannWhitneyU([1, 1, 1], [1, 1]), /identical/);
  const w = s.wilcoxonSignedRank([1, 2, 3, 4, 5, 6], [1, 2.5, 3.5, 5, 5.5, 6.5]);
  assert.equal(w.method, "exact"); // exact conditional distribution, the zero difference dropped
  assert.match(w.methodDetail!, /exact conditional .*1 zero difference dropped/);
  const exact = s.wilcoxonSignedRank([1, 2, 3, 4, 5, 6], [1, 2.5, 3.5, 5, 5.5, 6.5], { method: "exact" });
  assert.equal(exact.method, "exact");
  assert.ok(exact.p > 0 && exact.p <= 1);
});

test("small n: exact tests report the smallest achievable p and a note", () => {
  const r = s.pairedPermutationTest([1, 2, 3], [1.1, 2.3, 3.2]);
  assert.equal(r.method, "exact");
  assert.equal(r.minAchievableP, 0.25);
  assert.equal(r.p, 0.25);
  assert.match(r.note!, /smallest p-value this .* can give is 0\.25/);
  assert.equal(s.signTest([1, 2, 3], [2, 3, 4]).minAchievableP, 0.25);
  assert.equal(s.wilcoxonSignedRank([1, 2, 3, 4], [2, 3.1, 4.3, 5.6]).minAchievableP, 0.125);
  const m = s.mannWhitneyU([1, 2, 3], [4, 5, 6]);
  assert.equal(m.method, "exact");
  assert.equal(m.p, 0.1);
  assert.equal(m.minAchievableP, 0.1);
  assert.ok(m.note);
  assert.equal(s.pairedPermutationTest([1, 2, 3, 4, 5, 6], [2, 3, 4, 5, 6, 7.5]).note, undefined);
  assert.equal(s.pairedTTest([1, 2, 3], [1.1, 2.3, 3.2]).minAchievableP, 0);
});

test("bad options are rejected clearly", () => {
  assert.throws(() => s.pairedTTest([1, 2], [2, 4], { alternative: "bigger" as unknown as s.Alternative }), /alternative must be/);
  assert.throws(() => s.tInterval([1, 2, 3], 95), /confidence level must be strictly between 0 and 1/);
  assert.throws(() => s.quantile([1, 2], 1.5), /q must be in \[0, 1\]/);
  assert.throws(() => s.holm([0.1, 1.2]), /outside \[0, 1\]/);
  assert.throws(() => s.sequentialDesign({ looks: [5, 3] }), /looks must increase/);
  assert.throws(() => s.sequentialDesign({ looks: [1, 3] }), /integer ≥ 2 seeds/);
});
