/**
 * What the charts tell a reader at a glance: a variant has one colour in
 * every chart (also where the reference is left out), the interval of the
 * mean is drawn darker than the bands of where the runs lie, and a paired
 * difference says which side of 0 is better.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile, type TopLevelSpec } from "vega-lite";
import { writeFixture } from "./fixture.ts";
import { markItems } from "./scenegraph.ts";
import { buildReportModel, curveChart, differenceChart, distributionChart, expectedMaxChart, loadStudyDir, reportCharts, variantColors, type Chart, type VlSpec } from "../../src/report/index.ts";
import type { CurveData } from "../../src/report/model/index.ts";

const root = mkdtempSync(join(tmpdir(), "twin-chart-reading-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));
const model = buildReportModel(loadStudyDir(writeFixture(join(root, "logs"), { study: "ab", seeds: 4, steps: 20 })));
const sections = reportCharts(model);
const byId = (id: string): Chart => [...sections.curves, ...sections.paired, sections.power!].find((c) => c.id === id)!;

/** The stroke of each series of a mark, by the value of `field` in its data. */
async function strokes(spec: VlSpec, mark: string, field: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const series of await markItems(spec, mark)) for (const item of series) out.set(String(item.datum![field]), item.stroke!);
  return out;
}

test("a variant is drawn in one colour in the curves, the paired differences (no reference there), the seeds' differences and the power chart", async () => {
  assert.deepEqual(model.variants, ["baseline", "dropout", "wider"]);
  const curve = await strokes(byId("curve-eval-accuracy").spec, "mean", "variant");
  assert.equal(new Set(curve.values()).size, 3, "three colours");
  const paired = await strokes(byId("paired-eval-accuracy").spec, "mean", "variant");
  assert.deepEqual([...paired.keys()].sort(), ["dropout", "wider"]);
  for (const [v, colour] of paired) assert.equal(colour, curve.get(v), `${v}: paired curve vs curve`);
  const diffs = new Map<string, string>();
  for (const series of await markItems(sections.distribution[1]!.spec, "diffs")) for (const item of series) diffs.set(String(item.datum!.comparison), item.fill!);
  assert.deepEqual([...diffs.keys()].sort(), ["dropout − baseline", "wider − baseline"]);
  for (const [c, colour] of diffs) assert.equal(colour, curve.get(c.split(" − ")[0]!), `${c}: differences vs curve`);
  const power = await strokes(sections.power!.spec, "mde", "comparison");
  assert.deepEqual([...power.keys()].sort(), ["dropout − baseline", "wider − baseline"]);
  for (const [c, colour] of power) assert.equal(colour, curve.get(c.split(" − ")[0]!), `${c}: power vs curve`);
});

test("variantColors: each series the colour of its variant's place; its own order when a place is missing or shared", () => {
  const all = ["a", "b", "c"];
  assert.deepEqual(variantColors(["c", "b"], all), { domain: ["c", "b"], range: ["#54a24b", "#f58518"] });
  assert.deepEqual(variantColors(["c − a"], all, (s) => s.split(" − ")[0]!), { domain: ["c − a"], range: ["#54a24b"] });
  assert.deepEqual(variantColors(["c", "x"], all), { domain: ["c", "x"] });
  assert.deepEqual(variantColors(["c − a", "c − b"], all, (s) => s.split(" − ")[0]!), { domain: ["c − a", "c − b"] });
});

test("a summarised curve draws the interval of the mean darker than the 5–95% and 25–75% bands, with one legend telling the three apart", async () => {
  const steps = [1, 2, 3, 4];
  const variants = ["baseline", "wider"];
  const data: CurveData = {
    tag: "val/loss", variants, reference: "baseline", paired: false,
    seeds: variants.flatMap((variant, i) => steps.flatMap((step) => [0, 1].map((s) => ({ variant, seed: String(s), step, value: 1 / step + 0.1 * i + 0.01 * s })))),
    stats: variants.flatMap((variant, i) => steps.map((step) => {
      const m = 1 / step + 0.1 * i;
      return { variant, step, n: 40, mean: m, lo: m - 0.005, hi: m + 0.005, q: [m - 0.08, m - 0.03, m + 0.03, m + 0.08] as [number, number, number, number] };
    })),
    runs: { baseline: 40, wider: 40 }, minRuns: 3, level: 0.95, bandLabel: "95% CI of the mean (t), 40 seeds; where ≥ 3 runs", thinned: false,
    summarised: true, drawn: { baseline: 2, wider: 2 }, quantileSample: 1000, smoothing: 0, twinTrained: true,
  };
  const c = curveChart(data);
  const opacity = (items: { opacity?: number; datum?: Record<string, unknown> }[][]) => new Map(items.flat().map((it) => [String(it.datum!.band), it.opacity!]));
  const quantiles = opacity(await markItems(c.spec, "quantiles"));
  const band = opacity(await markItems(c.spec, "band"));
  const ci = band.get(data.bandLabel)!, outer = quantiles.get("5–95% of runs")!, inner = quantiles.get("25–75% of runs")!;
  assert.ok(outer < inner && inner < ci, `opacities 5–95% ${outer}, 25–75% ${inner}, CI ${ci}`);
  const vega = compile(c.spec as unknown as TopLevelSpec).spec;
  const scales = (vega.scales ?? []).filter((s) => s.name.includes("opacity"));
  assert.equal(scales.length, 1, "one opacity scale");
  const legends = (vega.legends ?? []).filter((l) => l.opacity !== undefined);
  assert.equal(legends.length, 1, "one legend for the bands");
  assert.equal(legends[0]!.title, "bands");
});

test("a paired difference says which side of 0 is better, where the tag's direction is known", () => {
  // On a second line: a line that long would not fit the plot's height.
  const yTitle = (c: Chart): string | string[] => (c.spec.layer as { encoding: { y: { title?: string | string[] } } }[]).find((l) => l.encoding.y.title)!.encoding.y.title!;
  assert.deepEqual(yTitle(byId("paired-eval-accuracy")), ["eval/accuracy: variant − baseline (pp)", "above 0: variant better"]);
  assert.deepEqual(yTitle(byId("paired-eval-loss")), ["eval/loss: variant − baseline", "below 0: variant better"]);
  assert.equal(yTitle(byId("curve-eval-loss")), "eval/loss");
  const unnamed = curveChart({ ...model.pairedCurves[0]!, tag: "eval/score_x" }, undefined, { variants: model.variants });
  assert.equal(yTitle(unnamed), "eval/score_x: variant − baseline");
});

test("the differences chart draws each mean difference centred on its interval's bar", async () => {
  const diff = sections.distribution[1]!;
  assert.equal(diff.id, "differences-val-accuracy");
  const bars = (await markItems(diff.spec, "ci")).flat().map((i) => i.y!);
  const means = (await markItems(diff.spec, "meantick")).flat().map((i) => i.y!);
  assert.equal(bars.length, 2);
  assert.deepEqual(means.map((y) => y.toFixed(3)), bars.map((y) => y.toFixed(3)));
});

test("the seed distribution draws each variant's mean centred on its interval's bar", async () => {
  const dist = sections.distribution[0]!;
  const bars = (await markItems(dist.spec, "ci")).flat().map((i) => i.y!);
  const means = (await markItems(dist.spec, "meantick")).flat().map((i) => i.y!);
  assert.equal(bars.length, 3);
  assert.deepEqual(means.map((y) => y.toFixed(3)), bars.map((y) => y.toFixed(3)));
});

test("an unpaired differences chart speaks of no dots, and its legend does not list the same swatch once per n", () => {
  const unpaired = { ...model.differences, comparisons: model.differences.comparisons.map((c, i) => ({ ...c, paired: false, points: [], swans: [], n: 7 + i })) };
  const c = differenceChart(unpaired, undefined, model.variants);
  assert.match(c.caption, /^Runs are unpaired, so no seed has a difference: only the 95% confidence interval of each mean difference is drawn/);
  assert.doesNotMatch(c.caption, /dot/);
  const ci = (c.spec.layer as { name: string; data: { values: { what: string; n: number }[] } }[]).find((l) => l.name === "ci")!.data.values;
  assert.deepEqual(ci.map((r) => r.n), [7, 8]);
  assert.equal(new Set(ci.map((r) => r.what)).size, 1, ci.map((r) => r.what).join(" | "));
  // The same n everywhere: the legend names it.
  const paired = differenceChart(model.differences, undefined, model.variants);
  assert.match((paired.spec.layer as { name: string; data: { values: { what: string }[] } }[]).find((l) => l.name === "ci")!.data.values[0]!.what, /, n = 4\)$/);
  assert.match(paired.caption, /^Each dot is one seed's difference/);
});

test("a variant missing from a chart (no final value yet) leaves the others their colours", () => {
  const scale = (c: Chart, layer: string): unknown => {
    let found: unknown;
    const walk = (x: unknown): void => {
      if (found || x === null || typeof x !== "object") return;
      const o = x as { name?: string; encoding?: { color?: { scale?: unknown } } };
      if (o.name === layer && o.encoding?.color?.scale) found = o.encoding.color.scale;
      Object.values(o).forEach(walk);
    };
    walk(c.spec);
    return found;
  };
  const dist = distributionChart({ ...model.distribution, variants: model.distribution.variants.filter((v) => v.name !== "dropout") }, undefined, model.variants);
  assert.deepEqual(scale(dist, "seedpoints"), { domain: ["baseline", "wider"], range: ["#4c78a8", "#54a24b"] });
  const best = expectedMaxChart({ ...model.expectedMax, variants: model.expectedMax.variants.filter((v) => v.name !== "baseline") }, undefined, model.variants);
  assert.deepEqual(scale(best, "emax"), { domain: ["dropout", "wider"], range: ["#f58518", "#54a24b"] });
});

test("a learning curve whose positive values span decades (a diverged variant's loss) gets a log axis; its t band is cut at the smallest value, and the caption says both", async () => {
  const steps = [1, 2, 3, 4, 5];
  const variants = ["baseline", "hot"];
  const value = (variant: string, step: number, s: number) => (variant === "hot" ? 10 ** (2 + step) * (1 + s) : 0.5 / step + 0.01 * s);
  const seeds = variants.flatMap((variant) => steps.flatMap((step) => [0, 1, 2].map((s) => ({ variant, seed: String(s), step, value: value(variant, step, s) }))));
  const stats = variants.flatMap((variant) => steps.map((step) => {
    const v = [0, 1, 2].map((s) => value(variant, step, s));
    const mean = (v[0]! + v[1]! + v[2]!) / 3;
    const half = 4.3 * (Math.max(...v) - Math.min(...v)); // a wide t band, as with skewed seeds: below 0 for "hot"
    return { variant, step, n: 3, mean, lo: mean - half, hi: mean + half };
  }));
  const data: CurveData = {
    tag: "train/loss", variants, reference: "baseline", paired: false, seeds, stats,
    runs: { baseline: 3, hot: 3 }, minRuns: 3, level: 0.95, bandLabel: "95% CI of the mean (t), 3 seeds; where ≥ 3 runs", thinned: false,
    summarised: false, drawn: { baseline: 3, hot: 3 }, quantileSample: 1000, smoothing: 0, twinTrained: true,
  };
  const c = curveChart(data);
  const vega = compile(c.spec as unknown as TopLevelSpec).spec;
  assert.equal((vega.scales ?? []).find((s) => s.name === "y")!.type, "log");
  const yAxis = (vega.axes ?? []).find((a) => a.scale === "y" && a.grid !== true && a.labels !== false);
  assert.deepEqual((yAxis as { values?: number[] }).values, [0.1, 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8], "ticks and grid at the decades only");
  assert.match(c.caption, /Log axis: the values span 8 decades; where a band reaches below the smallest value drawn \(0\.100\) it is cut there/);
  const band = (await markItems(c.spec, "band")).flat();
  assert.ok(band.length > 0 && band.every((it) => Number.isFinite(it.y) && Number.isFinite(it.y2)), "every band point drawn at a finite height");
  // The baseline's curve is readable: its mean moves down the plot as its loss falls from 0.5 to 0.1 (a linear axis to 2e7 would draw it flat).
  const means = (await markItems(c.spec, "mean")).flat().filter((it) => it.datum!.variant === "baseline").map((it) => it.y!);
  assert.ok(means[means.length - 1]! - means[0]! > 10, `baseline's mean drops ${means[means.length - 1]! - means[0]!} px`);
  // A paired difference and values within three decades keep a linear axis.
  assert.notEqual(compile(curveChart({ ...data, paired: true }).spec as unknown as TopLevelSpec).spec.scales!.find((s) => s.name === "y")!.type, "log");
  const tame = curveChart({ ...data, variants: ["baseline"], seeds: seeds.filter((p) => p.variant === "baseline"), stats: stats.filter((p) => p.variant === "baseline") });
  assert.notEqual(compile(tame.spec as unknown as TopLevelSpec).spec.scales!.find((s) => s.name === "y")!.type, "log");
  assert.doesNotMatch(tame.caption, /Log axis/);
});
