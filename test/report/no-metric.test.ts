// A study none of whose runs logged a result metric (every run failed before its first, or logged only
// bookkeeping such as epoch and lr, or none has got that far) is still reported: no verdict, why, and
// each run's status and error (the report said only "no run has logged a metric yet", the dashboard
// "Cannot show this yet", as for an error in a file).
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildReportModel, NO_METRIC, renderStudyBody, ReportOptionError } from "../../src/report/index.ts";
import type { RunData, StudyData } from "../../src/report/types.ts";

function run(variant: string, seed: number, status: string, scalars: RunData["scalars"], notes: string[] = []): RunData {
  return { variant, seed: String(seed), status, scalars, where: `${variant}/seed-${seed}`, notes };
}

function study(runs: RunData[]): StudyData {
  return { name: "broken", source: "test", variantOrder: ["base", "wide"], runs, checks: [] } as StudyData;
}

test("no result metric: the body says why there is no verdict, from the runs' statuses, and lists every run with its error, open", () => {
  const epochs = { epoch: { steps: Float64Array.of(1, 2), values: Float64Array.of(1, 2) }, lr: { steps: Float64Array.of(1), values: Float64Array.of(0.1) } };
  const model = buildReportModel(
    study([
      run("base", 1, "failure", epochs, ["error (step 2): CUDA out of memory"]),
      run("base", 2, "failure", {}, ["error (step 0): ImportError: no module named torchvision"]),
      run("wide", 1, "running", epochs),
      run("wide", 2, "failure", epochs, ["error (step 2): loss is NaN"]),
    ]),
  );
  assert.equal(model.metric, NO_METRIC);
  assert.equal(model.analysis, null);
  assert.deepEqual(model.tags, ["epoch", "lr"]);
  // No per-run "counted as failed in the verdict": there is none.
  assert.deepEqual(model.warnings.filter((w) => /counted as/.test(w)), []);
  const body = renderStudyBody(model);
  assert.deepEqual(body.charts, []);
  assert.ok(body.html.includes("No verdict: no run has logged a result metric (only epoch, lr logged, no result metric). Runs by status: failure 3, running 1; each run&#39;s status and error are in the table below."), body.html.slice(0, 2000));
  assert.ok(body.html.includes("<details open><summary>Runs (4)"));
  for (const error of ["CUDA out of memory", "ImportError: no module named torchvision", "loss is NaN"]) assert.ok(body.html.includes(error), error);
  assert.ok(body.html.includes("<th>final value</th>"));
  assert.ok(!body.html.includes('id="curves"'), "no empty sections");
});

test("no result metric: a runs table where nothing was logged says so; --metric naming a metric no run has is still a wrong option", () => {
  const data = study([run("base", 1, "failure", {}, ["error: command not found"]), run("wide", 1, "failure", {}, ["error: command not found"])]);
  const body = renderStudyBody(buildReportModel(data));
  assert.ok(body.html.includes("No verdict: no run has logged a result metric (nothing logged). Runs by status: failure 2;"));
  assert.throws(() => buildReportModel(data, { metric: "val/accuracy" }), (e: unknown) => e instanceof ReportOptionError && /no runs have the metric "val\/accuracy"/.test((e as Error).message));
});
