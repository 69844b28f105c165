/**
 * Factorial studies: a study may declare factors with levels, e.g.
 *
 *   factors: { optimizer: { sgd: 0.1, adam: 1e-3 }, dropout: { none: 0, some: 0.2 } },
 *   variant: ({ optimizer, dropout }) => ({ model: …, optimizer: … }),
 *
 * and twin trains every combination of the levels as a variant, twin-paired by
 * seed (each seed is one twin run of all combinations). The combination's
 * variant is named by its level names joined by "_" ("adam_some"); the design
 * keeps which levels each one has, so the verdict gives the factorial analysis
 * (factorial-verdict.ts) beside the usual comparisons.
 */
import type { Factor } from "../stats/index.ts";
import type { VariantFactory, VariantParts } from "../twin/types.ts";

/** Factor name -> level name -> the level's value, handed to the study's `variant` builder. */
export type FactorLevels = Record<string, Record<string, unknown>>;

/** The values of one combination: factor name -> the value of its level. */
export type LevelValues<F extends FactorLevels> = { [K in keyof F]: F[K][keyof F[K]] };

export interface FactorialDesign {
  factors: Factor[];
  /** Variant name -> factor -> level name. */
  cells: Record<string, Record<string, string>>;
}

/** The name of a combination of levels in verdicts and results files: "optimizer=adam, augment=flip". */
export function combinationName(levels: Record<string, string>): string {
  return Object.entries(levels).map(([f, l]) => `${f}=${l}`).join(", ");
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Every combination of the factors' levels as a variant factory, named by its levels; errors name the bad factor or level. */
export function expandFactors<F extends FactorLevels>(study: string, factors: F, build: (levels: LevelValues<F>) => VariantParts, taken: readonly string[] = []): { variants: Record<string, VariantFactory>; design: FactorialDesign } {
  const names = Object.keys(factors);
  if (names.length === 0) throw new Error(`defineStudy '${study}': factors is empty; give at least one factor with two levels, or leave factors out`);
  if (typeof build !== "function") throw new Error(`defineStudy '${study}': a study with factors needs variant: (levels) => ({ model, optimizer }) to build each combination`);
  const list: Factor[] = names.map((name) => {
    const levels = Object.keys(factors[name] ?? {});
    if (levels.length < 2) {
      throw new Error(`defineStudy '${study}': factor "${name}" has ${levels.length === 1 ? `one level ("${levels[0]}")` : "no levels"}; a factor needs at least 2 levels to have an effect (hold it fixed in variant() instead)`);
    }
    for (const l of levels) if (!NAME.test(l)) throw new Error(`defineStudy '${study}': level '${l}' of factor "${name}" must be letters, digits, '.', '_' or '-' (it names the combination's log folder)`);
    return { name, levels };
  });
  let combos: Record<string, string>[] = [{}];
  for (const f of list) combos = combos.flatMap((c) => f.levels.map((l) => ({ ...c, [f.name]: l })));
  const variants: Record<string, VariantFactory> = {};
  const cells: Record<string, Record<string, string>> = {};
  for (const levels of combos) {
    const name = list.map((f) => levels[f.name]).join("_");
    if (name in variants || taken.includes(name)) {
      throw new Error(`defineStudy '${study}': the combination ${combinationName(levels)} would be named '${name}', which ${name in variants ? "another combination" : "a variant"} already has; rename a level so that the names differ`);
    }
    const values = Object.fromEntries(list.map((f) => [f.name, factors[f.name]![levels[f.name]!]])) as LevelValues<F>;
    variants[name] = () => build(values);
    cells[name] = levels;
  }
  return { variants, design: { factors: list, cells } };
}
