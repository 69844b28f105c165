/**
 * Whether a study's runs draw their own train/validation split ("per-seed",
 * the default) or share one ("shared"). A shared split seeds the `split`
 * stream once per study: every planned run records the same split seed, so
 * every run validates on the same examples and seed ensembles exist on
 * validation, where a deployment choice can be made without the test set.
 * Why per-seed is the default: docs/deployment.md.
 */
import { resolveFactorSeeds } from "../rng/factors.ts";
import type { PlannedRun } from "./seed-plan.ts";

export type SplitMode = "per-seed" | "shared";

export const SPLIT_MODES: readonly SplitMode[] = ["per-seed", "shared"];

export const DEFAULT_SPLIT_MODE: SplitMode = "per-seed";

/** Checks a split mode given by a user (`where` names the option or field for the error). */
export function parseSplitMode(value: unknown, where: string): SplitMode {
  if (value === "per-seed" || value === "shared") return value;
  throw new Error(`${where}: split must be 'per-seed' (each seed draws its own validation split, the default) or 'shared' (one split for every seed of the study); got ${JSON.stringify(value)}`);
}

/**
 * The plan with one split seed for every run: the first planned run's. A plan
 * that varies the split factor itself cannot share it, and is refused.
 */
export function withSharedSplit(plans: readonly PlannedRun[]): PlannedRun[] {
  const gridSplits = new Set(plans.filter((p) => p.group === "grid").map((p) => resolveFactorSeeds(p.seed).split));
  if (plans.some((p) => p.group === "split" || p.alsoIn?.includes("split")) || gridSplits.size > 1) {
    throw new Error(
      "split 'shared' fixes the split seed for the whole study, but this seed plan varies the split factor itself; " +
        "drop 'split' from the varied factors (with --vary each, name the other factors), or use split 'per-seed'",
    );
  }
  if (plans.length === 0) return [];
  const splitSeed = resolveFactorSeeds(plans[0]!.seed).split!;
  return plans.map((p) => ({ ...p, seed: { ...p.seed, factors: { ...p.seed.factors, split: splitSeed } } }));
}
