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

test("twin compare: a variant whose factory throws is failed and named; the others train and are compared", () => {
  const p = studyProject({ steps: 10, evalEvery: 5, extraVariants: `boom: () => { throw new Error("no such layer: Conv7d"); },` });
  try {
    const r = twin(["compare", p.file, "--seeds", "2", "--jobs", "1", "--logdir", join(p.dir, "runs")], p.dir);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stdout, /variant 'boom' could not be built: no such layer: Conv7d {2}\(seeds 0, 1\)/);
    assert.doesNotMatch(r.stdout + r.stderr, /variant '(sgd|adam)' could not be built/);
    // The others go on: they trained and are compared.
    assert.match(r.stdout, /sgd +2 +[\d.]+ ±/);
    assert.match(r.stdout, /adam − sgd .*\n {2}rests on 2 pairs/);
    assert.match(r.stdout, /advice: boom: not compared with sgd: boom finished no run; fix the failure shown above first/);
    // Read back from the store, the same error (named once).
    const again = twin(["compare", p.file, "--seeds", "2", "--jobs", "1", "--logdir", join(p.dir, "runs")], p.dir);
    assert.match(again.stdout, /\n {2}variant 'boom' could not be built: no such layer: Conv7d {2}\(seeds 0, 1\)/);
    // twin seeds reports on the others and names the failure.
    const seeds = twin(["seeds", p.file, "--n", "2", "--jobs", "1", "--logdir", join(p.dir, "runs")], p.dir);
    assert.equal(seeds.status, 3, seeds.stderr);
    assert.match(seeds.stdout, /sgd: [\d.]+ ± [\d.]+ over 2 runs/);
    assert.match(seeds.stdout, /boom: no run finished \(2 failed, not in these figures: failure rate 100% \(95% CI 16%–100%\)\)\n {2}failed: variant 'boom' could not be built: no such layer: Conv7d/);
  } finally {
    p.cleanup();
  }
});

test("a variant that throws while training: the run is finished*, its error shows in the verdict, twin runs and the progress", () => {
  const p = studyProject({
    steps: 10,
    evalEvery: 5,
    extraVariants: `broken: () => ({ model: mlp([16, 8, 4]), optimizer: (p) => optim.sgd(p, { lr: 0.1 }), loss: () => { throw new Error("groups.map is not a function"); } }),`,
  });
  try {
    const r = twin(["compare", p.file, "--seeds", "2", "--jobs", "1", "--logdir", join(p.dir, "runs")], p.dir);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stdout, /broken +0 +no finished run +2 failed/);
    assert.match(r.stdout, /groups\.map is not a function/);
    assert.match(r.stdout, /adam − sgd .*\n {2}rests on 2 pairs/);
    assert.match(r.stderr, /seed 0: finished, but variant 'broken' failed: .*groups\.map is not a function/);
    const runs = twin(["runs"], p.dir);
    assert.equal(runs.status, 0, runs.stderr);
    assert.match(runs.stdout, /finished\*.*variant 'broken' failed: .*groups\.map/);
    const json = JSON.parse(twin(["runs", "--json"], p.dir).stdout) as { status: string; error: string | null }[];
    assert.ok(json.every((x) => x.status === "finished" && /variant 'broken' failed: .*groups\.map is not a function/.test(x.error ?? "")), JSON.stringify(json));
    // Read back from the store (the second time), the verdict is the same.
    const again = twin(["compare", p.file, "--seeds", "2", "--jobs", "1", "--logdir", join(p.dir, "runs")], p.dir);
    assert.equal(again.status, 3, again.stderr);
    assert.match(again.stdout, /variant 'broken' failed: .*groups\.map is not a function {2}\(seeds 0, 1\)/);
  } finally {
    p.cleanup();
  }
});
