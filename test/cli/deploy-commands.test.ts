/**
 * The deployment choice (best ensemble; best worst case) and the held-out
 * test set beside validation, from every command that analyses seeds:
 * `twin seeds`, `twin compare`, `twin stats` and `twin sweep`, in text and JSON.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
    assert.match(text.stdout, /what to deploy \(accuracies in pp, churn in % of examples; chosen on validation/);
    assert.match(text.stdout, /as an ensemble: (sgd|adam)\. Its ensemble of 3 seeds (is the best|ties with (sgd|adam)'s for the best) on validation( \(equal scores: the one listed first is named\))?: /);
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

test("twin stats: test columns beside validation, and what to deploy from the per-seed prediction files a results file names", () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-stats-deploy-"));
  try {
    // Two variants × 4 seeds on fixed examples; 'strong' raises the true class's logit more.
    const py = spawnSync("/usr/bin/python3", ["-c", `
import numpy as np, os
os.chdir(${JSON.stringify(dir)})
data = np.random.default_rng(0)
sets = {p: (data.integers(0, 4, n), data.normal(0, 1, (n, 4))) for p, n in (("val", 300), ("test", 500))}
np.save("val_labels.npy", sets["val"][0]); np.save("test_labels.npy", sets["test"][0])
rows = ["variant,seed,val_accuracy,test_accuracy,predictions,test_predictions"]
for v, skill in (("weak", 0.8), ("strong", 1.5)):
    for seed in range(4):
        own = np.random.default_rng(10 * seed + int(skill * 10)); acc = {}
        for p, (y, base) in sets.items():
            z = base + own.normal(0, 0.9, base.shape); z[np.arange(len(y)), y] += skill
            prob = np.exp(z) / np.exp(z).sum(1, keepdims=True)
            os.makedirs(f"{v}/{seed}", exist_ok=True); np.save(f"{v}/{seed}/{p}.npy", prob.astype(np.float32))
            acc[p] = (z.argmax(1) == y).mean()
        rows.append(f"{v},{seed},{acc['val']},{acc['test']},{v}/{seed}/val.npy,{v}/{seed}/test.npy")
open("results.csv", "w").write("\\n".join(rows) + "\\n")
`], { encoding: "utf8", env: { ...process.env, OPENBLAS_NUM_THREADS: "1" } });
    assert.equal(py.status, 0, py.stderr);
    const results = join(dir, "results.csv");
    const json = twin(dir, "stats", results, "--metric", "val_accuracy", "--labels", join(dir, "val_labels.npy"), "--test-labels", join(dir, "test_labels.npy"), "--json");
    assert.equal(json.status, 0, json.stderr);
    const r = JSON.parse(json.stdout);
    assert.equal(r.test_set.metric, "test_accuracy");
    assert.equal(r.comparisons[0].test_set.n_pairs, 4);
    assert.equal(r.deployment.ensemble.variant, "strong");
    assert.match(r.deployment.ensemble.note, /best on validation/);
    assert.equal(r.deployment.variants[0].seeds, 4);
    const text = twin(dir, "stats", results, "--metric", "val_accuracy", "--labels", join(dir, "val_labels.npy"), "--test-labels", join(dir, "test_labels.npy"));
    assert.match(text.stdout, /test columns: column test_accuracy, the held-out test set/);
    assert.match(text.stdout, /as one seed: strong/);
    const noLabels = twin(dir, "stats", results, "--metric", "val_accuracy");
    assert.equal(noLabels.status, 1);
    assert.match(noLabels.stderr, /results\.csv row 2 names a predictions file, which needs the true classes of its examples: pass --labels FILE/);
    writeFileSync(join(dir, "short.csv"), "0.5,0.5\n");
    writeFileSync(join(dir, "bad.csv"), readFileSync(results, "utf8").replace("weak/2/val.npy", "short.csv"));
    const bad = twin(dir, "stats", join(dir, "bad.csv"), "--metric", "val_accuracy", "--labels", join(dir, "val_labels.npy"), "--test-labels", join(dir, "test_labels.npy"));
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /bad\.csv row 4, column "predictions": .*val_labels\.npy: 300 labels but the predictions have 1 examples \(.*short\.csv\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
