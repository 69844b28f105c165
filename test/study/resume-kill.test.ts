/**
 * Resume after kill -9: a real `twin compare` child process is killed (SIGKILL)
 * while its second run trains (after its first run finished and the second
 * wrote a checkpoint), then once more at a random moment; running the same
 * command again finishes the study. The store must then equal that of an
 * uninterrupted run: same runs, metrics (curves included), control sums,
 * batch checksums and final weight hashes; the finished run is not redone and
 * the interrupted one continues from its checkpoint.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { studyProject } from "./fixtures/synthetic-study.ts";
import { dumpStore, integrityCheck, sleep, startTwin, storePath, twin } from "./fixtures/store-dump.ts";

const STUDY = { name: "killme", steps: 500, hidden: 64 };
const ARGS = ["compare", "study.mts", "--seeds", "2", "--jobs", "1", "--json", "--checkpoint-every", "25", "--logdir", "runs"];

function runRows(db: string) {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare("SELECT id, status, attempts, started_at FROM runs ORDER BY queued_at, id").all() as { id: string; status: string; attempts: number; started_at: number }[];
  } catch {
    return [];
  } finally {
    d.close();
  }
}

function checkpointsOf(dir: string, runId: string): string[] {
  const p = join(dir, ".twin", "checkpoints", STUDY.name, runId);
  return existsSync(p) ? readdirSync(p).filter((f) => f.startsWith("step-") && !f.includes(".tmp-")) : [];
}

test("kill -9 in the middle of a study, then the same command: finished runs kept, the interrupted run continues, the store equals an uninterrupted one", async () => {
  const ref = studyProject(STUDY);
  const killed = studyProject(STUDY);
  try {
    const r = twin(ref.dir, ARGS);
    assert.equal(r.status, 0, r.stderr);
    const reference = dumpStore(storePath(ref.dir));
    assert.equal(reference.runs.length, 2);

    // 1. Kill once the first run finished and the second has a checkpoint.
    const first = startTwin(killed.dir, ARGS);
    const db = storePath(killed.dir);
    let before: ReturnType<typeof runRows> = [];
    const deadline = Date.now() + 120_000;
    for (;;) {
      assert.ok(Date.now() < deadline, `timed out waiting for the moment to kill: ${first.err()}`);
      before = existsSync(db) ? runRows(db) : [];
      if (before.length === 2 && before[0]!.status === "finished" && before[1]!.status === "running" && checkpointsOf(killed.dir, before[1]!.id).length > 0) break;
      if (before.length === 2 && before[1]!.status === "finished") assert.fail("the study finished before it could be killed; make it longer");
      await sleep(20);
    }
    first.child.kill("SIGKILL");
    assert.equal(await first.exited, null);
    assert.equal(integrityCheck(db), "ok");

    // 2. Again, killed at a random moment (start-up, reclaiming, training or recording).
    const second = startTwin(killed.dir, ARGS);
    await sleep(300 + Math.floor(Math.random() * 2500));
    second.child.kill("SIGKILL");
    await second.exited;
    assert.equal(integrityCheck(db), "ok");

    // 3. The same command finishes the study.
    const last = twin(killed.dir, ARGS);
    assert.equal(last.status, 0, last.stderr);
    const after = runRows(db);
    assert.deepEqual(after.map((x) => x.status), ["finished", "finished"]);
    assert.equal(after[0]!.attempts, 1, "the finished run was not redone");
    assert.equal(after[0]!.started_at, before[0]!.started_at);
    assert.ok(after[1]!.attempts >= 2, "the interrupted run was continued");
    const log = second.err() + last.stderr;
    assert.match(log, /continuing 1 run\(s\) interrupted when their process stopped/);
    assert.match(log, /continues from its checkpoint at step [1-9]\d*/);

    assert.deepEqual(dumpStore(db), reference);
    assert.deepEqual(JSON.parse(last.stdout), JSON.parse(r.stdout), "the same verdict");
    assert.deepEqual(checkpointsOf(killed.dir, after[1]!.id), [], "checkpoints of finished runs are removed");

    // 4. Once more: nothing left to run, nothing changes.
    const again = twin(killed.dir, ARGS);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(dumpStore(db), reference);
    assert.deepEqual(runRows(db), after);
  } finally {
    ref.cleanup();
    killed.cleanup();
  }
});
