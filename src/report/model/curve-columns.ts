/**
 * A curve's runs kept as columns, for views that change a few runs at a time
 * (the dashboard): per variant and step, each run's value in its seed's slot.
 * A run can be replaced or taken out, and the statistics are exact (every
 * run's value, no sample). Memory: steps × runs numbers per variant, where
 * the report's {@link CurveAccumulator} keeps a bounded summary instead.
 */
import { exactSum, exactSumOfSquares } from "../../stats/index.ts";
import { curveData, type StepSummary, type VariantSeries } from "./curves.ts";
import { firstBySeedHash } from "./sample.ts";
import { quantilesBySelection } from "./selection.ts";
import { tCritical } from "./step-stats.ts";
import type { CurveData } from "./types.ts";
import type { Series } from "../types.ts";

/** Whether two step lists are the same (the usual case for the runs of one curve: checked in one pass instead of a lookup per step). */
function sameSteps(a: Float64Array, b: Float64Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Scratch space for a step's values while its statistics are computed. */
let scratch = new Float64Array(1024);
/** The step whose values the scratch space holds (in some order: a selection reorders them), until another's are copied in. */
let scratchOf: ExactStep | undefined;

/**
 * The `n` values of a column (NaN: no run in that slot) in the scratch space,
 * −0 as 0 (they compare equal, so which one a selection returns would depend
 * on the slots' order).
 */
function valuesOf(column: Float64Array, n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  const values = scratch.subarray(0, n);
  let k = 0;
  for (let i = 0, len = column.length; i < len; i++) {
    const x = column[i]!;
    if (x === x) values[k++] = x + 0;
  }
  return values;
}

/**
 * Statistics of one step's column (NaN: no run in that slot), computed when
 * first asked and kept until a value of the column changes (the column drops
 * it then): an update of a few runs recomputes only the steps they changed.
 */
class ExactStep implements StepSummary {
  readonly mean: number;
  private readonly m2: number;
  private readonly intervals = new Map<number, [number, number]>();
  private readonly quantileSets = new Map<string, number[]>();

  /** `saved`: the statistics computed before of this very column (a restored accumulator): taken as they are. */
  constructor(private readonly column: Float64Array, readonly n: number, saved?: StepSnapshot) {
    if (saved) {
      this.mean = saved.mean;
      this.m2 = saved.m2;
      this.intervals = new Map(saved.intervals);
      this.quantileSets = new Map(saved.quantileSets);
      return;
    }
    // Exactly rounded sums (independent of the slots' order: an updated view equals a fresh build's), then the squared deviations from that mean summed the same way.
    const values = valuesOf(column, n);
    scratchOf = this;
    this.mean = exactSum(values) / n;
    this.m2 = exactSumOfSquares(values, this.mean);
  }

  /** mean ± t_{(1+level)/2, n−1} · sd/√n. */
  interval(level: number): [number, number] {
    let out = this.intervals.get(level);
    if (!out) {
      const se = Math.sqrt(this.m2 / (this.n - 1) / this.n);
      const q = tCritical(level, this.n - 1);
      this.intervals.set(level, (out = [this.mean - q * se, this.mean + q * se]));
    }
    return [out[0], out[1]];
  }

  /** Exact quantiles (linear interpolation, numpy's default). */
  quantiles(qs: readonly number[]): number[] {
    const key = qs.join(",");
    let out = this.quantileSets.get(key);
    if (!out) {
      // The values the sums were computed from, where still in the scratch space (a curve asks for a step's quantiles right after its mean): not copied again.
      const values = scratchOf === this ? scratch.subarray(0, this.n) : valuesOf(this.column, this.n);
      scratchOf = this;
      this.quantileSets.set(key, (out = quantilesBySelection(values, qs)));
    }
    return [...out];
  }

  snapshot(): StepSnapshot {
    return { mean: this.mean, m2: this.m2, intervals: [...this.intervals], quantileSets: [...this.quantileSets] };
  }
}

/** A step's statistics as plain data (see ColumnSeries.snapshot). */
export interface StepSnapshot {
  mean: number;
  m2: number;
  intervals: [number, [number, number]][];
  quantileSets: [string, number[]][];
}

/** One step's values by slot, how many are set, and their statistics while unchanged. */
interface Column {
  values: Float64Array;
  n: number;
  summary?: ExactStep;
}

/** New runs a column series writes at once, at most (see ColumnSeries.defer). */
const PENDING_RUNS = 32;
/** Values a column series keeps waiting to be written, at most (256 kB). */
const PENDING_VALUES = 1 << 15;

/** Edits of any column series so far: a series' version is the number of its last edit, never reused (a variant's series taken out and made again does not repeat one). */
let edits = 0;

/**
 * One variant's runs of one curve: `columns.get(step).values[slot]` is the
 * value of the run in `slot` (NaN: none), `slotOf` the slot of each seed. A
 * run's packed series is folded in straight from its arrays: its steps are
 * mapped to columns once and the mapping is kept for the next run with the
 * same steps (the common case: every run logs the same steps), so a value
 * costs a store, not a lookup.
 */
class ColumnSeries implements VariantSeries {
  private readonly slotOf = new Map<string, number>();
  private readonly seedOf: (string | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private readonly columns = new Map<number, Column>();
  /** The steps of the last series folded in and their columns (undefined: no column yet), while no column is taken out. */
  private mapped: { steps: Float64Array; columns: (Column | undefined)[] } | undefined;
  readonly quantileSample = Number.MAX_SAFE_INTEGER;
  /** The last edit of a value or of the runs (see version). */
  private edited = ++edits;
  /** New runs' values not written to the columns yet (see defer), in the order they came (`runs` of them). */
  private pending: { steps: Float64Array; slots: Int32Array; values: Float64Array; runs: number } | undefined;
  /** The sampled seeds of the last `lines` call, kept while the runs are the same ones. */
  private sample: { k: number; runsVersion: number; seeds: string[] } | undefined;
  private runsVersion = 0;

  /** `capacity`: the runs expected (columns are made that long, and grow past it). */
  constructor(private capacity = 16) {}

  get runs(): number {
    return this.slotOf.size;
  }

  /** The last edit of a value or of the runs (a curve's drawn data is kept while it stays). */
  get version(): number {
    this.flush();
    return this.edited;
  }

  /** Sets (or replaces) the series of the run of `seed`; non-finite values are left out. Only the steps whose value changed lose their statistics. */
  set(seed: string, series: Series): void {
    let slot = this.slotOf.get(seed);
    if (slot === undefined) {
      slot = this.freeSlots.pop() ?? this.seedOf.length;
      if (slot >= this.capacity) this.grow();
      this.slotOf.set(seed, slot);
      this.seedOf[slot] = seed;
      this.runsVersion++;
      this.edited = ++edits;
      // A new run (its slot holds no value in any column) with the steps of the runs before it: written with them, column by column.
      if (this.defer(slot, series)) return;
      this.write(slot, series, false);
      return;
    }
    this.flush();
    this.write(slot, series, true);
  }

  /**
   * Keeps a new run's values (`slot`: its slot, empty in every column) to be
   * written with the next runs of the same steps, column by column (flush):
   * written run by run, each value went to a column of its own, a
   * `Float64Array` on a page of its own, and the columns' objects and pages
   * were loaded again for every run (at 10,000 runs of 500 steps most of
   * the fold's time). False when it cannot be: other steps than the pending
   * runs', steps not ascending, or a series too long to batch.
   */
  private defer(slot: number, series: Series): boolean {
    const { steps, values } = series;
    const n = steps.length;
    if (n === 0 || n * 2 > PENDING_VALUES) return false;
    let p = this.pending;
    if (p && p.runs > 0 && (p.runs === p.slots.length || !sameSteps(p.steps, steps))) this.flush();
    // The buffers are kept for the next runs of the same steps (a new one each time was 60 MB of garbage at 10,000 runs).
    if (!p || (p.runs === 0 && !sameSteps(p.steps, steps))) {
      for (let i = 1; i < n; i++) if (!(steps[i]! > steps[i - 1]!)) return false;
      const runs = Math.max(1, Math.min(PENDING_RUNS, Math.floor(PENDING_VALUES / n)));
      p = this.pending = { steps: steps.slice(), slots: new Int32Array(runs), values: new Float64Array(runs * n), runs: 0 };
    }
    p.values.set(values, p.runs * n);
    p.slots[p.runs++] = slot;
    return true;
  }

  /**
   * Writes the pending runs' values (defer) to the columns, a column at a
   * time: the same stores set makes run by run (each run's slot was empty, so
   * each finite value counts one more value of its column), in another order.
   */
  private flush(): void {
    const p = this.pending;
    if (!p || p.runs === 0) return;
    const columns = this.columnsOf(p.steps);
    const n = p.steps.length, runs = p.runs, slots = p.slots, values = p.values;
    let changed = false;
    for (let i = 0; i < n; i++) {
      let c = columns[i];
      let column: Float64Array | undefined = c?.values;
      let added = 0;
      for (let k = 0, at = i; k < runs; k++, at += n) {
        const x = values[at]!;
        if (x - x !== 0) continue; // not finite (NaN or ±Infinity)
        if (column === undefined) {
          const step = p.steps[i]!;
          c = this.columns.get(step);
          if (!c) this.columns.set(step, (c = { values: new Float64Array(this.capacity).fill(NaN), n: 0 }));
          columns[i] = c;
          column = c.values;
        }
        column[slots[k]!] = x;
        added++;
      }
      if (added === 0) continue;
      c!.n += added;
      c!.summary = undefined;
      changed = true;
    }
    p.runs = 0;
    if (changed) this.edited = ++edits;
  }

  /** Writes one run's series into its slot (`replacing`: the slot may hold values: the steps it has no longer are cleared). */
  private write(slot: number, series: Series, replacing: boolean): void {
    const { steps, values } = series;
    const columns = this.columnsOf(steps);
    const given = replacing ? new Set<number>() : undefined;
    let changed = false;
    for (let i = 0; i < steps.length; i++) {
      const x = values[i]!;
      if (!Number.isFinite(x)) continue;
      given?.add(steps[i]!);
      let c = columns[i];
      if (c === undefined) {
        // A step no run had a finite value at yet (or repeated in this series after its column was made).
        const step = steps[i]!;
        c = this.columns.get(step);
        if (!c) this.columns.set(step, (c = { values: new Float64Array(this.capacity).fill(NaN), n: 0 }));
        columns[i] = c;
      }
      const column = c.values;
      const old = column[slot]!;
      if (old === x) continue;
      if (old !== old) c.n++;
      column[slot] = x;
      if (c.summary !== undefined) c.summary = undefined;
      changed = true;
    }
    if (changed) this.edited = ++edits;
    // Steps the run had before and has no longer.
    if (given) {
      for (const [step, c] of this.columns) {
        if (given.has(step) || Number.isNaN(c.values[slot]!)) continue;
        c.values[slot] = NaN;
        c.summary = undefined;
        this.edited = ++edits;
        if (--c.n === 0) this.dropColumn(step);
      }
    }
  }

  /** The columns of `steps` (same length; undefined where there is none yet), kept for the next series with the same steps. */
  private columnsOf(steps: Float64Array): (Column | undefined)[] {
    const m = this.mapped;
    if (m && sameSteps(m.steps, steps)) return m.columns;
    const columns = Array.from(steps, (step) => this.columns.get(step));
    // A copy: the series' arrays belong to the run (its source may reuse them).
    this.mapped = { steps: steps.slice(), columns };
    return columns;
  }

  private dropColumn(step: number): void {
    this.columns.delete(step);
    // The mapping may hold the column taken out.
    this.mapped = undefined;
  }

  /** Takes the run of `seed` out. */
  delete(seed: string): void {
    const slot = this.slotOf.get(seed);
    if (slot === undefined) return;
    this.flush();
    this.clear(slot);
    this.slotOf.delete(seed);
    this.seedOf[slot] = undefined;
    this.freeSlots.push(slot);
    this.runsVersion++;
    this.edited = ++edits;
  }

  private clear(slot: number): void {
    for (const [step, c] of this.columns) {
      if (Number.isNaN(c.values[slot]!)) continue;
      c.values[slot] = NaN;
      c.summary = undefined;
      if (--c.n === 0) this.dropColumn(step);
    }
  }

  private grow(): void {
    // 1.5×, not 2×: at 5,000 runs a variant, doubling would leave 40% of every column empty.
    this.capacity = Math.ceil(this.capacity * 1.5);
    for (const c of this.columns.values()) {
      const values = new Float64Array(this.capacity).fill(NaN);
      values.set(c.values);
      c.values = values;
      c.summary = undefined;
    }
  }

  steps(): number[] {
    this.flush();
    return [...this.columns.keys()].sort((a, b) => a - b);
  }

  at(step: number): StepSummary | undefined {
    this.flush();
    const c = this.columns.get(step);
    if (!c) return undefined;
    return (c.summary ??= new ExactStep(c.values, c.n));
  }

  lines(k: number): { seed: string; item: Series }[] {
    // The sample changes only with the runs (a value appended does not move it): hashing and sorting every seed per update cost ~25 ms at 10,000 runs.
    if (this.sample?.k !== k || this.sample.runsVersion !== this.runsVersion) this.sample = { k, runsVersion: this.runsVersion, seeds: firstBySeedHash(this.slotOf.keys(), k) };
    const seeds = this.sample.seeds;
    const steps = this.steps();
    const columns = steps.map((step) => this.columns.get(step)!.values);
    return seeds.map((seed) => ({ seed, item: this.slotSeries(this.slotOf.get(seed)!, steps, columns) }));
  }

  /** The finite values of the run of `seed` by step (what its series gave the columns), or undefined when it has no run here. */
  series(seed: string): Series | undefined {
    const slot = this.slotOf.get(seed);
    if (slot === undefined) return undefined;
    const steps = this.steps();
    return this.slotSeries(slot, steps, steps.map((step) => this.columns.get(step)!.values));
  }

  private slotSeries(slot: number, steps: readonly number[], columns: readonly Float64Array[]): Series {
    let n = 0;
    for (const c of columns) if (!Number.isNaN(c[slot]!)) n++;
    const item = { steps: new Float64Array(n), values: new Float64Array(n) };
    let k = 0;
    columns.forEach((c, i) => {
      const value = c[slot]!;
      if (Number.isNaN(value)) return;
      item.steps[k] = steps[i]!;
      item.values[k++] = value;
    });
    return item;
  }

  /** The series as plain data (structured-cloneable; its columns are not copied), for {@link ColumnSeries.restore}. */
  snapshot(): SeriesSnapshot {
    this.flush();
    return {
      capacity: this.capacity,
      seedOf: [...this.seedOf],
      freeSlots: [...this.freeSlots],
      columns: [...this.columns].map(([step, c]) => ({ step, values: c.values, n: c.n, ...(c.summary ? { summary: c.summary.snapshot() } : {}) })),
      ...(this.sample?.runsVersion === this.runsVersion ? { sample: { k: this.sample.k, seeds: [...this.sample.seeds] } } : {}),
    };
  }

  /** The series a snapshot was taken of: the same values in the same slots and steps' statistics (a fresh version). */
  static restore(s: SeriesSnapshot): ColumnSeries {
    const series = new ColumnSeries(s.capacity);
    s.seedOf.forEach((seed, slot) => {
      series.seedOf[slot] = seed;
      if (seed !== undefined) series.slotOf.set(seed, slot);
    });
    series.freeSlots.push(...s.freeSlots);
    for (const c of s.columns) {
      if (c.values.length !== s.capacity) throw new Error(`a saved column of step ${c.step} holds ${c.values.length} values, not ${s.capacity}`);
      series.columns.set(c.step, { values: c.values, n: c.n, ...(c.summary ? { summary: new ExactStep(c.values, c.n, c.summary) } : {}) });
    }
    // The line sample of these very runs (hashing and sorting every seed again cost ~25 ms at 10,000 runs in the first update after a restart).
    if (s.sample) {
      if (s.sample.seeds.some((seed) => !series.slotOf.has(seed))) throw new Error("a saved line sample names a seed the series does not hold");
      series.sample = { k: s.sample.k, runsVersion: series.runsVersion, seeds: [...s.sample.seeds] };
    }
    return series;
  }
}

/** One variant's series as plain data. */
export interface SeriesSnapshot {
  capacity: number;
  seedOf: (string | undefined)[];
  freeSlots: number[];
  columns: { step: number; values: Float64Array; n: number; summary?: StepSnapshot }[];
  /** The seeds of the per-run lines drawn last (the first k by seed hash), while the runs are the same. */
  sample?: { k: number; seeds: string[] };
}

/** The curve of one tag whose runs can be replaced and taken out (exact statistics, memory steps × runs). */
export class CurveColumns {
  private readonly variants = new Map<string, ColumnSeries>();
  /** The last curve drawn and what it was drawn from: an update that left this curve's runs as they were (another tag changed) gets the same object. */
  private drawn: { key: string; args: string; data: CurveData | undefined } | undefined;

  /** `runsPerVariant`: the runs a variant is expected to have (its columns are made that long at once, not grown run by run). */
  constructor(readonly tag: string, readonly paired: boolean, private readonly runsPerVariant = 16) {}

  /** Sets (or replaces) one run's series (sorted by step; its arrays are read now, not kept). */
  add(variant: string, seed: string, series: Series): void {
    let v = this.variants.get(variant);
    if (!v) this.variants.set(variant, (v = new ColumnSeries(Math.max(1, this.runsPerVariant))));
    v.set(seed, series);
  }

  /** Takes out the run of `variant` and `seed` (nothing when there is none). */
  remove(variant: string, seed: string): void {
    const v = this.variants.get(variant);
    if (!v) return;
    v.delete(seed);
    if (v.runs === 0) this.variants.delete(variant);
  }

  /** Takes out the run of `variant` and `seed` and gives its series (undefined when there is none): to move it to another curve. */
  take(variant: string, seed: string): Series | undefined {
    const series = this.variants.get(variant)?.series(seed);
    if (series) this.remove(variant, seed);
    return series;
  }

  /** The drawn curve (curves.ts's curveData), the same object as last time while neither its runs nor the arguments changed: treat it as read-only. */
  finish(order: readonly string[], reference: string, twinTrained: boolean, smoothing = 0): CurveData | undefined {
    const args = JSON.stringify([order, reference, twinTrained, smoothing]);
    const key = this.drawnKey(args);
    if (this.drawn?.key !== key) this.drawn = { key, args, data: curveData(this.tag, this.paired, this.variants, order, reference, twinTrained, smoothing) };
    return this.drawn.data;
  }

  /** What a drawn curve was drawn from: finish's arguments (`args`) and every variant's series version. */
  private drawnKey(args: string): string {
    return JSON.stringify([args, [...this.variants].map(([name, v]) => `${name}\u0001${v.version}`)]);
  }

  /**
   * The curve's runs as plain data (see ColumnSeries.snapshot), with the curve
   * drawn last while its runs are still the ones it was drawn from: restored,
   * a first finish with the same arguments gives it as it is instead of
   * drawing it again (and the dashboard's chart of it is found again:
   * saved-accumulator.ts).
   */
  snapshot(): CurveSnapshot {
    const drawn = this.drawn && this.drawn.key === this.drawnKey(this.drawn.args) ? { args: this.drawn.args, data: this.drawn.data } : undefined;
    return { tag: this.tag, paired: this.paired, runsPerVariant: this.runsPerVariant, variants: [...this.variants].map(([name, v]) => [name, v.snapshot()]), ...(drawn ? { drawn } : {}) };
  }

  static restore(s: CurveSnapshot): CurveColumns {
    const curve = new CurveColumns(s.tag, s.paired, s.runsPerVariant);
    for (const [name, v] of s.variants) curve.variants.set(name, ColumnSeries.restore(v));
    if (s.drawn) {
      if (typeof s.drawn.args !== "string" || (s.drawn.data !== undefined && s.drawn.data.tag !== s.tag)) throw new Error(`a saved drawn curve that is not the curve of ${s.tag}`);
      curve.drawn = { key: curve.drawnKey(s.drawn.args), args: s.drawn.args, data: s.drawn.data };
    }
    return curve;
  }
}

/** A curve's runs as plain data. */
export interface CurveSnapshot {
  tag: string;
  paired: boolean;
  runsPerVariant: number;
  variants: [string, SeriesSnapshot][];
  /** The curve drawn last from these very runs, with finish's arguments (as JSON) it was drawn with. */
  drawn?: { args: string; data: CurveData | undefined };
}
