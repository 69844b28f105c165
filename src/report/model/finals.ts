/**
 * Final values over seeds: the distribution per variant (density, black
 * swans, mean and its interval) and the per-seed paired differences. Beyond
 * MAX_DOTS seeds per variant the dots are a fixed sample by seed hash, and
 * every black swan is still drawn.
 */
import { describedMean, detectBlackSwans, SWAN_MIN_SEEDS, tInterval, tooFewSeedsForSwans } from "../../stats/index.ts";
import { gaussianKde, silvermanBandwidth } from "../../stats/kde.ts";
import type { Analysis } from "../../study/analyze.ts";
import { LEVEL } from "./curves.ts";
import { firstBySeedHash } from "./sample.ts";
import type { DifferenceData, DistributionData, FinalSample } from "./types.ts";

/** Seeds drawn as dots per variant (and per comparison) before the dots become a sample. */
export const MAX_DOTS = 200;
/** False-alarm rate of the black-swan cut-off on normal seeds (the calibrated detector, as in the verdict and `twin seeds`). */
export const SWAN_FALSE_ALARM = 0.05;

/** The seeds drawn: all, or the MAX_DOTS of smallest hash. */
function dotSample(seeds: readonly string[]): Set<string> | undefined {
  if (seeds.length <= MAX_DOTS) return undefined;
  return new Set(firstBySeedHash(seeds, MAX_DOTS));
}

/** What distributionData draws apart from the verdict's seeds: the final values of every run (set-aside runs too), and the runs that ended without a result. */
export interface RunsApart {
  everyRun: FinalSample;
  ended: readonly { variant: string; seed: string; outcome: "diverged" | "failed"; setAside: boolean }[];
}

/** Runs set aside with a final value (every run's sample less the verdict's), at most MAX_DOTS per variant by seed hash, then those that ended without a result. */
function runsApart(sample: FinalSample, apart: RunsApart | undefined): Pick<DistributionData, "apart" | "setAsideCounts"> {
  const out: DistributionData["apart"] = [];
  const setAsideCounts: Record<string, number> = {};
  if (!apart) return { apart: out, setAsideCounts };
  for (const v of apart.everyRun.variants) {
    const kept = new Set(sample.variants.find((x) => x.name === v.name)?.values.map((x) => x.seed));
    const aside = v.values.filter((x) => !kept.has(x.seed));
    if (aside.length === 0) continue;
    setAsideCounts[v.name] = aside.length;
    const drawn = dotSample(aside.map((x) => x.seed));
    for (const x of aside) if (!drawn || drawn.has(x.seed)) out.push({ variant: v.name, seed: x.seed, value: x.value, outcome: "set aside", setAside: true });
  }
  for (const r of apart.ended) out.push({ variant: r.variant, seed: r.seed, value: null, outcome: r.outcome, setAside: r.setAside });
  return { apart: out, setAsideCounts };
}

export function distributionData(sample: FinalSample, gridSize = 80, apart?: RunsApart): DistributionData {
  const notes: string[] = [];
  const all = sample.variants.flatMap((v) => v.values.map((x) => x.value));
  let grid: number[] = [];
  // Each variant's bandwidth, computed once: the grid reaches the largest, each density uses its own.
  const bandwidths = sample.variants.map((v) => (v.values.length > 0 ? silvermanBandwidth(v.values.map((x) => x.value)) : NaN));
  if (all.length > 0) {
    const h = Math.max(...bandwidths.filter((b) => !Number.isNaN(b)));
    let lo = Infinity, hi = -Infinity;
    for (const x of all) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    lo -= 2.5 * h;
    hi += 2.5 * h;
    grid = Array.from({ length: gridSize }, (_, i) => lo + ((hi - lo) * i) / (gridSize - 1));
  }
  let summarised = false;
  const variants = sample.variants.map((v, k) => {
    const vals = v.values.map((x) => x.value);
    let zs: (number | null)[] = vals.map(() => null);
    let flagged: boolean[] = vals.map(() => false);
    let threshold: number | null = null;
    if (vals.length >= SWAN_MIN_SEEDS) {
      const bs = detectBlackSwans(vals, { falseAlarm: SWAN_FALSE_ALARM });
      zs = bs.z;
      flagged = vals.map((_, i) => bs.flagged.includes(i));
      threshold = bs.threshold;
      for (const n of bs.notes) notes.push(`${v.name}: ${n}`);
    } else if (vals.length > 0) notes.push(`${v.name}: ${tooFewSeedsForSwans(vals.length)}`);
    const ci = vals.length >= 2 ? tInterval(vals, LEVEL) : null;
    const drawn = dotSample(v.values.map((x) => x.seed));
    if (drawn) summarised = true;
    const points = v.values
      .map((x, i) => ({ seed: x.seed, value: x.value, z: zs[i] ?? null, blackSwan: flagged[i] ?? false }))
      .filter((p) => !drawn || drawn.has(p.seed) || p.blackSwan);
    return {
      name: v.name,
      n: vals.length,
      swans: flagged.filter(Boolean).length,
      threshold,
      points,
      mean: vals.length > 0 ? describedMean(vals) : NaN,
      ci: ci ? ([ci.lo, ci.hi] as [number, number]) : null,
      density: vals.length > 0 ? gaussianKde(vals, grid, bandwidths[k]).map((d, i) => ({ x: grid[i]!, density: d })) : [],
    };
  });
  return { metric: sample.metric, higherIsBetter: sample.higherIsBetter, falseAlarm: SWAN_FALSE_ALARM, summarised, variants, ...runsApart(sample, apart), notes };
}

export function differenceData(sample: FinalSample, analysis: Analysis | null, twinTrained?: boolean): DifferenceData {
  const comparisons: DifferenceData["comparisons"] = [];
  if (analysis) {
    const byName = new Map(sample.variants.map((v) => [v.name, new Map(v.values.map((x) => [x.seed, x.value]))]));
    for (const c of analysis.comparisons) {
      const a = byName.get(c.a)!, b = byName.get(c.b)!;
      const shared = c.paired ? [...a.keys()].filter((s) => b.has(s)) : [];
      const drawn = dotSample(shared);
      // Unpaired comparisons name swans among a variant's own values (the distribution chart marks those).
      const swans = c.paired ? c.black_swans.map((s) => ({ seed: s.seed, z: s.z })) : [];
      const swanSeeds = new Set(swans.map((s) => s.seed));
      const points = shared.filter((s) => !drawn || drawn.has(s) || swanSeeds.has(s)).map((s) => ({ seed: s, diff: b.get(s)! - a.get(s)! }));
      comparisons.push({ a: c.a, b: c.b, paired: c.paired, n: c.n, points, swans, diff: c.diff, ci: c.ci, test: c.test, method: c.method, p: c.p });
    }
  }
  return { metric: sample.metric, higherIsBetter: sample.higherIsBetter, ...(twinTrained !== undefined ? { twinTrained } : {}), comparisons, level: LEVEL };
}
