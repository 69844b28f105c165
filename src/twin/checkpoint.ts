/**
 * Checkpoint folders of a twin run: <dir>/step-<k>/ with state.json (the
 * trainer's state: streams, loader position, control sums, run chain, and each
 * variant's JSON state), one safetensors file per variant model and optimizer,
 * and manifest.json (the SHA-256 of every other file).
 *
 * Writing is atomic: the folder is filled under a temporary name, every file
 * and the folder are fsynced, and only then is it renamed into place, so a
 * listed checkpoint is complete. The checkpoint's own hash is the SHA-256 of its
 * manifest; the caller may record it elsewhere (the store) and hand it back.
 *
 * On load every file is checked against the manifest (and the manifest against
 * the recorded hash): a damaged checkpoint is reported, set aside as
 * step-<k>.damaged-<time>, and the previous valid one is used; with none left
 * the run starts from scratch. A corrupted checkpoint is never resumed from.
 */
import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { LoaderState } from "../data/loader.ts";
import type { ControlSum, StreamState } from "../rng/stream.ts";
import type { VariantCheckpoint } from "./variant-runner.ts";
import { CHECKPOINTS_KEPT } from "./defaults.ts";
import { processExists } from "../log/local-process.ts";

const PREFIX = "step-";
const MANIFEST = "manifest.json";
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

interface Manifest {
  version: 1;
  step: number;
  files: Record<string, string>;
}

/** A checkpoint as written: its folder, step and content hash (SHA-256 of its manifest). */
export interface CheckpointInfo {
  step: number;
  path: string;
  sha256: string;
}

/** A checkpoint that failed its check on load, and why (the file named when one file is at fault). */
export interface DamagedCheckpoint {
  path: string;
  step: number;
  /** The damaged file inside the checkpoint folder, when one is to blame. */
  file?: string;
  reason: string;
  /** Where the damaged folder was moved (kept for inspection, never loaded again). */
  movedTo: string;
}

/** Where checkpoints go and what to do around them (TwinConfig.checkpoint). */
export interface CheckpointOptions {
  dir: string;
  every: number;
  /** Content hashes recorded elsewhere (the store), by step: a checkpoint whose manifest hash differs is damaged. */
  expected?: ReadonlyMap<number, string>;
  /** Called after each checkpoint is in place (e.g. to record its hash in the store). */
  onSaved?: (checkpoint: CheckpointInfo) => void | Promise<void>;
  /** Called for each damaged checkpoint skipped on load (default: a warning on stderr). */
  onDamaged?: (damaged: DamagedCheckpoint) => void;
  /** Called when the run continues from a checkpoint, with its step. */
  onResume?: (step: number) => void;
}

export function checkpointPath(dir: string, step: number): string {
  return join(dir, `${PREFIX}${String(step).padStart(8, "0")}`);
}

/** Checkpoint folders in dir, oldest first (temporary and set-aside folders excluded). */
function listCheckpoints(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => new RegExp(`^${PREFIX}\\d+$`).test(f))
    .sort();
}

/** The newest checkpoint folder in dir (not checked: see latestValidCheckpoint), or undefined. */
export function latestCheckpoint(dir: string): string | undefined {
  const all = listCheckpoints(dir);
  return all.length ? join(dir, all[all.length - 1]) : undefined;
}

/** The training step a checkpoint folder was written at. */
export function checkpointStep(folder: string): number {
  return Number(new RegExp(`${PREFIX}(\\d+)$`).exec(folder)?.[1] ?? 0);
}

/** Removes all but the newest checkpoints, and the half-written folders of writers that are gone (a kill -9 mid-write). */
export function pruneCheckpoints(dir: string, keep = CHECKPOINTS_KEPT): void {
  for (const old of listCheckpoints(dir).slice(0, -keep)) rmSync(join(dir, old), { recursive: true, force: true });
  // A shared checkpoint folder (NFS, for distributed workers) holds other machines' writers too: only this one's are checked.
  const host = hostname();
  for (const f of readdirSync(dir)) {
    const writer = new RegExp(`^${PREFIX}\\d+\\.tmp-(.+)-(\\d+)$`).exec(f);
    if (writer && writer[1] === host && !processExists(Number(writer[2]))) rmSync(join(dir, f), { recursive: true, force: true });
  }
}

function sha256(bytes: Buffer | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** fsync a file or folder, so that a crash after the rename cannot leave an empty or partial file. */
function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes the checkpoint of `state.step` into dir: the variants write their
 * files into a temporary folder (saveVariants returns their JSON state), then
 * state.json and the manifest; everything is fsynced, the folder renamed into
 * place (replacing one of the same step) and older ones pruned. Returns the
 * checkpoint's content hash.
 */
export async function writeCheckpoint(
  dir: string,
  state: TrainerState,
  saveVariants: (folder: string) => Promise<Record<string, VariantCheckpoint>>,
): Promise<CheckpointInfo> {
  const final = checkpointPath(dir, state.step);
  const tmp = `${final}.tmp-${hostname()}-${process.pid}`;
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
  const files: Record<string, string> = {};
  for (const name of readdirSync(tmp).sort()) {
    files[name] = sha256(readFileSync(join(tmp, name)));
    fsyncPath(join(tmp, name));
  }
  const manifest = JSON.stringify({ version: 1, step: state.step, files } satisfies Manifest);
  writeFileSync(join(tmp, MANIFEST), manifest);
  fsyncPath(join(tmp, MANIFEST));
  fsyncPath(tmp);
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  fsyncPath(dirname(final));
  pruneCheckpoints(dir);
  return { step: state.step, path: final, sha256: sha256(manifest) };
}

/** Why a checkpoint folder cannot be trusted, or undefined when every file matches its manifest (and the manifest `expected`). */
export function checkCheckpoint(folder: string, expected?: string): { file?: string; reason: string } | undefined {
  const manifestPath = join(folder, MANIFEST);
  if (!existsSync(manifestPath)) return { file: MANIFEST, reason: "it has no manifest (written by an older twin, or cut short)" };
  const text = readFileSync(manifestPath);
  const actual = sha256(text);
  if (expected !== undefined && actual !== expected) {
    return { file: MANIFEST, reason: `its manifest's SHA-256 ${actual.slice(0, 12)}… differs from the one recorded when it was written (${expected.slice(0, 12)}…)` };
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text.toString("utf8")) as Manifest;
  } catch (e) {
    return { file: MANIFEST, reason: `its manifest is not valid JSON (${(e as Error).message})` };
  }
  if (manifest?.version !== 1 || typeof manifest.files !== "object" || manifest.files === null) {
    return { file: MANIFEST, reason: "its manifest is not a twin checkpoint manifest" };
  }
  if (!(STATE_FILE in manifest.files)) return { file: STATE_FILE, reason: `its manifest lists no ${STATE_FILE}` };
  for (const [name, hash] of Object.entries(manifest.files)) {
    const file = join(folder, name);
    if (!existsSync(file)) return { file: name, reason: `${name} is missing` };
    const got = sha256(readFileSync(file));
    if (got !== hash) return { file: name, reason: `${name} has SHA-256 ${got.slice(0, 12)}…, its manifest says ${String(hash).slice(0, 12)}…` };
  }
  return undefined;
}

/** The warning for a damaged checkpoint: which file, why, where it went. */
export function describeDamaged(d: DamagedCheckpoint): string {
  return (
    `checkpoint ${d.file ? join(d.path, d.file) : d.path} is damaged (${d.reason}); ` +
    `it was moved to ${d.movedTo} and the run continues from the previous valid checkpoint, or from the start`
  );
}

function warnDamaged(d: DamagedCheckpoint): void {
  process.stderr.write(`twin: warning: ${describeDamaged(d)}\n`);
}

/**
 * The newest checkpoint in dir whose files all match their manifest (and whose
 * manifest matches `expected` where a hash was recorded), or undefined. Damaged
 * ones are reported through onDamaged and moved aside so they are never loaded.
 */
export function latestValidCheckpoint(dir: string, options: Pick<CheckpointOptions, "expected" | "onDamaged"> = {}): string | undefined {
  for (const name of listCheckpoints(dir).reverse()) {
    const folder = join(dir, name);
    const step = checkpointStep(folder);
    const problem = checkCheckpoint(folder, options.expected?.get(step));
    if (problem === undefined) return folder;
    const movedTo = `${folder}.damaged-${Date.now()}`;
    renameSync(folder, movedTo);
    (options.onDamaged ?? warnDamaged)({ path: folder, step, ...problem, movedTo });
  }
  return undefined;
}

/** Reads a checkpoint folder written by writeCheckpoint (check it first: latestValidCheckpoint). */
export function readCheckpoint(folder: string): { state: TrainerState; variants: Record<string, VariantCheckpoint> } {
  const path = join(folder, STATE_FILE);
  let file: StateFile;
  try {
    file = JSON.parse(readFileSync(path, "utf8")) as StateFile;
  } catch (e) {
    throw new Error(`checkpoint state ${path} cannot be read (${(e as Error).message}); remove the folder ${folder} to start the run over`);
  }
  if (file.version !== VERSION) throw new Error(`checkpoint ${folder} was written by another version of twin's trainer; remove it to start over`);
  const { version: _version, variants, streams, ...rest } = file;
  return {
    state: { ...rest, streams: Object.fromEntries(Object.entries(streams).map(([k, s]) => [k, { ...s, generator: Uint8Array.from(Buffer.from(s.generator, "base64")) }])) },
    variants,
  };
}
