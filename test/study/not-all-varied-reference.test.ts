// runsNotAllVaried and allVariedRuns test each factor and run without making a
// set of every run's seeds (the finish asks this of every run). They must set
// aside exactly the runs session 9's version did (kept below as the
// reference): one factor varied, several, grids, runs missing a factor,
// factors held fixed, runs without factor seeds, several variants.
import { test } from "node:test";
import assert from "node:assert/strict";
import { allVariedRuns, runsNotAllVaried, type FactorSeeded } from "../../src/study/not-independent.ts";
import { Xoshiro128 } from "../../src/stats/index.ts";

function referenceVaried(runs: readonly FactorSeeded[]): string[] {
  const factors = [...new Set(runs.flatMap((r) => Object.keys(r.factorSeeds ?? {})))].sort();
  return factors.filter((f) => new Set(runs.map((r) => r.factorSeeds?.[f])).size > 1);
}

function referenceNotAllVaried<T extends FactorSeeded>(runs: readonly T[]): T[] {
  const byVariant = new Map<string, T[]>();
  for (const r of runs) if (r.factorSeeds) (byVariant.get(r.variant) ?? byVariant.set(r.variant, []).get(r.variant)!).push(r);
  const out: T[] = [];
  for (const group of byVariant.values()) {
    const varied = referenceVaried(group);
    for (const r of group) if (new Set(varied.map((f) => r.factorSeeds![f])).size > 1) out.push(r);
  }
  return out;
}

function referenceAllVaried<T extends FactorSeeded>(runs: readonly T[]): T[] {
  if (referenceVaried(runs).length < 2) return [];
  const odd = new Set(referenceNotAllVaried(runs));
  return runs.filter((r) => r.factorSeeds && !odd.has(r));
}

test("runs set aside as not all varied: the same runs as the set-based reference, on 400 random studies", () => {
  const r = new Xoshiro128(31);
  const pick = (n: number): number => Math.floor(r.nextFloat() * n);
  const factorNames = ["init", "order", "dropout", "split"];
  for (let study = 0; study < 400; study++) {
    const runs: FactorSeeded[] = [];
    const variants = ["base", "wide", "deep"].slice(0, 1 + pick(3));
    const factors = factorNames.slice(0, 1 + pick(4));
    const fixed = new Set(factors.filter(() => r.nextFloat() < 0.2));
    for (let i = 0; i < 2 + pick(12); i++) {
      for (const variant of variants) {
        const kind = pick(5);
        if (kind === 0 && study % 3 === 0) {
          runs.push({ variant, seed: String(i) });
          continue;
        }
        const seeds: Record<string, string> = {};
        for (const f of factors) {
          if (kind === 1 && r.nextFloat() < 0.3) continue; // a run without this factor's seed
          seeds[f] = fixed.has(f) ? "7" : kind === 2 ? String(pick(3)) : kind === 3 && f === factors[0] ? String(100 + i) : String(i);
        }
        runs.push({ variant, seed: String(i), factorSeeds: seeds });
      }
    }
    assert.deepStrictEqual(runsNotAllVaried(runs), referenceNotAllVaried(runs), `study ${study}`);
    for (const v of variants) {
      const mine = runs.filter((x) => x.variant === v);
      assert.deepStrictEqual(allVariedRuns(mine), referenceAllVaried(mine), `study ${study}, ${v}`);
    }
  }
});
