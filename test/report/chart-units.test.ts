/**
 * Charts show a metric in the unit its tables print (study/metric-units.ts):
 * an accuracy of fractions in percentage points on axes, tooltips and bands
 * (report, dashboard, `twin stats --plot`, `--factors --plot`); a loss, and an
 * accuracy logged in percent, as logged.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { writeFixture, writeOfatFixture } from "./fixture.ts";
import { buildReportModel, loadStudyDir, reportCharts, type Chart } from "../../src/report/index.ts";
import { specScriptText } from "../../src/report/chart-runtime.ts";
import { statsPlotCharts } from "../../src/report/stats-plot.ts";
import { analyzeResults } from "../../src/study/analyze.ts";
import { readResults } from "../../src/study/results-file.ts";
import { factorialVerdict } from "../../src/study/factorial-verdict.ts";
import { factorialCharts, valueUnit } from "../../src/report/charts/index.ts";
import { statsFactors } from "../../src/cli/stats-factors.ts";

const root = mkdtempSync(join(tmpdir(), "twin-chart-units-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));
const model = buildReportModel(loadStudyDir(writeFixture(join(root, "logs"), { seeds: 4, steps: 20 })));
const charts = reportCharts(model);
const byId = (list: readonly Chart[], id: string): Chart => {
  const c = list.find((x) => x.id === id);
  assert.ok(c, `${id} among ${list.map((x) => x.id).join(", ")}`);
  return c;
};

/** Every `data.values` row of a spec, and every axis title, walking its layers and concatenations. */
function specParts(spec: unknown): { rows: Record<string, unknown>[]; titles: string[] } {
  const rows: Record<string, unknown>[] = [];
  const titles: string[] = [];
  const walk = (x: unknown, key = ""): void => {
    if (Array.isArray(x)) return x.forEach((v) => walk(v));
    if (x === null || typeof x !== "object") return;
    const o = x as Record<string, unknown>;
    if (key === "data" && Array.isArray(o.values)) rows.push(...(o.values as Record<string, unknown>[]));
    if (["x", "y"].includes(key) && typeof o.title === "string") titles.push(o.title);
    for (const [k, v] of Object.entries(o)) walk(v, k);
  };
  walk(spec);
  return { rows, titles };
}

const numbers = (rows: readonly Record<string, unknown>[], fields: readonly string[]): number[] =>
  rows.flatMap((r) => fields.map((f) => r[f]).filter((v): v is number => typeof v === "number" && Number.isFinite(v)));

test("an accuracy curve of fractions is drawn in pp: every seed line, mean and band ×100, the axis says (pp)", () => {
  const data = model.curves.find((c) => c.tag === "eval/accuracy")!;
  const { rows, titles } = specParts(byId(charts.curves, "curve-eval-accuracy").spec);
  const drawn = numbers(rows, ["value"]).sort((a, b) => a - b);
  const logged = [...data.seeds.map((p) => p.value), ...data.stats.map((s) => s.mean)].map((x) => 100 * x).sort((a, b) => a - b);
  assert.deepEqual(drawn, logged);
  const bands = numbers(rows, ["lo", "hi"]);
  assert.ok(bands.length > 0 && bands.every((x) => x > 1 && x <= 100), `band values in pp: ${bands.slice(0, 4)}`);
  const y = titles.filter((t) => t !== "step");
  assert.ok(y.length > 0 && y.every((t) => t === "eval/accuracy (pp)"), titles.join(" | "));
});

test("a paired accuracy curve takes its tag's unit; a loss curve stays as logged", () => {
  const paired = model.pairedCurves.find((c) => c.tag === "eval/accuracy")!;
  const { rows, titles } = specParts(byId(charts.paired, "paired-eval-accuracy").spec);
  assert.deepEqual(numbers(rows, ["value"]).filter((_, i) => i < paired.seeds.length).slice(0, 3), paired.seeds.filter((p) => Number.isFinite(p.value)).slice(0, 3).map((p) => 100 * p.value));
  assert.ok(titles.filter((t) => t !== "step").every((t) => t.includes("(pp)")), titles.join(" | "));
  const loss = model.curves.find((c) => c.tag === "train/loss")!;
  const lossSpec = specParts(byId(charts.curves, "curve-train-loss").spec);
  assert.deepEqual(numbers(lossSpec.rows, ["value"]).slice(0, 3), loss.seeds.slice(0, 3).map((p) => p.value));
  assert.ok(lossSpec.titles.every((t) => !t.includes("pp")), lossSpec.titles.join(" | "));
});

test("the seed distribution and the differences of the verdict's accuracy are in pp, as its table", () => {
  assert.equal(model.percent, true);
  const [dist, diff] = charts.distribution;
  const d = specParts(dist!.spec);
  const finals = model.distribution.variants.flatMap((v) => v.points.map((p) => 100 * p.value)).sort((a, b) => a - b);
  assert.deepEqual(numbers(d.rows.filter((r) => "seed" in r && "z" in r), ["value"]).sort((a, b) => a - b), finals);
  const densityX = numbers(d.rows.filter((r) => "density" in r), ["x"]);
  assert.ok(densityX.every((x) => x > 1), "density drawn over pp");
  assert.ok(d.titles.some((t) => t.startsWith("final val/accuracy (pp)")), d.titles.join(" | "));
  const c = model.differences.comparisons[0]!;
  const f = specParts(diff!.spec);
  const ci = f.rows.find((r) => r.lo !== undefined && String(r.what).includes("CI"))!;
  assert.deepEqual([ci.diff, ci.lo, ci.hi], [100 * c.diff, 100 * c.ci[0], 100 * c.ci[1]]);
  assert.ok(f.titles.some((t) => t.startsWith("difference in final val/accuracy (pp)")), f.titles.join(" | "));
  assert.match(String(ci.what), /^mean difference with 95% CI \(paired t, n = 4\)$/, "paired said once");
});

test("a pp chart's spec still round-trips through the page's column encoding", () => {
  const spec = byId(charts.curves, "curve-eval-accuracy").spec;
  const page: { twinUnpackSpec?: (x: unknown, key: string, parent: string) => unknown } = {};
  runInNewContext(readFileSync(new URL("../../src/report/assets/spec-columns.js", import.meta.url), "utf8") + "\nthis.twinUnpackSpec = twinUnpackSpec;", page);
  const unpacked = specParts(JSON.parse(JSON.stringify(page.twinUnpackSpec!(JSON.parse(specScriptText(spec)), "", ""))));
  const original = specParts(spec);
  const six = (x: number) => Number(x.toPrecision(6));
  assert.deepEqual(numbers(unpacked.rows, ["value", "lo", "hi"]), numbers(original.rows, ["value", "lo", "hi"]).map(six));
  assert.deepEqual(unpacked.titles, original.titles);
});

test("twin stats --plot draws an accuracy of fractions in pp and one logged in percent as it is", () => {
  const rows = [0, 1, 2, 3].flatMap((s) => [["a", s, 0.85 + 0.01 * s], ["b", s, 0.86 + 0.011 * s]]);
  for (const [name, k, unit] of [["fractions", 1, " (pp)"], ["percents", 100, ""]] as const) {
    const file = join(root, `${name}.csv`);
    writeFileSync(file, "variant,seed,val_accuracy\n" + rows.map(([v, s, x]) => [v, s, (x as number) * k].join(",")).join("\n") + "\n");
    const table = readResults(file);
    const [dist] = statsPlotCharts(table, analyzeResults(table, { metric: "val_accuracy" }));
    const d = specParts(dist!.spec);
    const seeds = numbers(d.rows.filter((r) => "z" in r), ["value"]).sort((a, b) => a - b);
    assert.deepEqual(seeds.map((x) => Math.round(x * 1000) / 1000), rows.map((r) => Math.round((r[2] as number) * 100 * 1000) / 1000).sort((a, b) => a - b), name);
    assert.ok(d.titles.some((t) => t === `final val_accuracy${unit} (higher is better)`), `${name}: ${d.titles.join(" | ")}`);
  }
});

test("a factorial accuracy of fractions: twin stats --factors prints pp and its plots draw pp", async () => {
  const grid = ["seed,optimizer,dropout,accuracy"];
  for (let s = 0; s < 5; s++) for (const [o, oi] of [["sgd", 0], ["adam", 1]] as const) for (const [d, di] of [["0", 0], ["0.2", 1]] as const) grid.push(`${s},${o},${d},${(0.86 + 0.002 * s + 0.004 * oi + 0.005 * di + 0.0003 * ((s * 7 + oi * 3 + di) % 5)).toFixed(5)}`);
  const file = join(root, "grid.csv");
  writeFileSync(file, grid.join("\n"));
  const v = factorialVerdict(readResults(file, { factors: ["optimizer", "dropout"] }), { metric: "accuracy", factors: ["optimizer", "dropout"], percent: true });
  const [interaction, effects] = factorialCharts(v, valueUnit(true));
  const i = specParts(interaction!.spec);
  assert.deepEqual(numbers(i.rows, ["mean"]).sort(), v.interaction_means[0]!.means.map((m) => 100 * m.mean).sort());
  assert.ok(i.titles.includes("final accuracy (pp)"), i.titles.join(" | "));
  assert.match(String((interaction!.spec.title as { subtitle: string }).subtitle), /^interaction [+-]?\d+\.\d+ pp, 95% CI \[[+-]?\d+\.\d+, [+-]?\d+\.\d+\] pp, p = /);
  assert.doesNotMatch(String((interaction!.spec.title as { subtitle: string }).subtitle), /−/, "signs are written as in the tables and the CLI (an ASCII minus, signedMetricValueText)");
  const e = specParts(effects!.spec);
  assert.ok(numbers(e.rows, ["estimate"]).every((x) => Math.abs(x) > 0.1), "effects of a few tenths of a pp, not thousandths");
  assert.ok(e.titles.some((t) => t.startsWith("effect on final accuracy (pp)")), e.titles.join(" | "));
  let out = "";
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    await statsFactors(file, { factors: "optimizer,dropout", metric: "accuracy", alpha: "0.05" }, {});
  } finally {
    process.stdout.write = write;
  }
  assert.match(out, / pp/, out);
  assert.doesNotMatch(out, /[+−-]0\.00\d\d/, out);
});

test("planning charts of an accuracy of fractions are in pp: expected maximum, power, spread by factor", () => {
  const e = specParts(charts.expectedMax!.spec);
  const curve = model.expectedMax.variants.flatMap((v) => v.curve.map((p) => 100 * p.mean)).sort((a, b) => a - b);
  assert.deepEqual(numbers(e.rows, ["mean"]).sort((a, b) => a - b), curve);
  assert.ok(e.titles.some((t) => t === "expected maximum of final val/accuracy (pp)"), e.titles.join(" | "));
  const p = specParts(charts.power!.spec);
  const detectable = model.power.comparisons.flatMap((c) => c.curve.map((x) => 100 * x.detectable));
  assert.deepEqual(numbers(p.rows.filter((r) => "what" in r && "seeds" in r), ["detectable"]), detectable);
  assert.ok(p.titles.includes("detectable difference in val/accuracy (pp), log scale"), p.titles.join(" | "));
  assert.match(charts.power!.caption, /sd \d+(\.\d+)? pp from/);
  const ofat = buildReportModel(loadStudyDir(writeOfatFixture(join(root, "ofat"))));
  const variance = reportCharts(ofat).variance!;
  const v = specParts(variance.spec);
  const sds = ofat.variance.factors.map((f) => 100 * f.sd).sort((a, b) => a - b);
  assert.equal(ofat.percent, true);
  // The interval and the dot layers draw the same rows.
  assert.deepEqual([...new Set(numbers(v.rows.filter((r) => r.factor !== "all varied"), ["sd"]))].sort((a, b) => a - b), sds);
  assert.ok(v.titles.some((t) => t.startsWith("seed-to-seed sd of final val/accuracy (pp)")), v.titles.join(" | "));
});
