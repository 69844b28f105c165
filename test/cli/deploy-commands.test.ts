/**
 * The deployment choice (best ensemble; best worst case) and the held-out
 * test set beside validation, from every command that analyses seeds:
 * `twin seeds`, `twin compare`, `twin stats` and `twin sweep`, in text and JSON.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { studyProject, TWIN_BIN } from "../study/fixtures/synthetic-study.ts";

const twin = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [TWIN_BIN, ...args], { cwd, encoding: "utf8" });

test("twin seeds: test figures per variant and the deployment section, chosen on validation with --split shared", () => {
  const p = studyProject({ name: "seeds-deploy", steps: 8, evalEvery: 4, testSet: 96 });
  try {
    const json = twin(p.dir, "seeds", p.file, "--n", "3", "--split", "shared", "--jobs", "1", "--json");
    assert.equal(json.status, 0, json.stderr);
    const r = JSON.parse(json.stdout);
    for (const v of r.variants) assert.equal(v.test.n, 3, `${v.name}: 3 tested runs`);
    assert.equal(r.deployment.variants.length, 2);
    assert.match(r.deployment.ensemble.note, /best on validation/);
    assert.ok(r.deployment.variants.every((v: { validation: { ensemble: number } }) => Number.isFinite(v.validation.ensemble)));
    assert.ok(["sgd", "adam"].includes(r.deployment.singleSeed.variant));
    const text = twin(p.dir, "seeds", p.file, "--n", "3", "--split", "shared", "--jobs", "1");
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /held-out test set \(never used to choose\): \d+\.\d\d ± \d+\.\d\d over 3 runs/);
    assert.match(text.stdout, /what to deploy \(chosen on validation/);
    assert.match(text.stdout, /as an ensemble: (sgd|adam) \(ensemble of its 3 seeds, best on validation/);
    const bad = twin(p.dir, "seeds", p.file, "--n", "3", "--split", "same");
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--split: split must be 'per-seed' .* or 'shared'/);
    const vary = twin(p.dir, "seeds", p.file, "--n", "3", "--vary", "each", "--split", "shared");
    assert.notEqual(vary.status, 0);
    assert.match(vary.stderr, /varies the split factor itself/);
  } finally {
    p.cleanup();
  }
});

test("twin compare: the verdict table and each comparison show the test set beside validation; a study file's split: 'shared' chooses on validation", () => {
  const p = studyProject({ name: "compare-deploy", steps: 8, evalEvery: 4, testSet: 96, split: "shared" });
  try {
    const json = twin(p.dir, "compare", p.file, "--seeds", "3", "--jobs", "1", "--json");
    assert.equal(json.status, 0, json.stderr);
    const r = JSON.parse(json.stdout);
    assert.equal(r.test_set.metric, "test accuracy");
    assert.ok(r.variants.every((v: { test_set: { n: number } }) => v.test_set.n === 3));
    assert.equal(r.comparisons[0].test_set.n_pairs, 3);
    assert.match(r.deployment.ensemble.note, /best on validation/);
    const text = twin(p.dir, "compare", p.file, "--seeds", "3", "--jobs", "1");
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /val mean ± sd .* test mean ± sd +test range/);
    assert.match(text.stdout, /on the test set: [+-]\d+\.\d\d pp {2}95% CI/);
    assert.doesNotMatch(text.stdout, /validated on different splits/);
  } finally {
    p.cleanup();
  }
});
