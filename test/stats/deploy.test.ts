/**
 * Statistics for choosing what to deploy, against independent references
 * computed here by SciPy/NumPy (/usr/bin/python3): Spearman, exact McNemar for
 * two models, validation-vs-test agreement over seeds and k-seed ensembles,
 * the two-level (seeds × test examples) variance parts, the ensemble gain's
 * jackknife; and the two-level interval's coverage in a small simulation with
 * known truth (the full table: bench/two-level.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as s from "../../src/stats/index.ts";
import { coverage, SCENARIOS } from "../../bench/two-level-sim.ts";

function python(code: string, input: unknown): unknown {
  const r = spawnSync("/usr/bin/python3", ["-c", code], { input: JSON.stringify(input), encoding: "utf8", env: { ...process.env, OPENBLAS_NUM_THREADS: "1" } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const close = (a: number, b: number, tol = 1e-10, what = "") => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

/** Deterministic synthetic predictions: [seeds][examples × classes] probabilities and labels. */
function synthetic(seeds: number, E: number, C: number, seed: number): { preds: s.Predictions[]; labels: Int32Array } {
  const rng = new s.Xoshiro128(seed);
  const labels = new Int32Array(E).map(() => rng.nextInt(C));
  const base = new Float64Array(E * C).map(() => rng.nextNormal());
  for (let e = 0; e < E; e++) base[e * C + labels[e]!] += 1;
  const preds = Array.from({ length: seeds }, () => {
    const p = new Float64Array(E * C);
    for (let e = 0; e < E; e++) {
      let sum = 0;
      for (let c = 0; c < C; c++) sum += (p[e * C + c] = Math.exp(base[e * C + c]! + rng.nextNormal()));
      for (let c = 0; c < C; c++) p[e * C + c]! /= sum;
    }
    return { data: p, shape: [E, C] as [number, number] };
  });
  return { preds, labels };
}

test("spearman matches scipy.stats.spearmanr, ties included", () => {
  const cases = [
    [[0.85, 0.86, 0.84, 0.87, 0.85], [0.75, 0.77, 0.76, 0.8, 0.74]],
    [[1, 2, 2, 3, 4, 4, 4], [3, 1, 2, 2, 5, 6, 6]],
    [[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]],
  ];
  const want = python("import json,sys; from scipy.stats import spearmanr; print(json.dumps([spearmanr(a, b).correlation for a, b in json.load(sys.stdin)]))", cases) as number[];
  cases.forEach(([a, b], i) => close(s.spearman(a!, b!), want[i]!, 1e-12, `case ${i}`));
  assert.ok(Number.isNaN(s.spearman([1, 1, 1], [1, 2, 3])));
  assert.throws(() => s.spearman([1, 2], [2, 1]), /at least 3 pairs/);
});

test("mcnemarModels matches scipy.stats.binomtest on the discordant examples", () => {
  const rng = new s.Xoshiro128(3);
  const a = Array.from({ length: 300 }, () => (rng.nextFloat() < 0.8 ? 1 : 0));
  const b = a.map((v) => (rng.nextFloat() < 0.1 ? 1 - v : v));
  const r = s.mcnemarModels(a, b);
  const want = python(
    "import json,sys; from scipy.stats import binomtest; a,b=json.load(sys.stdin); oa=sum(1 for x,y in zip(a,b) if x and not y); ob=sum(1 for x,y in zip(a,b) if y and not x); print(json.dumps([oa, ob, binomtest(ob, oa+ob, 0.5).pvalue]))",
    [a, b],
  ) as number[];
  assert.equal(r.onlyA, want[0]);
  assert.equal(r.onlyB, want[1]);
  close(r.p, want[2]!, 1e-10, "p");
  close(r.difference, (want[1]! - want[0]!) / 300, 1e-15, "difference");
});

test("validation vs test: agreement across seeds and across k-seed ensembles matches NumPy/SciPy on the same subsets", () => {
  const val = synthetic(5, 300, 4, 11), tst = synthetic(5, 400, 4, 12);
  const single = s.validationTestAgreement([0.85, 0.86, 0.84, 0.87], [0.76, 0.74, 0.75, 0.77]);
  assert.equal(single.bestOnValidation, 3);
  assert.equal(single.bestOnValidationIsBestOnTest, true);
  const lucky = s.validationTestAgreement([0.85, 0.86, 0.84], [0.77, 0.75, 0.76]);
  assert.equal(lucky.testRankOfBestOnValidation, 3);
  close(lucky.testRegret, 0.02, 1e-12, "regret");
  const curve = s.ensembleValidationTest(val.preds, val.labels, tst.preds, tst.labels);
  const want = python(
    `
import json, sys, itertools, numpy as np
from scipy.stats import spearmanr
d = json.load(sys.stdin)
def acc(P, y, sub): return float((sum(P[i] for i in sub).argmax(1) == y).mean())
V = [np.array(p).reshape(300, 4) for p in d["v"]]; T = [np.array(p).reshape(400, 4) for p in d["t"]]
yv, yt = np.array(d["yv"]), np.array(d["yt"])
out = []
for k in range(1, 6):
    subs = list(itertools.combinations(range(5), k))
    v = [acc(V, yv, s) for s in subs]; t = [acc(T, yt, s) for s in subs]
    out.append({"rho": spearmanr(v, t).correlation if len(subs) >= 3 else None, "best": int(np.argmax(v)), "regret": max(t) - t[int(np.argmax(v))]})
print(json.dumps(out))`,
    { v: val.preds.map((p) => Array.from(p.data)), t: tst.preds.map((p) => Array.from(p.data)), yv: Array.from(val.labels), yt: Array.from(tst.labels) },
  ) as { rho: number | null; best: number; regret: number }[];
  curve.forEach((c, i) => {
    const w = want[i]!;
    assert.ok(c.exhaustive);
    if (w.rho === null || Number.isNaN(w.rho)) assert.ok(Number.isNaN(c.spearman));
    else close(c.spearman, w.rho, 1e-12, `k=${c.k} rho`);
    assert.equal(c.bestOnValidation, w.best, `k=${c.k}`);
    close(c.testRegret, w.regret, 1e-12, `k=${c.k} regret`);
  });
});

test("churn matches NumPy: pairwise disagreement and the share of examples the seeds do not all agree on", () => {
  const { preds } = synthetic(4, 500, 3, 5);
  const cls = preds.map((_, i) => s.predictedClasses(preds, [i]));
  const r = s.churn(cls);
  const want = python(
    "import json,sys,numpy as np; c=np.array(json.load(sys.stdin)); p=[(c[i]!=c[j]).mean() for i in range(4) for j in range(i+1,4)]; print(json.dumps([float(np.mean(p)), float(min(p)), float(max(p)), float((c!=c[0]).any(0).mean())]))",
    cls.map((c) => Array.from(c)),
  ) as number[];
  close(r.mean, want[0]!, 1e-14, "mean");
  close(r.min, want[1]!, 1e-14, "min");
  close(r.max, want[2]!, 1e-14, "max");
  close(r.unstable, want[3]!, 1e-14, "unstable");
  assert.equal(r.pairs, 6);
});

test("ensembleGain: estimate, example part and seed jackknife match NumPy", () => {
  const { preds, labels } = synthetic(4, 500, 3, 9);
  const r = s.ensembleGain(preds, labels);
  const want = python(
    `
import json, sys, numpy as np
d = json.load(sys.stdin); P = [np.array(p).reshape(500, 3) for p in d["p"]]; y = np.array(d["y"]); n = len(P)
def gain(idx):
    ens = (sum(P[i] for i in idx).argmax(1) == y).astype(float)
    return ens - np.mean([(P[i].argmax(1) == y) for i in idx], axis=0)
g = gain(range(n))
loo = np.array([gain([j for j in range(n) if j != i]).mean() for i in range(n)])
print(json.dumps([float(g.mean()), float(g.var(ddof=1) / len(g)), float((n - 1) / n * ((loo - loo.mean()) ** 2).sum())]))`,
    { p: preds.map((p) => Array.from(p.data)), y: Array.from(labels) },
  ) as number[];
  close(r.estimate, want[0]!, 1e-12, "gain");
  close(r.parts.examples, want[1]!, 1e-10, "example variance");
  close(r.parts.seeds, want[2]!, 1e-10, "seed jackknife variance");
  assert.ok(r.lo < r.estimate && r.estimate < r.hi);
  const two = s.ensembleGain(preds.slice(0, 2), labels);
  assert.ok(Number.isNaN(two.lo) && Number.isNaN(two.hi), "no interval from 2 seeds");
  assert.match(two.method, /needs 3 or more members/);
});

test("twoLevelDifference: the variance parts equal the two-way ANOVA mean squares computed by NumPy", () => {
  const rng = new s.Xoshiro128(21);
  const S = 4, E = 200;
  const a = Array.from({ length: S }, () => Array.from({ length: E }, () => (rng.nextFloat() < 0.8 ? 1 : 0)));
  const b = Array.from({ length: S }, (_, i) => Array.from({ length: E }, () => (rng.nextFloat() < 0.8 + 0.03 * i ? 1 : 0)));
  const paired = s.twoLevelDifference(a, b);
  const unpaired = s.twoLevelDifference(a, b.slice(0, 3), { paired: false });
  const want = python(
    `
import json, sys, numpy as np
a, b = (np.array(x, float) for x in json.load(sys.stdin))
def ms(d):
    S, E = d.shape; m = d.mean(); r = d.mean(1); c = d.mean(0)
    res = d - r[:, None] - c[None, :] + m
    return E * ((r - m) ** 2).sum() / (S - 1), S * ((c - m) ** 2).sum() / (E - 1), (res ** 2).sum() / ((S - 1) * (E - 1))
d = b - a; S, E = d.shape; R, C, Q = ms(d)
paired = [float(d.mean()), (R - Q) / (S * E), (C - Q) / (S * E), Q / (S * E)]
b3 = b[:3]; Ra, _, Qa = ms(a); Rb, _, Qb = ms(b3)
c = b3.mean(0) - a.mean(0)
unp = [float(b3.mean() - a.mean()), max(0, (Ra - Qa) / (4 * E)) + max(0, (Rb - Qb) / (3 * E)), float(c.var(ddof=1) / E)]
print(json.dumps({"paired": paired, "unpaired": unp}))`,
    [a, b],
  ) as { paired: number[]; unpaired: number[] };
  const [est, seeds, ex, inter] = want.paired as [number, number, number, number];
  close(paired.estimate, est, 1e-12, "paired estimate");
  close(paired.parts.seeds, Math.max(0, seeds), 1e-10, "seed part");
  close(paired.parts.examples, Math.max(0, ex), 1e-10, "example part");
  close(paired.parts.interaction, inter, 1e-10, "interaction");
  close(unpaired.estimate, want.unpaired[0]!, 1e-12, "unpaired estimate");
  close(unpaired.parts.seeds, want.unpaired[1]!, 1e-10, "unpaired seed part");
  close(unpaired.parts.examples + unpaired.parts.interaction, want.unpaired[2]!, 1e-10, "unpaired example + interaction");
  assert.throws(() => s.twoLevelDifference(a, b.slice(0, 3), { paired: true }), /same seeds/);
  assert.throws(() => s.twoLevelDifference([a[0]!], b), /at least 2 seeds/);
});

test("twoLevelDifference covers the true difference (small simulation; bench/two-level.ts has the full table)", () => {
  // Smaller test sets than the bench, same models: 150 studies per cell.
  for (const sc of [SCENARIOS[0]!, SCENARIOS[2]!]) {
    for (const seeds of [3, 10]) {
      const c = coverage({ ...sc, examples: 1000 }, seeds, true, 150, 100 + seeds);
      assert.ok(c.coverage >= 0.9, `${sc.name}, ${seeds} seeds: coverage ${c.coverage}`);
    }
  }
});
