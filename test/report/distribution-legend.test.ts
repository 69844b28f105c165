// The seed distribution's marks read as its legend and caption say: runs set aside are hollow diamonds in the
// chart and in the legend; a variant's mean on a narrow interval does not draw the black swans' cross; the
// variant swatches are as dark as the seeds; the interval's legend names the seed counts it rests on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildReportModel, reportCharts } from "../../src/report/index.ts";
import type { RunData, StudyData } from "../../src/report/types.ts";
import { axisLabels, legendSymbols, markItems } from "./scenegraph.ts";

const FACTORS = ["init", "order"];

/** A run whose final val/accuracy is `value`, with its factor seeds (all equal: every factor varied; one differing: set aside). */
function run(variant: string, seed: string, value: number, factors: number[]): RunData {
  return {
    variant, seed, status: "success",
    scalars: { "val/accuracy": { steps: Float64Array.of(1, 2), values: Float64Array.of(0.5, value) } },
    factorSeeds: Object.fromEntries(FACTORS.map((f, i) => [f, String(factors[i])])),
    where: `${variant}/seed-${seed}`,
  };
}

/**
 * base: 10 seeds within ±0.4 pp of 0.894 (an interval about 0.5 pp wide on an axis from 10 to 92: a few pixels);
 * wide: 9 such seeds and one at 0.10 (a black swan). With `aside`, seeds 1–2 vary one factor only.
 */
function study(aside: boolean): StudyData {
  const runs: RunData[] = [];
  for (let s = 0; s < 10; s++) {
    const f = aside && s > 0 && s < 3 ? [s, 0] : [s, s];
    runs.push(run("base", String(s), 0.894 + 0.001 * ((s * 7) % 9) - 0.004, f));
    runs.push(run("wide", String(s), s === 7 ? 0.1 : 0.9 + 0.001 * ((s * 5) % 9) - 0.004, f));
  }
  return { name: "s", source: "test", variantOrder: ["base", "wide"], runs, checks: [] } as StudyData;
}

const ASIDE = /^set aside: /;

test("seed distribution legend: the runs set aside are a hollow diamond, as in the chart; the seeds and black swans filled", async () => {
  const chart = reportCharts(buildReportModel(study(true))).distribution[0]!;
  const aside = (await markItems(chart.spec, "aside")).flat();
  assert.ok(aside.length > 0);
  for (const item of aside) {
    assert.equal(item.shape, "diamond");
    assert.equal(item.fill, "transparent", "hollow in the chart");
  }
  const symbols = await legendSymbols(chart.spec);
  const entry = [...symbols].find(([value]) => ASIDE.test(value));
  assert.ok(entry, [...symbols.keys()].join(" | "));
  assert.equal(entry[1].shape, "diamond");
  assert.equal(entry[1].fill, "transparent", "hollow in the legend");
  assert.notEqual(entry[1].stroke, "transparent", "its outline drawn");
  for (const filled of ["one seed", "black swan"]) assert.notEqual(symbols.get(filled)!.fill, "transparent", filled);
  assert.match(chart.caption, /Hollow diamonds are runs the verdict sets aside/);
});

test("seed distribution and differences: a mean on a narrow interval is a square, not a stroke that forms the black swans' cross with its bar", async () => {
  const model = buildReportModel(study(false));
  const base = model.distribution.variants.find((v) => v.name === "base")!;
  assert.ok(base.ci![1] - base.ci![0] < 0.01, `base's interval ${base.ci} is narrow`);
  assert.equal(model.distribution.variants.find((v) => v.name === "wide")!.swans, 1, "wide has a black swan");
  const chart = reportCharts(model).distribution[0]!;
  const means = (await markItems(chart.spec, "meantick")).flat();
  assert.equal(means.length, 2);
  const symbols = await legendSymbols(chart.spec);
  assert.equal(symbols.get("black swan")!.shape, "cross");
  const seedShapes = new Set(["one seed", "black swan"].map((k) => symbols.get(k)!.shape));
  for (const m of means) {
    assert.equal(m.shape, "square");
    assert.ok(!seedShapes.has(m.shape!), `the mean's shape ${m.shape} is not a seed's`);
    assert.equal(m.fill, "white");
  }
  assert.match(chart.caption, /the bar is the mean with 95% CI \(t\), 10 seeds, the white square on it the mean\./);
  // The differences chart: its mean a white square too (its black swans are crosses).
  const diff = reportCharts(model).distribution.find((c) => c.id.startsWith("differences"))!;
  const diffMeans = (await markItems(diff.spec, "meantick")).flat();
  assert.equal(diffMeans.length, 1);
  assert.deepEqual([diffMeans[0]!.shape, diffMeans[0]!.fill], ["square", "white"]);
  assert.equal((await markItems(diff.spec, "swans")).flat()[0]!.shape, "cross");
  assert.match(diff.caption, /the white square on it the mean difference; the dashed line is no difference\./);
});

test("seed distribution: the variant swatches are drawn as dark as the seeds, not as pale as the density's fill", async () => {
  const chart = reportCharts(buildReportModel(study(false))).distribution[0]!;
  const symbols = await legendSymbols(chart.spec);
  const seeds = (await markItems(chart.spec, "seedpoints")).flat();
  for (const v of ["base", "wide"]) assert.equal(symbols.get(v)!.opacity, seeds[0]!.opacity, v);
});

test("seed distribution: variants with different seed counts name them in the interval's legend", () => {
  const data = study(false);
  data.runs = data.runs.filter((r) => !(r.variant === "wide" && r.seed === "3"));
  const chart = reportCharts(buildReportModel(data)).distribution[0]!;
  assert.match(JSON.stringify(chart.spec), /"mean with 95% CI \(t\), 9 or 10 seeds per variant"/);
  assert.match(chart.caption, /the bar is the mean with 95% CI \(t\), 9 or 10 seeds per variant, the white square/);
});

test("differences and seed distribution: a row's label is drawn in full, the reference too", async () => {
  // A factorial's cells: the label "b − a" is about 290 px by vega's estimate (Vega cut it at 180 px).
  const names = ["opt=sgd, drop=0", "opt=adam, drop=1"];
  const data = study(false);
  for (const r of data.runs) r.variant = r.variant === "base" ? names[0]! : names[1]!;
  data.variantOrder = names;
  const charts = reportCharts(buildReportModel(data)).distribution;
  for (const chart of charts) {
    const labels = (await axisLabels(chart.spec)).filter((l) => names.some((n) => l.text.includes(n)));
    assert.ok(labels.length > 0, chart.id);
    for (const l of labels) assert.ok(l.width <= l.limit, `${chart.id}: "${l.text}" needs ${l.width.toFixed(0)} px, cut at ${l.limit}`);
  }
  assert.ok(charts.some((c) => c.id.startsWith("differences")), "the differences chart checked");
});
