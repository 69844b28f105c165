// The seed-spread fields of every comparison (stats/compare JSON and text, seed report).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as s from "../../src/stats/index.ts";
import { readResults } from "../../src/study/results-file.ts";
import { analyzeResults } from "../../src/study/analyze.ts";
import { formatVerdict } from "../../src/study/verdict.ts";
import { seedSpreads, spreadLine } from "../../src/study/spread-fields.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-spread-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

const A = [0.861, 0.872, 0.866, 0.869, 0.858, 0.851, 0.874];
const B = [0.866, 0.870, 0.868, 0.869, 0.864, 0.862, 0.871];

test("paired comparison: variance ratio with the Pitman–Morgan interval, Brown–Forsythe and Pitman–Morgan p", () => {
  const csv = ["variant,seed,accuracy", ...A.map((v, i) => `base,${i},${v}`), ...B.map((v, i) => `new,${i},${v}`)].join("\n");
  const p = join(dir, "r.csv");
  writeFileSync(p, csv);
  const a = analyzeResults(readResults(p), { metric: "accuracy" });
  const c = a.comparisons[0]!;
  const pm = s.pitmanMorgan(A, B);
  assert.equal(c.variance_ratio, s.variance(B) / s.variance(A));
  assert.deepEqual(c.variance_ratio_ci, pm.ci);
  assert.equal(c.variance_ratio_method, "Pitman–Morgan");
  assert.equal(c.variance_p, s.brownForsythe([B, A]).p);
  assert.equal(c.variance_p_pitman_morgan, pm.p);
  const text = formatVerdict("", a, false);
  assert.match(text, /spread: new's seed sd is 0\.\d+× base's \(variance ratio 0\.\d+, 95% CI [\d.]+–[\d.]+, Pitman–Morgan\); Brown–Forsythe p = [\d.]+; Pitman–Morgan p = [\d.]+/);
});

test("unpaired comparison: F interval, no Pitman–Morgan p", () => {
  const lines = [...A.map((v, i) => ({ variant: "base", seed: i, accuracy: v })), ...B.map((v, i) => ({ variant: "new", seed: i + 10, accuracy: v }))];
  const p = join(dir, "r.jsonl");
  writeFileSync(p, lines.map((l) => JSON.stringify(l)).join("\n"));
  const c = analyzeResults(readResults(p), { metric: "accuracy" }).comparisons[0]!;
  assert.equal(c.variance_ratio_method, "F");
  assert.deepEqual(c.variance_ratio_ci, s.varianceRatioInterval(A, B).ci);
  assert.equal(c.variance_p_pitman_morgan, null);
});

test("seed report spreads pair by seed label and skip seeds one variant lacks", () => {
  const out = seedSpreads([
    { name: "scratch", labels: [0, 1, 2, 3, 4, 5], values: [1, 3, 2, 5, 4, 6] },
    { name: "pretrained", labels: [0, 1, 2, 4, 5], values: [2, 2.5, 2.2, 2.9, 3.1] },
  ]);
  assert.equal(out.length, 1);
  assert.equal(out[0]!.n_pairs, 5);
  const a = [1, 3, 2, 4, 6], b = [2, 2.5, 2.2, 2.9, 3.1];
  assert.equal(out[0]!.variance_ratio, s.variance(b) / s.variance(a));
  assert.deepEqual(out[0]!.variance_ratio_ci, s.pitmanMorgan(a, b).ci);
  assert.match(spreadLine("scratch", "pretrained", out[0]!, 0.95)!, /pretrained's seed sd is/);
});
