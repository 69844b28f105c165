/**
 * The dashboard's comparison of two studies gives each study its own
 * deployment section: ensembles, churn and the choices use one study's runs
 * only (the studies' examples and splits may differ), and the page says which
 * study each section is about.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogDirSource, streamReportModel } from "../../src/report/index.ts";
import { studiesSideBySide, ViewBuilder } from "../../src/serve/view-builder.ts";
import { writeFixture } from "../report/fixture.ts";
import { writePredictionFixture } from "../report/fixture-predictions.ts";

test("two studies side by side: one deployment section per study, each with its own variants", async () => {
  const root = mkdtempSync(join(tmpdir(), "twin-compare-deploy-"));
  try {
    for (const [study, variants] of [["s1", ["a", "b"]], ["s2", ["c", "d"]]] as const) {
      writePredictionFixture(writeFixture(root, { study, variants: [...variants], seeds: 3, steps: 10, checks: false }), { validation: 120, test: 150 });
    }
    const source = new LogDirSource(root);
    const model = await streamReportModel(studiesSideBySide((await source.openStudy("s1"))!, (await source.openStudy("s2"))!, source.description));
    assert.deepEqual(model.deployments.map((d) => d.study), ["s1", "s2"]);
    for (const d of model.deployments) {
      assert.equal(d.available, true);
      const own = (v: string) => v.startsWith(`${d.study}:`);
      assert.deepEqual(d.variants.map((v) => v.name).filter((v) => !own(v)), [], `${d.study}'s section holds its own variants only`);
      assert.equal(d.analysis!.variants.length, 2);
      assert.ok(own(d.analysis!.ensemble!.variant) && own(d.analysis!.ensemble!.runnerUp!), "the ensemble choice and its runner-up come from the same study");
      assert.ok(own(d.analysis!.singleSeed!.variant) && own(d.analysis!.singleSeed!.runnerUp!));
      assert.ok(d.scatter.every((p) => own(p.variant)));
    }
    // The page: two sections, each named after its study, with ids that stay unique.
    const body = (await new ViewBuilder(source).compare("s1", "s2", {}))!;
    assert.equal(body.error, undefined);
    for (const [i, study] of ["s1", "s2"].entries()) {
      assert.match(body.html, new RegExp(`<section id="deployment-${i + 1}" class="deployment" data-study="${study}"><h2>What to deploy from ${study}: `));
      assert.equal(body.html.split(`id="choice-single-${i + 1}"`).length, 2);
      assert.ok(body.charts.some((c) => c.id === `ensemble-curve-${i + 1}`));
    }
    assert.equal(new Set(body.charts.map((c) => c.id)).size, body.charts.length, "chart ids are unique");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("two studies side by side: the header counts each study's seeds (4 and 3), not 7 seeds neither study has", async () => {
  const root = mkdtempSync(join(tmpdir(), "twin-compare-seeds-"));
  try {
    writeFixture(root, { study: "s1", variants: ["a", "b"], seeds: 4, steps: 10, checks: false });
    writeFixture(root, { study: "s2", variants: ["c", "d"], seeds: 3, steps: 10, checks: false });
    const body = (await new ViewBuilder(new LogDirSource(root)).compare("s1", "s2", {}))!;
    assert.equal(body.error, undefined);
    assert.equal(body.seedsText, "s1: 4 seeds · s2: 3 seeds");
    assert.equal(body.runs, 14);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
