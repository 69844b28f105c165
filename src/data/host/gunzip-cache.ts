/**
 * Gunzipped files kept decompressed in the user's cache folder, so that a
 * data set shipped as .gz is inflated once per machine rather than once per
 * process (every `twin compare`, each of its worker processes, each sweep
 * child: Fashion-MNIST's training images take 0.7–2 s of CPU to inflate).
 *
 * Keyed by the SHA-256 of the compressed bytes: another file, or the same
 * file changed, is another entry; the file's name, place and time play no
 * part. An entry is the decompressed bytes, written to a temporary name and
 * renamed into place (atomic on one file system), so a reader sees a whole
 * entry or none; an entry whose length disagrees with the gzip trailer's
 * (ISIZE, the length mod 2^32) is not used and is written again. Where the
 * folder cannot be written, the bytes are inflated each time as before.
 *
 * Folder: $TWIN_CACHE_DIR, else $XDG_CACHE_HOME/twin, else ~/.cache/twin;
 * entries in its gunzip/ (delete it any time).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

/** Smaller inputs are inflated each time: hashing and a file read would cost as much. */
const MIN_CACHED_BYTES = 1 << 20;

/** The folder of the gunzip cache (see the file comment). */
export function gunzipCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.TWIN_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "twin"), "gunzip");
}

/** The uncompressed length mod 2^32 a gzip stream records in its last 4 bytes (RFC 1952, ISIZE). */
function recordedLength(gz: Uint8Array): number {
  const n = gz.length;
  return (gz[n - 4]! | (gz[n - 3]! << 8) | (gz[n - 2]! << 16) | (gz[n - 1]! << 24)) >>> 0;
}

/** `gz` inflated, from the cache when an entry for these bytes is there; inflated and stored otherwise. Errors of the cache are not the caller's: gunzip errors are. */
export function gunzipCached(gz: Uint8Array, dir = gunzipCacheDir()): Uint8Array {
  if (gz.length < MIN_CACHED_BYTES) return new Uint8Array(gunzipSync(gz));
  const entry = join(dir, createHash("sha256").update(gz).digest("hex"));
  try {
    const cached = readFileSync(entry);
    if (cached.length % 2 ** 32 === recordedLength(gz)) return new Uint8Array(cached.buffer, cached.byteOffset, cached.length);
  } catch {
    // No entry yet (or unreadable): inflate below.
  }
  const bytes = new Uint8Array(gunzipSync(gz));
  const temporary = `${entry}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(temporary, bytes);
    renameSync(temporary, entry);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The folder itself is not there (a file in its place): nothing was written.
    }
  }
  return bytes;
}
