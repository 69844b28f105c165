/**
 * Checkpoint folders of a twin run: <dir>/step-<k>/ with state.json and one
 * safetensors file per variant model and optimizer. Folders are written under a
 * temporary name and renamed into place, so a listed checkpoint is complete.
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const PREFIX = "step-";
/** Checkpoints kept per run (the newest ones). */
const KEEP = 2;

export function checkpointPath(dir: string, step: number): string {
  return join(dir, `${PREFIX}${String(step).padStart(8, "0")}`);
}

function listCheckpoints(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(PREFIX) && !f.includes(".tmp-") && existsSync(join(dir, f, "state.json")))
    .sort();
}

/** The newest complete checkpoint in dir, or undefined. */
export function latestCheckpoint(dir: string): string | undefined {
  const all = listCheckpoints(dir);
  return all.length ? join(dir, all[all.length - 1]) : undefined;
}

/** Removes all but the newest checkpoints. */
export function pruneCheckpoints(dir: string, keep = KEEP): void {
  for (const old of listCheckpoints(dir).slice(0, -keep)) rmSync(join(dir, old), { recursive: true, force: true });
}
