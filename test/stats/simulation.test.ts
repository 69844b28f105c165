// Simulation checks with fixed seeds: t intervals cover ~95%, t-tests reject
// ~5% of true nulls, exact and permutation tests never exceed their level.
// 2,000 simulated studies per setting, n ∈ {3, 5, 10}.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as s from "../../src/stats/index.ts";

const STUDIES = 2000;
const ALPHA = 0.05;
const NS = [3, 5, 10];
/** Upper limit for a valid level-α test: α + 3 binomial sds of the simulation. */
const LIMIT = ALPHA + 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / STUDIES);

function normals(r: s.Xoshiro128, n: number, mu = 0, sd = 1): number[] {
  return Array.from({ length: n }, () => mu + sd * r.nextNormal());
}

test("t intervals cover 93.5–96.5% (paired, one-sample, Welch)", () => {
  for (const n of NS) {
    const r = s.rng(1000 + n);
    let paired = 0, one = 0, welch = 0;
    for (let k = 0; k < STUDIES; k++) {
      // correlated pairs: a shared seed effect plus noise; true difference 0.3
      const seedEffect = normals(r, n, 0, 2);
      const a = seedEffect.map((v) => 10 + v + 0.5 * r.nextNormal());
      const b = seedEffect.map((v) => 10.3 + v + 0.5 * r.nextNormal());
      const p = s.pairedTInterval(a, b);
      if (p.lo <= 0.3 && 0.3 <= p.hi) paired++;
      const o = s.tInterval(a.map((v, i) => v - seedEffect[i]!));
      if (o.lo <= 10 && 10 <= o.hi) one++;
      const w = s.welchInterval(normals(r, n, 0, 1), normals(r, n + 2, 1, 2));
      if (w.lo <= 1 && 1 <= w.hi) welch++;
    }
    for (const [name, c] of [["paired", paired], ["one-sample", one], ["Welch", welch]] as const) {
      const cov = c / STUDIES;
      assert.ok(cov >= 0.935 && cov <= 0.965, `${name} t interval coverage at n = ${n}: ${cov}`);
    }
  }
});

test("t-tests reject 3.5–6.5% of true nulls", () => {
  for (const n of NS) {
    const r = s.rng(2000 + n);
    let paired = 0, welch = 0, student = 0;
    for (let k = 0; k < STUDIES; k++) {
      const a = normals(r, n), b = normals(r, n);
      if (s.pairedTTest(a, b).p < ALPHA) paired++;
      if (s.welchTTest(a, normals(r, n, 0, 2)).p < ALPHA) welch++;
      if (s.studentTTest(a, b).p < ALPHA) student++;
    }
    for (const [name, c] of [["paired t", paired], ["Welch t", welch], ["Student t", student]] as const) {
      const rate = c / STUDIES;
      // Welch's test is slightly conservative at n = 3 with unequal variances
      const lower = name === "Welch t" && n === 3 ? 0.02 : 0.035;
      assert.ok(rate >= lower && rate <= 0.065, `${name} type-I error at n = ${n}: ${rate}`);
    }
  }
});

test("exact and permutation tests never exceed the nominal level", () => {
  for (const n of NS) {
    const r = s.rng(3000 + n);
    const rej: Record<string, number> = { wilcoxon: 0, sign: 0, pairedPerm: 0, mwu: 0, perm: 0, pairedPermMC: 0 };
    for (let k = 0; k < STUDIES; k++) {
      const a = normals(r, n), b = normals(r, n);
      // heavy-tailed differences: t with 2 df
      const bHeavy = a.map((v) => v + r.nextNormal() / Math.sqrt((r.nextNormal() ** 2 + r.nextNormal() ** 2) / 2));
      if (s.wilcoxonSignedRank(a, bHeavy).p <= ALPHA) rej.wilcoxon!++;
      if (s.signTest(a, bHeavy).p <= ALPHA) rej.sign!++;
      if (s.pairedPermutationTest(a, bHeavy).p <= ALPHA) rej.pairedPerm!++;
      if (s.mannWhitneyU(a, b).p <= ALPHA) rej.mwu!++;
      if (s.permutationTest(a, b, { resamples: 999, seed: k }).p <= ALPHA) rej.perm!++;
      if (s.pairedPermutationTest(a, bHeavy, { maxExact: 1, resamples: 999, seed: k }).p <= ALPHA) rej.pairedPermMC!++;
    }
    for (const [name, c] of Object.entries(rej)) {
      const rate = c / STUDIES;
      assert.ok(rate <= LIMIT, `${name} rejects ${rate} of true nulls at n = ${n} (limit ${LIMIT.toFixed(4)})`);
    }
  }
});

test("rank and permutation tests have power when there is an effect", () => {
  const r = s.rng(4000);
  let w = 0, p = 0;
  for (let k = 0; k < 500; k++) {
    const a = normals(r, 10), b = a.map((v) => v + 1.5 + 0.5 * r.nextNormal());
    if (s.wilcoxonSignedRank(a, b).p <= ALPHA) w++;
    if (s.pairedPermutationTest(a, b).p <= ALPHA) p++;
  }
  assert.ok(w / 500 > 0.9 && p / 500 > 0.9, `power ${w / 500}, ${p / 500}`);
});
