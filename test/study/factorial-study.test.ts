// Factorial studies: factors with levels in a study file, every combination twin-trained over seeds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { REPO, studySource, TWIN_BIN } from "./fixtures/synthetic-study.ts";
import { defineStudy } from "../../src/study/define.ts";
import { mlp } from "../../src/torch/nn/index.ts";
import * as optim from "../../src/torch/optim/index.ts";
import type { VariantParts } from "../../src/twin/types.ts";
import type { FactorialVerdict } from "../../src/study/factorial-verdict.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-factorial-study-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

const data = { name: "none", validation: 8, load: () => { throw new Error("not loaded in this test"); } };

test("defineStudy expands factors into one variant per combination, named by its levels", () => {
  const spec = defineStudy({
    name: "grid", data, batchSize: 8,
    variants: { baseline: () => ({ model: mlp([4, 4]), optimizer: (p) => optim.sgd(p, { lr: 0.1 }) }) },
    factors: { optimizer: { sgd: 0.1, adam: 0.01 }, width: { narrow: 8, wide: 32 } },
    variant: ({ optimizer, width }) => ({ model: mlp([4, width, 2]), optimizer: (p) => optim.sgd(p, { lr: optimizer }) }),
  });
  assert.deepEqual(Object.keys(spec.variants), ["baseline", "sgd_narrow", "sgd_wide", "adam_narrow", "adam_wide"]);
  assert.deepEqual(spec.design!.factors, [{ name: "optimizer", levels: ["sgd", "adam"] }, { name: "width", levels: ["narrow", "wide"] }]);
  assert.deepEqual(spec.design!.cells["adam_wide"], { optimizer: "adam", width: "wide" });
});

test("defineStudy: a one-level factor, a clashing combination name and variant() without factors are errors naming them", () => {
  const variant = (): VariantParts => ({ model: mlp([4, 2]), optimizer: (p) => optim.sgd(p, { lr: 0.1 }) });
  assert.throws(() => defineStudy({ name: "g", data, batchSize: 8, factors: { optimizer: { sgd: 1 }, width: { a: 1, b: 2 } }, variant }),
    /factor "optimizer" has one level \("sgd"\)/);
  assert.throws(() => defineStudy({ name: "g", data, batchSize: 8, variants: { a_x: variant }, factors: { f: { a: 1, b: 2 }, g: { x: 1, y: 2 } }, variant }),
    /combination f=a, g=x would be named 'a_x', which a variant already has/);
  assert.throws(() => defineStudy({ name: "g", data, batchSize: 8, variants: { a: variant }, variant }), /variant\(\) builds the combinations of factors/);
  assert.throws(() => defineStudy({ name: "g", data, batchSize: 8, factors: { f: { "a b": 1, c: 2 } }, variant }), /level 'a b' of factor "f"/);
});

test("twin compare on a factorial study trains every combination on the same seeds and prints the factorial verdict", () => {
  const src = studySource({ name: "grid", steps: 30, evalEvery: 10, seeds: 3 }).replace(
    /variants: \{[\s\S]*?\n  \},\n\}\);/,
    `factors: {
    optimizer: { sgd: (p) => optim.sgd(p, { lr: 0.05, momentum: 0.9 }), adam: (p) => optim.adam(p, { lr: 1e-2 }) },
    width: { narrow: 8, wide: 32 },
  },
  variant: ({ optimizer, width }) => ({ model: mlp([16, width, 4]), optimizer }),
});`,
  );
  assert.match(src, /factors: \{/);
  const file = join(dir, "grid.study.mts");
  writeFileSync(file, src);
  const r = spawnSync(process.execPath, [TWIN_BIN, "compare", file, "--seeds", "3", "--jobs", "1", "--json", "--logdir", join(dir, "runs"), "--store", join(dir, "twin.db")], { cwd: REPO, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  writeFileSync(join(dir, "grid.json"), r.stdout);
  const out = JSON.parse(r.stdout) as {
    variants: { name: string; mean: number }[];
    factorial_verdict: { factorial: { name: string; estimate: number; ci: [number, number] }[]; cells: { levels: Record<string, string>; mean: number }[]; seeds: string[]; statements: string[] };
  };
  assert.deepEqual(out.variants.map((v) => v.name), ["sgd_narrow", "sgd_wide", "adam_narrow", "adam_wide"]);
  const fv = out.factorial_verdict;
  assert.equal(fv.seeds.length, 3);
  assert.deepEqual(fv.factorial.map((e) => e.name), ["optimizer", "width", "optimizer × width"]);
  // the cells' means are the variants' means; the main effect of width is the mean of (wide − narrow) over optimizers
  const mean = (n: string) => out.variants.find((v) => v.name === n)!.mean;
  fv.cells.forEach((c) => assert.ok(Math.abs(c.mean - mean(`${c.levels.optimizer}_${c.levels.width}`)) < 1e-12));
  const width = ((mean("sgd_wide") - mean("sgd_narrow")) + (mean("adam_wide") - mean("adam_narrow"))) / 2;
  assert.ok(Math.abs(fv.factorial[1]!.estimate - width) < 1e-12);
  assert.ok(fv.statements.some((s) => /interaction of optimizer and width|optimizer and width (do not stack|reinforce)/.test(s)), fv.statements.join("\n"));
});

test("twin report of a factorial study (from its log folder and from the store) shows the factorial verdict with the CLI's numbers", async () => {
  const { buildReport, LogDirSource, StoreSource, streamReportModel } = await import("../../src/report/index.ts");
  const { openStore } = await import("../../src/store/index.ts");
  const cli = JSON.parse(readFileSync(join(dir, "grid.json"), "utf8")) as { factorial_verdict: FactorialVerdict };
  const store = await openStore(join(dir, "twin.db"));
  try {
    for (const source of [new LogDirSource(join(dir, "runs")), new StoreSource(store)]) {
      const stream = await source.openStudy("grid");
      assert.ok(stream, source.description);
      assert.deepEqual(stream.design?.factors, cli.factorial_verdict.factors, source.description);
      const m = await streamReportModel(stream, { metric: "val/accuracy" });
      const f = m.factorial;
      assert.ok(f, `${source.description}: ${m.factorialError}`);
      assert.deepEqual(f.seeds.length, cli.factorial_verdict.seeds.length);
      // The same runs, the same numbers as `twin compare --json`'s factorial verdict.
      const same = (a: number | null, b: number | null, what: string) => assert.ok(a === b || Math.abs(a! - b!) <= 1e-12 * Math.max(1, Math.abs(b!)), `${source.description} ${what}: ${a} vs ${b}`);
      f.factorial.forEach((e, i) => {
        const c = cli.factorial_verdict.factorial[i]!;
        assert.equal(e.name, c.name);
        same(e.estimate, c.estimate, `${e.name} estimate`);
        same(e.ci![0], c.ci![0], `${e.name} lo`);
        same(e.ci![1], c.ci![1], `${e.name} hi`);
        same(e.p, c.p, `${e.name} p`);
      });
      f.simple_effects.forEach((s, i) => same(s.estimate, cli.factorial_verdict.simple_effects[i]!.estimate, "per-setting effect"));
    }
    const r = await buildReport((await new LogDirSource(join(dir, "runs")).openStudy("grid"))!, { metric: "val/accuracy" });
    assert.match(r.html, /<section id="factorial">/);
    assert.match(r.html, /data-effect="optimizer × width"/);
    for (const id of ["interaction-optimizer-width", "factorial-effects-val-accuracy"]) assert.ok(r.charts.includes(id), `${id} in ${r.charts.join(", ")}`);
  } finally {
    await store.close();
  }
});
