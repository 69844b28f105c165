/** Fault matrix: the store deleted in the middle of a study: an error, not a verdict; the finished runs survive and are not redone. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { studyProject } from "../study/fixtures/synthetic-study.ts";
import { importStudy } from "../../src/study/study-file.ts";
import { runStudy } from "../../src/study/run-study.ts";
import { openStore, StoreVanishedError } from "../../src/store/index.ts";

test("rm -rf .twin after the first run finished: the study stops with an error and the next command continues from the rescued store", async () => {
  const p = studyProject({ name: "vanish", steps: 20, evalEvery: 10 });
  try {
    const spec = await importStudy(p.file);
    const options = { record: true, cwd: p.dir, studyFile: p.file, plan: 3, jobs: 1, checkpointEvery: 10 } as const;
    let ended = 0;
    await assert.rejects(
      runStudy(spec, {
        ...options,
        onRunEnd: () => {
          if (++ended === 1) rmSync(join(p.dir, ".twin"), { recursive: true, force: true });
        },
      }),
      (e: Error) => e instanceof StoreVanishedError && /was deleted while this command had it open.*run the same command again/.test(e.message),
    );
    const store = await openStore(undefined, { cwd: p.dir, existing: true });
    const before = await store.listRuns({ study: "vanish" });
    await store.close();
    assert.deepEqual(before.map((r) => r.status).sort(), ["finished", "queued", "queued"]);
    const finished = before.find((r) => r.status === "finished")!;

    const again = await runStudy(spec, options);
    assert.equal(again.runs.length, 3);
    const after = await openStore(undefined, { cwd: p.dir, existing: true });
    try {
      const rerun = await after.getRun(finished.id);
      assert.equal(rerun.attempts, 1, "the run finished before the deletion was not redone");
      assert.equal(rerun.finishedAt, finished.finishedAt);
      assert.deepEqual((await after.listRuns({ study: "vanish" })).map((r) => r.status), ["finished", "finished", "finished"]);
    } finally {
      await after.close();
    }
  } finally {
    p.cleanup();
  }
});
