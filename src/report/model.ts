/**
 * From a study's runs to the numbers the report draws: curves aligned by step
 * with confidence bands, paired-difference curves, final-value distributions
 * with black swans, the verdict, variance by random factor, power and
 * expected-maximum curves, and the reproducibility status. Statistics come
 * from src/stats (and src/study/analyze.ts for the verdict); no I/O here and
 * nothing about drawing.
 */
import {
  blackSwans,
  describe,
  expectedMaxCurve,
  minimumDetectableEffect,
  pairingGain,
  quantile,
  tInterval,
  varianceDecomposition,
  type ExpectedMaxPoint,
} from "../stats/index.ts";
import { analyzeResults, type Analysis } from "../study/analyze.ts";
import type { ResultTable } from "../study/results-file.ts";
import type { RunData, StudyData } from "./types.ts";

/** A band (and the mean line) is drawn at a step only where at least this many runs reach it. */
export const MIN_BAND_RUNS = 3;
/** Confidence level of every band and interval in the report. */
export const LEVEL = 0.95;
/** At most this many steps per curve are drawn (evenly thinned, last step kept). */
export const MAX_CURVE_STEPS = 300;
/** At most this many learning-curve charts (the verdict metric and the standard twin tags first). */
export const MAX_CURVES = 10;

export interface ReportOptions {
  /** Metric of the verdict and the distributions (default val/accuracy, else eval/accuracy, else the first tag). */
  metric?: string;
  lowerIsBetter?: boolean;
  /** Reference variant (default the first). */
  reference?: string;
  /** Tags drawn as learning curves (default: the standard twin tags present). */
  curveTags?: string[];
}

export interface SeedPoint {
  variant: string;
  seed: string;
  step: number;
  value: number;
}

export interface CurveStat {
  variant: string;
  step: number;
  /** Runs that reach this step. */
  n: number;
  mean: number;
  /** 95% t interval of the mean (only where n ≥ MIN_BAND_RUNS). */
  lo?: number;
  hi?: number;
}

export interface CurveData {
  tag: string;
  /** Variants in order; for a paired curve, the variants compared with the reference. */
  variants: string[];
  reference: string;
  /** true: the values are variant − reference on the same seed and step. */
  paired: boolean;
  seeds: SeedPoint[];
  stats: CurveStat[];
  /** Runs per variant (largest count over steps). */
  runs: Record<string, number>;
  minRuns: number;
  level: number;
  /** Legend text of the band. */
  bandLabel: string;
  /** Steps were thinned to at most MAX_CURVE_STEPS. */
  thinned: boolean;
  /** The variants of a seed were twin-trained (same batches), not separate runs. */
  twinTrained: boolean;
}

export interface FinalSample {
  metric: string;
  higherIsBetter: boolean;
  reference: string;
  variants: { name: string; values: { seed: string; value: number }[] }[];
}

export interface DistributionData {
  metric: string;
  higherIsBetter: boolean;
  threshold: number;
  variants: {
    name: string;
    n: number;
    points: { seed: string; value: number; z: number | null; blackSwan: boolean }[];
    mean: number;
    ci: [number, number] | null;
    density: { x: number; density: number }[];
  }[];
  notes: string[];
}

export interface DifferenceData {
  metric: string;
  higherIsBetter: boolean;
  /** true: the pairs are twin-trained runs (same batches); false: separate runs that share a seed; undefined: not known (results from a file). */
  twinTrained?: boolean;
  comparisons: {
    a: string;
    b: string;
    paired: boolean;
    n: number;
    /** Per-seed differences b − a (paired only). */
    points: { seed: string; diff: number }[];
    diff: number;
    ci: [number, number];
    test: string;
    p: number;
  }[];
  level: number;
}

export interface VarianceData {
  available: boolean;
  reason?: string;
  metric: string;
  factors: { variant: string; factor: string; n: number; variance: number; sd: number; lo: number; hi: number; share: number; shareLo: number | null; shareHi: number | null }[];
  totals: { variant: string; total: number; interaction: number | null; allRuns: number }[];
  notes: string[];
}

export interface PowerData {
  available: boolean;
  reason?: string;
  metric: string;
  power: number;
  alpha: number;
  comparisons: { a: string; b: string; design: "paired" | "two-sample"; sd: number; n: number; observed: number; curve: { seeds: number; detectable: number }[] }[];
}

export interface ExpectedMaxData {
  metric: string;
  higherIsBetter: boolean;
  variants: { name: string; curve: ExpectedMaxPoint[] }[];
}

export type ReproStatus = "consistent" | "incomplete" | "inconsistent" | "not recorded";

export interface ReproData {
  status: ReproStatus;
  summary: string;
  seeds: {
    seed: string;
    variants: string[];
    steps: number;
    lastStep: number;
    runLastStep: number;
    streams: string[];
    batchChecksums: boolean;
    problems: string[];
  }[];
  /** Findings across seeds (draw counts, stream sets). */
  notes: string[];
  fingerprints: { fingerprint: string; runs: number }[];
}

export interface VerdictExtra {
  b: string;
  pairingVarianceRatio: number | null;
}

export interface ReportModel {
  study: string;
  source: string;
  generatedAt: string;
  variants: string[];
  reference: string;
  seeds: string[];
  runs: { variant: string; seed: string; status: string; lastStep: number; final: number | null; where: string; notes: string[] }[];
  metric: string;
  higherIsBetter: boolean;
  /** The variants of a seed were twin-trained (same batches), not separate runs that share a seed. */
  twinTrained: boolean;
  analysis: Analysis | null;
  analysisError?: string;
  verdictExtra: VerdictExtra[];
  curves: CurveData[];
  pairedCurves: CurveData[];
  final: FinalSample;
  distribution: DistributionData;
  differences: DifferenceData;
  variance: VarianceData;
  power: PowerData;
  expectedMax: ExpectedMaxData;
  repro: ReproData;
  warnings: string[];
}

const STANDARD_CURVES = ["eval/accuracy", "eval/loss", "val/accuracy", "val/loss", "train/loss"];
const PRIMARY_METRICS = ["val/accuracy", "eval/accuracy", "val/acc", "accuracy"];

function allTags(runs: readonly RunData[]): string[] {
  const set = new Set<string>();
  for (const r of runs) for (const [t, pts] of Object.entries(r.scalars)) if (pts.length > 0) set.add(t);
  return [...set].sort();
}

/**
 * Default metric: val/accuracy, else eval/accuracy, …, else a validation
 * accuracy by any spelling (val_accuracy), else any accuracy, else a
 * validation metric, else the first tag that is not a paired difference.
 */
export function defaultMetric(runs: readonly RunData[]): string {
  const tags = allTags(runs);
  for (const m of PRIMARY_METRICS) if (tags.includes(m)) return m;
  const plain = tags.filter((t) => !t.startsWith("paired/") && t !== "epoch");
  if (plain.length === 0) throw new Error("the runs have no scalar metrics yet");
  const validation = /^(val|valid|validation|eval|test)\b|^(val|valid|eval|test)[_.-]/i;
  return plain.find((t) => validation.test(t) && /acc/i.test(t)) ?? plain.find((t) => /acc/i.test(t)) ?? plain.find((t) => validation.test(t)) ?? plain[0]!;
}

export function guessLowerIsBetter(metric: string): boolean {
  return /loss|error|err\b|perplexity|ppl|mse|mae|rmse|nll/i.test(metric);
}

function variantOrder(study: StudyData, reference?: string): string[] {
  const seen = [...new Set(study.runs.map((r) => r.variant))];
  const order = study.variantOrder ? [...study.variantOrder.filter((v) => seen.includes(v)), ...seen.filter((v) => !study.variantOrder!.includes(v))] : seen;
  if (reference !== undefined) {
    if (!order.includes(reference)) throw new Error(`reference "${reference}": no such variant (variants: ${order.join(", ")})`);
    return [reference, ...order.filter((v) => v !== reference)];
  }
  return order;
}

function sortSeeds(seeds: Iterable<string>): string[] {
  return [...new Set(seeds)].sort((a, b) => (a.length - b.length) || (a < b ? -1 : a > b ? 1 : 0));
}

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

function bandLabel(runs: Record<string, number>, paired: boolean): string {
  const counts = [...new Set(Object.values(runs))].sort((a, b) => a - b);
  const n = counts.length === 1 ? `${counts[0]} seed${counts[0] === 1 ? "" : "s"}` : `${counts[0]}–${counts[counts.length - 1]} seeds`;
  return `${Math.round(LEVEL * 100)}% CI of the ${paired ? "mean difference" : "mean"} (t), ${n}; where ≥ ${MIN_BAND_RUNS} runs`;
}

/** Mean and t band per step of series grouped by variant (aligned by step). */
export function curveStats(seeds: readonly SeedPoint[], variants: readonly string[]): { stats: CurveStat[]; runs: Record<string, number>; thinned: boolean; seeds: SeedPoint[] } {
  const stats: CurveStat[] = [];
  const runs: Record<string, number> = {};
  let thinned = false;
  const kept: SeedPoint[] = [];
  for (const v of variants) {
    const mine = seeds.filter((p) => p.variant === v);
    runs[v] = new Set(mine.map((p) => p.seed)).size;
    const byStep = new Map<number, number[]>();
    for (const p of mine) {
      if (!Number.isFinite(p.value)) continue;
      let arr = byStep.get(p.step);
      if (!arr) byStep.set(p.step, (arr = []));
      arr.push(p.value);
    }
    const allSteps = [...byStep.keys()].sort((a, b) => a - b);
    const steps = thinSteps(allSteps);
    if (steps.length < allSteps.length) thinned = true;
    const keep = new Set(steps);
    for (const p of mine) if (keep.has(p.step) && Number.isFinite(p.value)) kept.push(p);
    const need = Math.min(MIN_BAND_RUNS, runs[v]!);
    for (const step of steps) {
      const vals = byStep.get(step)!;
      if (vals.length < need) continue;
      const d = describe(vals);
      const s: CurveStat = { variant: v, step, n: vals.length, mean: d.mean };
      if (vals.length >= MIN_BAND_RUNS) {
        const ci = tInterval(vals, LEVEL);
        s.lo = ci.lo;
        s.hi = ci.hi;
      }
      stats.push(s);
    }
  }
  return { stats, runs, thinned, seeds: kept };
}

function buildCurve(study: StudyData, tag: string, variants: string[], reference: string, twinTrained: boolean): CurveData | undefined {
  const seeds: SeedPoint[] = [];
  for (const r of study.runs) {
    const pts = r.scalars[tag];
    if (!pts || !variants.includes(r.variant)) continue;
    for (const p of pts) seeds.push({ variant: r.variant, seed: r.seed, step: p.step, value: p.value });
  }
  if (seeds.length === 0) return undefined;
  const present = variants.filter((v) => seeds.some((p) => p.variant === v));
  const c = curveStats(seeds, present);
  return { tag, variants: present, reference, paired: false, seeds: c.seeds, stats: c.stats, runs: c.runs, minRuns: MIN_BAND_RUNS, level: LEVEL, bandLabel: bandLabel(c.runs, false), thinned: c.thinned, twinTrained };
}

/** variant − reference per (seed, step): from the logged `paired/<tag>` series, else computed from the raw series. */
function buildPairedCurve(study: StudyData, tag: string, variants: string[], reference: string, twinTrained: boolean): CurveData | undefined {
  const others = variants.filter((v) => v !== reference);
  if (others.length === 0) return undefined;
  const seeds: SeedPoint[] = [];
  const ptag = `paired/${tag}`;
  const refBySeed = new Map<string, Map<number, number>>();
  for (const r of study.runs) {
    if (r.variant !== reference || !r.scalars[tag]) continue;
    refBySeed.set(r.seed, new Map(r.scalars[tag]!.map((p) => [p.step, p.value])));
  }
  for (const r of study.runs) {
    if (!others.includes(r.variant)) continue;
    const logged = r.scalars[ptag];
    if (logged && logged.length > 0) {
      for (const p of logged) seeds.push({ variant: r.variant, seed: r.seed, step: p.step, value: p.value });
      continue;
    }
    const ref = refBySeed.get(r.seed);
    const raw = r.scalars[tag];
    if (!ref || !raw) continue;
    for (const p of raw) {
      const a = ref.get(p.step);
      if (a !== undefined) seeds.push({ variant: r.variant, seed: r.seed, step: p.step, value: p.value - a });
    }
  }
  if (seeds.length === 0) return undefined;
  const present = others.filter((v) => seeds.some((p) => p.variant === v));
  const c = curveStats(seeds, present);
  return { tag, variants: present, reference, paired: true, seeds: c.seeds, stats: c.stats, runs: c.runs, minRuns: MIN_BAND_RUNS, level: LEVEL, bandLabel: bandLabel(c.runs, true), thinned: c.thinned, twinTrained };
}

/** Gaussian kernel density on a grid (Silverman's rule of thumb bandwidth). */
export function kde(values: readonly number[], grid: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) return grid.map(() => 0);
  const h = bandwidth(values);
  const c = 1 / (n * h * Math.sqrt(2 * Math.PI));
  return grid.map((x) => {
    let s = 0;
    for (const v of values) s += Math.exp(-0.5 * ((x - v) / h) ** 2);
    return s * c;
  });
}

/** Silverman's rule: 0.9 · min(sd, IQR/1.34) · n^(−1/5), with fallbacks for tiny or tied samples. */
export function bandwidth(values: readonly number[]): number {
  const n = values.length;
  const sdv = n > 1 ? describe(values).sd : 0;
  const iqr = n > 1 ? quantile(values, 0.75) - quantile(values, 0.25) : 0;
  let spread = Math.min(sdv, iqr / 1.34);
  if (!(spread > 0)) spread = sdv > 0 ? sdv : Math.abs(values[0] ?? 1) * 0.01 || 0.01;
  return 0.9 * spread * Math.pow(n, -0.2);
}

export function distributionData(sample: FinalSample, gridSize = 80): DistributionData {
  const notes: string[] = [];
  const all = sample.variants.flatMap((v) => v.values.map((x) => x.value));
  let grid: number[] = [];
  if (all.length > 0) {
    const h = Math.max(...sample.variants.filter((v) => v.values.length > 0).map((v) => bandwidth(v.values.map((x) => x.value))));
    const lo = Math.min(...all) - 2.5 * h, hi = Math.max(...all) + 2.5 * h;
    grid = Array.from({ length: gridSize }, (_, i) => lo + ((hi - lo) * i) / (gridSize - 1));
  }
  const threshold = 3.5;
  const variants = sample.variants.map((v) => {
    const vals = v.values.map((x) => x.value);
    let zs: (number | null)[] = vals.map(() => null);
    let flagged: boolean[] = vals.map(() => false);
    if (vals.length >= 3) {
      const bs = blackSwans(vals, { threshold, higherIsBetter: sample.higherIsBetter });
      zs = bs.seeds.map((s) => s.z);
      flagged = bs.seeds.map((s) => s.flagged);
      for (const n of bs.notes) notes.push(`${v.name}: ${n}`);
    } else if (vals.length > 0) notes.push(`${v.name}: black swans need ≥ 3 seeds (has ${vals.length})`);
    const ci = vals.length >= 2 ? tInterval(vals, LEVEL) : null;
    return {
      name: v.name,
      n: vals.length,
      points: v.values.map((x, i) => ({ seed: x.seed, value: x.value, z: zs[i] ?? null, blackSwan: flagged[i] ?? false })),
      mean: vals.length > 0 ? describe(vals).mean : NaN,
      ci: ci ? ([ci.lo, ci.hi] as [number, number]) : null,
      density: vals.length > 0 ? kde(vals, grid).map((d, i) => ({ x: grid[i]!, density: d })) : [],
    };
  });
  return { metric: sample.metric, higherIsBetter: sample.higherIsBetter, threshold, variants, notes };
}

/** Long-form table of a final sample, for analyzeResults. */
export function sampleTable(sample: FinalSample): ResultTable {
  return {
    metrics: [sample.metric],
    rows: sample.variants.flatMap((v) => v.values.map((x) => ({ variant: v.name, seed: x.seed, metrics: { [sample.metric]: x.value }, where: `${v.name} seed ${x.seed}` }))),
  };
}

export function differenceData(sample: FinalSample, analysis: Analysis | null, twinTrained?: boolean): DifferenceData {
  const comparisons: DifferenceData["comparisons"] = [];
  if (analysis) {
    const byName = new Map(sample.variants.map((v) => [v.name, new Map(v.values.map((x) => [x.seed, x.value]))]));
    for (const c of analysis.comparisons) {
      const a = byName.get(c.a)!, b = byName.get(c.b)!;
      const points = c.paired ? [...a.keys()].filter((s) => b.has(s)).map((s) => ({ seed: s, diff: b.get(s)! - a.get(s)! })) : [];
      comparisons.push({ a: c.a, b: c.b, paired: c.paired, n: c.n, points, diff: c.diff, ci: c.ci, test: c.test, p: c.p });
    }
  }
  return { metric: sample.metric, higherIsBetter: sample.higherIsBetter, ...(twinTrained !== undefined ? { twinTrained } : {}), comparisons, level: LEVEL };
}

export function powerData(sample: FinalSample, analysis: Analysis | null, opts: { power?: number; alpha?: number } = {}): PowerData {
  const power = opts.power ?? 0.8, alpha = opts.alpha ?? 0.05;
  const base = { metric: sample.metric, power, alpha, comparisons: [] as PowerData["comparisons"] };
  if (!analysis || analysis.comparisons.length === 0) return { ...base, available: false, reason: "needs at least two variants with runs" };
  const byName = new Map(sample.variants.map((v) => [v.name, new Map(v.values.map((x) => [x.seed, x.value]))]));
  for (const c of analysis.comparisons) {
    const a = byName.get(c.a)!, b = byName.get(c.b)!;
    let sd: number, n: number;
    const design: "paired" | "two-sample" = c.paired ? "paired" : "two-sample";
    if (c.paired) {
      const d = [...a.keys()].filter((s) => b.has(s)).map((s) => b.get(s)! - a.get(s)!);
      n = d.length;
      sd = n >= 2 ? describe(d).sd : NaN;
    } else {
      const va = [...a.values()], vb = [...b.values()];
      n = Math.min(va.length, vb.length);
      if (va.length < 2 || vb.length < 2) sd = NaN;
      else sd = Math.sqrt(((va.length - 1) * describe(va).sd ** 2 + (vb.length - 1) * describe(vb).sd ** 2) / (va.length + vb.length - 2));
    }
    if (!(sd > 0) || !Number.isFinite(sd)) continue;
    const maxN = Math.min(64, Math.max(20, 2 * n));
    const curve: { seeds: number; detectable: number }[] = [];
    for (let k = 2; k <= maxN; k++) curve.push({ seeds: k, detectable: minimumDetectableEffect(k, sd, { power, alpha, design }) });
    base.comparisons.push({ a: c.a, b: c.b, design, sd, n, observed: Math.abs(c.diff), curve });
  }
  if (base.comparisons.length === 0) return { ...base, available: false, reason: "the spread of the differences is zero or unknown (needs ≥ 2 seeds that differ)" };
  return { ...base, available: true };
}

export function expectedMaxData(sample: FinalSample): ExpectedMaxData {
  return {
    metric: sample.metric,
    higherIsBetter: sample.higherIsBetter,
    variants: sample.variants.filter((v) => v.values.length > 0).map((v) => ({ name: v.name, curve: expectedMaxCurve(v.values.map((x) => x.value), { higherIsBetter: sample.higherIsBetter }) })),
  };
}

/**
 * Variance by random factor from one-factor-at-a-time runs: for each factor F,
 * the largest set of runs whose other factor seeds are all equal while F's
 * seed differs; the all-varied runs are those whose factor seeds all equal
 * each other (every factor follows the root seed).
 */
export function varianceData(study: StudyData, sample: FinalSample): VarianceData {
  const out: VarianceData = { available: false, metric: sample.metric, factors: [], totals: [], notes: [] };
  const finals = new Map(sample.variants.map((v) => [v.name, new Map(v.values.map((x) => [x.seed, x.value]))]));
  for (const v of sample.variants) {
    const runs = study.runs.filter((r) => r.variant === v.name && r.factorSeeds && finals.get(v.name)!.has(r.seed));
    if (runs.length < 3) continue;
    const factors = [...new Set(runs.flatMap((r) => Object.keys(r.factorSeeds!)))].sort();
    const groups: Record<string, number[]> = {};
    for (const f of factors) {
      const byKey = new Map<string, RunData[]>();
      for (const r of runs) {
        const key = factors.filter((g) => g !== f).map((g) => `${g}=${r.factorSeeds![g] ?? ""}`).join(",");
        let arr = byKey.get(key);
        if (!arr) byKey.set(key, (arr = []));
        arr.push(r);
      }
      let best: RunData[] = [];
      for (const arr of byKey.values()) {
        const distinct = new Set(arr.map((r) => r.factorSeeds![f]));
        if (distinct.size >= 2 && distinct.size === arr.length && arr.length > best.length) best = arr;
      }
      if (best.length >= 2) groups[f] = best.map((r) => finals.get(v.name)!.get(r.seed)!);
    }
    if (Object.keys(groups).length === 0) continue;
    const allRuns = runs.filter((r) => new Set(Object.values(r.factorSeeds!)).size === 1);
    const all = allRuns.length >= 2 ? allRuns.map((r) => finals.get(v.name)!.get(r.seed)!) : undefined;
    try {
      const dec = varianceDecomposition(groups, all, { level: LEVEL });
      for (const f of dec.factors) {
        out.factors.push({ variant: v.name, factor: f.factor, n: f.n, variance: f.variance, sd: f.sd, lo: f.varianceCi[0], hi: f.varianceCi[1], share: f.share, shareLo: f.shareCi?.[0] ?? null, shareHi: f.shareCi?.[1] ?? null });
      }
      out.totals.push({ variant: v.name, total: dec.total, interaction: dec.interaction, allRuns: all?.length ?? 0 });
      for (const n of dec.notes) out.notes.push(`${v.name}: ${n}`);
    } catch (e) {
      out.notes.push(`${v.name}: ${(e as Error).message}`);
    }
  }
  if (out.factors.length > 0) out.available = true;
  else out.reason = "no one-factor-at-a-time runs in this study (every run varies all random factors together); run a seed study that varies one factor at a time (e.g. seeds: { vary: \"init\" }) to see which factor contributes how much";
  return out;
}

export function reproData(study: StudyData): ReproData {
  const fpCount = new Map<string, number>();
  for (const r of study.runs) if (r.fingerprint) fpCount.set(r.fingerprint, (fpCount.get(r.fingerprint) ?? 0) + 1);
  const fingerprints = [...fpCount.entries()].map(([fingerprint, runs]) => ({ fingerprint, runs }));
  const notes: string[] = [];
  if (fingerprints.length > 1) notes.push(`runs carry ${fingerprints.length} different fingerprints: code, data, configuration or environment changed between runs`);
  const runSeeds = sortSeeds(study.runs.map((r) => r.seed));
  if (study.checks.length === 0) {
    return { status: "not recorded", summary: "no control sums or batch checksums were recorded for this study", seeds: [], notes, fingerprints };
  }
  const lastStepOf = (r: RunData): number => Math.max(0, ...Object.values(r.scalars).map((p) => (p.length ? p[p.length - 1]!.step : 0)));
  const seeds: ReproData["seeds"] = [];
  let inconsistent = false;
  let incomplete = false;
  const bySeed = new Map<string, typeof study.checks>();
  for (const c of study.checks) {
    let arr = bySeed.get(c.seed);
    if (!arr) bySeed.set(c.seed, (arr = []));
    arr.push(c);
  }
  for (const seed of sortSeeds([...runSeeds, ...bySeed.keys()])) {
    const records = bySeed.get(seed) ?? [];
    const seedRuns = study.runs.filter((r) => r.seed === seed);
    const variants = [...new Set(seedRuns.map((r) => r.variant))];
    const runLastStep = Math.max(0, ...seedRuns.map(lastStepOf));
    const problems: string[] = [];
    if (records.length === 0) {
      incomplete = true;
      seeds.push({ seed, variants, steps: 0, lastStep: 0, runLastStep, streams: [], batchChecksums: false, problems: ["no control sums recorded"] });
      continue;
    }
    const first = records[0]!;
    const lines = first.lines;
    const lastStep = lines.length ? lines[lines.length - 1]!.step : 0;
    for (let i = 1; i < lines.length; i++) {
      if (lines[i]!.step <= lines[i - 1]!.step) {
        problems.push(`steps out of order at line ${i + 1} (step ${lines[i]!.step} after ${lines[i - 1]!.step})`);
        inconsistent = true;
        break;
      }
    }
    if (lastStep < runLastStep) {
      problems.push(`control sums end at step ${lastStep} but the runs reach step ${runLastStep}`);
      incomplete = true;
    }
    const batchChecksums = lines.length > 0 && lines.every((l) => typeof l.batch === "string" && l.batch.length > 0);
    if (!batchChecksums) {
      problems.push("batch checksums missing on some steps");
      incomplete = true;
    }
    // Separate records for one seed (variants run apart): they must agree step by step.
    for (const other of records.slice(1)) {
      const theirs = new Map(other.lines.map((l) => [l.step, l]));
      for (const l of lines) {
        const o = theirs.get(l.step);
        if (!o) continue;
        if (l.batch !== o.batch) {
          problems.push(`batch checksum differs at step ${l.step} between ${(first.variants ?? ["?"]).join("+")} and ${(other.variants ?? ["?"]).join("+")}`);
          inconsistent = true;
          break;
        }
        const os = new Map(o.streams.map((s) => [s.stream, s]));
        const bad = l.streams.find((s) => os.has(s.stream) && (os.get(s.stream)!.draws !== s.draws || os.get(s.stream)!.state !== s.state));
        if (bad) {
          problems.push(`stream ${bad.stream} differs at step ${l.step} between ${(first.variants ?? ["?"]).join("+")} and ${(other.variants ?? ["?"]).join("+")}`);
          inconsistent = true;
          break;
        }
      }
    }
    const streams = [...new Set(lines.flatMap((l) => l.streams.map((s) => s.stream)))].sort();
    seeds.push({ seed, variants: [...new Set([...variants, ...records.flatMap((r) => r.variants ?? [])])], steps: lines.length, lastStep, runLastStep, streams, batchChecksums, problems });
  }
  // Across seeds: the same streams, and the same number of draws per step (an extra draw shows up here).
  const withLines = study.checks.filter((c) => c.lines.length > 0);
  if (withLines.length >= 2) {
    const sets = new Set(seeds.filter((s) => s.steps > 0).map((s) => s.streams.join(",")));
    if (sets.size > 1) notes.push("seeds use different sets of random streams");
    const ref = withLines[0]!;
    const refDraws = new Map(ref.lines.map((l) => [l.step, new Map(l.streams.map((s) => [s.stream, s.draws]))]));
    let diffNote: string | undefined;
    for (const c of withLines.slice(1)) {
      for (const l of c.lines) {
        const r = refDraws.get(l.step);
        if (!r) continue;
        const bad = l.streams.find((s) => r.has(s.stream) && r.get(s.stream) !== s.draws);
        if (bad) {
          diffNote = `draw counts differ between seed ${ref.seed} and seed ${c.seed}, first at step ${l.step} on stream ${bad.stream} (${r.get(bad.stream)} vs ${bad.draws}); expected only if the number of draws depends on the data`;
          break;
        }
      }
      if (diffNote) break;
    }
    notes.push(diffNote ?? "every seed made the same number of draws on every stream at every step");
  }
  const status: ReproStatus = inconsistent ? "inconsistent" : incomplete ? "incomplete" : "consistent";
  const recorded = seeds.filter((s) => s.steps > 0).length;
  const summary =
    status === "consistent"
      ? `control sums and batch checksums recorded for all ${recorded} seeds, covering every logged step; variants of a seed share one batch stream`
      : status === "incomplete"
        ? `control sums recorded for ${recorded} of ${seeds.length} seeds; see the problems below`
        : "the records disagree: a run drew random numbers differently or saw different batches; see the problems below";
  return { status, summary, seeds, notes, fingerprints };
}

/** Final value of a metric per run: the value at its last logged step. */
function finalValue(r: RunData, metric: string): number | undefined {
  const pts = r.scalars[metric];
  return pts && pts.length > 0 ? pts[pts.length - 1]!.value : undefined;
}

/** Everything the report shows, computed from a study. */
export function buildReportModel(study: StudyData, options: ReportOptions = {}): ReportModel {
  if (study.runs.length === 0) throw new Error(`study ${study.name} has no runs yet`);
  const warnings: string[] = [];
  const variants = variantOrder(study, options.reference);
  const reference = variants[0]!;
  const metric = options.metric ?? defaultMetric(study.runs);
  const tags = allTags(study.runs);
  if (!tags.includes(metric)) throw new Error(`no runs have the metric "${metric}"; available: ${tags.join(", ")}`);
  const higherIsBetter = !(options.lowerIsBetter ?? guessLowerIsBetter(metric));
  const seedsAll = sortSeeds(study.runs.map((r) => r.seed));

  // Final values; a seed with a non-finite value in any variant is left out of every variant (keeps pairs).
  const finals = new Map<string, Map<string, number>>();
  const badSeeds = new Set<string>();
  for (const r of study.runs) {
    const v = finalValue(r, metric);
    if (v === undefined) continue;
    if (!Number.isFinite(v)) {
      badSeeds.add(r.seed);
      warnings.push(`${r.variant} seed ${r.seed}: final ${metric} is ${v} (diverged); seed ${r.seed} is left out of the statistics of every variant so that pairs stay intact`);
    }
    let m = finals.get(r.variant);
    if (!m) finals.set(r.variant, (m = new Map()));
    m.set(r.seed, v);
  }
  const diverged = study.runs.filter((r) => r.status === "diverged" || r.status === "failure" || r.status === "failed");
  for (const r of diverged) if (!badSeeds.has(r.seed)) warnings.push(`${r.variant} seed ${r.seed} ended with status "${r.status}"`);
  const running = study.runs.filter((r) => r.status === "running");
  if (running.length > 0) warnings.push(`${running.length} run(s) still running: their latest ${metric} is used as the final value`);

  const final: FinalSample = {
    metric,
    higherIsBetter,
    reference,
    variants: variants.map((name) => ({
      name,
      values: sortSeeds((finals.get(name) ?? new Map()).keys())
        .filter((s) => !badSeeds.has(s))
        .map((seed) => ({ seed, value: finals.get(name)!.get(seed)! })),
    })),
  };

  let analysis: Analysis | null = null;
  let analysisError: string | undefined;
  const withValues = final.variants.filter((v) => v.values.length > 0);
  if (withValues.length >= 2 && withValues[0]!.name === reference) {
    try {
      analysis = analyzeResults(sampleTable({ ...final, variants: withValues }), { metric, lowerIsBetter: !higherIsBetter, reference });
    } catch (e) {
      analysisError = (e as Error).message;
    }
  } else if (withValues.length < 2) analysisError = "a verdict needs at least two variants with a final value";
  else analysisError = `the reference variant "${reference}" has no final ${metric} yet`;

  const verdictExtra: VerdictExtra[] = [];
  if (analysis) {
    const byName = new Map(final.variants.map((v) => [v.name, new Map(v.values.map((x) => [x.seed, x.value]))]));
    for (const c of analysis.comparisons) {
      let ratio: number | null = null;
      if (c.paired) {
        const a = byName.get(c.a)!, b = byName.get(c.b)!;
        const seeds = [...a.keys()].filter((s) => b.has(s));
        if (seeds.length >= 2) ratio = pairingGain(seeds.map((s) => a.get(s)!), seeds.map((s) => b.get(s)!)).varianceRatio;
      }
      verdictExtra.push({ b: c.b, pairingVarianceRatio: ratio });
    }
  }

  const curveTags = options.curveTags ?? (() => {
    const std = STANDARD_CURVES.filter((t) => tags.includes(t));
    const others = tags.filter((t) => !t.startsWith("paired/") && t !== "epoch" && !std.includes(t));
    return [...new Set([metric, ...std, ...others])].slice(0, MAX_CURVES);
  })();
  const twinTrained = study.twinTrained ?? (study.checks.some((c) => c.lines.length > 0) || tags.some((t) => t.startsWith("paired/")));
  const curves = curveTags.map((t) => buildCurve(study, t, variants, reference, twinTrained)).filter((c): c is CurveData => c !== undefined);
  const pairedCurves = curveTags.map((t) => buildPairedCurve(study, t, variants, reference, twinTrained)).filter((c): c is CurveData => c !== undefined);

  const runs = study.runs.map((r) => {
    const v = finalValue(r, metric);
    return {
      variant: r.variant,
      seed: r.seed,
      status: r.status ?? "unknown",
      lastStep: Math.max(0, ...Object.values(r.scalars).map((p) => (p.length ? p[p.length - 1]!.step : 0))),
      final: v === undefined ? null : v,
      where: r.where,
      notes: r.notes ?? [],
    };
  });

  return {
    study: study.name,
    source: study.source,
    generatedAt: new Date().toISOString(),
    variants,
    reference,
    seeds: seedsAll,
    runs,
    metric,
    higherIsBetter,
    twinTrained,
    analysis,
    ...(analysisError !== undefined ? { analysisError } : {}),
    verdictExtra,
    curves,
    pairedCurves,
    final,
    distribution: distributionData(final),
    differences: differenceData(final, analysis, twinTrained),
    variance: varianceData(study, final),
    power: powerData(final, analysis),
    expectedMax: expectedMaxData(final),
    repro: reproData(study),
    warnings,
  };
}
