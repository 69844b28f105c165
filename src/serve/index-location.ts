/**
 * Where `twin serve` keeps its index of a log folder (log-index.ts): outside
 * the folder, in the user's cache directory ($TWIN_INDEX_DIR, else
 * $XDG_CACHE_HOME/twin/serve, else ~/.cache/twin/serve), one file per folder,
 * named after a hash of the folder's absolute path.
 */
import { createHash } from "node:crypto";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export function defaultIndexFile(logdir: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.TWIN_INDEX_DIR || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "twin", "serve");
  const root = resolve(logdir);
  const name = root.split(/[\\/]/).filter(Boolean).pop() ?? "root";
  return join(base, `${name.replace(/[^A-Za-z0-9_.-]/g, "_")}-${createHash("sha256").update(root).digest("hex").slice(0, 16)}.sqlite`);
}
