// Factorial analysis, spread comparison, Brown–Forsythe and Pitman–Morgan
// against reference values from SciPy 1.10.1 (test/stats/factorial_reference.json,
// produced by test/stats/gen_factorial_reference.py), and by simulation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as s from "../../src/stats/index.ts";

interface Case { fn: string; args: unknown[]; expected: unknown; ref: string; rtol: number; atol: number }
const ref = JSON.parse(readFileSync(new URL("./factorial_reference.json", import.meta.url), "utf8")) as { cases: Case[] };

function near(actual: number, expected: number, c: Pick<Case, "rtol" | "atol">, what: string): void {
  const tol = c.atol + c.rtol * Math.abs(expected);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs reference ${expected} (tolerance ${tol})`);
}

interface RefEffect { name: string; F: number; df1: number; df2: number; p_F: number; epsilon?: number; p_gg?: number; estimate?: number; lo?: number; hi?: number; t?: number; p?: number; contrasts?: number[][] }
interface RefSimple { factor: string; at: [string, string]; estimate: number; lo: number; hi: number; p: number }

const checks: Record<string, (c: Case) => void> = {
  brownForsythe(c) {
    const r = s.brownForsythe(c.args[0] as number[][]);
    const e = c.expected as { statistic: number; p: number };
    near(r.statistic, e.statistic, c, "statistic");
    near(r.p, e.p, c, "p");
  },
  fSf(c) {
    const [x, d1, d2] = c.args as number[];
    near(s.fSf(x!, d1!, d2!), c.expected as number, c, "sf");
  },
  varianceRatioInterval(c) {
    const r = s.varianceRatioInterval(c.args[0] as number[], c.args[1] as number[]);
    const [R, lo, hi] = c.expected as number[];
    near(r.ratio, R!, c, "ratio");
    near(r.ci[0], lo!, c, "lo");
    near(r.ci[1], hi!, c, "hi");
  },
  pitmanMorgan(c) {
    const r = s.pitmanMorgan(c.args[0] as number[], c.args[1] as number[]);
    const [R, lo, hi, t, p] = c.expected as number[];
    near(r.ratio, R!, c, "ratio");
    near(r.ci[0], lo!, c, "lo");
    near(r.ci[1], hi!, c, "hi");
    near(r.statistic, t!, c, "t");
    near(r.p, p!, c, "p");
  },
  factorialAnalysis(c) {
    const data = c.args[0] as s.FactorialData;
    const a = s.factorialAnalysis(data);
    const e = c.expected as { effects: RefEffect[]; simple: RefSimple[] };
    assert.deepEqual(a.effects.map((x) => x.name), e.effects.map((x) => x.name));
    a.effects.forEach((x, i) => {
      const r = e.effects[i]!;
      near(x.F, r.F, c, `${x.name} F`);
      assert.equal(x.df1, r.df1);
      assert.equal(x.df2, r.df2);
      if (r.epsilon === undefined) assert.equal(x.gg, null, `${x.name}: no Greenhouse–Geisser correction with one df`);
      else {
        near(x.gg!.epsilon, r.epsilon, c, `${x.name} Greenhouse–Geisser ε`);
        near(x.gg!.df1, r.epsilon * r.df1, c, `${x.name} corrected df1`);
        near(x.gg!.df2, r.epsilon * r.df2, c, `${x.name} corrected df2`);
        near(x.gg!.p, r.p_gg!, c, `${x.name} corrected p`);
        near(x.gg!.p_uncorrected, r.p_F, c, `${x.name} p assuming sphericity`);
      }
      if (r.estimate === undefined) {
        near(x.p, r.p_gg ?? r.p_F, c, `${x.name} p (F, corrected)`);
        assert.equal(x.estimate, null);
      } else {
        near(x.estimate!, r.estimate, c, `${x.name} estimate`);
        near(x.ci![0], r.lo!, c, `${x.name} lo`);
        near(x.ci![1], r.hi!, c, `${x.name} hi`);
        near(x.t!, r.t!, c, `${x.name} t`);
        near(x.p, r.p!, c, `${x.name} p`);
        // repeated-measures ANOVA = t test on the contrasts
        near(x.F, r.t! ** 2, { rtol: 1e-8, atol: 0 }, `${x.name} F = t²`);
        near(r.p_F, r.p!, { rtol: 1e-6, atol: 1e-12 }, `${x.name} reference F p = t p`);
      }
      (r.contrasts ?? []).forEach(([m, lo, hi, p], k) => {
        const got = x.contrasts[k]!;
        near(got.estimate, m!, c, `${x.name} contrast ${k}`);
        near(got.ci[0], lo!, c, `${x.name} contrast ${k} lo`);
        near(got.ci[1], hi!, c, `${x.name} contrast ${k} hi`);
        near(got.p, p!, c, `${x.name} contrast ${k} p`);
      });
    });
    assert.equal(a.simple.length, e.simple.length);
    a.simple.forEach((x, i) => {
      const r = e.simple[i]!;
      assert.equal(x.factor, r.factor);
      assert.deepEqual([x.at.factor, x.at.level], r.at);
      near(x.estimate, r.estimate, c, "simple estimate");
      near(x.ci[0], r.lo, c, "simple lo");
      near(x.ci[1], r.hi, c, "simple hi");
      near(x.p, r.p, c, "simple p");
    });
  },
};

test("factorial, spread and variance tests match the SciPy references", () => {
  assert.ok(ref.cases.length >= 20);
  for (const c of ref.cases) {
    const check = checks[c.fn];
    assert.ok(check, `no check for ${c.fn}`);
    try {
      check(c);
    } catch (e) {
      throw new Error(`${c.fn} (${c.ref}): ${(e as Error).message}`);
    }
  }
});

test("pairing gain's interval is the Pitman–Morgan interval of var(a + b)/var(b − a)", () => {
  const a = [0.8534, 0.85607, 0.83882, 0.86171, 0.8457, 0.851];
  const b = [0.85897, 0.85958, 0.83432, 0.86657, 0.86144, 0.853];
  const g = s.pairingGainInterval(a, b);
  const sum = a.map((x, i) => x + b[i]!), d = a.map((x, i) => b[i]! - x);
  const pm = s.pitmanMorgan(d, sum);
  assert.ok(Math.abs(g.ci![0] - (1 + pm.ci[0]) / 2) < 1e-12 && Math.abs(g.ci![1] - (1 + pm.ci[1]) / 2) < 1e-12);
});

test("bad factorial input: a one-level factor, a missing cell, a non-finite value are named", () => {
  const factors = [{ name: "optimizer", levels: ["sgd", "adam"] }, { name: "augment", levels: ["flip"] }];
  assert.throws(() => s.factorialAnalysis({ factors, values: [[1, 2], [3, 4]] }), /factor "augment" has 1 level \("flip"\)/);
  const two = [{ name: "optimizer", levels: ["sgd", "adam"] }, { name: "augment", levels: ["none", "flip"] }];
  assert.throws(() => s.factorialAnalysis({ factors: two, values: [[1, 2, 3, 4], [1, 2, 3]] }), /seed 1 has 3 values, the design has 4 cells/);
  assert.throws(() => s.factorialAnalysis({ factors: two, values: [[1, 2, 3, 4], [1, 2, NaN, 4]] }), /seed 1, cell optimizer=adam, augment=none is NaN/);
  assert.throws(() => s.factorialAnalysis({ factors: two, values: [[1, 2, 3, 4]] }), /at least 2 seeds/);
});

test("spread comparison: paired uses Pitman–Morgan, unpaired the F interval; 2 runs give no Brown–Forsythe p", () => {
  const a = [1, 2, 3, 4, 5, 6], b = [1.1, 2.5, 2.9, 4.8, 4.7, 6.6];
  const p = s.compareSpreads(a, b, { paired: true });
  assert.equal(p.interval, "Pitman–Morgan");
  assert.equal(p.paired_p, s.pitmanMorgan(a, b).p);
  assert.equal(p.p, s.brownForsythe([b, a]).p);
  const u = s.compareSpreads(a, b, { paired: false });
  assert.equal(u.interval, "F");
  assert.equal(u.paired_p, null);
  const two = s.compareSpreads([1, 2], [1, 3], { paired: false });
  assert.equal(two.p, null);
  assert.match(two.notes.join(" "), /at least 3 runs per group/);
});

const STUDIES = 2000;

test("simulation: variance-ratio intervals cover ~95%, Brown–Forsythe and Pitman–Morgan reject ~5% of true nulls", () => {
  const r = s.rng(15015);
  let coverF = 0, coverPM = 0, rejectBF = 0, rejectPM = 0;
  const n = 8, ratio = 0.25; // σ_b = σ_a / 2
  for (let k = 0; k < STUDIES; k++) {
    const a = Array.from({ length: n }, () => r.nextNormal());
    const b = Array.from({ length: n + 2 }, () => 0.5 * r.nextNormal());
    const u = s.varianceRatioInterval(a, b);
    if (u.ci[0] <= ratio && ratio <= u.ci[1]) coverF++;
    // paired, correlated 0.7, σ_b = σ_a / 2
    const z = Array.from({ length: n }, () => r.nextNormal());
    const pa = z.map((x) => x);
    const pb = z.map((x) => 0.5 * (0.7 * x + Math.sqrt(1 - 0.49) * r.nextNormal()));
    const pm = s.pitmanMorgan(pa, pb);
    if (pm.ci[0] <= ratio && ratio <= pm.ci[1]) coverPM++;
    // nulls: equal spreads
    const na = Array.from({ length: n }, () => r.nextNormal());
    const nb = Array.from({ length: n }, () => 3 + r.nextNormal());
    if (s.brownForsythe([nb, na]).p < 0.05) rejectBF++;
    const w = Array.from({ length: n }, () => r.nextNormal());
    const qa = w.map((x) => x + r.nextNormal()), qb = w.map((x) => x + r.nextNormal());
    if (s.pitmanMorgan(qa, qb).p < 0.05) rejectPM++;
  }
  const rate = (x: number) => x / STUDIES;
  assert.ok(rate(coverF) > 0.935 && rate(coverF) < 0.965, `F interval coverage ${rate(coverF)}`);
  assert.ok(rate(coverPM) > 0.935 && rate(coverPM) < 0.965, `Pitman–Morgan interval coverage ${rate(coverPM)}`);
  // Brown–Forsythe is slightly conservative at small n
  assert.ok(rate(rejectBF) > 0.02 && rate(rejectBF) < 0.065, `Brown–Forsythe type I ${rate(rejectBF)}`);
  assert.ok(rate(rejectPM) > 0.035 && rate(rejectPM) < 0.065, `Pitman–Morgan type I ${rate(rejectPM)}`);
});

test("simulation: factorial intervals cover ~95% and F tests reject ~5% under no effect", () => {
  const r = s.rng(15016);
  const factors = [{ name: "A", levels: ["0", "1"] }, { name: "B", levels: ["0", "1", "2"] }];
  const n = 6;
  let coverA = 0, rejectB = 0, rejectAB = 0, rejectBgg = 0;
  for (let k = 0; k < STUDIES; k++) {
    const values = Array.from({ length: n }, () => {
      const seed = 2 * r.nextNormal();
      // A adds 0.3 everywhere; no B effect, no interaction
      return Array.from({ length: 6 }, (_, c) => seed + (c >= 3 ? 0.3 : 0) + 0.5 * r.nextNormal());
    });
    const a = s.factorialAnalysis({ factors, values });
    const A = a.effects[0]!;
    if (A.ci![0] <= 0.3 && 0.3 <= A.ci![1]) coverA++;
    // Sphericity holds here: the uncorrected F test is exact, Greenhouse–Geisser conservative.
    if (a.effects[1]!.gg!.p_uncorrected < 0.05) rejectB++;
    if (a.effects[1]!.p < 0.05) rejectBgg++;
    if (a.effects[2]!.gg!.p_uncorrected < 0.05) rejectAB++;
  }
  const rate = (x: number) => x / STUDIES;
  assert.ok(rate(coverA) > 0.935 && rate(coverA) < 0.965, `main effect coverage ${rate(coverA)}`);
  assert.ok(rate(rejectB) > 0.035 && rate(rejectB) < 0.065, `F test (3 levels) type I ${rate(rejectB)}`);
  assert.ok(rate(rejectAB) > 0.035 && rate(rejectAB) < 0.065, `interaction F test type I ${rate(rejectAB)}`);
  assert.ok(rate(rejectBgg) > 0.015 && rate(rejectBgg) <= rate(rejectB), `Greenhouse–Geisser type I ${rate(rejectBgg)} (conservative under sphericity)`);
});

test("simulation: without sphericity the uncorrected F test rejects too often; Greenhouse–Geisser brings it back near 5%", () => {
  const r = s.rng(15017);
  const factors = [{ name: "B", levels: ["0", "1", "2", "3"] }];
  const sd = [0.2, 0.2, 0.5, 2]; // no effect of B; the levels' spreads over seeds differ
  const n = 8;
  let uncorrected = 0, corrected = 0, eps = 0;
  for (let k = 0; k < STUDIES; k++) {
    const values = Array.from({ length: n }, () => {
      const seed = r.nextNormal();
      return sd.map((x) => seed + x * r.nextNormal());
    });
    const B = s.factorialAnalysis({ factors, values }).effects[0]!;
    if (B.gg!.p_uncorrected < 0.05) uncorrected++;
    if (B.p < 0.05) corrected++;
    eps += B.gg!.epsilon;
  }
  const rate = (x: number) => x / STUDIES;
  assert.ok(rate(uncorrected) > 0.075, `uncorrected type I ${rate(uncorrected)}`);
  assert.ok(rate(corrected) > 0.03 && rate(corrected) < 0.07, `Greenhouse–Geisser type I ${rate(corrected)} (mean ε ${eps / STUDIES})`);
});

test("three factors: the three-way interaction is its own contrast (the A × B interaction at C=1 minus at C=0)", () => {
  const factors = ["A", "B", "C"].map((name) => ({ name, levels: ["0", "1"] }));
  // Only the cell A=1, B=1, C=1 is raised by 1: every effect that contains it is ±1/2^(k−1)-scaled.
  const values = [0, 1, 2, 3].map((seed) => Array.from({ length: 8 }, (_, c) => seed * 0.1 + (c === 7 ? 1 : 0) + 0.01 * Math.sin(seed * 8 + c)));
  const a = s.factorialAnalysis({ factors, values });
  assert.deepEqual(a.effects.map((e) => e.name), ["A", "B", "C", "A × B", "A × C", "B × C", "A × B × C"]);
  const abc = a.effects[6]!;
  const inter = (row: number[], c: number) => (row[6 + c]! - row[2 + c]!) - (row[4 + c]! - row[0 + c]!);
  const expected = values.reduce((sum, row) => sum + inter(row, 1) - inter(row, 0), 0) / values.length;
  assert.ok(Math.abs(abc.estimate! - expected) < 1e-12, `${abc.estimate} vs ${expected}`);
  assert.ok(Math.abs(abc.estimate! - 1) < 0.1);
  assert.equal(abc.gg, null);
  assert.equal(a.notes.some((n) => /not analysed/.test(n)), false);
});

test("Brown–Forsythe with 2 runs per group is undefined, also when rounding leaves a tiny within-group sum", () => {
  assert.throws(() => s.brownForsythe([[0.8610, 0.8706], [0.4082, 0.4420]]), /2 values per group always give this/);
  assert.equal(s.compareSpreads([0.4082, 0.4420], [0.8610, 0.8706], { paired: true }).p, null);
});
