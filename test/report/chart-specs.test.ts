/**
 * What the chart specs promise a reader: legends list only what is drawn,
 * a few logged steps get a tick each, an interaction plot's levels do not
 * hide each other's intervals, and a report carries no more digits than a
 * chart can show.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile, type TopLevelSpec } from "vega-lite";
import { writeFixture, writeOfatFixture } from "./fixture.ts";
import { readResults } from "../../src/study/results-file.ts";
import { factorialVerdict } from "../../src/study/factorial-verdict.ts";
import { factorialCharts } from "../../src/report/charts/factorial.ts";
import { allCharts } from "../../src/report/index.ts";
import { writeFileSync } from "node:fs";
import { buildReportModel, loadStudyDir, reportCharts, type Chart } from "../../src/report/index.ts";
import { specScriptText, SPEC_DIGITS } from "../../src/report/chart-runtime.ts";
import { writeDesignFile } from "../../src/study/factorial-design-record.ts";

const root = mkdtempSync(join(tmpdir(), "twin-chart-specs-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));
// 20 steps: val/* is logged once (at the end), eval/* every 5 steps (4 times), train/* every step.
const model = buildReportModel(loadStudyDir(writeFixture(join(root, "logs"), { study: "short", seeds: 4, steps: 20 })));
const curves = reportCharts(model).curves;
const chart = (id: string): Chart => curves.find((c) => c.id === id)!;

/** Every legend a spec asks for: its title, or the encoded field when it has none (a legend of null is no legend). */
function legends(spec: unknown): string[] {
  const out: string[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (x === null || typeof x !== "object") return;
    const o = x as Record<string, unknown>;
    if (o.encoding && typeof o.encoding === "object") {
      for (const [channel, enc] of Object.entries(o.encoding as Record<string, Record<string, unknown>>)) {
        if (!["color", "opacity", "strokeWidth", "shape", "size"].includes(channel) || enc.legend === null) continue;
        const legend = enc.legend as { title?: string } | undefined;
        out.push(legend?.title ?? String(enc.title ?? enc.field ?? enc.datum));
      }
    }
    Object.values(o).forEach(walk);
  };
  walk(spec);
  return [...new Set(out)];
}

test("a metric logged at one step: its legend lists the variants only (no lines, no empty band swatch)", () => {
  const c = chart("curve-val-accuracy");
  assert.deepEqual(JSON.parse(JSON.stringify(c.marks)), { seeds: 12, band: 3, mean: 3 });
  assert.deepEqual(legends(c.spec), ["variant"]);
});

test("a curve over steps: legends for variants, lines and band; the line swatches are dark; few steps get a tick each", () => {
  const c = chart("curve-eval-accuracy");
  assert.deepEqual(legends(c.spec).sort(), ["band", "lines", "variant"]);
  const text = JSON.stringify(c.spec);
  assert.match(text, /"title":"lines","symbolType":"stroke","symbolStrokeColor":"#444","symbolOpacity":1/);
  const axis = (c.spec.layer as { encoding: { x: { axis: { values?: number[] } } } }[])[0]!.encoding.x.axis;
  assert.deepEqual(axis.values, [5, 10, 15, 20]);
  // Many steps: about ten whole-number ticks, chosen by Vega.
  const train = (chart("curve-train-loss").spec.layer as { encoding: { x: { axis: Record<string, unknown> } } }[])[0]!.encoding.x.axis;
  assert.equal(train.values, undefined);
  assert.equal(train.tickCount, 10);
});

test("the interaction plot dodges the second factor's levels: their intervals never share an x", () => {
  const effects = { sgd_narrow: 0, sgd_wide: 0.01, adam_narrow: 0.006, adam_wide: 0.008 };
  const dir = writeFixture(join(root, "f"), { study: "grid", variants: Object.keys(effects), effects, seeds: 4, steps: 10 });
  writeDesignFile(dir, {
    factors: [{ name: "optimizer", levels: ["sgd", "adam"] }, { name: "width", levels: ["narrow", "wide"] }],
    cells: { sgd_narrow: { optimizer: "sgd", width: "narrow" }, sgd_wide: { optimizer: "sgd", width: "wide" }, adam_narrow: { optimizer: "adam", width: "narrow" }, adam_wide: { optimizer: "adam", width: "wide" } },
  });
  const [plot] = reportCharts(buildReportModel(loadStudyDir(dir))).factorial;
  const rows = (plot!.spec.data as { values: { optimizer: string; width: string; at: number }[] }).values;
  const at = (o: string, w: string) => rows.find((r) => r.optimizer === o && r.width === w)!.at;
  for (const o of ["sgd", "adam"]) assert.ok(at(o, "wide") - at(o, "narrow") >= 0.08, `${o}: ${at(o, "narrow")} vs ${at(o, "wide")}`);
  assert.ok(at("adam", "narrow") - at("sgd", "wide") > 0.5, "levels of the axis factor stay apart");
  assert.match(JSON.stringify(plot!.spec), /"labelExpr":"\[\\"sgd\\",\\"adam\\"\]\[datum.value\]"/);
});

test("a spec in the page keeps SPEC_DIGITS significant digits of its fractions and every integer exactly", () => {
  const spec = { $schema: "x", data: { values: [{ step: 1234567, seed: 12, value: 0.123456789012, tiny: 1.23456789e-9, big: 98765.4321 }] } };
  assert.equal(SPEC_DIGITS, 6);
  assert.equal(specScriptText(spec), '{"data":{"values":[{"step":1234567,"seed":12,"value":0.123457,"tiny":1.23457e-9,"big":98765.4}]}}');
});

test("a spec's rows are written by columns, labels once each; rows that do not share their keys stay rows", () => {
  const rows = [{ variant: "a", step: 1, value: 0.5 }, { variant: "a", step: 2, value: 0.25 }, { variant: "b", step: 1, value: null }];
  assert.equal(
    specScriptText({ data: { values: rows }, encoding: { x: { axis: { values: [1, 2] } } } }),
    '{"data":{"values":{"$rows":3,"$columns":{"variant":{"$strings":["a","b"],"$index":[0,0,1]},"step":[1,2,1],"value":[0.5,0.25,null]}}},"encoding":{"x":{"axis":{"values":[1,2]}}}}',
  );
  const ragged = [{ x: 1 }, { x: 2, y: 3 }];
  assert.equal(specScriptText({ data: { values: ragged } }), JSON.stringify({ data: { values: ragged } }));
});

/** What Vega-Lite warns about while compiling a spec (a warning is a spec that asks for two things at once). */
function compileWarnings(spec: unknown): string[] {
  const warnings: string[] = [];
  const logger = {
    level: () => logger,
    warn: (...a: unknown[]) => { warnings.push(a.map(String).join(" ")); return logger; },
    info: () => logger,
    debug: () => logger,
    error: (...a: unknown[]) => { warnings.push(a.map(String).join(" ")); return logger; },
  };
  compile(spec as TopLevelSpec, { logger: logger as never });
  return warnings;
}

test("every chart compiles without a Vega-Lite warning: a black swan among three variants' differences, a run stopped early, one factor at a time, a factorial", () => {
  const studies = [
    writeFixture(join(root, "warn-logs"), { study: "swan", shortRun: { variant: "dropout", seed: 4, steps: 35 }, blackSwan: { variant: "wider", seed: 2 } }),
    writeOfatFixture(join(root, "warn-ofat")),
  ];
  const charts = studies.flatMap((dir) => allCharts(reportCharts(buildReportModel(loadStudyDir(dir)))));
  const grid = ["seed,optimizer,dropout,accuracy"];
  for (let s = 0; s < 5; s++) for (const o of [0, 1]) for (const d of [0, 1, 2]) grid.push(`${s},${o ? "adam" : "sgd"},${d / 5},${(0.86 + 0.002 * s + 0.004 * o + 0.003 * d + 0.0003 * ((s * 7 + o * 3 + d) % 5)).toFixed(5)}`);
  writeFileSync(join(root, "grid.csv"), grid.join("\n"));
  charts.push(...factorialCharts(factorialVerdict(readResults(join(root, "grid.csv"), { factors: ["optimizer", "dropout"] }), { metric: "accuracy", factors: ["optimizer", "dropout"] })));
  assert.ok(charts.some((c) => c.id.startsWith("differences-") && c.marks.swans! > 0), "the premise: a differences chart with a black swan");
  for (const c of charts) assert.deepEqual(compileWarnings(c.spec), [], c.id);
});
