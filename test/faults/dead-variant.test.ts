/**
 * Fault matrix: a variant that fails the same way on the study's first runs is
 * left out of the rest (skipped, with the error), the others go on; when every
 * variant does, the study stops early with that error and leaves the rest queued.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { studyProject, studySource } from "../study/fixtures/synthetic-study.ts";
import { importStudy } from "../../src/study/study-file.ts";
import { runStudy } from "../../src/study/run-study.ts";
import { DEAD_AFTER, DeadVariants } from "../../src/study/dead-variants.ts";
import { formatVerdict, studySeedResults, studyVerdict } from "../../src/study/verdict.ts";
import { openStore, type RunRecord } from "../../src/store/index.ts";

async function storedRuns(dir: string, study: string): Promise<RunRecord[]> {
  const store = await openStore(undefined, { cwd: dir, existing: true });
  try {
    return await store.listRuns({ study });
  } finally {
    await store.close();
  }
}

test("DeadVariants: dead only after the same error on the first runs; a finished or diverged run, or another error, keeps it alive", () => {
  const d = new DeadVariants(["a", "b", "c", "e"]);
  const err = "variant 'b' failed: groups.map is not a function\nvariant 'c' diverged at step 3\nvariant 'e' failed: bad shape 1";
  assert.deepEqual(d.record("0", "finished", err), []);
  assert.deepEqual(d.record("1", "finished", err.replace("bad shape 1", "bad shape 2")), []);
  const newly = d.record("2", "finished", err);
  assert.deepEqual(newly.map((x) => x.variant), ["b"]);
  assert.equal(newly[0]!.reason, `variant 'b' not trained: it failed with the same error on its first ${DEAD_AFTER} runs (seeds 0, 1, 2): groups.map is not a function`);
  assert.equal(d.all, false);
  assert.deepEqual([...d.skip.keys()], ["b"]);
  // A run that failed as a whole counts for every variant; a run stopped (Ctrl-C) counts for none.
  const all = new DeadVariants(["a", "b"]);
  all.record("0", "failed", "augment: planted\n  at stack");
  all.record("1", "stopped", undefined);
  all.record("1", "failed", "augment: planted");
  assert.equal(all.all, false);
  all.record("2", "failed", "augment: planted");
  assert.equal(all.all, true);
  assert.deepEqual([...all.errors.values()], ["augment: planted", "augment: planted"]);
});

test("a variant whose set-up always throws is left out after its first runs; the others train every seed and the verdict says which seeds it missed", async () => {
  const p = studyProject({
    name: "dead",
    steps: 10,
    evalEvery: 5,
    extraVariants: `boom: () => ({ model: mlp([16, 8, 4]), optimizer: () => { throw new Error("optimizer got the wrong arguments"); } }),`,
  });
  try {
    const spec = await importStudy(p.file);
    const warnings: string[] = [];
    const results = await runStudy(spec, { record: true, cwd: p.dir, studyFile: p.file, plan: 5, jobs: 1, onWarning: (w) => void warnings.push(w) });
    assert.equal(results.halted, undefined);
    assert.equal(results.runs.length, 5);
    assert.deepEqual(results.runs.map((r) => r.result.variants.boom!.status), ["failed", "failed", "failed", "skipped", "skipped"]);
    for (const r of results.runs) {
      assert.equal(r.result.variants.sgd!.status, "finished");
      assert.equal(r.result.variants.adam!.status, "finished");
    }
    const said = warnings.find((w) => w.includes("variant 'boom' not trained"));
    assert.ok(said, warnings.join("\n"));
    assert.match(said!, /first 3 runs \(seeds 0, 1, 2\): variant 'boom' could not be built: optimizer got the wrong arguments\. It is left out/);
    // The store says so too (the run's note, one line per variant), and the verdict reads it back.
    const stored = await storedRuns(p.dir, "dead");
    assert.deepEqual(stored.map((r) => r.status), Array(5).fill("finished"));
    assert.match(stored[4]!.error ?? "", /^variant 'boom' not trained: it failed/);
    const verdict = studyVerdict(studySeedResults(results, "accuracy"), { metric: "validation accuracy", reference: "sgd" });
    const boom = verdict.variants.find((v) => v.name === "boom")!;
    assert.deepEqual([boom.failed, boom.skipped, boom.n], [3, 2, 0]);
    assert.deepEqual(boom.failure_rate_ci !== null && boom.failure_rate, 1, "the failure rate counts the runs that trained it");
    const text = formatVerdict("dead", verdict);
    assert.match(text, /boom .*3 failed, 2 not trained/);
    assert.match(text, /variant "boom" was not trained on seed\(s\) 3, 4: it failed with the same error on its first 3 runs \(seeds 0, 1, 2\)/);
    // A rerun reads the stored runs the same way.
    const again = await runStudy(spec, { record: true, cwd: p.dir, studyFile: p.file, plan: 5, jobs: 1 });
    assert.deepEqual(again.runs.map((r) => r.result.variants.boom!.status), ["failed", "failed", "failed", "skipped", "skipped"]);
  } finally {
    p.cleanup();
  }
});

test("a study whose every run fails the same way stops early, prints the error and leaves the remaining runs queued (local pool of 2 processes)", async () => {
  const p = studyProject({ name: "doomed", steps: 10, evalEvery: 5 });
  try {
    writeFileSync(p.file, studySource({ name: "doomed", steps: 10, evalEvery: 5 }).replace("augment: (b, g) => {", `augment: (b, g) => {\n    throw new Error("augment: tensor shapes [32, 16] and [16, 32] differ");`));
    const spec = await importStudy(p.file);
    const warnings: string[] = [];
    const results = await runStudy(spec, { record: true, cwd: p.dir, studyFile: p.file, plan: 12, jobs: 2, onWarning: (w) => void warnings.push(w) });
    assert.ok(results.halted, "the study says why it stopped");
    assert.match(results.halted!, /every variant failed with the same error on its first 3 runs/);
    assert.match(results.halted!, /augment: tensor shapes \[32, 16\] and \[16, 32\] differ/);
    assert.ok(warnings.some((w) => w === results.halted), warnings.join("\n"));
    const stored = await storedRuns(p.dir, "doomed");
    const failed = stored.filter((r) => r.status === "failed").length;
    const queued = stored.filter((r) => r.status === "queued").length;
    // Two processes: the runs they claimed before the third failure's message reached them ran too.
    assert.ok(failed >= 3, `failed ${failed}`);
    assert.ok(queued >= 2, `queued ${queued} (failed ${failed})`);
    assert.equal(failed + queued, 12);
  } finally {
    p.cleanup();
  }
});
