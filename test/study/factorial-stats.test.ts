// `twin stats --factors`: factorial results from a file (long form, one column per factor, a seed column).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import * as s from "../../src/stats/index.ts";
import { readResults } from "../../src/study/results-file.ts";
import { factorialVerdict } from "../../src/study/factorial-verdict.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-factorial-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

// 6 seeds × optimizer (sgd, adam) × dropout (0, 0.2): dropout helps by ~0.5 points under
// both optimizers; adam adds ~0.4 points, but only without dropout (they do not stack).
const SEED = [0.861, 0.872, 0.866, 0.869, 0.858, 0.864];
const NOISE = [[0.0004, -0.0003, 0.0002, -0.0001], [-0.0002, 0.0001, 0.0003, -0.0004], [0.0001, 0.0002, -0.0003, 0.0004],
  [-0.0003, 0.0004, -0.0001, 0.0002], [0.0002, -0.0004, 0.0001, 0.0003], [0.0003, 0.0001, -0.0002, -0.0003]];
const rows: string[] = ["seed,optimizer,dropout,accuracy"];
const values: number[][] = [];
SEED.forEach((base, i) => {
  const row: number[] = [];
  ["sgd", "adam"].forEach((o, oi) => ["0", "0.2"].forEach((d, di) => {
    const v = Number((base + 0.004 * oi + 0.005 * di - 0.004 * oi * di + NOISE[i]![oi * 2 + di]!).toFixed(5));
    row.push(v);
    rows.push(`${i},${o},${d},${v}`);
  }));
  values.push(row);
});
const CSV = rows.join("\n");
const factors = [{ name: "optimizer", levels: ["sgd", "adam"] }, { name: "dropout", levels: ["0", "0.2"] }];

test("the factorial verdict of a results file equals the statistics layer's analysis, with plain statements", () => {
  const v = factorialVerdict(readResults(file("g.csv", CSV), { factors: ["optimizer", "dropout"] }), { metric: "accuracy", factors: ["optimizer", "dropout"] });
  const ref = s.factorialAnalysis({ factors, values });
  assert.deepEqual(v.factors, factors);
  assert.deepEqual(v.factorial.map((e) => e.name), ["optimizer", "dropout", "optimizer × dropout"]);
  v.factorial.forEach((e, i) => {
    assert.equal(e.estimate, ref.effects[i]!.estimate);
    assert.deepEqual(e.ci, ref.effects[i]!.ci);
    assert.equal(e.p, ref.effects[i]!.p);
  });
  assert.deepEqual(v.factorial[2]!.levels, { optimizer: ["sgd", "adam"], dropout: ["0", "0.2"] });
  assert.ok(Math.abs(v.factorial[2]!.estimate! + 0.004) < 5e-4);
  const text = v.statements.join("\n");
  assert.match(text, /the dropout effect \(0\.2 − 0\) holds under both optimizer levels/);
  assert.match(text, /optimizer and dropout do not stack: .*interaction -0\.00\d+, 95% CI \[-/);
  assert.match(text, /the optimizer effect \(adam − sgd\) is not clear under dropout=0\.2/);
  assert.equal(v.interaction_means[0]!.means.length, 4);
  assert.deepEqual(v.seeds, ["0", "1", "2", "3", "4", "5"]);
});

test("a run that diverged leaves its seed out, named; a missing cell, a one-level factor and a missing column are errors naming them", () => {
  const diverged = CSV.replace(/\n3,adam,0\.2,[\d.]+/, "\n3,adam,0.2,NaN");
  const v = factorialVerdict(readResults(file("d.csv", diverged), { factors: ["optimizer", "dropout"] }), { metric: "accuracy", factors: ["optimizer", "dropout"] });
  assert.deepEqual(v.excluded_seeds, [{ seed: "3", cells: [{ cell: "optimizer=adam, dropout=0.2", outcome: "diverged" }] }]);
  assert.equal(v.seeds.length, 5);
  assert.match(v.notes.join(" "), /seed 3 \(optimizer=adam, dropout=0\.2 diverged\)/);

  const missing = CSV.replace(/\n4,sgd,0\.2,[\d.]+/, "");
  assert.throws(() => factorialVerdict(readResults(file("m.csv", missing), { factors: ["optimizer", "dropout"] }), { metric: "accuracy", factors: ["optimizer", "dropout"] }),
    /seed 4 has no run for optimizer=sgd, dropout=0\.2/);
  const oneLevel = ["seed,optimizer,augment,accuracy", "0,sgd,flip,0.8", "0,adam,flip,0.81", "1,sgd,flip,0.82", "1,adam,flip,0.83"].join("\n");
  assert.throws(() => factorialVerdict(readResults(file("o.csv", oneLevel), { factors: ["optimizer", "augment"] }), { metric: "accuracy", factors: ["optimizer", "augment"] }),
    /factor "augment" has only one level \("flip"\)/);
  assert.throws(() => readResults(file("c.csv", CSV), { factors: ["optimizer", "augment"] }), /no column "augment" for --factors/);
});

test("twin stats --factors --json prints the factorial entries; JSON Lines work too; --plot writes the interaction plots as a PNG", () => {
  const r = spawnSync(process.execPath, ["bin/twin.js", "stats", file("cli.csv", CSV), "--factors", "optimizer,dropout", "--metric", "accuracy", "--json"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { factorial: Record<string, unknown>[] };
  for (const e of out.factorial) for (const k of ["name", "estimate", "ci", "p", "levels"]) assert.ok(k in e, k);
  assert.equal(out.factorial[2]!.name, "optimizer × dropout");
  const jsonl = CSV.split("\n").slice(1).map((l) => { const [seed, optimizer, dropout, accuracy] = l.split(","); return JSON.stringify({ seed: Number(seed), optimizer, dropout: Number(dropout), accuracy: Number(accuracy) }); }).join("\n");
  const t = spawnSync(process.execPath, ["bin/twin.js", "stats", file("g.jsonl", jsonl), "--factors", "optimizer,dropout"], { encoding: "utf8" });
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /optimizer × dropout +-0\.\d\d pp +95% CI/, "an accuracy of fractions in percentage points, as twin stats prints it");
  assert.match(t.stdout, /• optimizer and dropout do not stack/);
  const png = join(dir, "plots", "grid.png");
  const plotted = spawnSync(process.execPath, ["bin/twin.js", "stats", file("p.csv", CSV), "--factors", "optimizer,dropout", "--plot", png], { encoding: "utf8" });
  assert.equal(plotted.status, 0, plotted.stderr);
  assert.match(plotted.stdout, new RegExp(`wrote ${png.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  assert.deepEqual([...readFileSync(png).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], "a PNG");
  const bad = spawnSync(process.execPath, ["bin/twin.js", "stats", file("b.csv", CSV), "--factors", "seed"], { encoding: "utf8" });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /"seed" is a row column, not a factor/);
  const mixed = spawnSync(process.execPath, ["bin/twin.js", "stats", file("x.csv", CSV), "--factors", "optimizer,dropout", "--reference", "sgd"], { encoding: "utf8" });
  assert.equal(mixed.status, 2);
  assert.match(mixed.stderr, /--reference does not apply/);
});

test("three factors, one with three levels: the verdict tests the three-way interaction and corrects F tests with Greenhouse–Geisser", () => {
  const lines = ["seed,opt,aug,width,acc"];
  const r = s.rng(303);
  for (let seed = 0; seed < 8; seed++) {
    const base = 0.85 + 0.01 * r.nextNormal();
    for (const [o, opt] of [["sgd", 0], ["adam", 0.004]] as const) {
      for (const [a, aug] of [["none", 0], ["flip", 0.003]] as const) {
        ["s", "m", "l"].forEach((w, i) => lines.push(`${seed},${o},${a},${w},${(base + opt + aug + 0.002 * i + 0.002 * (1 + i) * r.nextNormal()).toFixed(5)}`));
      }
    }
  }
  const v = factorialVerdict(readResults(file("g3.csv", lines.join("\n")), { factors: ["opt", "aug", "width"] }), { metric: "acc", factors: ["opt", "aug", "width"] });
  assert.deepEqual(v.factorial.map((e) => e.name), ["opt", "aug", "width", "opt × aug", "opt × width", "aug × width", "opt × aug × width"]);
  const width = v.factorial[2]!, threeWay = v.factorial[6]!;
  for (const e of [width, threeWay]) {
    assert.ok(e.gg && e.gg.epsilon >= 0.5 && e.gg.epsilon <= 1, `${e.name}: ε ${e.gg?.epsilon}`);
    assert.equal(e.p, e.gg!.p);
    assert.deepEqual(e.gg!.df, [e.gg!.epsilon * e.df[0], e.gg!.epsilon * e.df[1]]);
  }
  assert.equal(v.factorial[3]!.gg, null);
  assert.ok(v.statements.some((t) => /3-way interaction opt × aug × width \(F\(2, 14\) = [\d.]+, Greenhouse–Geisser ε = [\d.]+, p = [\d.]+\): the opt × aug interaction (does not clearly differ|differs) between the levels of width/.test(t)), v.statements.join("\n"));
  assert.ok(!v.notes.some((n) => /not analysed/.test(n)));
});
