/** Fault matrix: huge or malformed counts get a clear error at once (never minutes of silence and an out-of-memory abort). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseWhole } from "../../src/cli/count-option.ts";
import { MAX_PLANNED_RUNS, planRuns } from "../../src/study/seed-plan.ts";
import { studyProject } from "../study/fixtures/synthetic-study.ts";
import { twin } from "../study/fixtures/store-dump.ts";

test("whole-number options accept digits only, within their bounds", () => {
  assert.equal(parseWhole("8", "--seeds", { min: 2 }), 8);
  assert.equal(parseWhole(" 12 ", "--seeds"), 12);
  for (const bad of ["1e9", "8.0", "0x10", "", "-3", "eight", "Infinity"]) {
    assert.throws(() => parseWhole(bad, "--seeds", { min: 2 }), /--seeds must be a whole number written in digits/, bad);
  }
  assert.throws(() => parseWhole("1", "--seeds", { min: 2 }), /--seeds must be at least 2 \(got 1\)/);
  assert.throws(() => parseWhole("1000000000", "--seeds", { min: 2, max: MAX_PLANNED_RUNS, why: "each seed is a full training run" }), /--seeds 1000000000 is too large: at most 10000 \(each seed is a full training run\)/);
  assert.throws(() => parseWhole("99999999999999999999", "--first"), /too large/);
});

test("seed plans refuse more runs than a study can hold before building anything", () => {
  const t0 = Date.now();
  assert.throws(() => planRuns(1e9), /n = 1000000000 is more than the 10000 runs/);
  assert.throws(() => planRuns({ vary: ["init", "order", "augment"], n: 4000, withAll: true }), /3 factor\(s\) plus all together × 4000 seeds make 16000 runs/);
  const axis = Array.from({ length: 100 }, (_, i) => i);
  assert.throws(() => planRuns({ grid: { init: axis, order: axis, augment: axis } }), /100 × 100 × 100 combinations make 1000000 runs/);
  assert.ok(Date.now() - t0 < 1000, "refused at once");
  assert.equal(planRuns({ vary: "init", n: MAX_PLANNED_RUNS }).length, MAX_PLANNED_RUNS);
});

test("the CLI: compare --seeds 1e9 and seeds --vary bogus fail at once with the usage exit status (2) and say what to do", () => {
  const p = studyProject({ name: "counts" });
  try {
    const huge = twin(p.dir, ["compare", "study.mts", "--seeds", "1000000000"], 60_000);
    assert.equal(huge.status, 2, huge.stderr);
    assert.match(huge.stderr, /--seeds 1000000000 is too large: at most 10000/);
    const sci = twin(p.dir, ["seeds", "study.mts", "--n", "1e9"], 60_000);
    assert.equal(sci.status, 2, sci.stderr);
    assert.match(sci.stderr, /--n must be a whole number written in digits/);
    const bogus = twin(p.dir, ["seeds", "study.mts", "--n", "3", "--vary", "init,bogus"], 60_000);
    assert.equal(bogus.status, 2, bogus.stderr);
    assert.match(bogus.stderr, /--vary: no factor named 'bogus'; a twin run draws from init, order, augment, dropout, split, eval/);
  } finally {
    p.cleanup();
  }
});
