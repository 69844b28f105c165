/**
 * A run executed by a process other than the one that submitted it (a pool
 * worker, a distributed worker) draws its train/validation split again; that
 * split must be the one recorded in the fingerprint the run was submitted
 * with, or the run is refused with a clear error before it trains.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { openStore } from "../../src/store/index.ts";
import { executeClaimed, type ExecuteOutcome } from "../../src/study/executor.ts";
import { runStudy } from "../../src/study/run-study.ts";
import { importStudy } from "../../src/study/study-file.ts";
import { studyProject } from "./fixtures/synthetic-study.ts";
import { storePath } from "./fixtures/store-dump.ts";

test("a run drawn again in another process trains when its split matches the submitted one and is refused when it differs", async () => {
  const project = studyProject({ name: "split-check", steps: 8, evalEvery: 4 });
  try {
    const spec = await importStudy(project.file);
    // Submitted only: the signal is already aborted, so this process executes none of the runs.
    const stopped = new AbortController();
    stopped.abort();
    const submitted = await runStudy(spec, { record: true, cwd: project.dir, studyFile: project.file, plan: 2, jobs: 1, signal: stopped.signal });
    assert.equal(submitted.runs.length, 0);
    const [same, other] = submitted.runIds!;

    // The second run's submitted fingerprint records another split (what a machine with other data would have drawn).
    let store = await openStore(undefined, { cwd: project.dir });
    const run = await store.getRun(other!);
    const fingerprint = (await store.getFingerprint(run.fingerprintHash!))!.fingerprint as Record<string, unknown>;
    assert.match(String(fingerprint.split), /^[0-9a-f]{64}$/);
    const changed = await store.putFingerprint({ ...fingerprint, split: "0".repeat(64) });
    await store.close();
    const db = new Database(storePath(project.dir));
    db.prepare("UPDATE runs SET fingerprint_hash = ? WHERE id = ?").run(changed, other);
    db.close();

    // Executed as another process would: no split carried from the submission.
    store = await openStore(undefined, { cwd: project.dir });
    try {
      const outcomes = new Map<string, ExecuteOutcome>();
      await executeClaimed(store, [same!, other!], "another-process", { cwd: project.dir }, { onRunEnd: (r, o) => void outcomes.set(r.id, o) });
      assert.equal(outcomes.get(same!)?.status, "finished", outcomes.get(same!)?.error);
      assert.equal(outcomes.get(other!)?.status, "failed");
      assert.match(outcomes.get(other!)!.error!, /split drawn here \(sha256 [0-9a-f]{12}…\) is not the one the run was submitted with \(000000000000…\)/);
      assert.match(outcomes.get(other!)!.error!, /same dataset files and twin checkout/);
      assert.equal((await store.getRun(other!)).status, "failed");
      assert.equal((await store.metrics({ runId: other! })).length, 0, "refused before it trained");
    } finally {
      await store.close();
    }
  } finally {
    project.cleanup();
  }
});
