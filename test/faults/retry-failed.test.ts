/**
 * Fault matrix: a failed run of compare/seeds stays failed (and reported)
 * unless --retry-failed runs it again; a variant that failed inside a finished
 * run is trained again for that run alone.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { studyProject, studySource } from "../study/fixtures/synthetic-study.ts";
import { importStudy } from "../../src/study/study-file.ts";
import { runStudy } from "../../src/study/run-study.ts";
import { openStore, type RunRecord } from "../../src/store/index.ts";
import { verifyRun } from "../../src/study/verify.ts";

/** The synthetic study, with an augmentation that throws once (while a marker file exists): that run fails as a whole. */
function failingOnce(dir: string, file: string): string {
  const marker = join(dir, "fail-once");
  writeFileSync(marker, "");
  const source = studySource({ name: "retry", steps: 20, evalEvery: 10 })
    .replace(
      "export default defineStudy",
      `import { existsSync, rmSync } from "node:fs";
function failOnce() {
  if (existsSync(${JSON.stringify(marker)})) { rmSync(${JSON.stringify(marker)}); throw new Error("planted failure"); }
}
export default defineStudy`,
    )
    .replace("augment: (b, g) => {", "augment: (b, g) => {\n    failOnce();");
  writeFileSync(file, source);
  return marker;
}

async function runs(dir: string): Promise<RunRecord[]> {
  const store = await openStore(undefined, { cwd: dir, existing: true });
  try {
    return await store.listRuns({ study: "retry" });
  } finally {
    await store.close();
  }
}

test("--retry-failed requeues the study's failed runs and runs them again; without it they stay failed", async () => {
  const p = studyProject();
  try {
    failingOnce(p.dir, p.file);
    const spec = await importStudy(p.file);
    const base = { record: true, cwd: p.dir, studyFile: p.file, plan: 2, jobs: 1, checkpointEvery: 10 } as const;
    const first = await runStudy(spec, base);
    assert.equal(first.runs.length, 2);
    const failed = (await runs(p.dir)).filter((r) => r.status === "failed");
    assert.equal(failed.length, 1);
    assert.match(failed[0]!.error ?? "", /planted failure/);

    await runStudy(spec, base);
    const still = (await runs(p.dir)).find((r) => r.id === failed[0]!.id)!;
    assert.equal(still.status, "failed", "without --retry-failed a failed run is kept as it is");
    assert.equal(still.attempts, failed[0]!.attempts);

    const warnings: string[] = [];
    const retried = await runStudy(spec, { ...base, retryFailed: true, onWarning: (w) => void warnings.push(w) });
    assert.ok(warnings.some((w) => w.includes(`running 1 failed run(s) again (--retry-failed): ${failed[0]!.id}`)), warnings.join("\n"));
    const after = await runs(p.dir);
    assert.deepEqual(after.map((r) => r.status), ["finished", "finished"]);
    const rerun = after.find((r) => r.id === failed[0]!.id)!;
    assert.equal(rerun.attempts, failed[0]!.attempts + 1);
    assert.equal(rerun.error, null);
    assert.ok(retried.runs.every((r) => r.result.variants.adam?.status === "finished"));
  } finally {
    p.cleanup();
  }
});

test("--retry-failed trains a variant that failed or was skipped inside finished runs again, on the run's own batches; twin verify then finds each run identical to a full re-run", async () => {
  const p = studyProject();
  try {
    const marker = join(p.dir, "flaky-fails");
    writeFileSync(marker, "");
    writeFileSync(
      p.file,
      studySource({
        name: "retry",
        steps: 20,
        evalEvery: 10,
        extraVariants: `flaky: () => {
      if (existsSync(${JSON.stringify(marker)})) throw new Error("CUDA out of memory (planted)");
      return { model: mlp([16, 24, 4], { dropout: 0.2 }), optimizer: (p) => optim.adam(p, { lr: 5e-3 }) };
    },`,
      }).replace("export default defineStudy", 'import { existsSync } from "node:fs";\nexport default defineStudy'),
    );
    const spec = await importStudy(p.file);
    const base = { record: true, cwd: p.dir, studyFile: p.file, plan: 4, jobs: 1, checkpointEvery: 10 } as const;
    const first = await runStudy(spec, { ...base, onWarning: () => {} });
    assert.deepEqual(first.runs.map((r) => r.result.variants.flaky!.status), ["failed", "failed", "failed", "skipped"]);
    const before = await runs(p.dir);
    const sgdBefore = first.runs.map((r) => r.result.variants.sgd!.final!.accuracy);

    rmSync(marker);
    const warnings: string[] = [];
    const retried = await runStudy(spec, { ...base, retryFailed: true, onWarning: (w) => void warnings.push(w) });
    assert.ok(warnings.some((w) => /training 4 run\(s\)' failed or skipped variants again \(--retry-failed\)/.test(w)), warnings.join("\n"));
    assert.deepEqual(retried.runs.map((r) => r.result.variants.flaky!.status), ["finished", "finished", "finished", "finished"]);
    assert.deepEqual(retried.runs.map((r) => r.result.variants.sgd!.final!.accuracy), sgdBefore, "the other variants keep their results");
    const after = await runs(p.dir);
    assert.deepEqual(after.map((r) => r.status), ["finished", "finished", "finished", "finished"]);
    assert.ok(after.every((r) => r.error === null), after.map((r) => r.error).join("\n"));
    assert.deepEqual(after.map((r) => r.attempts), before.map((r) => r.attempts + 1));

    // The merged record is what training all variants together gives: metrics, control sums, weights.
    const store = await openStore(undefined, { cwd: p.dir, existing: true });
    try {
      for (const id of [after[0]!.id, after[3]!.id]) {
        const report = await verifyRun(store, id, { cwd: p.dir });
        assert.equal(report.identical, true, `${id}: ${JSON.stringify(report.first)}`);
      }
      const chains = await Promise.all([after[0]!.id, after[3]!.id].map(async (id) => (await store.artifacts(id)).find((a) => a.kind === "run-chain")!.sha256));
      const full = await runStudy(spec, { ...base, record: false });
      assert.deepEqual(chains, [full.runs[0]!.result.runChain, full.runs[3]!.result.runChain], "the recomputed run chain is the full run's");
    } finally {
      await store.close();
    }
  } finally {
    p.cleanup();
  }
});
