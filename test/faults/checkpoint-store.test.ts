/** Fault matrix: a recorded study stores each checkpoint's hash and never resumes from a damaged checkpoint. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, openSync, readdirSync, writeSync } from "node:fs";
import { join } from "node:path";
import { studyProject } from "../study/fixtures/synthetic-study.ts";
import { importStudy } from "../../src/study/study-file.ts";
import { runStudy } from "../../src/study/run-study.ts";
import { openStore } from "../../src/store/index.ts";

const STUDY = { name: "ckpt-fault", steps: 40, evalEvery: 10 };

async function run(dir: string, file: string, extra: { signal?: AbortSignal; stopAt?: number; abort?: AbortController; warnings?: string[] } = {}) {
  const spec = await importStudy(file);
  return runStudy(spec, {
    record: true,
    cwd: dir,
    studyFile: file,
    plan: 1,
    jobs: 1,
    checkpointEvery: 10,
    signal: extra.abort?.signal,
    onProgress: (_run, p) => {
      if (extra.stopAt !== undefined && p.step >= extra.stopAt) extra.abort?.abort();
    },
    onWarning: (t) => void extra.warnings?.push(t),
  });
}

test("kill at step 25, bytes flipped in the newest checkpoint: the store's hash catches it, the run resumes from the one before, bit-identical", async () => {
  const ref = studyProject(STUDY);
  const hurt = studyProject(STUDY);
  try {
    const full = await run(ref.dir, ref.file);
    const abort = new AbortController();
    const stopped = await run(hurt.dir, hurt.file, { abort, stopAt: 25 });
    assert.equal(stopped.stopped, true);
    const runId = stopped.runIds![0]!;
    const store = await openStore(undefined, { cwd: hurt.dir });
    const recorded = await store.checkpoints(runId);
    // What the next process finds after this one is gone: the run back in the queue.
    await store.requeueStale(0, { study: STUDY.name });
    await store.close();
    assert.ok(recorded.length >= 2, "every checkpoint is recorded in the store");
    for (const c of recorded) assert.match(c.sha256 ?? "", /^[0-9a-f]{64}$/);

    const folder = join(hurt.dir, ".twin", "checkpoints", STUDY.name, runId);
    const newest = readdirSync(folder).filter((f) => /^step-\d+$/.test(f)).sort().pop()!;
    const fd = openSync(join(folder, newest, "optim-adam.safetensors"), "r+");
    writeSync(fd, Buffer.alloc(64, 0xff), 0, 64, 200);
    closeSync(fd);

    const warnings: string[] = [];
    const resumed = await run(hurt.dir, hurt.file, { warnings });
    assert.equal(resumed.stopped, false);
    const damaged = warnings.find((w) => w.includes("is damaged"));
    assert.ok(damaged, warnings.join("\n"));
    assert.ok(damaged.includes(join(newest, "optim-adam.safetensors")), damaged);
    for (const v of ["sgd", "adam"]) assert.equal(resumed.runs[0]!.result.variants[v]!.weightsHash, full.runs[0]!.result.variants[v]!.weightsHash, v);
  } finally {
    ref.cleanup();
    hurt.cleanup();
  }
});
