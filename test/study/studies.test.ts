import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { planRuns } from "../../src/study/seed-plan.ts";
import { defineStudy } from "../../src/study/define.ts";

test("seed plans: all factors, one factor at a time, grids", () => {
  assert.deepEqual(planRuns(3).map((r) => r.seed), [{ root: 0 }, { root: 1 }, { root: 2 }]);
  const ofat = planRuns({ vary: "order", n: 3, first: 5 });
  assert.deepEqual(ofat.map((r) => r.seed), [
    { root: 5, factors: { order: 5 } },
    { root: 5, factors: { order: 6 } },
    { root: 5, factors: { order: 7 } },
  ]);
  assert.ok(ofat.every((r) => r.group === "order"));
  // One study: the shared root run (every factor at `first`) once, counted in every group; labels unique.
  const each = planRuns({ vary: ["init", "order"], n: 2, withAll: true });
  assert.deepEqual(each.map((r) => r.group), ["all", "all", "init", "order"]);
  assert.deepEqual(each[0], { group: "all", alsoIn: ["init", "order"], label: 0, seed: { root: 0 } });
  assert.deepEqual(each.slice(1).map((r) => [r.label, r.seed]), [[1, { root: 1 }], [3, { root: 0, factors: { init: 1 } }], [5, { root: 0, factors: { order: 1 } }]]);
  const grid = planRuns({ grid: { init: [0, 1], order: [0, 1, 2] } });
  assert.equal(grid.length, 6);
  assert.deepEqual(grid[5].seed, { root: 0, factors: { init: 1, order: 2 } });
  assert.throws(() => planRuns({ n: 0 }), /positive integer/);
  assert.throws(() => planRuns({ grid: {} }), /at least one factor/);
});

test("defineStudy checks names and references", () => {
  const data = { name: "d", validation: 10, load: () => { throw new Error("unused"); } };
  assert.throws(() => defineStudy({ name: "a b", data, batchSize: 8, variants: { x: () => { throw new Error(); } } }), /letters, digits/);
  assert.throws(() => defineStudy({ name: "s", data, batchSize: 8, variants: {} }), /at least one variant/);
  assert.throws(() => defineStudy({ name: "s", data, batchSize: 8, reference: "y", variants: { x: () => { throw new Error(); } } }), /reference 'y'/);
});

function twin(args: string[]) {
  return spawnSync(process.execPath, ["bin/twin.js", ...args], { encoding: "utf8", timeout: 300_000 });
}

// The example studies run in one process (--jobs 1): each pool process would decode Fashion-MNIST
// again (~2 s of CPU); the local pool is tested on small data in pool.test.ts.
test("twin compare runs the example A/B study end to end (shortened) and prints the verdict", () => {
  const logdir = mkdtempSync(join(tmpdir(), "twin-compare-"));
  try {
    const r = twin(["compare", "examples/fmnist-dropout.study.ts", "--seeds", "2", "--steps", "40", "--jobs", "1", "--logdir", logdir, "--store", join(logdir, "twin.db"), "--json"]);
    assert.equal(r.status, 0, r.stderr);
    const v = JSON.parse(r.stdout);
    assert.deepEqual(v.variants.map((x: { name: string }) => x.name), ["baseline", "dropout"]);
    assert.equal(v.comparisons[0].b, "dropout");
    assert.equal(v.comparisons[0].n_pairs, 2);
    assert.equal(v.comparisons[0].excluded_pairs, 0);
    assert.equal(v.seeds, 2);
    assert.equal(v.variants[1].failure_rate, 0);
    assert.ok(v.variants[0].mean > 0.5, `accuracy after 40 steps: ${v.variants[0].mean}`);
  } finally {
    rmSync(logdir, { recursive: true, force: true });
  }
});

test("twin seeds runs the example seed study one factor at a time (shortened)", () => {
  const logdir = mkdtempSync(join(tmpdir(), "twin-seeds-"));
  try {
    const r = twin(["seeds", "examples/fmnist-seeds.study.ts", "--n", "3", "--vary", "init,order", "--steps", "20", "--jobs", "1", "--logdir", logdir, "--store", join(logdir, "twin.db"), "--json"]);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.groups, ["init", "order"]);
    const v = report.variants[0];
    assert.equal(v.values.length, 3);
    assert.ok(v.variance.factors.length === 2);
  } finally {
    rmSync(logdir, { recursive: true, force: true });
  }
});

test("bad study files give clear errors", () => {
  const r = twin(["compare", "examples/does-not-exist.study.ts"]);
  assert.equal(r.status, 2, "a study file that does not exist is a wrong command line");
  assert.match(r.stderr, /does not exist/);
  const s = twin(["compare", "examples/fmnist-dropout.study.ts", "--seeds", "1"]);
  assert.equal(s.status, 2, "a bad option value is a usage error");
  assert.match(s.stderr, /--seeds must be at least 2/);
});
