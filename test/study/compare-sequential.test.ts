import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { studyProject, TWIN_BIN } from "./fixtures/synthetic-study.ts";
import { defaultLooks } from "../../src/study/sequential-compare.ts";

const twin = (args: string[], cwd: string) => spawnSync(process.execPath, [TWIN_BIN, ...args], { encoding: "utf8", cwd, timeout: 300_000 });

test("default looks: four equal steps up to the maximum", () => {
  assert.deepEqual(defaultLooks(20), [5, 10, 15, 20]);
  assert.deepEqual(defaultLooks(8), [3, 6, 8]);
});

test("twin compare --sequential adds seeds look by look, stops once decided, and a rerun resumes from the store with the same decision", () => {
  const p = studyProject({ steps: 10, evalEvery: 5 });
  try {
    const args = ["compare", p.file, "--sequential", "--looks", "3,6,9", "--metric", "loss", "--jobs", "1", "--logdir", join(p.dir, "runs")];
    const r = twin([...args, "--json"], p.dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /look 1 of 3 \(3 seeds\): adam − sgd .* boundary \|t\| ≥ \d+\.\d+: continue to 6 seeds/);
    const v = JSON.parse(r.stdout);
    const c = v.sequential.comparisons[0];
    assert.equal(c.status, "rejected", JSON.stringify(c));
    const stoppedAt = c.history[c.history.length - 1].n;
    assert.ok(stoppedAt < 9, "a clear difference stops before the maximum");
    assert.equal(v.seeds, stoppedAt);
    const again = twin(args, p.dir);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`adam − sgd: significant at ${stoppedAt} seeds`));
    const runs = JSON.parse(twin(["runs", "--json"], p.dir).stdout) as unknown[];
    assert.equal(runs.length, stoppedAt, "no run beyond the deciding look");
    assert.equal(twin(["compare", p.file, "--sequential", "--looks", "6,3"], p.dir).status, 2);
    assert.equal(twin(["compare", p.file, "--looks", "3,6"], p.dir).status, 2);
  } finally {
    p.cleanup();
  }
});

test("a verdict looked at again after adding seeds warns (compare and stats on the study's logs); planned looks do not", () => {
  const p = studyProject({ steps: 6, evalEvery: 3 });
  try {
    const base = ["--metric", "loss", "--jobs", "1", "--logdir", join(p.dir, "runs")];
    const first = twin(["compare", p.file, "--seeds", "3", ...base], p.dir);
    assert.equal(first.status, 0, first.stderr);
    assert.doesNotMatch(first.stdout, /warning: this study's verdict/);
    const second = twin(["compare", p.file, "--seeds", "4", ...base, "--json"], p.dir);
    assert.equal(second.status, 0, second.stderr);
    assert.match(JSON.parse(second.stdout).repeated_analysis, /also looked at with 3 seeds: .* --sequential/);
    const stats = twin(["stats", join(p.dir, "runs", "synthetic"), "--metric", "val/loss"], p.dir);
    assert.equal(stats.status, 0, stats.stderr);
    assert.match(stats.stdout, /warning: this study's verdict was also looked at with 3 seeds/);
  } finally {
    p.cleanup();
  }
});
