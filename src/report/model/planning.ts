/**
 * Planning views of the final values: how many seeds (power), the expected
 * best of n runs, and variance by random factor.
 */
import { describedSd, expectedMaxCurves, minimumDetectableEffect, varianceDecomposition } from "../../stats/index.ts";
import type { Analysis } from "../../study/analyze.ts";
import { allVariedRuns, endedRunsText, runsNotAllVaried, type EndedRun } from "../../study/not-independent.ts";
import { LEVEL } from "./curves.ts";
import type { ExpectedMaxData, FinalSample, PowerData, VarianceData } from "./types.ts";

/** The expected-maximum curve goes up to this many runs (its cost grows with runs × seeds). */
export const EXPECTED_MAX_RUNS = 100;

/** A run's variant, seed and factor seeds: what the variance decomposition needs. */
export interface FactorRun {
  variant: string;
  seed: string;
  factorSeeds?: Record<string, string>;
}

export function powerData(sample: FinalSample, analysis: Analysis | null, opts: { power?: number; alpha?: number } = {}): PowerData {
  const power = opts.power ?? 0.8, alpha = opts.alpha ?? 0.05;
  const base = { metric: sample.metric, power, alpha, comparisons: [] as PowerData["comparisons"] };
  if (!analysis || analysis.comparisons.length === 0) return { ...base, available: false, reason: "needs at least two variants with runs" };
  const byName = new Map(sample.variants.map((v) => [v.name, new Map(v.values.map((x) => [x.seed, x.value]))]));
  // The detectable difference is proportional to the sd (the power depends on difference / sd only): solved once per design and seed count at sd = 1.
  const unitEffects = new Map<string, number>();
  const detectable = (k: number, sd: number, design: "paired" | "two-sample"): number => {
    const key = `${design}:${k}`;
    let unit = unitEffects.get(key);
    if (unit === undefined) unitEffects.set(key, (unit = minimumDetectableEffect(k, 1, { power, alpha, design })));
    return unit * sd;
  };
  for (const c of analysis.comparisons) {
    const a = byName.get(c.a)!, b = byName.get(c.b)!;
    let sd: number, n: number;
    const design: "paired" | "two-sample" = c.paired ? "paired" : "two-sample";
    if (c.paired) {
      const d = [...a.keys()].filter((s) => b.has(s)).map((s) => b.get(s)! - a.get(s)!);
      n = d.length;
      sd = n >= 2 ? describedSd(d) : NaN;
    } else {
      const va = [...a.values()], vb = [...b.values()];
      n = Math.min(va.length, vb.length);
      if (va.length < 2 || vb.length < 2) sd = NaN;
      else sd = Math.sqrt(((va.length - 1) * describedSd(va) ** 2 + (vb.length - 1) * describedSd(vb) ** 2) / (va.length + vb.length - 2));
    }
    if (!(sd > 0) || !Number.isFinite(sd)) continue;
    const maxN = Math.min(64, Math.max(20, 2 * n));
    const curve: { seeds: number; detectable: number }[] = [];
    for (let k = 2; k <= maxN; k++) curve.push({ seeds: k, detectable: detectable(k, sd, design) });
    base.comparisons.push({ a: c.a, b: c.b, design, sd, n, now: curve[n - 2]?.detectable ?? detectable(n, sd, design), observed: Math.abs(c.diff), curve });
  }
  if (base.comparisons.length === 0) return { ...base, available: false, reason: "the spread of the differences is zero or unknown (needs ≥ 2 seeds that differ)" };
  return { ...base, available: true };
}

export function expectedMaxData(sample: FinalSample): ExpectedMaxData {
  const variants = sample.variants.filter((v) => v.values.length > 0);
  // One call for every variant: those with as many seeds share the curve's weights.
  const curves = expectedMaxCurves(variants.map((v) => v.values.map((x) => x.value)), { higherIsBetter: sample.higherIsBetter, maxRuns: EXPECTED_MAX_RUNS });
  return { metric: sample.metric, higherIsBetter: sample.higherIsBetter, variants: variants.map((v, i) => ({ name: v.name, curve: curves[i]! })) };
}

/**
 * Variance by random factor from one-factor-at-a-time runs: for each factor F,
 * the largest set of runs whose other factor seeds are all equal while F's
 * seed differs; the all-varied runs are those whose varied factor seeds all
 * equal each other (every factor follows the root seed; a factor the study
 * holds fixed, such as a shared split, aside: not-independent.ts).
 */
/** Notes of the decomposition that the report says in its own words (the shares sentence, the one few-runs note). */
const SAID_ELSEWHERE = /add up to more than the all-varied|has only \d+ runs|no all-varied runs given|total variance is 0/;

/**
 * `ended`: the runs with factor seeds that diverged or failed (no final value,
 * so not in the decomposition), each marked whether the verdict set it aside:
 * a note names them where the variance is shown, or where runs set aside are
 * among them.
 */
export function varianceData(allRuns: readonly FactorRun[], sample: FinalSample, ended: readonly (EndedRun & { setAside: boolean })[] = []): VarianceData {
  const out: VarianceData = { available: false, metric: sample.metric, factors: [], totals: [], notes: [] };
  const finals = new Map(sample.variants.map((v) => [v.name, new Map(v.values.map((x) => [x.seed, x.value]))]));
  for (const v of sample.variants) {
    const runs = allRuns.filter((r) => r.variant === v.name && r.factorSeeds && finals.get(v.name)!.has(r.seed));
    if (runs.length < 3) continue;
    const factors = [...new Set(runs.flatMap((r) => Object.keys(r.factorSeeds!)))].sort();
    const groups: Record<string, number[]> = {};
    for (const f of factors) {
      const byKey = new Map<string, FactorRun[]>();
      const others = factors.filter((g) => g !== f);
      for (const r of runs) {
        let key = "";
        for (const g of others) key += `${g}=${r.factorSeeds![g] ?? ""},`;
        let arr = byKey.get(key);
        if (!arr) byKey.set(key, (arr = []));
        arr.push(r);
      }
      let best: FactorRun[] = [];
      for (const arr of byKey.values()) {
        // A run alone cannot show its factor's variance (most groups, when every run varies every factor).
        if (arr.length < 2) continue;
        const distinct = new Set(arr.map((r) => r.factorSeeds![f]));
        if (distinct.size >= 2 && distinct.size === arr.length && arr.length > best.length) best = arr;
      }
      if (best.length >= 2) groups[f] = best.map((r) => finals.get(v.name)!.get(r.seed)!);
    }
    if (Object.keys(groups).length === 0) continue;
    const together = allVariedRuns(runs);
    const all = together.length >= 2 ? together.map((r) => finals.get(v.name)!.get(r.seed)!) : undefined;
    try {
      const dec = varianceDecomposition(groups, all, { level: LEVEL });
      for (const f of dec.factors) {
        out.factors.push({ variant: v.name, factor: f.factor, n: f.n, variance: f.variance, sd: f.sd, lo: f.varianceCi[0], hi: f.varianceCi[1], share: f.share, shareCi: f.shareCi, shareCiUncut: f.shareCiUncut });
      }
      out.totals.push({ variant: v.name, total: dec.total, lo: dec.totalCi?.[0] ?? null, hi: dec.totalCi?.[1] ?? null, interaction: dec.interaction, allRuns: all?.length ?? 0 });
      // The shares sentence says whether they add up and why; few runs are said once for the whole section.
      for (const n of dec.notes) if (!SAID_ELSEWHERE.test(n)) out.notes.push(`${v.name}: ${n}`);
    } catch (e) {
      out.notes.push(`${v.name}: ${(e as Error).message}`);
    }
  }
  const few = Math.min(...out.factors.map((f) => f.n));
  if (few < 5) out.notes.unshift(`Some factors have only ${few} runs: their intervals are very wide (more seeds per factor narrow them).`);
  if (out.factors.length > 0) out.available = true;
  // A factor another variant has a row for and this one has not: its runs lacked final values (said below).
  const everyFactor = [...new Set(out.factors.map((f) => f.factor))];
  for (const t of out.totals) {
    const missing = everyFactor.filter((f) => !out.factors.some((x) => x.variant === t.variant && x.factor === f));
    if (missing.length > 0) out.notes.push(`${t.variant}: no row for ${missing.join(", ")}: fewer than 2 of ${missing.length === 1 ? "its" : "their"} runs have a final value.`);
  }
  const aside = ended.filter((r) => r.setAside), kept = ended.filter((r) => !r.setAside);
  if (ended.length > 0 && (out.available || aside.length > 0)) {
    const parts = [...(aside.length ? [`${endedRunsText(aside)} (set aside from the verdict, so not in its failures either)`] : []), ...(kept.length ? [`${endedRunsText(kept)} (counted in the verdict's failures)`] : [])];
    out.notes.push(`Left out of the variance by factor (no final value): ${parts.join("; ")}.`);
  }
  else if (runsNotAllVaried(allRuns).length > 0)
    out.reason = "no factor has 2 runs with a final value that differ in its seed alone (the runs that change one factor at a time are compared with a run whose other factor seeds are the same, such as the root run of twin seeds --vary each)";
  else out.reason = "no one-factor-at-a-time runs in this study (every run varies all random factors together); run a seed study that varies one factor at a time (e.g. seeds: { vary: \"init\" }) to see which factor contributes how much";
  return out;
}

