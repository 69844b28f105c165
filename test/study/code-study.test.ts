/**
 * A study defined in code (no study file): runStudy runs it in memory in this
 * process, its variants in this thread, with the numbers the same study gives
 * from its file; what needs the file (a store, the parallel schedule) is
 * refused with a clear error.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runStudy } from "../../src/study/run-study.ts";
import { importStudy } from "../../src/study/study-file.ts";
import { studyProject } from "./fixtures/synthetic-study.ts";

test("a study defined in code runs without a study file and gives the numbers of the same study run from its file", async () => {
  const project = studyProject({ name: "in-code", steps: 8, evalEvery: 4 });
  try {
    // The spec object a script holds after defineStudy(...); runStudy is not told where it came from.
    const spec = await importStudy(project.file);
    const inCode = await runStudy(spec, { cwd: project.dir, plan: 2 });
    const fromFile = await runStudy(spec, { cwd: project.dir, studyFile: project.file, plan: 2 });
    assert.equal(inCode.runs.length, 2);
    assert.deepEqual(inCode.runs.map((r) => r.plan.label), [0, 1]);
    for (const [i, run] of inCode.runs.entries()) {
      assert.match(run.runId, /\S/);
      for (const v of ["sgd", "adam"]) {
        assert.equal(run.result.variants[v]!.status, "finished");
        assert.equal(run.result.variants[v]!.weightsHash, fromFile.runs[i]!.result.variants[v]!.weightsHash, `${v}, seed ${i}`);
      }
      assert.equal(run.result.runChain, fromFile.runs[i]!.result.runChain);
    }
    await assert.rejects(runStudy(spec, { cwd: project.dir, plan: 2, record: true }), /recording a study in a store needs its study file/);
    await assert.rejects(runStudy(spec, { cwd: project.dir, plan: 2, schedule: "parallel" }), /parallel schedule builds each variant .* pass studyFile/);
  } finally {
    project.cleanup();
  }
});
