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
import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
  return a.seeds === b.seeds && sameSplit(a.split, b.split);
}

/** Whether two split seeds are one (undefined: a shared split, the same as any). */
function sameSplit(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
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
 * where they were. Linear in runs: labels in use in a set, and the runs of
 * each seed text in a list of their own (their first match is the first
 * match among all runs, as before).
 */
export function freeRunLabels(plans: readonly PlannedRun[], held: readonly RunRecord[], sharedSplit = false): PlannedRun[] {
  const bySeeds = new Map<string, { split: string | undefined; label: number }[]>();
  const labels = new Set<number>();
  const take = (id: SeedIdentity, label: number) => {
    const same = bySeeds.get(id.seeds);
    if (same) same.push({ split: id.split, label });
    else bySeeds.set(id.seeds, [{ split: id.split, label }]);
    labels.add(label);
  };
  let next = 0;
  for (const r of held) {
    const label = storedLabel(r);
    if (label === undefined) continue;
    take(seedIdentity(r.rootSeed, r.seeds, storedSharedSplit(r)), label);
    next = Math.max(next, label + 1);
  }
  for (const p of plans) next = Math.max(next, p.label + 1);
  return plans.map((plan) => {
    const id = seedIdentity(BigInt(plan.seed.root), resolveFactorSeeds(plan.seed), sharedSplit);
    const known = bySeeds.get(id.seeds)?.find((t) => sameSplit(t.split, id.split))?.label;
    let label = known ?? plan.label;
    if (known === undefined && labels.has(label)) label = next++;
    take(id, label);
    return label === plan.label ? plan : { ...plan, label };
  });
}

/** The folder of a study's log folder where each run label is claimed (a file per label, `seed-<n>`, holding the seeds of its run). */
export const LABELS_DIR = "_labels";

/**
 * `plans` (labelled by freeRunLabels) with each label claimed for its seeds
 * in the study's log folder `studyDir`, so that two commands submitting to
 * one study at the same moment, each having seen the other's runs not yet
 * stored, cannot both take one label for runs of different seeds (one run
 * would be moved aside and left out of every analysis). A claim is a file
 * `_labels/seed-<n>` holding the run's seeds, linked into place whole
 * (link(2) fails when the name exists: of two commands one gets the label);
 * a label claimed by the same seeds is this run's (a rerun, or the other
 * planned run of one stored run); one claimed by other seeds sends the run
 * to the next label after every label claimed or planned, tried the same way.
 */
export function claimRunLabels(studyDir: string, plans: readonly PlannedRun[], sharedSplit = false): PlannedRun[] {
  const dir = join(studyDir, LABELS_DIR);
  mkdirSync(dir, { recursive: true });
  let next = -1;
  const nextFree = () => {
    if (next < 0) {
      next = 0;
      for (const name of readdirSync(dir)) {
        const m = /^seed-(\d+)$/.exec(name);
        if (m) next = Math.max(next, Number(m[1]) + 1);
      }
      for (const p of plans) next = Math.max(next, p.label + 1);
    }
    return next++;
  };
  const own = join(dir, `.claim-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    return plans.map((plan) => {
      const id = seedIdentity(BigInt(plan.seed.root), resolveFactorSeeds(plan.seed), sharedSplit);
      writeFileSync(own, JSON.stringify(id) + "\n");
      for (let label = plan.label; ; label = nextFree()) {
        const claim = join(dir, `seed-${label}`);
        try {
          linkSync(own, claim);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
          if (!sameSeed(claimedSeeds(claim), id)) continue;
        }
        unlinkSync(own);
        return label === plan.label ? plan : { ...plan, label };
      }
    });
  } finally {
    rmSync(own, { force: true });
  }
}

/** The seeds a label's claim holds (a claim that does not read as one holds no seeds any run has). */
function claimedSeeds(path: string): SeedIdentity {
  try {
    const id = JSON.parse(readFileSync(path, "utf8")) as Partial<SeedIdentity>;
    if (typeof id.seeds === "string") return { seeds: id.seeds, split: typeof id.split === "string" ? id.split : undefined };
  } catch {
    // Unreadable or not JSON: the label stays taken.
  }
  return { seeds: "", split: "" };
}
