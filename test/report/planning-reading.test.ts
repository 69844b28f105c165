// Planning charts that read right. The power chart of an accuracy (fractions, drawn in pp) stops its axis at 100 pp, the largest difference two
// accuracies can have: swp's collapsed seed made 2 seeds "detect" 300 pp on an axis to 1,000 pp. A comparison
// whose current seeds need more than 100 pp is named in the caption, its dot not drawn off the chart. The expected
// maximum says why its line (a mean) can leave its band (quantiles).
import { test } from "node:test";
import assert from "node:assert/strict";
import { PERCENT_POINTS, expectedMaxChart, powerChart, type VlSpec } from "../../src/report/index.ts";
import { expectedMaxCurve } from "../../src/stats/expectedmax.ts";
import type { PowerData } from "../../src/report/model/index.ts";
import { markItems } from "./scenegraph.ts";

/** Detectable difference (fraction) at 2..10 seeds: sd·k/√n shaped, 3.0 at 2 seeds, 0.25 at 10. */
const detectableAt = (scale: number, seeds: number) => scale * (seeds === 2 ? 12 : 4.4 / Math.sqrt(seeds));
const curve = (scale: number) => [2, 3, 4, 5, 6, 7, 8, 9, 10].map((seeds) => ({ seeds, detectable: detectableAt(scale, seeds) }));

function power(metric: string, n: Record<string, number>): PowerData {
  return {
    available: true, metric, power: 0.8, alpha: 0.05,
    comparisons: Object.entries(n).map(([b, seeds]) => ({ a: "base", b, design: "paired" as const, sd: 0.25, n: seeds, now: detectableAt(0.25, seeds), observed: 0.075, curve: curve(0.25) })),
  };
}

const yScale = (spec: VlSpec): Record<string, unknown> =>
  (spec.layer as { name: string; encoding: { y: { scale?: Record<string, unknown> } } }[]).find((l) => l.name === "mde")!.encoding.y.scale!;

test("power chart of an accuracy: the axis stops at 100 pp and the caption says where the curve leaves it", async () => {
  const c = powerChart(power("val/acc", { wide: 10 }), PERCENT_POINTS, ["base", "wide"])!;
  assert.deepEqual(yScale(c.spec), { type: "log", domainMax: 100 });
  assert.match(c.caption, /The axis stops at 100 pp, the largest difference two values of val\/acc can have: where a curve leaves it, that few seeds detect no difference at all\.$/);
  const dots = (await markItems(c.spec, "current")).flat();
  assert.equal(dots.length, 1, "wide's dot at 10 seeds (35 pp) is drawn");
  // The line's points beyond 100 pp lie above the plot's top (y < 0), clipped there.
  const line = (await markItems(c.spec, "mde")).flat();
  assert.ok(line.some((i) => i.y! < 0) && line.some((i) => i.y! > 0));
});

test("power chart of an accuracy: a comparison whose current seeds need over 100 pp is named, its dot not drawn", async () => {
  const c = powerChart(power("val/acc", { wide: 10, deep: 2 }), PERCENT_POINTS, ["base", "wide", "deep"])!;
  assert.match(c.caption, /\(deep − base at its 2 seeds: 300 pp needed, so its dot is not drawn\)\.$/);
  const dots = (await markItems(c.spec, "current")).flat().map((i) => i.datum!.comparison);
  assert.deepEqual(dots, ["wide − base"]);
});

test("power chart of a metric that is not a fraction: no cap", () => {
  const c = powerChart(power("val/loss", { wide: 2 }), undefined, ["base", "wide"])!;
  assert.deepEqual(yScale(c.spec), { type: "log" });
  assert.doesNotMatch(c.caption, /axis stops/);
});

test("expected maximum: where a collapsed seed pulls the line out of its band, the caption says why", () => {
  // swp's wide: nine seeds near 90% and one at 10%; base: ten seeds near 89%.
  const wide = [0.89, 0.9, 0.91, 0.9, 0.92, 0.88, 0.1, 0.9, 0.91, 0.89];
  const base = [0.89, 0.88, 0.9, 0.89, 0.91, 0.88, 0.9, 0.89, 0.9, 0.88];
  const data = { metric: "val/acc", higherIsBetter: true, variants: [{ name: "base", curve: expectedMaxCurve(base) }, { name: "wide", curve: expectedMaxCurve(wide) }] };
  const first = data.variants[1]!.curve[0]!;
  assert.ok(first.mean < first.lo, `wide at n = 1: ${first.mean} below its band ${first.lo}–${first.hi}`);
  const c = expectedMaxChart(data, PERCENT_POINTS, ["base", "wide"]);
  assert.match(c.caption, / Where the line leaves its band \(wide\), one or a few far-off seeds pull the expected value \(a mean over draws\) past the middle 68% of the draws/);
  const inside = expectedMaxChart({ ...data, variants: [data.variants[0]!] }, PERCENT_POINTS, ["base", "wide"]);
  assert.doesNotMatch(inside.caption, /leaves its band/);
});

test("expected maximum: curves of different lengths (a run failed) say where each ends and why", () => {
  const base = [0.77, 0.772, 0.776, 0.78, 0.769, 0.774];
  const wide = [0.79, 0.785, 0.80, 0.792, 0.788];
  const data = { metric: "val/accuracy", higherIsBetter: true, variants: [{ name: "base", curve: expectedMaxCurve(base) }, { name: "wide", curve: expectedMaxCurve(wide) }] };
  const c = expectedMaxChart(data, PERCENT_POINTS, ["base", "wide"]);
  assert.match(c.caption, / The curves end at different n \(base 6, wide 5\): a curve goes no further than its variant's seeds with a final value, and runs that failed or diverged are not among the draws\.$/);
  const same = expectedMaxChart({ ...data, variants: [data.variants[0]!, { name: "wide", curve: expectedMaxCurve([...wide, 0.79]) }] }, PERCENT_POINTS, ["base", "wide"]);
  assert.doesNotMatch(same.caption, /curves end at different n/);
});

test("power chart: seeds beyond the curve's last (a scan of 5,000 seeds, the curve to 64) are given in the caption, not a dot off the axis", async () => {
  const c = powerChart(power("val/acc", { wide: 5000, deep: 6 }), PERCENT_POINTS, ["base", "wide", "deep"])!;
  assert.match(c.caption, /The axis stops at 10 seeds: wide − base has 5000 seeds, where 1\.56 pp is detectable \(no dot drawn\)\./);
  const dots = (await markItems(c.spec, "current")).flat().map((i) => i.datum!.comparison);
  assert.deepEqual(dots, ["deep − base"]);
});
