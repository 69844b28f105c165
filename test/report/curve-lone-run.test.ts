// A learning curve where one run goes on alone (a sweep's seed 7 of "wide" logs an extra step 41, where it
// collapses to 10%): that run is a thin line there, and neither the variant's mean nor its band follows it,
// as the caption says; a variant with fewer runs than a band needs has its mean where all its runs reach.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildReportModel, curveChart, reportCharts } from "../../src/report/index.ts";
import type { RunData, StudyData } from "../../src/report/types.ts";
import { markItems } from "./scenegraph.ts";

/** val/acc over steps 1..40 (1..41 for wide seed 7, which ends at 0.1). */
function run(variant: string, seed: number): RunData {
  const last = variant === "wide" && seed === 7 ? 41 : 40;
  const steps = Float64Array.from({ length: last }, (_, i) => i + 1);
  const values = steps.map((s) => (s === 41 ? 0.1 : 0.9 - 0.4 * Math.exp(-s / 10) + 0.002 * ((seed * 7 + s) % 5) + (variant === "wide" ? 0.005 : 0)));
  return { variant, seed: String(seed), status: "success", scalars: { "val/acc": { steps, values } }, where: `${variant}/seed-${seed}` };
}

function study(seeds: Record<string, number>): StudyData {
  const runs = Object.entries(seeds).flatMap(([v, n]) => Array.from({ length: n }, (_, s) => run(v, s + 1)));
  return { name: "swp", source: "test", variantOrder: Object.keys(seeds), runs, checks: [] } as StudyData;
}

test("learning curve: a run that goes on alone is a thin line; the mean and the band stop where fewer than 3 runs reach", async () => {
  const model = buildReportModel(study({ base: 10, wide: 10 }));
  const chart = reportCharts(model).curves.find((c) => c.id === "curve-val-acc")!;
  const lastStep = async (mark: string, variant: string): Promise<number> => {
    const xs = (await markItems(chart.spec, mark)).flat().filter((i) => i.datum!.variant === variant).map((i) => Number(i.datum!.step));
    return Math.max(...xs);
  };
  assert.equal(await lastStep("seeds", "wide"), 41, "seed 7's step 41 is drawn");
  assert.equal(await lastStep("mean", "wide"), 40, "the mean does not plunge with seed 7 alone");
  assert.equal(await lastStep("band", "wide"), 40);
  const lowestMean = Math.min(...(await markItems(chart.spec, "mean")).flat().map((i) => Number(i.datum!.value)));
  assert.ok(lowestMean > 40, `the lowest mean drawn is ${lowestMean} pp, not the lone run's 10`);
  assert.match(chart.caption, /the thick line is the mean over seeds and the band the 95% CI of the mean \(t\), 10 seeds, both drawn only at steps that at least 3 runs reach, so where fewer runs go on they are thin lines alone\./);
  const paired = reportCharts(model).paired.find((c) => c.id === "paired-val-acc")!;
  assert.match(paired.caption, /both drawn only at steps that at least 3 runs reach, so where fewer seeds go on they are thin lines alone\./);
});

test("learning curve: a variant of 2 runs has its mean where both reach, and the caption says so", () => {
  const model = buildReportModel(study({ base: 10, wide: 2 }));
  const curve = model.curves.find((c) => c.tag === "val/acc")!;
  assert.ok(curve.stats.some((s) => s.variant === "wide" && s.n === 2 && s.lo === undefined), "wide's mean, without a band");
  const chart = curveChart(curve, undefined, { variants: model.variants });
  assert.match(chart.caption, /both drawn only at steps that at least 3 runs reach \(the mean of wide \(2 runs\): where all its runs do\)\. Runs of different lengths/);
});
