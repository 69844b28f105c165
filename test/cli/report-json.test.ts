/**
 * `twin report --json` carries the report's deployment section (both choices
 * with their uncertainty, per variant validation and test figures, ensemble
 * gain, churn, the ensemble curve): the same numbers as the report model.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildReportModel, loadStudyDir } from "../../src/report/index.ts";
import { writeFixture } from "../report/fixture.ts";
import { writePredictionFixture } from "../report/fixture-predictions.ts";
import { TWIN_BIN } from "../study/fixtures/synthetic-study.ts";

test("twin report --json: the deployment section, as in the report model", () => {
  const root = mkdtempSync(join(tmpdir(), "twin-report-json-"));
  try {
    const dir = writeFixture(root, { seeds: 4, steps: 10, checks: false });
    writePredictionFixture(dir, { validation: 200, test: 300 });
    const r = spawnSync(process.execPath, [TWIN_BIN, "report", dir, "-o", join(root, "r.html"), "--json"], { cwd: root, encoding: "utf8", timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const d = out.deployment;
    assert.equal(d.available, true);
    assert.equal(d.analysis.ensemble.kind, "ensemble");
    assert.ok(d.analysis.ensemble.versusRunnerUp.mcnemar.p >= 0);
    assert.equal(d.analysis.singleSeed.kind, "single seed");
    const t = d.analysis.singleSeed.versusRunnerUp.twoLevel;
    assert.ok(t.lo <= t.estimate && t.estimate <= t.hi);
    assert.equal(d.analysis.variants.length, 3);
    for (const v of d.analysis.variants) {
      assert.equal(v.seeds, 4);
      assert.equal(v.validation.curve.length, 4, `${v.variant}: the curve on validation, k = 1..4`);
      assert.equal(v.test.curve.length, 4);
      assert.ok(v.gain.hi >= v.gain.lo && v.churn.mean > 0);
    }
    // The same numbers as the model (NaN becomes null in JSON).
    const model = buildReportModel(loadStudyDir(dir));
    assert.deepEqual(d, JSON.parse(JSON.stringify(model.deployments[0])));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
