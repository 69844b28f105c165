import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { studyProject, TWIN_BIN } from "./fixtures/synthetic-study.ts";

const twin = (args: string[], cwd: string) => spawnSync(process.execPath, [TWIN_BIN, ...args], { encoding: "utf8", cwd, timeout: 300_000 });

test("twin compare: a diverging variant is counted, the others' verdict is printed, exit 3", () => {
  // SGD with an absurd learning rate: the loss is NaN/Inf within a few steps on every seed.
  const p = studyProject({ steps: 20, evalEvery: 10, extraVariants: `blowup: () => ({ model: mlp([16, 8, 4]), optimizer: (p) => optim.sgd(p, { lr: 1e30 }) }),` });
  try {
    const r = twin(["compare", p.file, "--seeds", "3", "--jobs", "1", "--logdir", join(p.dir, "runs")], p.dir);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stdout, /3 seeds · paired by seed · validation accuracy, higher is better/);
    assert.match(r.stdout, /blowup +0 +no finished run +3 diverged/);
    assert.match(r.stdout, /adam − sgd .*\n {2}rests on 3 pairs\n/);
    assert.match(r.stdout, /blowup − sgd: not compared: only 0 seed\(s\) where both finished/);
    const j = twin(["compare", p.file, "--seeds", "3", "--jobs", "1", "--logdir", join(p.dir, "runs"), "--json"], p.dir);
    assert.equal(j.status, 3, j.stderr);
    const v = JSON.parse(j.stdout);
    assert.deepEqual(v.variants.map((x: { diverged: number }) => x.diverged), [0, 0, 3]);
    assert.deepEqual(v.variants[2].failure_rate_ci.map((x: number) => +x.toFixed(4)), [0.2924, 1]);
  } finally {
    p.cleanup();
  }
});

test("twin compare: a variant whose factory throws is named in the error shown for its runs", () => {
  const p = studyProject({ steps: 10, evalEvery: 5, extraVariants: `boom: () => { throw new Error("no such layer: Conv7d"); },` });
  try {
    const r = twin(["compare", p.file, "--seeds", "2", "--jobs", "1", "--logdir", join(p.dir, "runs")], p.dir);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stdout, /variant 'boom' could not be built: no such layer: Conv7d {2}\(seeds 0, 1\)/);
    assert.doesNotMatch(r.stdout + r.stderr, /variant '(sgd|adam)' could not be built/);
  } finally {
    p.cleanup();
  }
});
