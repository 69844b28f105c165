// The seed-distribution chart draws the runs the verdict sets aside (one factor
// varied at a time) apart from its seeds — hollow diamonds, in the "seed"
// legend, out of the density, black swans and interval — and names the runs
// that diverged or failed (no result to draw); the report and the dashboard's
// accumulator give the same.
import { test } from "node:test";
import assert from "node:assert/strict";
import { StudyAccumulator, buildReportModel, reportCharts, type SeedGroup } from "../../src/report/index.ts";
import type { RunData, StudyData } from "../../src/report/types.ts";

const FACTORS = ["init", "order"];

function run(variant: string, seed: string, factors: number[], status = "success"): RunData {
  const value = status === "failure" ? NaN : 0.8 + 0.01 * ((Number(seed) * 7) % 11) + (variant === "wide" ? 0.02 : 0);
  return {
    variant, seed, status,
    scalars: { "val/accuracy": { steps: Float64Array.of(1, 2), values: Float64Array.of(0.5, value) } },
    factorSeeds: Object.fromEntries(FACTORS.map((f, i) => [f, String(factors[i])])),
    where: `${variant}/seed-${seed}`,
  };
}

/** twin seeds --vary init around root 0 (seeds 1–3; base diverges on 2), seeds 5–7 varying every factor (wide diverges on 7). */
function groups(): SeedGroup[] {
  const g = (seed: string, factors: number[], failing?: string): SeedGroup => ({ seed, runs: ["base", "wide"].map((v) => run(v, seed, factors, v === failing ? "failure" : "success")), checks: [] });
  return [g("0", [0, 0]), g("1", [1, 0]), g("2", [2, 0], "base"), g("3", [3, 0]), g("5", [5, 5]), g("6", [6, 6]), g("7", [7, 7], "wide")];
}

const header = { name: "s", source: "test", variantOrder: ["base", "wide"] };

test("seed distribution: runs set aside drawn apart and in the legend, runs without a result named", () => {
  const m = buildReportModel({ ...header, runs: groups().flatMap((g) => g.runs), checks: [] } as StudyData);
  const d = m.distribution;
  assert.deepEqual(d.apart.map((r) => `${r.variant} ${r.seed} ${r.outcome}${r.setAside ? " aside" : ""}`).sort(), [
    "base 1 set aside aside", "base 2 diverged aside", "base 3 set aside aside", "wide 1 set aside aside", "wide 2 set aside aside", "wide 3 set aside aside", "wide 7 diverged",
  ]);
  assert.deepEqual(d.setAsideCounts, { base: 2, wide: 3 });
  // The verdict's seeds only in the density, swans and interval.
  assert.deepEqual(d.variants.map((v) => v.points.map((p) => p.seed)), [["0", "5", "6", "7"], ["0", "5", "6"]]);
  const chart = reportCharts(m).distribution[0]!;
  const strip = (chart.spec as { vconcat: { layer?: { name: string; data: { values: { seed: string; kind?: string }[] }; encoding: { shape?: { scale: { domain: string[] } }; size?: { legend?: unknown; title?: string } } }[] }[] }).vconcat[1]!.layer!;
  const aside = strip.find((l) => l.name === "aside")!;
  assert.deepEqual(aside.data.values.map((r) => r.seed), ["1", "3", "1", "2", "3"]);
  assert.match(aside.encoding.shape!.scale.domain.join("|"), /^one seed\|black swan\|set aside: /);
  // The legend that names them is drawn: a size legend set to null had hidden it.
  for (const l of strip.filter((x) => x.encoding.size)) assert.equal(l.encoding.size!.legend, undefined);
  assert.match(chart.caption, /Hollow diamonds are runs the verdict sets aside .* left out of the density, the black swans and the interval\. Not drawn, having no result .*: base seed 2 diverged \(set aside\), wide seed 7 diverged\.$/);
  // The dashboard's accumulator draws the same.
  for (const order of [groups(), groups().reverse()]) {
    const live = new StudyAccumulator(header, {}, "replace", 8);
    for (const g of order) live.addGroup(g);
    assert.deepEqual(live.finish().distribution, d);
  }
});

test("seed distribution: nothing apart, the chart as before (no aside layer, two shapes)", () => {
  const m = buildReportModel({ ...header, runs: groups().slice(4, 6).flatMap((g) => g.runs), checks: [] } as StudyData);
  assert.deepEqual(m.distribution.apart, []);
  const chart = reportCharts(m).distribution[0]!;
  assert.doesNotMatch(JSON.stringify(chart.spec), /"aside"|set aside/);
  assert.doesNotMatch(chart.caption, /Hollow|Not drawn/);
});
