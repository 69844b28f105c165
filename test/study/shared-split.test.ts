/**
 * A study's split mode: "per-seed" (each seed draws its own validation split)
 * and "shared" (one split seed for the whole study). With a shared split every
 * run validates on the same examples, so the deployment's ensemble choice is
 * made on validation ensembles and reported on test; with per-seed splits it
 * falls back to test and the note names the option that avoids it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { hostArray } from "../../src/data/index.ts";
import type { Dataset } from "../../src/data/host/dataset.ts";
import type { StudySpec } from "../../src/study/define.ts";
import { defineStudy } from "../../src/study/define.ts";
import { studyDeployment } from "../../src/study/deployment.ts";
import { runStudy } from "../../src/study/run-study.ts";
import { studyVerdictWithTest } from "../../src/study/test-set-verdict.ts";
import { planRuns } from "../../src/study/seed-plan.ts";
import { parseSplitMode, withSharedSplit } from "../../src/study/split-mode.ts";
import { importStudy } from "../../src/study/study-file.ts";
import { openStore } from "../../src/store/index.ts";
import { studyProject } from "./fixtures/synthetic-study.ts";

test("a shared split gives every planned run the first run's split seed and nothing else; plans that vary the split are refused", () => {
  const plans = withSharedSplit(planRuns({ n: 4, first: 7 }));
  assert.deepEqual(plans.map((p) => p.seed), [7, 8, 9, 10].map((root) => ({ root, factors: { split: 7n } })));
  const vary = withSharedSplit(planRuns({ vary: "init", n: 3, first: 2 }));
  assert.deepEqual(vary.map((p) => p.seed.factors), [0, 1, 2].map((i) => ({ init: 2 + i, split: 2n })));
  assert.throws(() => withSharedSplit(planRuns({ vary: "split", n: 3 })), /varies the split factor itself/);
  assert.throws(() => withSharedSplit(planRuns({ vary: ["init", "split"], n: 3 })), /varies the split factor itself/);
  assert.throws(() => withSharedSplit(planRuns({ grid: { init: [0, 1], split: [0, 1] } })), /varies the split factor itself/);
  assert.equal(withSharedSplit(planRuns({ grid: { init: [0, 1], split: [5] } })).length, 2);
  assert.equal(parseSplitMode("shared", "x"), "shared");
  assert.throws(() => parseSplitMode("fixed", "--split"), /--split: split must be 'per-seed' .* or 'shared' .*got "fixed"/);
  assert.throws(() => defineStudy({ name: "s", split: "same" as never, batchSize: 1, data: { name: "d", validation: 1, load: () => { throw new Error("unused"); } }, variants: { a: () => { throw new Error("unused"); } } }), /defineStudy 's': split must be/);
});

/** The synthetic study with a held-out test set: the first 96 training rows moved by 0.37 (no row equal to a training row). */
async function studyWithTest(file: string, split?: "shared"): Promise<StudySpec> {
  const spec = await importStudy(file);
  const { train } = spec.data.load();
  const n = 96, d = 16;
  const x = Float32Array.from((train.inputs.data as Float32Array).subarray(0, n * d), (v) => v + 0.37);
  const testSet: Dataset = { name: "blobs-test", inputs: hostArray(x, [n, d]), targets: hostArray((train.targets.data as BigInt64Array).slice(0, n), [n]) };
  return { ...spec, ...(split ? { split } : {}), data: { ...spec.data, load: () => ({ train, test: testSet }) } };
}

test("with split 'shared' the ensemble is chosen on validation; per-seed splits fall back to test and the note names --split shared", async () => {
  const project = studyProject({ name: "split-mode", steps: 12, evalEvery: 6 });
  try {
    const shared = await runStudy(await studyWithTest(project.file, "shared"), { cwd: project.dir, plan: 3 });
    assert.equal(shared.runs.length, 3);
    assert.deepEqual(new Set(shared.runs.map((r) => r.result.seeds.split)), new Set(["0"]));
    assert.deepEqual(shared.runs.map((r) => r.result.seeds.init), ["0", "1", "2"], "only the split is shared");
    for (const r of shared.runs.slice(1)) assert.deepEqual(r.result.validationTargets, shared.runs[0]!.result.validationTargets);
    const d = studyDeployment(shared);
    for (const v of d.variants) {
      assert.ok(Number.isFinite(v.validation.ensemble), `${v.variant}: a validation ensemble`);
      assert.equal(v.validation.curve.length, 3);
      assert.ok(v.test && Number.isFinite(v.test.ensemble));
    }
    assert.match(d.ensemble!.note, /best on validation/);
    const best = d.variants.find((v) => v.variant === d.ensemble!.variant)!;
    assert.equal(d.ensemble!.validation, Math.max(...d.variants.map((v) => v.validation.ensemble)));
    assert.equal(d.ensemble!.test, best.test!.ensemble, "reported on test");
    assert.ok(!d.notes.some((n) => /different splits/.test(n)));
    const verdict = studyVerdictWithTest(shared, "accuracy", { reference: shared.reference, percent: true });
    assert.ok(verdict.variants.every((v) => v.test_set?.n === 3), "the verdict shows every run's test accuracy beside validation");
    assert.equal(verdict.comparisons[0]!.test_set!.n_pairs, 3);
    // The same runs through the option rather than the study file, and the default: seeds draw their own splits.
    const viaOption = await runStudy(await studyWithTest(project.file), { cwd: project.dir, plan: 3, split: "shared" });
    assert.deepEqual(viaOption.runs.map((r) => r.result.runChain), shared.runs.map((r) => r.result.runChain));
    const perSeed = await runStudy(await studyWithTest(project.file), { cwd: project.dir, plan: 3 });
    assert.deepEqual(perSeed.runs.map((r) => r.result.seeds.split), ["0", "1", "2"]);
    assert.notDeepEqual(perSeed.runs[1]!.result.validationTargets, perSeed.runs[0]!.result.validationTargets);
    const dp = studyDeployment(perSeed);
    assert.ok(dp.variants.every((v) => Number.isNaN(v.validation.ensemble)));
    assert.match(dp.ensemble!.note, /best on test/);
    assert.ok(dp.notes.some((n) => /validated on different splits.*split: "shared" in the study file, or --split shared/.test(n)), dp.notes.join("\n"));
    assert.equal(perSeed.runs[0]!.result.runChain, shared.runs[0]!.result.runChain, "seed 0 is the same run either way");
  } finally {
    project.cleanup();
  }
});

test("a recorded study with --split shared stores the shared split seed, says so in each run's config, and its runs' fingerprints hash one split; pool-run runs keep their predictions", async () => {
  const project = studyProject({ name: "split-recorded", steps: 4, evalEvery: 2, testSet: 32 });
  try {
    const spec = await importStudy(project.file);
    await runStudy(spec, { cwd: project.dir, studyFile: project.file, record: true, plan: 2, split: "shared", jobs: 2 });
    // The same study with per-seed splits would mix two designs in one study: refused, unless --allow-changed.
    const warnings: string[] = [];
    await assert.rejects(
      runStudy(spec, { cwd: project.dir, studyFile: project.file, record: true, plan: { n: 2, first: 5 }, jobs: 1 }),
      /study 'split-recorded' has 2 run\(s\) recorded with split 'shared' and this command asks for split 'per-seed': .*new name.*--allow-changed/s,
    );
    await runStudy(spec, { cwd: project.dir, studyFile: project.file, record: true, plan: { n: 2, first: 5 }, jobs: 1, allowChanged: true, onWarning: (w) => warnings.push(w) });
    assert.ok(warnings.some((w) => /continuing with split 'per-seed' \(--allow-changed\)/.test(w)), warnings.join("\n"));
    const store = await openStore(undefined, { cwd: project.dir });
    try {
      const runs = await store.listRuns({ study: "split-recorded" });
      const shared = runs.filter((r) => (r.config as { data: { split?: string } }).data.split === "shared");
      const perSeed = runs.filter((r) => (r.config as { data: { split?: string } }).data.split === undefined);
      assert.equal(shared.length, 2);
      assert.equal(perSeed.length, 2);
      assert.deepEqual(shared.map((r) => r.seeds.split).sort(), [0n, 0n]);
      const splitOf = async (hash: string | null) => ((await store.getFingerprint(hash!))!.fingerprint as { split: string }).split;
      const sharedSplits = new Set(await Promise.all(shared.map((r) => splitOf(r.fingerprintHash))));
      const perSeedSplits = new Set(await Promise.all(perSeed.map((r) => splitOf(r.fingerprintHash))));
      assert.equal(sharedSplits.size, 1);
      assert.equal(perSeedSplits.size, 2);
      for (const r of shared) {
        const kept = await store.predictions(r.id);
        assert.deepEqual(kept.map((p) => `${p.variant}/${p.split}:${p.examples}x${p.classes}`), ["adam/validation:64x4", "adam/test:32x4", "sgd/validation:64x4", "sgd/test:32x4"], "trained in a pool child, stored with the run");
      }
    } finally {
      await store.close();
    }
  } finally {
    project.cleanup();
  }
});
