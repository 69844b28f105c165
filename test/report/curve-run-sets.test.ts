// A run that stops early changes the runs behind a curve's mean: the mean and band are drawn in parts, the change marked with how many runs go on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFixture } from "./fixture.ts";
import { buildReportModel, curveChart, curveStats, loadStudyDir, reportCharts, type Chart } from "../../src/report/index.ts";
import { runSetParts, MAX_SET_CHANGES } from "../../src/report/charts/run-sets.ts";
import type { CurveStat, SeedPoint } from "../../src/report/model/index.ts";
import { markItems } from "./scenegraph.ts";

const root = mkdtempSync(join(tmpdir(), "twin-run-sets-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));
// 10 seeds, 60 steps, eval every 5: dropout's seed 4 stops after step 35.
const model = buildReportModel(loadStudyDir(writeFixture(join(root, "logs"), { study: "stop", seeds: 10, steps: 60, shortRun: { variant: "dropout", seed: 4, steps: 35 } })));
const charts = reportCharts(model);
const layerValues = (c: Chart, name: string): Record<string, unknown>[] =>
  ((c.spec.layer as { name?: string; data?: { values: Record<string, unknown>[] } }[]).find((l) => l.name === name)?.data?.values ?? []);

test("a run that stops early: no mean line or band joins a mean over 10 seeds to one over 9; a dotted line at the first step over 9 says '9 of 10'", async () => {
  for (const c of [charts.curves.find((x) => x.id === "curve-eval-accuracy")!, charts.paired.find((x) => x.id === "paired-eval-accuracy")!]) {
    const rows = layerValues(c, "mean").filter((r) => r.variant === "dropout");
    assert.deepEqual([...new Set(rows.map((r) => r.n))], [10, 9], `${c.id}: the premise, dropout's mean is over 10 seeds, then 9`);
    const byPart = new Map<unknown, Set<unknown>>();
    for (const r of [...layerValues(c, "mean"), ...layerValues(c, "band")]) {
      if (!byPart.has(r.part)) byPart.set(r.part, new Set());
      byPart.get(r.part)!.add(r.n);
    }
    for (const [part, ns] of byPart) assert.equal(ns.size, 1, `${c.id}: part ${String(part)} joins means over ${[...ns].join(" and ")} runs`);
    assert.deepEqual(layerValues(c, "runsets").map((r) => [r.variant, r.step, r.label]), [["dropout", 40, "9 of 10"]], c.id);
    assert.match(c.caption, /dropout: 9 of 10 (seeds|runs) from step 40 \(10 before\)/);
    assert.match(c.caption, /a jump there is not a change in training/);
    // Drawn: dropout's mean is two lines, every other variant's one.
    const lines = await markItems(c.spec, "mean"); // one list of points per line
    assert.equal(lines.length, c.marks.mean, `${c.id}: mean lines drawn vs declared`);
    const dropout = lines.filter((l) => l[0]!.datum!.variant === "dropout");
    assert.deepEqual(dropout.map((l) => [...new Set(l.map((p) => p.datum!.n))]), [[10], [9]], `${c.id}: dropout's mean is two lines, over 10 seeds and over 9`);
    assert.equal(c.marks.mean, c.id.startsWith("paired") ? 3 : 4, c.id);
    assert.equal((await markItems(c.spec, "runsets")).flat().length, 1);
  }
  // Every run the same length: one part per variant, nothing marked.
  const whole = buildReportModel(loadStudyDir(writeFixture(join(root, "whole"), { study: "whole", seeds: 4, steps: 20 })));
  const curve = reportCharts(whole).curves.find((x) => x.id === "curve-eval-accuracy")!;
  assert.deepEqual(layerValues(curve, "runsets"), []);
  assert.equal(curve.marks.mean, 3);
  assert.doesNotMatch(curve.caption, /dotted line/);
});

test("runSetParts: a part per stretch of one count; runs that log at steps of their own (the count changing at every step) are not cut into points", () => {
  const stat = (variant: string, step: number, n: number): CurveStat => ({ variant, step, n, mean: 0 });
  const stops = [stat("a", 10, 5), stat("a", 20, 5), stat("a", 30, 4), stat("a", 40, 4), stat("a", 50, 3), stat("b", 10, 5), stat("b", 20, 5)];
  const r = runSetParts(stops);
  assert.deepEqual(r.parts, ["a#0", "a#0", "a#1", "a#1", "a#2", "b#0", "b#0"]);
  assert.deepEqual(r.changes, [{ variant: "a", step: 30, before: 5, after: 4 }, { variant: "a", step: 50, before: 4, after: 3 }]);
  assert.deepEqual(r.varying, []);
  // Given out of step order, the parts are the same.
  assert.deepEqual(runSetParts([...stops].reverse()).parts, [...r.parts].reverse());
  const flicker = Array.from({ length: 2 * (MAX_SET_CHANGES + 2) }, (_, i) => stat("c", i, i % 2 === 0 ? 6 : 3));
  const f = runSetParts(flicker);
  assert.deepEqual(new Set(f.parts), new Set(["c#0"]));
  assert.deepEqual(f.changes, []);
  assert.deepEqual(f.varying, [{ variant: "c", changes: flicker.length - 1, least: 3, most: 6 }]);
});

test("a curve whose runs log at steps of their own is drawn whole, its caption saying how the count varies", () => {
  // 8 runs: three log at even steps, three at odd ones, two at every step: 5 at each step.
  const points: SeedPoint[] = [];
  for (let seed = 0; seed < 8; seed++) for (let step = 1; step <= 20; step++) if (seed >= 6 || step % 2 === seed % 2) points.push({ variant: "a", seed: String(seed), step, value: step / 10 + seed / 100 });
  const { stats, runs, seeds } = curveStats(points, ["a"]);
  // One run fewer at the even steps after step 4: the count flickers between 5 and 4.
  const flick = stats.map((s) => (s.step > 4 && s.step % 2 === 0 ? { ...s, n: s.n - 1 } : s));
  const chart = curveChart({ tag: "loss", variants: ["a"], reference: "a", paired: false, seeds, stats: flick, runs, minRuns: 3, level: 0.95, bandLabel: "band", thinned: false, summarised: false, drawn: { a: 8 }, quantileSample: 512, smoothing: 0, twinTrained: false });
  assert.equal(chart.marks.mean, 1);
  assert.equal(chart.marks.runsets, undefined);
  assert.match(chart.caption, /a: the number of runs behind the mean changes at 15 steps \(between 4 and 5: runs that stop at different steps, or log at steps of their own\), too often to break its line at each/);
});
