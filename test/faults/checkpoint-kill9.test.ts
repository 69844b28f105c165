/**
 * Fault matrix: a real `twin compare` process is killed with SIGKILL while it
 * trains (after it wrote at least two checkpoints), the newest checkpoint is
 * then damaged (bytes flipped in an optimizer file), and the same command is
 * run again: the damage is reported by file, the run continues from the
 * previous valid checkpoint, and the store ends up equal to an uninterrupted
 * run's (metrics, control sums, batch checksums, weight hashes).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, existsSync, openSync, readdirSync, writeSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { studyProject } from "../study/fixtures/synthetic-study.ts";
import { dumpStore, integrityCheck, sleep, startTwin, storePath, twin } from "../study/fixtures/store-dump.ts";

const STUDY = { name: "kill9-ckpt", steps: 160, hidden: 64 };
const ARGS = ["compare", "study.mts", "--seeds", "2", "--jobs", "1", "--json", "--checkpoint-every", "20", "--logdir", "runs"];

function theRun(db: string): { id: string; status: string } | undefined {
  if (!existsSync(db)) return undefined;
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare("SELECT id, status FROM runs ORDER BY queued_at, id").get() as { id: string; status: string } | undefined;
  } catch {
    return undefined;
  } finally {
    d.close();
  }
}

/** The run's complete checkpoints (renamed into place), oldest first, by step. */
function checkpoints(dir: string, runId: string): { name: string; step: number }[] {
  const folder = join(dir, ".twin", "checkpoints", STUDY.name, runId);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .map((name) => ({ name, m: /^step-(\d+)$/.exec(name) }))
    .filter((x) => x.m !== null)
    .map((x) => ({ name: x.name, step: Number(x.m![1]) }))
    .sort((a, b) => a.step - b.step);
}

test("kill -9 while training, then the newest checkpoint damaged: the rerun reports it and continues from the one before, bit-identical to an uninterrupted run", async () => {
  const ref = studyProject(STUDY);
  const hurt = studyProject(STUDY);
  try {
    const r = twin(ref.dir, ARGS);
    assert.equal(r.status, 0, r.stderr);
    const reference = dumpStore(storePath(ref.dir));

    const child = startTwin(hurt.dir, ARGS);
    const db = storePath(hurt.dir);
    const deadline = Date.now() + 120_000;
    let run: ReturnType<typeof theRun>;
    for (;;) {
      assert.ok(Date.now() < deadline, `timed out waiting for two checkpoints: ${child.err()}`);
      run = theRun(db);
      if (run?.status === "finished") assert.fail("the run finished before it could be killed; make it longer");
      if (run?.status === "running" && checkpoints(hurt.dir, run.id).length >= 2) break;
      await sleep(20);
    }
    child.child.kill("SIGKILL");
    assert.equal(await child.exited, null, "killed by the signal, not exited");
    assert.equal(integrityCheck(db), "ok");

    const kept = checkpoints(hurt.dir, run!.id);
    const newest = kept[kept.length - 1]!;
    const previous = kept[kept.length - 2]!;
    const file = join(hurt.dir, ".twin", "checkpoints", STUDY.name, run!.id, newest.name, "optim-adam.safetensors");
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.alloc(64, 0xff), 0, 64, 200);
    closeSync(fd);

    const again = twin(hurt.dir, ARGS);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /continuing 1 run\(s\) interrupted when their process stopped/);
    const damaged = again.stderr.split("\n").find((l) => l.includes("is damaged"));
    assert.ok(damaged, again.stderr);
    assert.ok(damaged.includes(join(newest.name, "optim-adam.safetensors")), damaged);
    assert.match(again.stderr, new RegExp(`continues from its checkpoint at step ${previous.step}\\b`));
    assert.deepEqual(dumpStore(db), reference, "the resumed run equals the uninterrupted one");
    assert.deepEqual(JSON.parse(again.stdout).comparisons, JSON.parse(r.stdout).comparisons, "the same verdict");
  } finally {
    ref.cleanup();
    hurt.cleanup();
  }
});
