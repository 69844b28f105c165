/**
 * Which run a seed's log folders belong to. A study can hold two different
 * runs of the same seed (run again with --allow-changed after its study file
 * changed, or with the other split mode): each is a different stored run, and
 * appending the second to the first's `<variant>/seed-<n>/` would interleave
 * their metrics in one metrics.jsonl (curves and final values of two runs read
 * as one). So a run that has an identity (its store run id) marks its folders
 * with it, and a different run that comes to a seed moves the earlier run's
 * folders aside, to `<variant>/seed-<n>.<earlier run id>/` (and its checks
 * file to `_checks/seed-<n>.<earlier run id>.jsonl`): kept whole, shown by
 * TensorBoard as a run of its own, left out of the reports' verdict, which
 * reads `seed-<n>/`, the run trained last. The same run continued (a resume,
 * a retry) keeps appending to its folder. Runs of other seeds get labels of
 * their own (study/run-labels.ts; claimed in `_labels/`, so also when two
 * commands submit at once), so a folder moved aside by a study is an
 * earlier run of the same seed, except in log folders written before that. A sweep's run folders
 * (`.twin/sweeps/<name>/<variant>/seed-<n>/`, emptied before each command)
 * follow the same rule: a variant swept again with another command under
 * --allow-changed moves the earlier runs' folders aside rather than deleting them. A folder without a mark (written
 * before marks existed, or by a run without an identity) is appended to, as
 * before.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readMark } from "./folder-mark.ts";

/** The file in a run folder that names the run whose logs it holds. */
export const RUN_MARK = ".twin-run";

/** The separator between a seed folder's name and the earlier run id of a folder moved aside. */
const EARLIER = ".";

/** The run id a folder is marked with, or undefined (no mark: not a folder of an identified run). */
export function runMarkOf(dir: string): string | undefined {
  return readMark(dir, RUN_MARK);
}

/** `path` with `.<runId>` put before `ext` (a free name: `-2`, `-3`, … added when it is taken). */
function asideName(path: string, runId: string, ext = ""): string {
  const stem = path.slice(0, path.length - ext.length) + EARLIER + runId;
  let candidate = stem + ext;
  for (let k = 2; existsSync(candidate); k++) candidate = `${stem}-${k}${ext}`;
  return candidate;
}

/**
 * The seed folder name of a folder moved aside (`seed-3.<run id>` → `seed-3`),
 * or undefined when `name` is not one.
 */
export function earlierRunOf(name: string): { seedDir: string; runId: string } | undefined {
  const m = /^(seed-\d+)\.(.+)$/.exec(name);
  return m ? { seedDir: m[1]!, runId: m[2]! } : undefined;
}

/**
 * A sweep's run folder (emptied before its command runs) about to be used by
 * run `runId`: when it is marked with another run, that run's folder is moved
 * aside whole and its new place returned; a folder of this run, or unmarked,
 * is left to be emptied as before.
 */
export function moveAsideOtherRun(dir: string, runId: string): { runId: string; to: string } | undefined {
  const mark = runMarkOf(dir);
  if (mark === undefined || mark === runId) return undefined;
  const to = asideName(dir, mark);
  renameSync(dir, to);
  return { runId: mark, to };
}

/** Marks a (new, empty) run folder as run `runId`'s. */
export function markRunFolder(dir: string, runId: string): void {
  writeFileSync(join(dir, RUN_MARK), runId + "\n");
}

/** What {@link claimSeedFolders} moved aside. */
export interface MovedAside {
  /** Earlier run id → the folders (and checks file) it was moved to. */
  moved: Map<string, string[]>;
}

/**
 * Makes `<studyDir>/<variant>/<seedDir>/` the folders of run `runId` for
 * every variant in `variants`: any `<seedDir>` of the study (of any variant)
 * marked with another run id is moved aside with its checks file first; the
 * folders of `variants` are then created and marked. Returns what was moved.
 */
export function claimSeedFolders(studyDir: string, seedDir: string, variants: readonly string[], runId: string): MovedAside {
  const moved = new Map<string, string[]>();
  const note = (id: string, to: string) => moved.set(id, [...(moved.get(id) ?? []), to]);
  let names: string[] = [];
  try {
    names = readdirSync(studyDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith("_") && !e.name.startsWith("."))
      .map((e) => e.name);
  } catch {
    // No study folder yet: nothing to move.
  }
  for (const variant of names) {
    const dir = join(studyDir, variant, seedDir);
    const mark = runMarkOf(dir);
    if (mark === undefined || mark === runId) continue;
    const to = asideName(dir, mark);
    renameSync(dir, to);
    note(mark, to);
  }
  const checks = join(studyDir, "_checks", `${seedDir}.jsonl`);
  const [earlier] = moved.keys();
  if (earlier !== undefined && existsSync(checks)) {
    const to = asideName(checks, earlier, ".jsonl");
    renameSync(checks, to);
    note(earlier, to);
  }
  for (const variant of variants) {
    const dir = join(studyDir, variant, seedDir);
    mkdirSync(dir, { recursive: true });
    // An unmarked folder with logs in it was written before marks existed: it is not claimed (appended to, as then).
    if (runMarkOf(dir) === undefined && readdirSync(dir).length === 0) markRunFolder(dir, runId);
  }
  return { moved };
}
