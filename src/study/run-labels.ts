/**
 * Run labels that keep every planned run's log folder its own. A label is the
 * `<n>` of `<variant>/seed-<n>/`, and each seed plan numbers its runs from
 * its own start: `twin compare --seeds 5` labels roots 0..4, and a later
 * `twin seeds --vary each --n 2` in the same study labels its one-factor run
 * "root 0, init seed 1" 3 as well. Two runs of different seeds under one label
 * would share a folder, and the one trained first would be moved aside
 * (log/run-folder.ts) and left out of every analysis of the log folder.
 *
 * So a planned run takes the label of a stored run of the study with the same
 * seeds (the same seed run again: a rerun, or after --allow-changed, whose
 * earlier run is meant to be moved aside), and otherwise keeps its planned
 * label unless a stored run of other seeds holds it; then it gets a new label
 * after every label in use. A run with a shared split (split-mode.ts) is the
 * same seed as the per-seed run of its other seeds: one seed run in the other
 * split mode, whose earlier run is moved aside as before.
 */
import type { RunRecord } from "../store/index.ts";
import { resolveFactorSeeds } from "../rng/factors.ts";
import type { PlannedRun } from "./seed-plan.ts";

/** The factor whose seed a shared split fixes for a whole study (see the module comment). */
const SPLIT = "split";

/** A run's seeds: root and every factor's seed but the split's as one text, and its split seed (undefined: a shared split). */
interface SeedIdentity {
  seeds: string;
  split: string | undefined;
}

function seedIdentity(root: bigint, seeds: Readonly<Record<string, bigint>>, sharedSplit: boolean): SeedIdentity {
  const factors = Object.keys(seeds).filter((f) => f !== SPLIT).sort();
  return {
    seeds: [root.toString(), ...factors.map((f) => `${f}=${seeds[f]!.toString()}`)].join(","),
    split: sharedSplit ? undefined : seeds[SPLIT]?.toString(),
  };
}

/** Whether two runs are runs of one seed: the same seeds, and the same split seed unless one of them shares a study-wide split. */
function sameSeed(a: SeedIdentity, b: SeedIdentity): boolean {
  return a.seeds === b.seeds && (a.split === undefined || b.split === undefined || a.split === b.split);
}

/** The label a stored twin run was given (its config's), or undefined for a run that has none. */
function storedLabel(run: RunRecord): number | undefined {
  const label = (run.config as { label?: unknown } | null)?.label;
  return typeof label === "number" && Number.isSafeInteger(label) && label >= 0 ? label : undefined;
}

function storedSharedSplit(run: RunRecord): boolean {
  return (run.config as { data?: { split?: unknown } } | null)?.data?.split === "shared";
}

/**
 * `plans` with labels no stored run of other seeds holds (see the module
 * comment). `held`: the study's stored runs; `sharedSplit`: the plan's runs
 * share one split seed. Deterministic: the same plan and the same stored
 * runs give the same labels, so a command run again finds its runs' folders
 * where they were.
 */
export function freeRunLabels(plans: readonly PlannedRun[], held: readonly RunRecord[], sharedSplit = false): PlannedRun[] {
  const taken: { id: SeedIdentity; label: number }[] = [];
  for (const r of held) {
    const label = storedLabel(r);
    if (label !== undefined) taken.push({ id: seedIdentity(r.rootSeed, r.seeds, storedSharedSplit(r)), label });
  }
  let next = Math.max(-1, ...taken.map((t) => t.label), ...plans.map((p) => p.label)) + 1;
  return plans.map((plan) => {
    const id = seedIdentity(BigInt(plan.seed.root), resolveFactorSeeds(plan.seed), sharedSplit);
    const known = taken.find((t) => sameSeed(t.id, id))?.label;
    let label = known ?? plan.label;
    if (known === undefined && taken.some((t) => t.label === label)) label = next++;
    taken.push({ id, label });
    return label === plan.label ? plan : { ...plan, label };
  });
}
