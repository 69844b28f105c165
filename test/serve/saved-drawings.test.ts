// The curves drawn last are saved with the accumulator, with their charts and
// spec texts (src/serve/saved-accumulator.ts), so that after a restart a first
// update draws only the curves whose runs changed: restored, a curve whose runs
// did not change is the very curve, chart and text saved (none made again), the
// page's html the same as before the stop; a curve whose runs changed is drawn
// again; and drawings saved by other code are never used (the curves are drawn
// again, to the same view).
import { test } from "node:test";
import assert from "node:assert/strict";
import { StudyAccumulator, renderStudyBody, type SeedGroup } from "../../src/report/index.ts";
import type { RunData } from "../../src/report/types.ts";
import { curveChartsMade } from "../../src/report/charts/index.ts";
import { madeSpecText } from "../../src/report/chart-runtime.ts";
import { drawingCodeStamp } from "../../src/serve/drawing-code.ts";
import { ACCUMULATOR_FORMAT, decodeAccumulator, encodeAccumulator, encodeSaved } from "../../src/serve/saved-accumulator.ts";

const STEPS = 30;
const header = { name: "s", source: "test", variantOrder: ["base", "wide"] };

function run(variant: string, seed: string, steps = STEPS): RunData {
  const s = Float64Array.from({ length: steps }, (_, i) => i + 1);
  const loss = s.map((x) => 2 * Math.exp(-x / 9) + 0.1 * Math.sin(Number(seed) * 3.1 + x) + (variant === "wide" ? 0.05 : 0));
  const acc = s.map((x) => (0.7 + 0.01 * Number(seed)) * (1 - Math.exp(-x / 6)));
  return { variant, seed, status: "success", scalars: { "train/loss": { steps: s, values: loss }, "val/accuracy": { steps: s, values: acc } }, where: `${variant}/seed-${seed}` };
}

const group = (seed: string, steps?: number): SeedGroup => ({ seed, runs: ["base", "wide"].map((v) => run(v, seed, steps)), checks: [] });

/** An accumulator of 8 seeds, finished and rendered (its curves drawn, their charts and texts made), saved and decoded. */
function savedAndDecoded(): { html: string; decoded: NonNullable<ReturnType<typeof decodeAccumulator>> } {
  const acc = new StudyAccumulator(header, {}, "replace", 8);
  for (let seed = 0; seed < 8; seed++) acc.addGroup(group(String(seed)));
  const { html } = renderStudyBody(acc.finish());
  const saved = encodeAccumulator(new Map([["0", "stamp"]]), acc, []);
  const decoded = decodeAccumulator({ digest: saved.digest, body: Buffer.from(new Uint8Array(saved.body)) });
  assert.ok(decoded, "decoded");
  return { html, decoded };
}

test("restored, an unchanged curve is the curve, chart and spec text saved; a changed one is drawn again; the views equal a fresh build's", () => {
  const { html, decoded } = savedAndDecoded();
  const drawn = new Map(decoded.snapshot.curves.map((c) => [c.tag, c.drawn?.data]));
  assert.ok(drawn.get("train/loss") && drawn.get("val/accuracy"), "both curves saved drawn");
  const restored = StudyAccumulator.restore(decoded.snapshot);
  const model = restored.finish();
  for (const c of model.curves.filter((c) => !c.paired)) assert.equal(c, drawn.get(c.tag), `${c.tag}: the saved curve, not drawn again`);
  const view = renderStudyBody(model);
  const curveCharts = view.charts.filter((r) => r.chart.id.startsWith("curve-"));
  assert.equal(curveCharts.length, 2);
  for (const r of curveCharts) {
    const data = model.curves.find((c) => !c.paired && curveChartsMade(c).some(([, ch]) => ch === r.chart));
    assert.ok(data, `${r.chart.id}: the chart saved with its curve`);
    assert.equal(madeSpecText(r.chart.spec), r.specText);
  }
  assert.equal(view.html, html, "the restored view is the view saved");

  // A line appended to one seed's runs: its curves are drawn again, the other tag's is kept; the view is a fresh build's.
  const appended: SeedGroup = { seed: "3", runs: ["base", "wide"].map((v) => ({ ...run(v, "3", STEPS + 1), scalars: { ...run(v, "3").scalars, "train/loss": run(v, "3", STEPS + 1).scalars["train/loss"]! } })), checks: [] };
  restored.addGroup(appended);
  const updated = restored.finish();
  assert.notEqual(updated.curves.find((c) => c.tag === "train/loss" && !c.paired), drawn.get("train/loss"), "the changed curve is drawn again");
  assert.equal(updated.curves.find((c) => c.tag === "val/accuracy" && !c.paired), drawn.get("val/accuracy"), "the unchanged curve is kept");
  const fresh = new StudyAccumulator(header, {}, "replace", 8);
  for (let seed = 0; seed < 8; seed++) fresh.addGroup(seed === 3 ? appended : group(String(seed)));
  assert.equal(renderStudyBody(updated).html, renderStudyBody(fresh.finish()).html);
});

test("drawings saved by other code are not used: every curve is drawn again, to the same view", () => {
  const { html, decoded } = savedAndDecoded();
  const other = encodeSaved({ format: ACCUMULATOR_FORMAT, stamps: [], accumulator: decoded.snapshot, chartKeys: [], drawingCode: "other code", drawings: [] });
  const back = decodeAccumulator(other);
  assert.ok(back, "decoded");
  assert.ok(back.snapshot.curves.every((c) => c.drawn === undefined), "no curve restored drawn");
  const model = StudyAccumulator.restore(back.snapshot).finish();
  assert.equal(renderStudyBody(model).html, html);
  // A drawing naming a curve saved without one, by this code: the bytes are refused.
  const chart = view0Chart();
  const forged = encodeSaved({ format: ACCUMULATOR_FORMAT, stamps: [], accumulator: back.snapshot, chartKeys: [], drawingCode: drawingCodeStamp(), drawings: [[0, [["key", chart, "{}"]]]] });
  assert.equal(decodeAccumulator(forged), undefined);
});

/** A chart of a rendered study, as plain data. */
function view0Chart(): unknown {
  const acc = new StudyAccumulator(header, {}, "replace", 2);
  for (let seed = 0; seed < 2; seed++) acc.addGroup(group(String(seed)));
  return structuredClone(renderStudyBody(acc.finish()).charts[0]!.chart);
}
