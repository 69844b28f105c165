/**
 * Learning curves from runs streamed one at a time: per variant and step the
 * running statistics of every run that reaches the step (StepStats), and the
 * series of a fixed sample of runs for the thin per-run lines. Memory is
 * bounded by 3 numbers a step plus RESERVOIR_BUDGET sampled values (see
 * step-stats.ts) plus the sampled series, whatever
 * the number of runs.
 */
import { Xoshiro128 } from "../../stats/index.ts";
import { BottomK } from "./sample.ts";
import { RESERVOIR, reservoirSize, StepStats } from "./step-stats.ts";
import type { CurveData, CurveStat, SeedPoint } from "./types.ts";
import { seriesOf } from "../series.ts";
import type { Point, Series } from "../types.ts";

/** A band (and the mean line) is drawn at a step only where at least this many runs reach it. */
export const MIN_BAND_RUNS = 3;
/** Confidence level of every band and interval in the report. */
export const LEVEL = 0.95;
/** At most this many steps per curve are drawn (evenly thinned, last step kept). */
export const MAX_CURVE_STEPS = 300;
/** Beyond this many runs in a variant, curves are summarised: quantile bands and a sample of the runs. */
export const SUMMARISE_ABOVE = 30;
/** Per-run lines drawn per variant when summarised. */
export const SAMPLED_LINES = 20;
/** Steps per sampled line when summarised (the bands keep MAX_CURVE_STEPS). */
export const SAMPLED_LINE_STEPS = 120;
/** Quantiles of the summary bands: the outer band 5–95%, the inner 25–75%. */
export const BAND_QUANTILES = [0.05, 0.25, 0.75, 0.95] as const;

/** Steps to draw: all of them, or at most `max` evenly spread (first and last kept). */
export function thinSteps(steps: readonly number[], max = MAX_CURVE_STEPS): number[] {
  if (steps.length <= max) return [...steps];
  const out: number[] = [];
  const stride = (steps.length - 1) / (max - 1);
  let last = -1;
  for (let i = 0; i < max; i++) {
    const k = Math.round(i * stride);
    if (k !== last) out.push(steps[k]!);
    last = k;
  }
  return out;
}

/**
 * TensorBoard's curve smoothing: an exponential moving average with weight
 * `w` in [0, 1), debiased by 1 − w^k after k points so the start is not
 * pulled towards zero. Non-finite values pass through and do not enter the average.
 */
export function smoothSeries(series: Series, w: number): Series {
  if (!(w >= 0 && w < 1)) throw new Error(`smoothing must be in [0, 1), got ${w}`);
  const { steps, values } = series;
  if (w === 0) return { steps: steps.slice(), values: values.slice() };
  const out = new Float64Array(values.length);
  let last = 0, k = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isFinite(x)) {
      out[i] = x;
      continue;
    }
    last = last * w + (1 - w) * x;
    k++;
    out[i] = last / (1 - Math.pow(w, k));
  }
  return { steps: steps.slice(), values: out };
}

/** One step's statistics over the runs that reach it, as a curve's finish reads them. */
export interface StepSummary {
  n: number;
  mean: number;
  /** t interval of the mean at `level` (n ≥ 2). */
  interval(level: number): [number, number];
  quantiles(qs: readonly number[]): number[];
}

/** One variant's accumulated runs of one curve, as {@link curveData} reads them. */
export interface VariantSeries {
  /** Runs added (with at least one point or not). */
  runs: number;
  /** Steps some run reached, ascending. */
  steps(): number[];
  at(step: number): StepSummary | undefined;
  /** The per-run lines of the `k` runs of smallest seed hash (see sample.ts), in that order. */
  lines(k: number): { seed: string; item: Series }[];
  /** Largest number of runs whose quantiles are exact (beyond it they come from a sample). */
  quantileSample: number;
}

/** The drawn curve of one tag from each variant's accumulated series, in the given order. */
export function curveData(tag: string, paired: boolean, series: ReadonlyMap<string, VariantSeries>, order: readonly string[], reference: string, twinTrained: boolean, smoothing = 0): CurveData | undefined {
  const present = order.filter((v) => series.has(v));
  if (present.length === 0) return undefined;
  const runs: Record<string, number> = {};
  for (const v of present) runs[v] = series.get(v)!.runs;
  const summarised = present.some((v) => runs[v]! > SUMMARISE_ABOVE);
  const stats: CurveStat[] = [];
  const seeds: SeedPoint[] = [];
  const drawn: Record<string, number> = {};
  let thinned = false;
  let quantileSample = 0;
  for (const name of present) {
    const v = series.get(name)!;
    quantileSample = Math.max(quantileSample, v.quantileSample);
    const allSteps = v.steps();
    const steps = thinSteps(allSteps);
    if (steps.length < allSteps.length) thinned = true;
    const need = Math.min(MIN_BAND_RUNS, v.runs);
    for (const step of steps) {
      const s = v.at(step)!;
      if (s.n < need) continue;
      const stat: CurveStat = { variant: name, step, n: s.n, mean: s.mean };
      if (s.n >= MIN_BAND_RUNS) [stat.lo, stat.hi] = s.interval(LEVEL);
      if (summarised && s.n >= MIN_BAND_RUNS) stat.q = s.quantiles(BAND_QUANTILES) as [number, number, number, number];
      stats.push(stat);
    }
    const lines = v.lines(v.runs > SUMMARISE_ABOVE ? SAMPLED_LINES : SUMMARISE_ABOVE);
    drawn[name] = lines.length;
    const lineSteps = new Set(summarised ? thinSteps(steps, SAMPLED_LINE_STEPS) : steps);
    for (const { seed, item } of lines) {
      for (let i = 0; i < item.steps.length; i++) if (lineSteps.has(item.steps[i]!)) seeds.push({ variant: name, seed, step: item.steps[i]!, value: item.values[i]! });
    }
  }
  return { tag, variants: present, reference, paired, seeds, stats, runs, minRuns: MIN_BAND_RUNS, level: LEVEL, bandLabel: bandLabel(stats, runs, paired), thinned, twinTrained, summarised, drawn, quantileSample, smoothing };
}

/** One tag's curve accumulated run by run in bounded memory (the report); see the file's comment. */
class StreamingSeries implements VariantSeries {
  readonly byStep = new Map<number, StepStats>();
  runs = 0;
  /** The sampled runs' series, as packed numbers (a long series as objects would cost ~5× more). */
  sample = new BottomK<Series>(SUMMARISE_ABOVE);
  /** Current reservoir size of every step (shrinks as distinct steps come: see step-stats.ts). */
  quantileSample = RESERVOIR;

  /** The statistics of `step`, created when new (shrinking every reservoir when the budget needs it). */
  stepStats(step: number, rng: Xoshiro128): StepStats {
    let s = this.byStep.get(step);
    if (s) return s;
    this.byStep.set(step, (s = new StepStats()));
    const k = reservoirSize(this.byStep.size);
    if (k < this.quantileSample) {
      this.quantileSample = k;
      for (const t of this.byStep.values()) t.shrink(k, rng);
    }
    return s;
  }

  steps(): number[] {
    return [...this.byStep.keys()].sort((a, b) => a - b);
  }

  at(step: number): StepStats | undefined {
    return this.byStep.get(step);
  }

  lines(k: number): { seed: string; item: Series }[] {
    return this.sample.take(k);
  }

  /** A copy that shares no statistics with this one (the sampled lines are shared: they are never changed). */
  clone(): StreamingSeries {
    const c = new StreamingSeries();
    c.runs = this.runs;
    c.sample = this.sample.clone();
    c.quantileSample = this.quantileSample;
    for (const [step, s] of this.byStep) c.byStep.set(step, s.clone());
    return c;
  }

  /** Folds in the runs of another series (runs of other seeds): StepStats.merge per step, the sampled lines by seed hash. */
  merge(other: StreamingSeries, rng: Xoshiro128): void {
    this.runs += other.runs;
    for (const item of other.sample.take()) this.sample.add(item.seed, item.item);
    const capacity = Math.min(this.quantileSample, other.quantileSample);
    for (const [step, s] of other.byStep) {
      const mine = this.byStep.get(step);
      if (mine) mine.merge(s, rng, capacity);
      else this.byStep.set(step, s.clone());
    }
    const k = Math.min(capacity, reservoirSize(this.byStep.size));
    for (const t of this.byStep.values()) t.shrink(k, rng);
    this.quantileSample = k;
  }
}

/** The curve of one tag (raw, or a paired difference) accumulated run by run: the runs cannot be taken out again. */
export class CurveAccumulator {
  private readonly variants = new Map<string, StreamingSeries>();
  private readonly rng: Xoshiro128;

  constructor(readonly tag: string, readonly paired: boolean) {
    // A fixed seed per tag: the reservoirs (and so the quantile bands) are the same at every rebuild.
    let h = 17;
    for (let i = 0; i < tag.length; i++) h = (Math.imul(h, 31) + tag.charCodeAt(i)) | 0;
    this.rng = new Xoshiro128(h >>> 0);
  }

  /** Adds one run's series (sorted by step; its arrays are read now, not kept); non-finite values are left out of the statistics and the lines. */
  add(variant: string, seed: string, series: Series): void {
    let v = this.variants.get(variant);
    if (!v) this.variants.set(variant, (v = new StreamingSeries()));
    v.runs++;
    const { steps, values } = series;
    let finite = 0;
    for (let i = 0; i < steps.length; i++) {
      const x = values[i]!;
      if (!Number.isFinite(x)) continue;
      v.stepStats(steps[i]!, this.rng).add(x, this.rng, v.quantileSample);
      finite++;
    }
    // The sampled line, its own copy of the finite points: made only for a run the sample keeps (20 of 5,000 a variant in the end).
    if (!v.sample.admits(seed)) return;
    const line = { steps: new Float64Array(finite), values: new Float64Array(finite) };
    for (let i = 0, k = 0; i < steps.length; i++) {
      if (!Number.isFinite(values[i]!)) continue;
      line.steps[k] = steps[i]!;
      line.values[k++] = values[i]!;
    }
    v.sample.add(seed, line);
  }

  has(variant: string): boolean {
    return this.variants.has(variant);
  }

  /**
   * One curve of the runs of several accumulators of the same tag (runs of
   * different seeds; the report folds each kind of seed apart until it knows
   * which the verdict sets aside): the parts are left as they were.
   */
  static union(parts: readonly CurveAccumulator[]): CurveAccumulator {
    const first = parts[0];
    if (!first) throw new Error("a union of no curves");
    const out = new CurveAccumulator(first.tag, first.paired);
    for (const part of parts) {
      for (const [name, series] of part.variants) {
        const mine = out.variants.get(name);
        if (mine) mine.merge(series, out.rng);
        else out.variants.set(name, series.clone());
      }
    }
    return out;
  }

  /** The curve of the variants present, in the given order. */
  finish(order: readonly string[], reference: string, twinTrained: boolean, smoothing = 0): CurveData | undefined {
    return curveData(this.tag, this.paired, this.variants, order, reference, twinTrained, smoothing);
  }
}

/** The band's legend: its level and how many seeds it rests on, as a range where that changes (variants of other sizes, runs that stop early). */
function bandLabel(stats: readonly CurveStat[], runs: Record<string, number>, paired: boolean): string {
  const banded = stats.filter((s) => s.lo !== undefined).map((s) => s.n);
  const counts = [...new Set(banded.length > 0 ? banded : Object.values(runs))].sort((a, b) => a - b);
  const n = counts.length === 1 ? `${counts[0]} seed${counts[0] === 1 ? "" : "s"}` : `${counts[0]}–${counts[counts.length - 1]} seeds`;
  return `${Math.round(LEVEL * 100)}% CI of the ${paired ? "mean difference" : "mean"} (t), ${n}; where ≥ ${MIN_BAND_RUNS} runs`;
}

/** Mean and t band per step of series grouped by variant (aligned by step): the curve accumulator over points. */
export function curveStats(points: readonly SeedPoint[], variants: readonly string[]): { stats: CurveStat[]; runs: Record<string, number>; thinned: boolean; seeds: SeedPoint[] } {
  const acc = new CurveAccumulator("", false);
  const byRun = new Map<string, { variant: string; seed: string; points: Point[] }>();
  for (const p of points) {
    const key = `${p.variant}\u0000${p.seed}`;
    let r = byRun.get(key);
    if (!r) byRun.set(key, (r = { variant: p.variant, seed: p.seed, points: [] }));
    r.points.push({ step: p.step, value: p.value });
  }
  for (const r of byRun.values()) acc.add(r.variant, r.seed, seriesOf(r.points.sort((a, b) => a.step - b.step)));
  const c = acc.finish(variants, variants[0] ?? "", false);
  return c ? { stats: c.stats, runs: c.runs, thinned: c.thinned, seeds: c.seeds } : { stats: [], runs: {}, thinned: false, seeds: [] };
}
