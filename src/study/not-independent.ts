/**
 * Runs that are not independent seeds: a study made with `twin seeds --vary
 * each` (one random factor changed at a time around a root run) or a grid
 * keeps each run in its own run folder, so a log folder read as "one folder
 * per seed" counts every one of them as a seed. Their factor seeds tell them
 * apart: in a run of all factors varied together every factor seed is the
 * same, while a one-factor run or a grid cell has factor seeds that differ.
 * Factors whose seed is the same in every run of the variant (a shared split,
 * a factor the plan held fixed) say nothing and are left out of the test.
 */
export interface FactorSeeded {
  variant: string;
  seed: string;
  factorSeeds?: Record<string, string>;
}

/** The runs whose varied factor seeds differ from one another (one factor at a time, or a grid cell), by variant in the given order. */
export function runsNotAllVaried(runs: readonly FactorSeeded[]): FactorSeeded[] {
  const byVariant = new Map<string, FactorSeeded[]>();
  for (const r of runs) if (r.factorSeeds) (byVariant.get(r.variant) ?? byVariant.set(r.variant, []).get(r.variant)!).push(r);
  const out: FactorSeeded[] = [];
  for (const group of byVariant.values()) {
    const factors = [...new Set(group.flatMap((r) => Object.keys(r.factorSeeds!)))];
    const varied = factors.filter((f) => new Set(group.map((r) => r.factorSeeds![f])).size > 1);
    for (const r of group) if (new Set(varied.map((f) => r.factorSeeds![f])).size > 1) out.push(r);
  }
  return out;
}

/** The warning when a verdict counts such runs as seeds (the report's, twin stats's on a log folder); undefined when there are none. */
export function notIndependentWarning(runs: readonly FactorSeeded[]): string | undefined {
  const odd = runsNotAllVaried(runs);
  if (odd.length === 0) return undefined;
  const seeds = [...new Set(odd.map((r) => r.seed))];
  const list = seeds.length <= 8 ? seeds.join(", ") : `${seeds.slice(0, 8).join(", ")}, … (${seeds.length} in all)`;
  return (
    `${odd.length} run(s) change one random factor at a time or sit on a grid (seed folders ${list}: their factor seeds differ, as twin seeds --vary each or a grid makes them): ` +
    `they are not independent seeds, yet the verdict counts each as one, so its interval and p are too optimistic; ` +
    `compare on seeds with all factors varied (twin compare, or twin seeds --n N in a log folder of its own); twin report reads these runs as the variance by factor`
  );
}
