/**
 * Seed plans: which twin runs a study makes. Each planned run is one twin run
 * of all variants with its own seeds.
 *
 * - `8` or `{ n: 8 }`: all factors varied together (root seeds first..first+7).
 * - `{ vary: "init", n: 20 }`: one factor at a time: the root seed stays fixed
 *   and only that factor's seed changes (Picard's "seed 3407" design per factor).
 * - `{ vary: ["init", "order"], n: 10 }`: one group per factor, plus `all` runs
 *   when `withAll` is set (needed for a variance decomposition): one study,
 *   whose shared root run is run once and counted in every group.
 * - `{ grid: { init: [0, 1], order: [0, 1, 2] } }`: a small full-factorial grid.
 */
import type { SeedSpec } from "../rng/factors.ts";

export type SeedPlan =
  | number
  | { n: number; first?: number }
  | { vary: string | string[]; n: number; first?: number; withAll?: boolean }
  | { grid: Record<string, number[]>; root?: number };

export interface PlannedRun {
  /** "all", a factor name, or "grid". */
  group: string;
  /**
   * Other groups this run also belongs to: with several groups, the run whose
   * every factor seed is `first` (the shared root run) is planned once and
   * counted in each group.
   */
  alsoIn?: string[];
  /** Run label, unique within the study: the number in the log folder seed-<label>. */
  label: number;
  seed: SeedSpec;
}

/**
 * The most runs one study plans. Each run is a full twin training, so more is
 * a typing slip (1e9), not a study; the bound keeps a slip from silently
 * building a plan that exhausts memory.
 */
export const MAX_PLANNED_RUNS = 10_000;

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`seed plan: n must be a positive integer (got ${n})`);
  if (n > MAX_PLANNED_RUNS) throw new Error(`seed plan: n = ${n} is more than the ${MAX_PLANNED_RUNS} runs a study can plan; use fewer seeds (8 to 30 is usual)`);
}

function checkTotal(total: number, what: string): void {
  if (total > MAX_PLANNED_RUNS) throw new Error(`seed plan: ${what} make ${total} runs, more than the ${MAX_PLANNED_RUNS} a study can plan; use fewer seeds or factors`);
}

export function planRuns(plan: SeedPlan): PlannedRun[] {
  if (typeof plan === "number") return planRuns({ n: plan });
  if ("grid" in plan) {
    const factors = Object.keys(plan.grid);
    if (factors.length === 0) throw new Error("seed plan: a grid needs at least one factor");
    const root = plan.root ?? 0;
    const sizes = factors.map((f) => (Array.isArray(plan.grid[f]) ? plan.grid[f].length : 0));
    checkTotal(sizes.reduce((a, b) => a * b, 1), `the grid's ${sizes.join(" × ")} combinations`);
    let combos: Record<string, number>[] = [{}];
    for (const f of factors) {
      const values = plan.grid[f];
      if (!Array.isArray(values) || values.length === 0) throw new Error(`seed plan: grid factor '${f}' needs a non-empty list of seeds`);
      combos = combos.flatMap((c) => values.map((v) => ({ ...c, [f]: v })));
    }
    return combos.map((factorsSeeds, i) => ({ group: "grid", label: i, seed: { root, factors: factorsSeeds } }));
  }
  checkCount(plan.n);
  const first = plan.first ?? 0;
  if (!("vary" in plan)) {
    return Array.from({ length: plan.n }, (_, i) => ({ group: "all", label: first + i, seed: { root: first + i } }));
  }
  const factors = Array.isArray(plan.vary) ? plan.vary : [plan.vary];
  checkTotal(plan.n * (factors.length + (plan.withAll ? 1 : 0)), `${factors.length} factor(s)${plan.withAll ? " plus all together" : ""} × ${plan.n} seeds`);
  if (factors.length === 1 && !plan.withAll) {
    // The root stays at `first`; the varied factor takes first, first+1, ...
    return Array.from({ length: plan.n }, (_, i) => ({ group: factors[0]!, label: first + i, seed: { root: first, factors: { [factors[0]!]: first + i } } }));
  }
  // Several groups make one study: the shared root run (every factor at
  // `first`) is planned once, and labels are unique across groups (group k's
  // run i is labelled first + k·n + i), so every run has its own log folder.
  const groups = [...(plan.withAll ? ["all"] : []), ...factors];
  const runs: PlannedRun[] = [{ group: groups[0]!, alsoIn: groups.slice(1), label: first, seed: { root: first } }];
  groups.forEach((group, k) => {
    for (let i = 1; i < plan.n; i++) {
      const seed = group === "all" ? { root: first + i } : { root: first, factors: { [group]: first + i } };
      runs.push({ group, label: first + k * plan.n + i, seed });
    }
  });
  return runs;
}
