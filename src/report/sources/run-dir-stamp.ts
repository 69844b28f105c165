/**
 * A run folder's change stamp (its metrics.jsonl's size and time, and its
 * prediction files'; else every file's), taken by the dashboard's view
 * worker (log-dir.ts) and by the log reader threads for the runs they read
 * (log-reader-worker.ts), so that both word it the same way. Kept apart from
 * log-dir.ts so that a reader thread loads only this.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { METRICS_FILE } from "../../log/metrics-jsonl.ts";

/** A file's size and modification time (undefined when it is missing). */
export function fileStat(path: string): { size: number; mtimeMs: number } | undefined {
  try {
    // No exception for a missing file: most seeds have no checks file, and a thrown error costs far more than the stat.
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** Size and modification time of a file ("-" when it is missing). */
export function fileStamp(path: string): string {
  return stampOf(fileStat(path));
}

function stampOf(s: { size: number; mtimeMs: number } | undefined): string {
  return s ? `${s.size}:${s.mtimeMs}` : "-";
}

/**
 * What a stamp of a run directory needs to know of its files, kept between
 * stamps while the directory's mtime (which changes when a file is created,
 * removed or renamed in it) stays the same: whether it has a metrics.jsonl,
 * and which prediction files it holds. Each stamp then costs two stats (the
 * directory and its metrics.jsonl) and one per prediction file it has, not a
 * stat per file it could have.
 */
export interface RunDirFiles {
  mtimeMs: number;
  jsonl: boolean;
  predictions: string[];
}

/** Remembered run-directory listings (see {@link RunDirFiles}), by directory. */
export type RunDirListings = Map<string, RunDirFiles>;

/** A run folder's files: `predictionFiles`, the names of the prediction files a stamp looks at. */
export function runDirFiles(dir: string, predictionFiles: ReadonlySet<string>, listings?: RunDirListings): RunDirFiles | undefined {
  const st = statSync(dir, { throwIfNoEntry: false });
  if (!st) return undefined;
  const hit = listings?.get(dir);
  if (hit && hit.mtimeMs === st.mtimeMs) return hit;
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return undefined;
  }
  const files = { mtimeMs: st.mtimeMs, jsonl: names.includes(METRICS_FILE), predictions: names.filter((n) => predictionFiles.has(n)) };
  remember(dir, files, listings);
  return files;
}

/** Keeps a run folder's files for the next stamp, unless it changed within the last second (it may change again within the same tick of the file system's clock: listed again next time). */
export function remember(dir: string, files: RunDirFiles, listings: RunDirListings | undefined): void {
  if (Date.now() - files.mtimeMs > 1000) listings?.set(dir, files);
}

/**
 * What a stamp found of a run folder, for the read that follows it (see
 * log-dir.ts SeedStamping): its files, and its metrics.jsonl's size and time.
 */
export type StampSeen = (dir: string, files: RunDirFiles | undefined, metrics: { size: number; mtimeMs: number } | undefined) => void;

/** A run directory's change stamp: its metrics.jsonl and prediction files, else its files (event files). `seen`: told what the stamp found. */
export function runDirStamp(dir: string, predictionFiles: ReadonlySet<string>, listings?: RunDirListings, seen?: StampSeen): string {
  const files = runDirFiles(dir, predictionFiles, listings);
  if (!files) {
    seen?.(dir, undefined, undefined);
    return "-";
  }
  if (files.jsonl) {
    const st = fileStat(join(dir, METRICS_FILE));
    seen?.(dir, files, st);
    const jsonl = stampOf(st);
    // Listed a moment ago and gone now: stamped as its folder is next time.
    if (jsonl !== "-") return jsonl + files.predictions.map((f) => `,${f}=${fileStamp(join(dir, f))}`).join("");
  } else seen?.(dir, files, undefined);
  try {
    return readdirSync(dir).sort().map((f) => `${f}=${fileStamp(join(dir, f))}`).join(",");
  } catch {
    return "-";
  }
}
