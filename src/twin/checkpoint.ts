/**
 * Checkpoint folders of a twin run: <dir>/step-<k>/ with state.json, one
 * safetensors file per variant model and optimizer, and manifest.json (the
 * SHA-256 of every other file). A folder is written under a temporary name,
 * every file and the folder are fsynced, and only then is it renamed into
 * place, so a listed checkpoint is complete. The checkpoint's own hash is the
 * SHA-256 of its manifest; the caller may record it elsewhere (the store) and
 * hand it back on load.
 *
 * On load every file is checked against the manifest (and the manifest against
 * the recorded hash): a damaged checkpoint is reported, set aside as
 * step-<k>.damaged-<time>, and the previous valid one is used; with none left
 * the run starts from scratch. A silently corrupted resume is never possible.
 */
import { createHash } from "node:crypto";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const PREFIX = "step-";
const MANIFEST = "manifest.json";
/** Checkpoints kept per run (the newest ones): one more than needed, so a damaged newest one has a fallback. */
const KEEP = 2;

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

interface Manifest {
  version: 1;
  step: number;
  files: Record<string, string>;
}

export function checkpointPath(dir: string, step: number): string {
  return join(dir, `${PREFIX}${String(step).padStart(8, "0")}`);
}

function stepOf(path: string): number {
  return Number(/step-(\d+)$/.exec(path)?.[1] ?? NaN);
}

function listCheckpoints(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^step-\d+$/.test(f))
    .sort();
}

function sha256(bytes: Buffer | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** fsync a file or folder so that a crash after the rename cannot leave an empty or partial file. */
function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes the checkpoint of `step` atomically: `fill` writes its files into a
 * temporary folder; the manifest is added, everything fsynced, the folder
 * renamed into place (replacing an older one of the same step) and the parent
 * fsynced. Returns the checkpoint's content hash.
 */
export async function writeCheckpoint(dir: string, step: number, fill: (tmp: string) => Promise<void> | void): Promise<CheckpointInfo> {
  const final = checkpointPath(dir, step);
  const tmp = `${final}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await fill(tmp);
  const files: Record<string, string> = {};
  for (const name of readdirSync(tmp).sort()) {
    const file = join(tmp, name);
    files[name] = sha256(readFileSync(file));
    fsyncPath(file);
  }
  const manifest = JSON.stringify({ version: 1, step, files } satisfies Manifest);
  writeFileSync(join(tmp, MANIFEST), manifest);
  fsyncPath(join(tmp, MANIFEST));
  fsyncPath(tmp);
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  fsyncPath(dirname(final));
  return { step, path: final, sha256: sha256(manifest) };
}

/** Why a checkpoint folder cannot be trusted, or undefined when every file matches its manifest. */
export function checkCheckpoint(path: string, expected?: string): { file?: string; reason: string } | undefined {
  const manifestPath = join(path, MANIFEST);
  if (!existsSync(manifestPath)) return { file: MANIFEST, reason: "it has no manifest (written by an older twin, or cut short)" };
  const text = readFileSync(manifestPath);
  if (expected !== undefined && sha256(text) !== expected) {
    return { file: MANIFEST, reason: `its manifest's SHA-256 ${sha256(text).slice(0, 12)}… differs from the one recorded when it was written (${expected.slice(0, 12)}…)` };
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
  for (const [name, hash] of Object.entries(manifest.files)) {
    const file = join(path, name);
    if (!existsSync(file)) return { file: name, reason: `${name} is missing` };
    const actual = sha256(readFileSync(file));
    if (actual !== hash) return { file: name, reason: `${name} has SHA-256 ${actual.slice(0, 12)}…, the manifest says ${String(hash).slice(0, 12)}…` };
  }
  if (!("state.json" in manifest.files)) return { file: "state.json", reason: "its manifest lists no state.json" };
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
 * manifest matches `expected`, where a hash was recorded), or undefined. Damaged
 * ones are reported through onDamaged and moved aside so they are never loaded.
 */
export function latestValidCheckpoint(dir: string, options: Pick<CheckpointOptions, "expected" | "onDamaged"> = {}): string | undefined {
  for (const name of listCheckpoints(dir).reverse()) {
    const path = join(dir, name);
    const step = stepOf(path);
    const problem = checkCheckpoint(path, options.expected?.get(step));
    if (problem === undefined) return path;
    const movedTo = `${path}.damaged-${Date.now()}`;
    renameSync(path, movedTo);
    (options.onDamaged ?? warnDamaged)({ path, step, ...problem, movedTo });
  }
  return undefined;
}

/** The newest complete checkpoint in dir (not checked; see latestValidCheckpoint), or undefined. */
export function latestCheckpoint(dir: string): string | undefined {
  const all = listCheckpoints(dir);
  return all.length ? join(dir, all[all.length - 1]) : undefined;
}

/** Reads a checked checkpoint's state.json; a parse error names the file. */
export function readCheckpointState<T>(path: string): T {
  const file = join(path, "state.json");
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch (e) {
    throw new Error(`checkpoint state ${file} cannot be read (${(e as Error).message}); remove the folder ${path} to start the run over`);
  }
}

/** Removes all but the newest checkpoints. */
export function pruneCheckpoints(dir: string, keep = KEEP): void {
  for (const old of listCheckpoints(dir).slice(0, -keep)) rmSync(join(dir, old), { recursive: true, force: true });
}
