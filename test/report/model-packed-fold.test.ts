// The dashboard's curve columns fold runs straight from packed series
// (curve-columns.ts). Every number must be the one the fold of point objects
// gave (session 6's ColumnSeries, kept below as the reference): runs with gaps,
// steps logged twice, non-finite values, paired curves, a seed replaced and
// taken out, summarised and not, thinned steps. Also stepDifferences and
// smoothSeries against their point versions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CurveColumns } from "../../src/report/model/curve-columns.ts";
import { quantilesBySelection } from "../../src/report/model/selection.ts";
import { curveData, smoothSeries, type StepSummary, type VariantSeries } from "../../src/report/model/curves.ts";
import { stepDifferences } from "../../src/report/model/build.ts";
import { firstBySeedHash } from "../../src/report/model/sample.ts";
import { tCritical } from "../../src/report/model/step-stats.ts";
import { pointsOf, seriesOf } from "../../src/report/series.ts";
import type { Point, Series } from "../../src/report/types.ts";
import { exactSum, quantile, Xoshiro128 } from "../../src/stats/index.ts";

/** Session 6's step statistics (with exactly rounded sums since session 7): two passes over the column's values, one selection per quantile. */
class PointStep implements StepSummary {
  readonly mean: number;
  private readonly m2: number;
  constructor(private readonly column: Float64Array, readonly n: number) {
    const values = [...column].filter((x) => !Number.isNaN(x));
    this.mean = exactSum(values) / n;
    this.m2 = exactSum(values.map((x) => (x - this.mean) * (x - this.mean)));
  }
  interval(level: number): [number, number] {
    const se = Math.sqrt(this.m2 / (this.n - 1) / this.n);
    const q = tCritical(level, this.n - 1);
    return [this.mean - q * se, this.mean + q * se];
  }
  quantiles(qs: readonly number[]): number[] {
    const values = Float64Array.from([...this.column].filter((x) => !Number.isNaN(x)));
    return qs.map((q) => quantile([...values], q));
  }
}

/** Session 6's ColumnSeries: a point object per value, a lookup per value. */
class PointSeries implements VariantSeries {
  private readonly slotOf = new Map<string, number>();
  private readonly freeSlots: number[] = [];
  private slots = 0;
  private readonly columns = new Map<number, { values: Float64Array; n: number }>();
  readonly quantileSample = Number.MAX_SAFE_INTEGER;
  constructor(private capacity: number) {}
  get runs(): number {
    return this.slotOf.size;
  }
  set(seed: string, points: readonly Point[]): void {
    let slot = this.slotOf.get(seed);
    const replacing = slot !== undefined;
    if (slot === undefined) {
      slot = this.freeSlots.pop() ?? this.slots++;
      if (slot >= this.capacity) this.grow();
      this.slotOf.set(seed, slot);
    }
    const given = new Set<number>();
    for (const p of points) {
      if (!Number.isFinite(p.value)) continue;
      given.add(p.step);
      let c = this.columns.get(p.step);
      if (!c) this.columns.set(p.step, (c = { values: new Float64Array(this.capacity).fill(NaN), n: 0 }));
      if (Number.isNaN(c.values[slot]!)) c.n++;
      c.values[slot] = p.value;
    }
    if (!replacing) return;
    for (const [step, c] of this.columns) {
      if (given.has(step) || Number.isNaN(c.values[slot]!)) continue;
      c.values[slot] = NaN;
      if (--c.n === 0) this.columns.delete(step);
    }
  }
  delete(seed: string): void {
    const slot = this.slotOf.get(seed);
    if (slot === undefined) return;
    for (const [step, c] of this.columns) {
      if (Number.isNaN(c.values[slot]!)) continue;
      c.values[slot] = NaN;
      if (--c.n === 0) this.columns.delete(step);
    }
    this.slotOf.delete(seed);
    this.freeSlots.push(slot);
  }
  private grow(): void {
    this.capacity = Math.ceil(this.capacity * 1.5);
    for (const c of this.columns.values()) {
      const values = new Float64Array(this.capacity).fill(NaN);
      values.set(c.values);
      c.values = values;
    }
  }
  steps(): number[] {
    return [...this.columns.keys()].sort((a, b) => a - b);
  }
  at(step: number): StepSummary | undefined {
    const c = this.columns.get(step);
    return c && new PointStep(c.values, c.n);
  }
  lines(k: number): { seed: string; item: Series }[] {
    const steps = this.steps();
    return firstBySeedHash(this.slotOf.keys(), k).map((seed) => {
      const slot = this.slotOf.get(seed)!;
      const item: Point[] = [];
      for (const step of steps) {
        const value = this.columns.get(step)!.values[slot]!;
        if (!Number.isNaN(value)) item.push({ step, value });
      }
      return { seed, item: seriesOf(item) };
    });
  }
}

/** The point fold of one curve, to compare with CurveColumns. */
class PointCurve {
  readonly variants = new Map<string, PointSeries>();
  constructor(readonly tag: string, readonly paired: boolean, private readonly capacity: number) {}
  add(variant: string, seed: string, points: readonly Point[]): void {
    let v = this.variants.get(variant);
    if (!v) this.variants.set(variant, (v = new PointSeries(this.capacity)));
    v.set(seed, points);
  }
  remove(variant: string, seed: string): void {
    const v = this.variants.get(variant);
    if (!v) return;
    v.delete(seed);
    if (v.runs === 0) this.variants.delete(variant);
  }
  finish(order: readonly string[]): ReturnType<typeof curveData> {
    return curveData(this.tag, this.paired, this.variants, order, order[0]!, true);
  }
}

/** A run's series: steps 1..steps with gaps, a step logged twice, non-finite values, a constant stretch (equal values in many runs). */
function runPoints(r: Xoshiro128, steps: number, shift: number): Point[] {
  const out: Point[] = [];
  for (let step = 1; step <= steps; step++) {
    if (r.nextFloat() < 0.1) continue;
    const u = r.nextFloat();
    const value = u < 0.03 ? NaN : u < 0.05 ? Infinity : u < 0.06 ? -Infinity : step % 17 === 0 ? 0.5 : shift + Math.exp(-step / 20) + 0.1 * r.nextNormal();
    out.push({ step, value });
    // A resumed run's step again: the fold keeps the value given last (or the first where the last is not finite).
    if (r.nextFloat() < 0.03) out.push({ step, value: r.nextFloat() < 0.3 ? NaN : value + 0.01 });
  }
  return out;
}

function assertSameCurve(packed: CurveColumns, points: PointCurve, order: readonly string[], what: string): void {
  const a = packed.finish(order, order[0]!, true);
  const b = points.finish(order);
  assert.ok(a && b, what);
  // generatedAt-free, so every field: stats (mean, interval, quantiles), sampled lines, counts, labels.
  assert.deepStrictEqual(a, b, what);
}

for (const { seeds, steps, capacity } of [
  { seeds: 12, steps: 40, capacity: 4 },
  { seeds: 45, steps: 40, capacity: 45 },
  { seeds: 40, steps: 330, capacity: 16 },
]) {
  test(`packed fold equals the point fold: ${seeds} seeds × ${steps} steps (columns made for ${capacity} runs)`, () => {
    const r = new Xoshiro128(seeds * 1000 + steps);
    const variants = ["base", "wide"];
    const packed = new CurveColumns("loss", false, capacity), points = new PointCurve("loss", false, capacity);
    const pairedPacked = new CurveColumns("loss", true, capacity), pairedPoints = new PointCurve("loss", true, capacity);
    const runs = new Map<string, Point[]>();
    const put = (variant: string, seed: string, pts: Point[]): void => {
      runs.set(`${variant}/${seed}`, pts);
      packed.add(variant, seed, seriesOf(pts));
      points.add(variant, seed, pts);
      if (variant === "base") return;
      const base = runs.get(`base/${seed}`);
      if (!base) return;
      const d = stepDifferences(seriesOf(pts), seriesOf(base));
      pairedPacked.add(variant, seed, d);
      pairedPoints.add(variant, seed, pointsOf(d));
    };
    for (let s = 0; s < seeds; s++) for (const v of variants) put(v, String(s), runPoints(r, s % 5 === 4 ? steps - 7 : steps, v === "base" ? 0 : 0.05));
    assertSameCurve(packed, points, variants, "first fold");
    assertSameCurve(pairedPacked, pairedPoints, ["wide"], "paired, first fold");

    // A seed replaced: fewer steps (a rewritten run), then its values changed; a seed taken out; a new seed; a seed back.
    put("wide", "3", runPoints(r, steps - 15, 0.05));
    put("base", "5", runPoints(r, steps, 0.3));
    put("base", "3", runPoints(r, steps, 0));
    for (const v of variants) {
      packed.remove(v, "7");
      points.remove(v, "7");
    }
    pairedPacked.remove("wide", "7");
    pairedPoints.remove("wide", "7");
    for (const v of variants) put(v, String(seeds + 1), runPoints(r, steps, 0));
    for (const v of variants) put(v, "7", runPoints(r, steps - 3, 0));
    assertSameCurve(packed, points, variants, "after replacing, taking out and adding seeds");
    assertSameCurve(pairedPacked, pairedPoints, ["wide"], "paired, after replacing");

    // A run whose every value at a step goes away (a column emptied), and one whose series becomes empty.
    put("base", "0", runPoints(r, steps, 0).filter((p) => p.step !== 2));
    put("base", "1", []);
    assertSameCurve(packed, points, variants, "after emptying");
  });
}

test("quantiles by one multiple selection equal a sort's, in any order of qs, with and without ties", () => {
  const r = new Xoshiro128(5);
  for (const n of [1, 2, 3, 7, 20, 100, 1001, 5000]) {
    for (const base of [
      Float64Array.from({ length: n }, (_, i) => (i % 9 === 0 ? 0.25 : r.nextNormal())),
      // Few distinct values (ties on every rank), and sorted, reversed and constant columns.
      Float64Array.from({ length: n }, () => Math.floor(r.nextFloat() * 4) / 4),
      Float64Array.from({ length: n }, (_, i) => i),
      Float64Array.from({ length: n }, (_, i) => n - i),
      new Float64Array(n).fill(0.5),
    ]) {
      for (const qs of [[0.05, 0.25, 0.75, 0.95], [0.95, 0.05, 0.5], [0, 1, 1, 0.5, 0.5], [0.1, 0.1000001, 0.9]]) {
        const got = quantilesBySelection(base.slice(), qs);
        const want = qs.map((q) => quantile([...base], q));
        assert.deepStrictEqual(got, want, `n ${n}, qs ${qs}`);
      }
    }
  }
});

test("stepDifferences and smoothSeries on packed series equal their point versions", () => {
  const r = new Xoshiro128(9);
  for (let k = 0; k < 30; k++) {
    const a = runPoints(r, 60, 0), b = runPoints(r, 60, 0.1);
    // The point version: b − a at the steps both have, the value of a given last where a step repeats.
    const want: Point[] = [];
    for (const p of b) {
      const at = a.filter((q) => q.step === p.step).at(-1);
      if (at) want.push({ step: p.step, value: p.value - at.value });
    }
    assert.deepStrictEqual(pointsOf(stepDifferences(seriesOf(b), seriesOf(a))), want);
    const w = 0.3 + 0.02 * k;
    let last = 0, n = 0;
    const smoothed = b.map((p) => (Number.isFinite(p.value) ? ((last = last * w + (1 - w) * p.value), n++, { step: p.step, value: last / (1 - Math.pow(w, n)) }) : p));
    assert.deepStrictEqual(pointsOf(smoothSeries(seriesOf(b), w)), smoothed);
  }
});

test("new runs of the same steps written column by column (deferred) equal the point fold: batches past their size, growth, reads, replacing and taking out a run not written yet", () => {
  const r = new Xoshiro128(77);
  const packed = new CurveColumns("loss", false, 4), points = new PointCurve("loss", false, 4);
  const order = ["base", "wide"];
  const steps = 50;
  /** Every step once, ascending (deferred); non-finite values, and step 7 never finite (no column until a run has one). */
  const sameSteps = (shift: number): Point[] =>
    Array.from({ length: steps }, (_, i) => {
      const u = r.nextFloat();
      const value = i === 6 ? NaN : u < 0.03 ? NaN : u < 0.05 ? Infinity : u < 0.06 ? -Infinity : i % 11 === 0 ? 0.5 : shift + Math.exp(-i / 20) + 0.1 * r.nextNormal();
      return { step: 10 * (i + 1), value };
    });
  const put = (variant: string, seed: string, pts: Point[]): void => {
    packed.add(variant, seed, seriesOf(pts));
    points.add(variant, seed, pts);
  };
  // 75 seeds: two batches of 32 and a part, the columns grown from 4 slots on the way.
  for (let s = 0; s < 75; s++) for (const v of order) put(v, String(s), sameSteps(v === "base" ? 0 : 0.05));
  assertSameCurve(packed, points, order, "after 75 seeds of the same steps");
  // Read in the middle of a batch, then more runs: the drawn curve must not be the one kept from before.
  for (let s = 75; s < 80; s++) for (const v of order) put(v, String(s), sameSteps(0));
  assertSameCurve(packed, points, order, "a batch read before it is full");
  for (let s = 80; s < 85; s++) for (const v of order) put(v, String(s), sameSteps(0.2));
  assertSameCurve(packed, points, order, "runs after a read");
  // Other steps in the middle of a batch (written at once after the runs waiting), a step 7 finite at last, then the same steps again.
  for (let s = 85; s < 90; s++) put("base", String(s), sameSteps(0));
  put("base", "90", runPoints(r, 30, 0));
  put("base", "91", sameSteps(0).map((p) => (p.step === 70 ? { step: 70, value: 1.5 } : p)));
  for (let s = 92; s < 96; s++) put("base", String(s), sameSteps(0));
  // A run not written yet replaced, another taken out, then its slot reused by a new run.
  put("base", "93", sameSteps(0.4));
  put("base", "96", sameSteps(0));
  put("base", "97", sameSteps(0));
  for (const c of [packed, points]) c.remove("base", "96");
  put("base", "98", sameSteps(0));
  for (const c of [packed, points]) c.remove("base", "94");
  assertSameCurve(packed, points, order, "after replacing and taking out runs that were waiting");
  // A variant's every run taken out while some wait.
  for (let s = 0; s < 85; s++) for (const c of [packed, points]) c.remove("wide", String(s));
  assertSameCurve(packed, points, order, "a variant emptied");
});

test("stepDifferences of series with the same steps (each once, or a step repeated) equals the point version", () => {
  const r = new Xoshiro128(11);
  const pointDifferences = (b: Point[], a: Point[]): Point[] =>
    b.flatMap((p) => {
      const at = a.filter((q) => q.step === p.step).at(-1);
      return at ? [{ step: p.step, value: p.value - at.value }] : [];
    });
  for (const steps of [[1, 2, 3, 5, 8], [1, 2, 2, 3], [3, 3], [4], []]) {
    const a = steps.map((step) => ({ step, value: r.nextNormal() })), b = steps.map((step) => ({ step, value: r.nextNormal() }));
    assert.deepStrictEqual(pointsOf(stepDifferences(seriesOf(b), seriesOf(a))), pointDifferences(b, a), `steps ${steps}`);
  }
});
