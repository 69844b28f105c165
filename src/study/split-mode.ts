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
import type { RunRecord } from "../store/types.ts";

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

/** The split mode a stored run was recorded with (runs recorded before split modes existed drew their own). */
function recordedSplitMode(run: RunRecord): SplitMode {
  const data = (run.config as { data?: { split?: unknown } } | null)?.data;
  return data?.split === "shared" ? "shared" : "per-seed";
}

/**
 * Says how a study's stored runs were split when some were recorded with another split
 * mode than `mode` (e.g. "has 4 run(s) recorded with split 'per-seed'"), else undefined.
 */
export function splitModeMix(held: readonly RunRecord[], mode: SplitMode): string | undefined {
  const other = held.filter((r) => recordedSplitMode(r) !== mode);
  if (other.length === 0) return undefined;
  return `has ${other.length} run(s) recorded with split '${recordedSplitMode(other[0]!)}' and this command asks for split '${mode}'`;
}
