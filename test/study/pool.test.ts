/**
 * The local pool: a study's runs spread over worker processes that claim them
 * from the store; progress from every process reaches the parent; the results
 * equal those of the same study run in one process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { runStudy, defaultJobs } from "../../src/study/run-study.ts";
import { importStudy } from "../../src/study/study-file.ts";
import { studyProject } from "./fixtures/synthetic-study.ts";
import { dumpStore, storePath, twin } from "./fixtures/store-dump.ts";
import Database from "better-sqlite3";

const STUDY = { name: "pooled", steps: 120, hidden: 32 };

test("--jobs 2: two worker processes share the runs; one combined progress; same store as --jobs 1", async () => {
  const single = studyProject(STUDY);
  const pooled = studyProject(STUDY);
  try {
    const r = twin(single.dir, ["compare", "study.mts", "--seeds", "4", "--jobs", "1", "--json"]);
    assert.equal(r.status, 0, r.stderr);

    const spec = await importStudy(pooled.file);
    assert.equal(defaultJobs(spec), availableParallelism(), "cores / threads per run (1)");
    assert.equal(defaultJobs({ ...spec, threads: 2 }), Math.max(1, Math.floor(availableParallelism() / 2)));
    const slots = new Map<number, Set<number>>();
    const ended: string[] = [];
    const results = await runStudy(spec, {
      record: true,
      cwd: pooled.dir,
      studyFile: pooled.file,
      plan: 4,
      jobs: 2,
      onProgress: (run, p, slot) => {
        if (!slots.has(slot!)) slots.set(slot!, new Set());
        slots.get(slot!)!.add(run.label);
        assert.ok(p.step >= 1 && p.step <= p.totalSteps);
      },
      onRunEnd: (run, status) => ended.push(`${run.label}:${status}`),
    });
    assert.equal(results.runs.length, 4);
    assert.deepEqual(results.runs.map((x) => x.plan.label), [0, 1, 2, 3]);
    assert.deepEqual(ended.sort(), ["0:finished", "1:finished", "2:finished", "3:finished"]);
    assert.deepEqual([...slots.keys()].sort(), [0, 1], "progress came from both worker processes");
    const db = new Database(storePath(pooled.dir), { readonly: true });
    const workers = db.prepare("SELECT DISTINCT worker FROM runs").all() as { worker: string }[];
    db.close();
    assert.equal(workers.length, 2, "two worker processes claimed runs");
    assert.ok(workers.every((w) => /^pool:.+:\d+$/.test(w.worker)));

    assert.deepEqual(dumpStore(storePath(pooled.dir)), dumpStore(storePath(single.dir)));
    // The verdict from the pooled store is the one-process verdict.
    const again = twin(pooled.dir, ["compare", "study.mts", "--seeds", "4", "--json"]);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), JSON.parse(r.stdout));
  } finally {
    single.cleanup();
    pooled.cleanup();
  }
});
