/** The report at scale: running statistics, summarised curves and distributions, one model from either path. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Xoshiro128 } from "../../src/stats/index.ts";
import {
  buildReportModel,
  CurveAccumulator,
  curveChart,
  distributionChart,
  distributionData,
  LogDirSource,
  loadStudyDir,
  MAX_DOTS,
  SAMPLED_LINES,
  smoothSeries,
  streamReportModel,
  SUMMARISE_ABOVE,
  type FinalSample,
  type RunData,
  type StudyData,
} from "../../src/report/index.ts";
import { StepStats, RESERVOIR, RESERVOIR_BUDGET, MIN_RESERVOIR, reservoirSize } from "../../src/report/model/step-stats.ts";
import { writeFixture } from "./fixture.ts";
import { seriesOf } from "../../src/report/series.ts";

const root = mkdtempSync(join(tmpdir(), "twin-scale-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));

test("step statistics: t interval and quantiles match SciPy/numpy; the reservoir stays bounded", () => {
  const x = [0.81, 0.83, 0.8, 0.86, 0.84, 0.79, 0.9, 0.82];
  const s = new StepStats();
  const rng = new Xoshiro128(1);
  for (const v of x) s.add(v, rng);
  // scipy.stats.t.interval(0.95, 7, loc=mean, scale=sem) and np.quantile(x, [.05, .25, .75, .95]).
  const [lo, hi] = s.interval(0.95);
  assert.ok(Math.abs(lo - 0.8014608622452135) < 1e-12 && Math.abs(hi - 0.8610391377547866) < 1e-12, `${lo} ${hi}`);
  const want = [0.7935000000000001, 0.8075000000000001, 0.845, 0.886];
  s.quantiles([0.05, 0.25, 0.75, 0.95]).forEach((q, i) => assert.ok(Math.abs(q - want[i]!) < 1e-12, `${q} vs ${want[i]}`));
  const big = new StepStats();
  for (let i = 0; i < 20_000; i++) big.add(i / 20_000, rng);
  assert.equal(big.sample.length, RESERVOIR);
  // A uniform sample: its 5% and 95% quantiles land near the true ones.
  const [q05, q95] = big.quantiles([0.05, 0.95]);
  assert.ok(Math.abs(q05! - 0.05) < 0.03 && Math.abs(q95! - 0.95) < 0.03, `${q05} ${q95}`);
  assert.ok(Math.abs(big.mean - 0.499975) < 1e-9, String(big.mean));
});

/** A study of `seeds` seeds × two variants, one run logging 20 steps of a metric. */
function manyRuns(seeds: number): StudyData {
  const runs: RunData[] = [];
  for (let s = 0; s < seeds; s++) {
    for (const variant of ["a", "b"]) {
      const r = new Xoshiro128(s * 2 + (variant === "a" ? 0 : 1));
      const scalars = { "val/accuracy": seriesOf(Array.from({ length: 20 }, (_, i) => ({ step: i + 1, value: 0.8 + (variant === "b" ? 0.01 : 0) + 0.01 * r.nextNormal() }))) };
      runs.push({ variant, seed: String(s), status: "success", scalars, where: `${variant}/${s}` });
    }
  }
  return { name: "many", runs, checks: [], source: "memory" };
}

test("beyond a few dozen runs per variant, curves carry quantile bands and a labelled sample of lines", () => {
  const small = buildReportModel(manyRuns(SUMMARISE_ABOVE)).curves[0]!;
  assert.equal(small.summarised, false);
  assert.deepEqual(small.drawn, { a: SUMMARISE_ABOVE, b: SUMMARISE_ABOVE });
  assert.ok(small.stats.every((s) => s.q === undefined));
  const m = buildReportModel(manyRuns(100));
  const c = m.curves[0]!;
  assert.equal(c.summarised, true);
  assert.deepEqual(c.drawn, { a: SAMPLED_LINES, b: SAMPLED_LINES });
  assert.deepEqual(c.runs, { a: 100, b: 100 });
  // The same seeds are drawn in both variants.
  const seedsOf = (v: string) => [...new Set(c.seeds.filter((p) => p.variant === v).map((p) => p.seed))].sort();
  assert.deepEqual(seedsOf("a"), seedsOf("b"));
  const st = c.stats.find((s) => s.variant === "a" && s.step === 20)!;
  assert.equal(st.n, 100);
  assert.ok(st.q![0] < st.q![1] && st.q![1] < st.mean + 0.01 && st.q![2] < st.q![3]);
  const chart = curveChart(c);
  assert.deepEqual(chart.marks, { quantiles: 4, seeds: 2 * SAMPLED_LINES, band: 2, mean: 2 });
  assert.match(chart.caption, /40 of 200 runs are drawn as thin lines .* 5–95% of runs and 25–75% of runs/);
});

test("seed distributions at scale: a sample of dots plus every black swan; density and interval from every seed", () => {
  const rng = new Xoshiro128(9);
  const values = Array.from({ length: 1000 }, (_, i) => ({ seed: String(i), value: i === 777 ? 0.5 : 0.85 + 0.01 * rng.nextNormal() }));
  const sample: FinalSample = { metric: "acc", higherIsBetter: true, reference: "a", variants: [{ name: "a", values }] };
  const d = distributionData(sample);
  assert.equal(d.summarised, true);
  const v = d.variants[0]!;
  assert.equal(v.n, 1000);
  assert.ok(v.points.some((p) => p.seed === "777" && p.blackSwan), "the black swan is drawn");
  assert.equal(v.points.filter((p) => !p.blackSwan).length <= MAX_DOTS, true);
  assert.ok(v.points.length >= MAX_DOTS && v.points.length <= MAX_DOTS + v.swans);
  assert.match(distributionChart(d).caption, /a \d+ of 1,000 seeds drawn .* every black swan: \d+ in a/);
});

test("one code path: a log folder read seed by seed gives the model of the study loaded whole", async () => {
  const dir = writeFixture(join(root, "logs"), { seeds: 4, steps: 20 });
  const whole = buildReportModel(loadStudyDir(dir));
  const streamed = await streamReportModel((await new LogDirSource(join(root, "logs")).openStudy("ab"))!);
  const strip = (m: typeof whole) => JSON.stringify({ ...m, generatedAt: "", source: "" });
  assert.equal(strip(streamed), strip(whole));
});

test("curve smoothing is TensorBoard's debiased moving average, off by default", () => {
  const pts = [1, 2, 3, 4].map((v, i) => ({ step: i, value: v }));
  // TensorBoard: last = last·w + (1 − w)·v; shown last / (1 − w^k).
  const w = 0.6;
  let last = 0;
  const want = pts.map((p, k) => ((last = last * w + (1 - w) * p.value), last / (1 - w ** (k + 1))));
  smoothSeries(seriesOf(pts), w).values.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-12));
  assert.equal(smoothSeries(seriesOf(pts), w).values[0], 1, "the first point is not pulled towards zero");
  const off = buildReportModel(manyRuns(3)).curves[0]!;
  assert.equal(off.smoothing, 0);
  const on = buildReportModel(manyRuns(3), { smoothing: 0.9 }).curves[0]!;
  assert.equal(on.smoothing, 0.9);
  assert.match(curveChart(on).caption, /Smoothed: exponential moving average with weight 0.9/);
  assert.throws(() => buildReportModel(manyRuns(3), { smoothing: 1 }), /smoothing must be in \[0, 1\)/);
});

test("report memory: reservoirs shrink with distinct steps to stay within the budget, and stay uniform samples", () => {
  assert.equal(reservoirSize(300), 256);
  assert.equal(reservoirSize(2000), 64);
  assert.equal(reservoirSize(100_000), MIN_RESERVOIR);
  for (const steps of [100, 1000, 5000]) assert.ok(reservoirSize(steps) * steps <= RESERVOIR_BUDGET || reservoirSize(steps) === MIN_RESERVOIR);
  // A curve of 40 runs × 3,000 distinct steps reports the reservoir size it kept.
  const acc = new CurveAccumulator("train/loss", false);
  for (let run = 0; run < 40; run++) acc.add("a", String(run), seriesOf(Array.from({ length: 3000 }, (_, i) => ({ step: i, value: run }))));
  const curve = acc.finish(["a"], "a", false)!;
  assert.equal(curve.quantileSample, reservoirSize(3000));
  // Every value 0..39 is equally likely at a step: the quantiles of a 32-value uniform sample land near the true ones.
  const q = curve.stats[150]!.q!;
  assert.ok(Math.abs(q[1] - 9.75) < 6 && Math.abs(q[2] - 29.25) < 6, String(q));
  // Shrinking mid-stream keeps a uniform sample: each of 200 items is kept with probability 16/200.
  const rng = new Xoshiro128(7);
  const kept = new Array(200).fill(0);
  const rounds = 4000;
  for (let r = 0; r < rounds; r++) {
    const s = new StepStats();
    for (let i = 0; i < 200; i++) {
      if (i === 100) s.shrink(16, rng);
      s.add(i, rng, i < 100 ? 64 : 16);
    }
    for (const v of s.sample) kept[v]++;
  }
  const worst = Math.max(...kept.map((k) => Math.abs(k / rounds - 16 / 200)));
  assert.ok(worst < 0.02, `largest deviation from 0.08: ${worst}`);
});
