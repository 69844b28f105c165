/**
 * Fingerprints: everything that could make two runs differ besides their
 * config and seeds — code (git state, hashes of the study file and the sources
 * it imports), dependencies (lockfile), versions, hardware, operating system,
 * data (a content hash of every dataset file, cached) and the split indices.
 * diffFingerprints names what changed between two of them.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from "node:fs";
import { cpus, platform, release, arch } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { canonicalJson, sha256 } from "./hash.ts";

export interface GitState {
  commit: string | null;
  branch: string | null;
  /** Tracked files differ from HEAD (untracked files are not counted; the files they matter for are hashed). */
  dirty: boolean | null;
  /** sha256 of `git diff HEAD --binary` (null when not a git work tree). */
  diffHash: string | null;
}

export interface Fingerprint {
  git: GitState;
  /** sha256 of each given code file (study file and the project sources it imports), keyed by path relative to cwd. */
  files: Record<string, string | null>;
  /** sha256 of package-lock.json in cwd. */
  lockfile: string | null;
  versions: { twin: string | null; node: string; libtorch: string | null };
  threads: number | null;
  cpu: string | null;
  gpu: string | null;
  os: { platform: string; release: string; arch: string };
  /** sha256 of every dataset file, keyed by path relative to cwd. */
  datasets: Record<string, string>;
  /** sha256 of the split indices' bytes. */
  split: string | null;
  argv: string[];
}

export interface FingerprintOptions {
  /** The project folder (git, lockfile, relative paths, .twin/hash-cache.json). Default: process.cwd(). */
  cwd?: string;
  /** The study file and the project sources it imports. */
  files?: readonly string[];
  /** Dataset files or folders (folders are walked recursively). */
  datasets?: readonly string[];
  /** Split indices (their bytes are hashed). */
  splitIndices?: ArrayBufferView | null;
  libtorchVersion?: string | null;
  threads?: number | null;
  gpu?: string | null;
  /** Default: process.argv.slice(2). */
  argv?: readonly string[];
  /** Default: <cwd>/.twin/hash-cache.json. */
  hashCachePath?: string;
}

function git(cwd: string, args: string[]): { ok: boolean; out: Buffer } {
  const r = spawnSync("git", args, { cwd, maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "ignore"] });
  return { ok: !r.error && r.status === 0, out: r.stdout ?? Buffer.alloc(0) };
}

/** The git state of cwd; all fields null when git is missing or cwd is not in a work tree. */
export function gitState(cwd: string = process.cwd()): GitState {
  const none: GitState = { commit: null, branch: null, dirty: null, diffHash: null };
  const inside = git(cwd, ["rev-parse", "--is-inside-work-tree"]);
  if (!inside.ok || inside.out.toString().trim() !== "true") return none;
  const head = git(cwd, ["rev-parse", "--verify", "-q", "HEAD"]);
  const commit = head.ok ? head.out.toString().trim() : null;
  const br = git(cwd, ["symbolic-ref", "-q", "--short", "HEAD"]);
  const branch = br.ok ? br.out.toString().trim() || null : null;
  const status = git(cwd, ["status", "--porcelain", "--untracked-files=no"]);
  const dirty = status.ok ? status.out.length > 0 : null;
  let diffHash: string | null = null;
  if (commit) {
    const diff = git(cwd, ["diff", "HEAD", "--binary", "--no-color", "--no-ext-diff"]);
    diffHash = diff.ok ? sha256(diff.out) : null;
  }
  return { commit, branch, dirty, diffHash };
}

/** sha256 of a file's bytes, read in chunks. */
export function hashFile(path: string): string {
  const h = createHash("sha256");
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest("hex");
}

function relKey(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  const key = rel === "" || rel.startsWith("..") ? path : rel;
  return key.split(sep).join("/");
}

function walk(path: string, out: string[]): void {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) walk(join(path, name), out);
  } else if (st.isFile()) out.push(path);
}

interface CacheEntry {
  size: number;
  mtimeMs: number;
  sha256: string;
}

export interface DatasetHashes {
  /** sha256 per file, keyed by path relative to cwd, sorted. */
  hashes: Record<string, string>;
  /** Files whose hash came from the cache (same path, size and mtime). */
  hits: number;
  /** Files read and hashed now. */
  misses: number;
}

/**
 * Content hashes of dataset files (folders walked recursively), cached in
 * hashCachePath by (absolute path, size, mtimeMs): an unchanged file is not
 * read again.
 */
export function hashDatasetFiles(paths: readonly string[], options: { cwd?: string; hashCachePath?: string } = {}): DatasetHashes {
  const cwd = resolve(options.cwd ?? process.cwd());
  const cachePath = options.hashCachePath ?? join(cwd, ".twin", "hash-cache.json");
  let cache: Record<string, CacheEntry> = {};
  try {
    const parsed = JSON.parse(readFileSync(cachePath, "utf8")) as { version?: number; files?: Record<string, CacheEntry> };
    if (parsed.version === 1 && parsed.files) cache = parsed.files;
  } catch {
    // no cache yet, or unreadable: start afresh
  }
  const files: string[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) throw new Error(`dataset file not found: ${abs}`);
    walk(abs, files);
  }
  let hits = 0;
  let misses = 0;
  const hashes: Record<string, string> = {};
  for (const file of [...new Set(files)].sort()) {
    const st = statSync(file);
    const cached = cache[file];
    let digest: string;
    if (cached && cached.size === st.size && cached.mtimeMs === st.mtimeMs) {
      digest = cached.sha256;
      hits++;
    } else {
      digest = hashFile(file);
      cache[file] = { size: st.size, mtimeMs: st.mtimeMs, sha256: digest };
      misses++;
    }
    hashes[relKey(cwd, file)] = digest;
  }
  if (misses > 0) {
    try {
      mkdirSync(dirname(cachePath), { recursive: true });
      const tmp = `${cachePath}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ version: 1, files: cache }));
      renameSync(tmp, cachePath); // atomic: concurrent writers never leave half a file
    } catch {
      // the cache is only an optimisation
    }
  }
  return { hashes, hits, misses };
}

function twinVersion(): string | null {
  try {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL("../../package.json", import.meta.url)), "utf8")) as { version?: string };
    return pkg.version ?? null;
  } catch {
    return null;
  }
}

function hashOrNull(path: string): string | null {
  try {
    return hashFile(path);
  } catch {
    return null;
  }
}

/** Takes the fingerprint of a run (synchronous work: git, file hashes). */
export async function collectFingerprint(options: FingerprintOptions = {}): Promise<Fingerprint> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const files: Record<string, string | null> = {};
  for (const f of [...(options.files ?? [])].map((p) => resolve(cwd, p)).sort()) files[relKey(cwd, f)] = hashOrNull(f);
  const datasets = options.datasets?.length ? hashDatasetFiles(options.datasets, { cwd, hashCachePath: options.hashCachePath }).hashes : {};
  const split = options.splitIndices
    ? sha256(new Uint8Array(options.splitIndices.buffer, options.splitIndices.byteOffset, options.splitIndices.byteLength))
    : null;
  return {
    git: gitState(cwd),
    files,
    lockfile: hashOrNull(join(cwd, "package-lock.json")),
    versions: { twin: twinVersion(), node: process.version, libtorch: options.libtorchVersion ?? null },
    threads: options.threads ?? null,
    cpu: cpus()[0]?.model ?? null,
    gpu: options.gpu ?? null,
    os: { platform: platform(), release: release(), arch: arch() },
    datasets,
    split,
    argv: [...(options.argv ?? process.argv.slice(2))],
  };
}

/** The hash a store gives this fingerprint (sha256 of its canonical JSON). */
export function fingerprintHash(fingerprint: unknown): string {
  return sha256(canonicalJson(fingerprint));
}

export interface FingerprintDifference {
  /** Dotted path, e.g. "git.commit", "files.src/model.ts", "datasets.data/train.csv", "argv". */
  key: string;
  a: unknown;
  b: unknown;
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.set(prefix, {});
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
}

/**
 * The differences between two fingerprints, one per changed leaf (arrays such
 * as argv compare whole), sorted by key. A key present on one side only shows
 * `undefined` on the other. Keys under `ignore` (exact or as a prefix, e.g.
 * "argv" or "git") are left out.
 */
export function diffFingerprints(a: unknown, b: unknown, options: { ignore?: readonly string[] } = {}): FingerprintDifference[] {
  const fa = new Map<string, unknown>();
  const fb = new Map<string, unknown>();
  flatten(JSON.parse(canonicalJson(a ?? {})), "", fa);
  flatten(JSON.parse(canonicalJson(b ?? {})), "", fb);
  const ignored = (key: string) => (options.ignore ?? []).some((p) => key === p || key.startsWith(`${p}.`));
  const keys = [...new Set([...fa.keys(), ...fb.keys()])].sort();
  const out: FingerprintDifference[] = [];
  for (const key of keys) {
    if (ignored(key)) continue;
    const va = fa.get(key);
    const vb = fb.get(key);
    if (canonicalJson(va ?? null) !== canonicalJson(vb ?? null) || fa.has(key) !== fb.has(key)) out.push({ key, a: va, b: vb });
  }
  return out;
}
