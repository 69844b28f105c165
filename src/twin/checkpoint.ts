/**
 * Checkpoints of a whole twin run: every variant's weights, buffers, optimizer
 * and schedule state, every random stream, the loader position and the run's
 * history, written atomically (a temporary folder renamed into place), so a
 * run resumed at step k continues bit-identically.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadSafetensors, saveSafetensors } from "../torch/safetensors.ts";
import type { Tensor } from "../torch/tensor.ts";

export interface CheckpointFiles {
  /** JSON-serialisable run state. */
  state: unknown;
  /** Tensors per file name (one safetensors file each). */
  tensors: Record<string, Record<string, Tensor>>;
}

const PREFIX = "step-";

export function checkpointPath(dir: string, step: number): string {
  return join(dir, `${PREFIX}${String(step).padStart(8, "0")}`);
}

export function writeCheckpoint(dir: string, step: number, files: CheckpointFiles, keep = 2): string {
  mkdirSync(dir, { recursive: true });
  const final = checkpointPath(dir, step);
  const tmp = `${final}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  for (const [name, tensors] of Object.entries(files.tensors)) saveSafetensors(join(tmp, `${name}.safetensors`), tensors);
  writeFileSync(join(tmp, "state.json"), JSON.stringify(files.state));
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  for (const old of listCheckpoints(dir).slice(0, -keep)) rmSync(join(dir, old), { recursive: true, force: true });
  return final;
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

export function readCheckpoint(path: string): CheckpointFiles {
  const state: unknown = JSON.parse(readFileSync(join(path, "state.json"), "utf8"));
  const tensors: Record<string, Record<string, Tensor>> = {};
  for (const f of readdirSync(path)) {
    if (f.endsWith(".safetensors")) tensors[f.slice(0, -".safetensors".length)] = loadSafetensors(join(path, f)).tensors;
  }
  return { state, tensors };
}
