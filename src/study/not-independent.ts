/**
 * Runs that are not independent seeds: a study made with `twin seeds --vary
 * each` (one random factor changed at a time around a root run) or a grid
 * keeps each run in its own run folder, so a log folder read as "one folder
 * per seed" would count every one of them as a seed. Their factor seeds tell
 * them apart: in a run of all factors varied together every factor seed is
 * the same, while a one-factor run or a grid cell has factor seeds that
 * differ. Factors whose seed is the same in every run of the variant (a
 * shared split, a factor the plan held fixed) say nothing and are left out
 * of the test. The verdict sets such runs aside (whole seeds: every variant's
 * run of that seed); only the variance by factor reads them.
 */
import { seedsText } from "./seeds-text.ts";

export interface FactorSeeded {
  variant: string;
  seed: string;
  factorSeeds?: Record<string, string>;
}

/** What the verdict set aside, as `--json` carries it (`set_aside`) and the text says it (`note`). */
export interface SetAside {
  /** Runs set aside, every variant's. */
  runs: number;
  /** Their seeds (log folders' seed-<n>, the store's "<root>:<factor>=<seed>"), in the order met. */
  seeds: string[];
  /** Seeds the verdict rests on: those whose runs vary every factor together. */
  kept_seeds: number;
  /** Runs set aside that diverged or failed (in the order met): the verdict's failure counts are the kept seeds' only, so these are said here. */
  did_not_finish: EndedRun[];
  /** The one line the verdict prints. */
  note: string;
}

/** Why there is no verdict when every run is set aside (twin stats's error, the report's and dashboard's "No verdict"). */
export const NONE_INDEPENDENT = "every run changes one random factor at a time or sits on a grid (their factor seeds differ, as twin seeds --vary or a grid makes them): none is an independent seed to rest a verdict on";

/** A run that ended without a result. */
export interface EndedRun {
  variant: string;
  seed: string;
  outcome: "diverged" | "failed";
}

/** "base seed 5 diverged, wide seed 7 failed" (the first eight, and how many in all). */
export function endedRunsText(runs: readonly EndedRun[]): string {
  const text = runs.slice(0, 8).map((r) => `${r.variant} seed ${r.seed} ${r.outcome}`);
  return text.join(", ") + (runs.length > 8 ? `, … (${runs.length} in all)` : "");
}

/** The factors whose seed differs between some of the runs (sorted; a run without the factor counts as one more seed). */
function variedFactors(runs: readonly FactorSeeded[]): string[] {
  const factors = new Set<string>();
  for (const r of runs) if (r.factorSeeds) for (const f of Object.keys(r.factorSeeds)) factors.add(f);
  // Some run's seed unlike the first run's (no set of every run's seeds: the finish asks this of 10,000 runs).
  return [...factors].sort().filter((f) => {
    const first = runs[0]?.factorSeeds?.[f];
    return runs.some((r) => r.factorSeeds?.[f] !== first);
  });
}

/** Whether a run's seeds of the `varied` factors are not all one seed (a missing one counts as a seed of its own). */
function differ(r: FactorSeeded, varied: readonly string[]): boolean {
  const first = r.factorSeeds![varied[0]!];
  for (let i = 1; i < varied.length; i++) if (r.factorSeeds![varied[i]!] !== first) return true;
  return false;
}

/** The runs whose varied factor seeds differ from one another (one factor at a time, or a grid cell), by variant in the given order. */
export function runsNotAllVaried<T extends FactorSeeded>(runs: readonly T[]): T[] {
  const byVariant = new Map<string, T[]>();
  for (const r of runs) if (r.factorSeeds) (byVariant.get(r.variant) ?? byVariant.set(r.variant, []).get(r.variant)!).push(r);
  const out: T[] = [];
  for (const group of byVariant.values()) {
    const varied = variedFactors(group);
    if (varied.length < 2) continue;
    for (const r of group) if (differ(r, varied)) out.push(r);
  }
  return out;
}

/**
 * The runs the variance by factor may count as "all varied": those of a
 * variant that no rule sets aside, when its runs vary at least two factors
 * (with one factor varied, as `twin seeds --vary init` makes them, no run
 * varies the others, and every run belongs to that factor).
 */
export function allVariedRuns<T extends FactorSeeded>(runs: readonly T[]): T[] {
  if (variedFactors(runs).length < 2) return [];
  const odd = new Set(runsNotAllVaried(runs));
  return runs.filter((r) => r.factorSeeds && !odd.has(r));
}

/**
 * The runs a verdict rests on: every run of a seed none of whose runs
 * changes one factor at a time or sits on a grid (runsNotAllVaried), and
 * what was set aside (null when nothing was). `variance` says where the
 * runs set aside are read instead, for the note; `outcome` tells a run that
 * diverged or failed (undefined: it has a result, or has not ended), which the
 * note names: the verdict's failure counts are the kept seeds' only.
 */
export function setAsideNotAllVaried<T extends FactorSeeded>(runs: readonly T[], variance: string, outcome?: (run: T) => EndedRun["outcome"] | undefined): { kept: T[]; setAside: SetAside | null } {
  const odd = runsNotAllVaried(runs);
  if (odd.length === 0) return { kept: [...runs], setAside: null };
  const seeds = new Set(odd.map((r) => r.seed));
  const kept = runs.filter((r) => !seeds.has(r.seed));
  const aside = runs.length - kept.length;
  const keptSeeds = new Set(kept.map((r) => r.seed)).size;
  const list = [...seeds];
  const ended: EndedRun[] = [];
  for (const r of runs) {
    const o = seeds.has(r.seed) ? outcome?.(r) : undefined;
    if (o) ended.push({ variant: r.variant, seed: r.seed, outcome: o });
  }
  const note =
    `${aside} run${aside === 1 ? "" : "s"} set aside (${seedsText(list)}): they change one random factor at a time or sit on a grid (their factor seeds differ, as twin seeds --vary or a grid makes them), so they are not independent seeds; ` +
    (keptSeeds === 0 ? `no seed varies every factor together, so there is no verdict, ${variance}` : `the verdict rests on the ${keptSeeds} seed${keptSeeds === 1 ? "" : "s"} with every factor varied together, ${variance}`) +
    (ended.length > 0 ? `. Of the runs set aside, ${endedRunsText(ended)}: ${keptSeeds === 0 ? "not in the variance by factor" : `not counted in the verdict's failures (those are the ${keptSeeds} seed${keptSeeds === 1 ? "'s" : "s'"}), nor in the variance by factor`}` : "");
  return { kept, setAside: { runs: aside, seeds: list, kept_seeds: keptSeeds, did_not_finish: ended, note } };
}
