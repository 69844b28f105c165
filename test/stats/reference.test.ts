// Compares twin's statistics with reference values computed by SciPy 1.10.1
// (test/stats/reference.json, produced by test/stats/gen_reference.py; each
// case records the exact SciPy call in its `ref` field). No Python needed here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as s from "../../src/stats/index.ts";
import type { Alternative } from "../../src/stats/index.ts";

interface Case {
  fn: string;
  args: unknown[];
  expected: unknown;
  ref: string;
  rtol: number;
  atol: number;
}

const ref = JSON.parse(readFileSync(new URL("./reference.json", import.meta.url), "utf8")) as { scipy: string; cases: Case[] };

type Num = number;
const n = (x: unknown): Num => x as Num;
const arr = (x: unknown): number[] => x as number[];
const alt = (x: unknown): Alternative => x as Alternative;
const tr = (r: s.TestResult): Record<string, number> => ({ statistic: r.statistic, p: r.p });

const dispatch: Record<string, (args: unknown[]) => unknown> = {
  logGamma: (a) => s.logGamma(n(a[0])),
  gamma: (a) => s.gamma(n(a[0])),
  betaIncReg: (a) => s.betaIncReg(n(a[0]), n(a[1]), n(a[2])),
  gammaIncLower: (a) => s.gammaIncLower(n(a[0]), n(a[1])),
  gammaIncUpper: (a) => s.gammaIncUpper(n(a[0]), n(a[1])),
  erf: (a) => s.erf(n(a[0])),
  erfc: (a) => s.erfc(n(a[0])),
  normalCdf: (a) => s.normalCdf(n(a[0])),
  normalSf: (a) => s.normalSf(n(a[0])),
  normalQuantile: (a) => s.normalQuantile(n(a[0])),
  tCdf: (a) => s.tCdf(n(a[0]), n(a[1])),
  tSf: (a) => s.tSf(n(a[0]), n(a[1])),
  tQuantile: (a) => s.tQuantile(n(a[0]), n(a[1])),
  chiSquareCdf: (a) => s.chiSquareCdf(n(a[0]), n(a[1])),
  chiSquareSf: (a) => s.chiSquareSf(n(a[0]), n(a[1])),
  chiSquareQuantile: (a) => s.chiSquareQuantile(n(a[0]), n(a[1])),
  fCdf: (a) => s.fCdf(n(a[0]), n(a[1]), n(a[2])),
  fQuantile: (a) => s.fQuantile(n(a[0]), n(a[1]), n(a[2])),
  noncentralTCdf: (a) => s.noncentralTCdf(n(a[0]), n(a[1]), n(a[2])),
  binomialCdf: (a) => s.binomialCdf(n(a[0]), n(a[1]), n(a[2])),
  binomialPmf: (a) => s.binomialPmf(n(a[0]), n(a[1]), n(a[2])),
  binomialSf: (a) => s.binomialSf(n(a[0]), n(a[1]), n(a[2])),
  mean: (a) => s.mean(arr(a[0])),
  variance: (a) => s.variance(arr(a[0])),
  sd: (a) => s.sd(arr(a[0])),
  standardError: (a) => s.standardError(arr(a[0])),
  min: (a) => s.min(arr(a[0])),
  max: (a) => s.max(arr(a[0])),
  range: (a) => s.range(arr(a[0])),
  median: (a) => s.median(arr(a[0])),
  quantile: (a) => s.quantile(arr(a[0]), n(a[1])),
  interquartileMean: (a) => s.interquartileMean(arr(a[0])),
  trimmedMean: (a) => s.trimmedMean(arr(a[0]), n(a[1])),
  mad: (a) => s.mad(arr(a[0])),
  madNormal: (a) => s.mad(arr(a[0]), { scale: "normal" }),
  pairedTTest: (a) => tr(s.pairedTTest(arr(a[0]), arr(a[1]), { alternative: alt(a[2]) })),
  welchTTest: (a) => tr(s.welchTTest(arr(a[0]), arr(a[1]), { alternative: alt(a[2]) })),
  studentTTest: (a) => tr(s.studentTTest(arr(a[0]), arr(a[1]), { alternative: alt(a[2]) })),
  oneSampleTTest: (a) => tr(s.oneSampleTTest(arr(a[0]), n(a[1]), { alternative: alt(a[2]) })),
  pairedTInterval: (a) => { const r = s.pairedTInterval(arr(a[0]), arr(a[1]), n(a[2])); return [r.lo, r.hi]; },
  tInterval: (a) => { const r = s.tInterval(arr(a[0]), n(a[1])); return [r.lo, r.hi]; },
  welchInterval: (a) => { const r = s.welchInterval(arr(a[0]), arr(a[1]), n(a[2])); return [r.lo, r.hi]; },
  wilcoxonSignedRank: (a) => tr(s.wilcoxonSignedRank(arr(a[0]), arr(a[1]), { alternative: alt(a[2]), method: a[3] as "auto" })),
  mannWhitneyU: (a) => tr(s.mannWhitneyU(arr(a[0]), arr(a[1]), { alternative: alt(a[2]), method: a[3] as "auto" })),
  signTest: (a) => tr(s.signTest(arr(a[0]), arr(a[1]), { alternative: alt(a[2]) })),
  pairedPermutationTest: (a) => tr(s.pairedPermutationTest(arr(a[0]), arr(a[1]), { alternative: alt(a[2]) })),
  permutationTest: (a) => tr(s.permutationTest(arr(a[0]), arr(a[1]), { alternative: alt(a[2]) })),
  bcaFromDistribution: (a) => {
    const data = (a[0] as number[][]).map((x) => Float64Array.from(x));
    const thetaB = Float64Array.from(arr(a[1]));
    // twin's two-sample statistic is mean(b) − mean(a); data = [a, b]
    const stat = data.length === 1 ? (x: Float64Array[]) => s.meanUnchecked(x[0]!) : (x: Float64Array[]) => s.meanUnchecked(x[1]!) - s.meanUnchecked(x[0]!);
    const jack = data.map((_, j) => data[j]!.map((__, i) => stat(data.map((d, k) => (k === j ? d.filter((___, m) => m !== i) : d)))));
    const r = s.bcaFromDistribution(stat(data), thetaB, jack, n(a[2]));
    return { lo: r.lo, hi: r.hi, alpha1: r.alpha1, alpha2: r.alpha2, acceleration: r.acceleration };
  },
  betaQuantile: (a) => s.betaQuantile(n(a[0]), n(a[1]), n(a[2])),
  clopperPearson: (a) => s.clopperPearson(n(a[0]), n(a[1]), n(a[2])),
  mcnemarExact: (a) => tr(s.mcnemarExact((a[0] as number[]).map(Boolean), (a[1] as number[]).map(Boolean))),
  fisherExact: (a) => ({ p: s.fisherExact(a[0] as [[number, number], [number, number]]).p }),
  yuenTest: (a) => tr(s.yuenTest(arr(a[0]), arr(a[1]), { alternative: alt(a[2]) })),
  trimmedPairedTest: (a) => tr(s.trimmedPairedTest(arr(a[0]), arr(a[1]))),
  pairedImprovementInterval: (a) => { const r = s.pairedImprovementInterval(arr(a[0]), arr(a[1])); return [r.estimate, r.lo, r.hi]; },
  improvementInterval: (a) => { const r = s.improvementInterval(arr(a[0]), arr(a[1])); return [r.estimate, r.lo, r.hi]; },
  pairingGainInterval: (a) => { const r = s.pairingGainInterval(arr(a[0]), arr(a[1])); return [r.estimate, r.ci![0], r.ci![1]]; },
  holm: (a) => s.holm(arr(a[0])),
  benjaminiHochberg: (a) => s.benjaminiHochberg(arr(a[0])),
  bonferroni: (a) => s.bonferroni(arr(a[0])),
  tTestPower: (a) => s.tTestPower(n(a[0]), n(a[1]), n(a[2]), { alternative: alt(a[3]), design: a[4] as s.PowerDesign }),
  sampleSize: (a) => s.sampleSize(n(a[0]), n(a[1]), { design: a[2] as s.PowerDesign }).n,
  expectedMaxCurve: (a) => s.expectedMaxCurve(arr(a[0])).map((p) => [p.mean, p.sd]),
  varianceInterval: (a) => { const r = s.varianceInterval(arr(a[0]), n(a[1])); return [r.variance, r.lo, r.hi]; },
};

function close(actual: unknown, expected: unknown, rtol: number, atol: number, path: string): void {
  if (typeof expected === "number") {
    assert.equal(typeof actual, "number", `${path}: expected a number, got ${typeof actual}`);
    const a = actual as number;
    if (Number.isNaN(expected)) { assert.ok(Number.isNaN(a), `${path}: expected NaN, got ${a}`); return; }
    if (!Number.isFinite(expected)) { assert.equal(a, expected, path); return; }
    const tol = atol + rtol * Math.abs(expected);
    assert.ok(Math.abs(a - expected) <= tol, `${path}: got ${a}, expected ${expected} (|diff| ${Math.abs(a - expected)} > tol ${tol})`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array`);
    assert.equal((actual as unknown[]).length, expected.length, `${path}: length`);
    expected.forEach((e, i) => close((actual as unknown[])[i], e, rtol, atol, `${path}[${i}]`));
    return;
  }
  if (expected && typeof expected === "object") {
    for (const [k, e] of Object.entries(expected)) close((actual as Record<string, unknown>)[k], e, rtol, atol, `${path}.${k}`);
    return;
  }
  assert.equal(actual, expected, path);
}

test(`reference values from SciPy ${ref.scipy}`, async (t) => {
  const byFn = new Map<string, Case[]>();
  for (const c of ref.cases) byFn.set(c.fn, [...(byFn.get(c.fn) ?? []), c]);
  for (const [fn, cases] of byFn) {
    await t.test(`${fn} (${cases.length} cases)`, () => {
      const f = dispatch[fn];
      assert.ok(f, `no dispatcher for ${fn}`);
      for (const c of cases) close(f(c.args), c.expected, c.rtol, c.atol, `${fn} — ${c.ref}`);
    });
  }
});
