/**
 * Checkpoint folders of a twin run: <dir>/step-<k>/ with state.json (the
 * trainer's state: streams, loader position, control sums, run chain, and each
 * variant's JSON state) and one safetensors file per variant model and
 * optimizer. Folders are written under a temporary name and renamed into
 * place, so a listed checkpoint is complete.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LoaderState } from "../data/loader.ts";
import type { ControlSum, StreamState } from "../rng/stream.ts";
import type { VariantCheckpoint } from "./variant-runner.ts";
import { CHECKPOINTS_KEPT } from "./defaults.ts";

const PREFIX = "step-";
const STATE_FILE = "state.json";
/** The layout of state.json; a checkpoint of another version is refused, not misread. */
const VERSION = 2;

/** What the trainer itself restores from a checkpoint (the variants restore their own files). */
export interface TrainerState {
  step: number;
  streams: Record<string, StreamState>;
  loader: LoaderState;
  evalCursor: number;
  batchChecksums: string[];
  controlSumsByStep: ControlSum[][];
  runChain: string;
}

type EncodedStream = Omit<StreamState, "generator"> & { generator: string };

interface StateFile extends Omit<TrainerState, "streams" | "loader"> {
  version: typeof VERSION;
  streams: Record<string, EncodedStream>;
  loader: Omit<LoaderState, "permutation"> & { permutation: number[] };
  variants: Record<string, VariantCheckpoint>;
}

export function checkpointPath(dir: string, step: number): string {
  return join(dir, `${PREFIX}${String(step).padStart(8, "0")}`);
}

function listCheckpoints(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(PREFIX) && !f.includes(".tmp-") && existsSync(join(dir, f, STATE_FILE)))
    .sort();
}

/** The newest complete checkpoint in dir, or undefined. */
export function latestCheckpoint(dir: string): string | undefined {
  const all = listCheckpoints(dir);
  return all.length ? join(dir, all[all.length - 1]) : undefined;
}

/** The training step a checkpoint folder was written at. */
export function checkpointStep(folder: string): number {
  return Number(new RegExp(`${PREFIX}(\\d+)$`).exec(folder)?.[1] ?? 0);
}

/** Removes all but the newest checkpoints. */
export function pruneCheckpoints(dir: string, keep = CHECKPOINTS_KEPT): void {
  for (const old of listCheckpoints(dir).slice(0, -keep)) rmSync(join(dir, old), { recursive: true, force: true });
}

/**
 * Writes the checkpoint of `state.step` into dir: the variants write their
 * files into the new folder (saveVariants returns their JSON state), then
 * state.json; the folder is renamed into place and older ones pruned.
 */
export async function writeCheckpoint(
  dir: string,
  state: TrainerState,
  saveVariants: (folder: string) => Promise<Record<string, VariantCheckpoint>>,
): Promise<void> {
  const final = checkpointPath(dir, state.step);
  const tmp = `${final}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const variants = await saveVariants(tmp);
  const file: StateFile = {
    version: VERSION,
    step: state.step,
    streams: Object.fromEntries(Object.entries(state.streams).map(([k, s]) => [k, { ...s, generator: Buffer.from(s.generator).toString("base64") }])),
    loader: { ...state.loader, permutation: Array.from(state.loader.permutation) },
    evalCursor: state.evalCursor,
    batchChecksums: state.batchChecksums,
    controlSumsByStep: state.controlSumsByStep,
    runChain: state.runChain,
    variants,
  };
  writeFileSync(join(tmp, STATE_FILE), JSON.stringify(file));
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  pruneCheckpoints(dir);
}

/** Reads a checkpoint folder written by writeCheckpoint. */
export function readCheckpoint(folder: string): { state: TrainerState; variants: Record<string, VariantCheckpoint> } {
  const file = JSON.parse(readFileSync(join(folder, STATE_FILE), "utf8")) as StateFile;
  if (file.version !== VERSION) throw new Error(`checkpoint ${folder} was written by another version of twin's trainer; remove it to start over`);
  const { version: _version, variants, streams, ...rest } = file;
  return {
    state: { ...rest, streams: Object.fromEntries(Object.entries(streams).map(([k, s]) => [k, { ...s, generator: Uint8Array.from(Buffer.from(s.generator, "base64")) }])) },
    variants,
  };
}
