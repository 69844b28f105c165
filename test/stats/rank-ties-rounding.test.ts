// Rank tests treat runs equal up to floating-point rounding as ties (one mid-rank), checked by exact enumeration.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as s from "../../src/stats/index.ts";

/** Two-sided exact conditional Mann–Whitney p of b vs a: every split of the pooled mid-ranks, by brute force. */
function enumeratedMannWhitney(a: number[], b: number[]): { u: number; p: number } {
  const pooled = [...b, ...a], N = pooled.length, k = b.length;
  const rank = pooled.map((v) => pooled.filter((w) => w < v).length + (pooled.filter((w) => w === v).length + 1) / 2);
  const observed = rank.slice(0, k).reduce((x, y) => x + y, 0);
  let le = 0, ge = 0, total = 0;
  const pick = (from: number, left: number, sum: number): void => {
    if (left === 0) { total++; if (sum <= observed + 1e-9) le++; if (sum >= observed - 1e-9) ge++; return; }
    for (let i = from; i <= N - left; i++) pick(i + 1, left - 1, sum + rank[i]!);
  };
  pick(0, k, 0);
  return { u: observed - (k * (k + 1)) / 2, p: Math.min(1, (2 * Math.min(le, ge)) / total) };
}

// 0.1 + 0.2 = 0.30000000000000004 and 0.7 + 0.1 = 0.7999999999999999: the same runs as 0.3 and 0.8.
const A = [0.1 + 0.2, 0.4, 0.7 + 0.1, 0.9];
const B = [0.3, 0.8, 0.85, 1.0, 0.95];
const A_CLEAN = [0.3, 0.4, 0.8, 0.9];

test("Mann–Whitney: values equal up to rounding share one mid-rank, p matches exact enumeration", () => {
  const ref = enumeratedMannWhitney(A_CLEAN, B);
  const r = s.mannWhitneyU(A, B);
  assert.equal(r.statistic, ref.u);
  assert.ok(Math.abs(r.p - ref.p) < 1e-12, `p ${r.p} vs enumerated ${ref.p}`);
  assert.match(r.methodDetail ?? "", /exact conditional distribution given the mid-ranks \(2 tie groups\)/);
  const clean = s.mannWhitneyU(A_CLEAN, B);
  assert.equal(r.p, clean.p);
  // float32 runs one float32 step apart are one run
  const x = Math.fround(0.3), y = Math.fround(0.3 + 2 ** -25);
  assert.notEqual(x, y);
  const f = s.mannWhitneyU([x, Math.fround(0.5), Math.fround(0.6)], [y, Math.fround(0.7), Math.fround(0.8)]);
  const fRef = enumeratedMannWhitney([0.3, 0.5, 0.6], [0.3, 0.7, 0.8]);
  assert.equal(f.statistic, fRef.u);
  assert.ok(Math.abs(f.p - fRef.p) < 1e-12);
  // real differences stay differences
  assert.equal(s.mannWhitneyU([0.3, 0.4, 0.8, 0.9], [0.3001, 0.8, 0.85, 1.0, 0.95]).statistic, enumeratedMannWhitney([0.3, 0.4, 0.8, 0.9], [0.3001, 0.8, 0.85, 1.0, 0.95]).u);
});

test("unpaired P(B > A) counts runs equal up to rounding as ties, like the U statistic", () => {
  for (const [a, b, clean] of [[A, B, A_CLEAN], [[0.4, 0.7 + 0.1, 0.9], [0.8, 0.85, 1.0], [0.4, 0.8, 0.9]]]) {
    const pi = s.improvementInterval(a!, b!);
    assert.equal(pi.estimate, enumeratedMannWhitney(clean!, b!).u / (a!.length * b!.length));
    assert.deepEqual(pi, s.improvementInterval(clean!, b!));
  }
  assert.equal(s.improvementInterval([0.4, 0.7 + 0.1, 0.9], [0.8, 0.85, 1.0]).estimate, 6.5 / 9);
});

test("Wilcoxon: |differences| equal up to rounding share one mid-rank", () => {
  // differences 0.1 (three ways of rounding it), −0.1, 0.3
  const a = [0.6, 0.7, 0.2, 0.5, 0.1];
  const b = [0.7, 0.8, 0.1, 0.8, 0.2];
  const r = s.wilcoxonSignedRank(a, b);
  const clean = s.wilcoxonSignedRank([0, 0, 0, 0, 0], [0.1, 0.1, -0.1, 0.3, 0.1]);
  assert.equal(r.statistic, clean.statistic);
  assert.equal(r.p, clean.p);
  assert.match(r.methodDetail ?? "", /tie/);
  // through the paired verdict, whose differences are smaller than the runs: the same ties
  const v = s.comparePaired(a.map((x) => x + 100), [100.7, 100.8, 100.1, 100.8, 100.2], { test: "wilcoxon" });
  assert.equal(v.statistic, clean.statistic);
  assert.equal(v.p, clean.p);
});
