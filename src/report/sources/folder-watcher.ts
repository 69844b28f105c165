/**
 * Change notifications for a log folder, down to its run folders. On Linux,
 * one non-recursive fs.watch per folder to `depth` (the run folders: a run's
 * files are its folder's entries), in place of a recursive fs.watch, which
 * Node 20 sets up there in JavaScript, walking the tree and watching every
 * file: 0.64–0.67 s of CPU at 10,000 runs, against 0.14–0.19 s for the
 * 10,000 folders here (docs/serve-at-scale.md). A folder created later is
 * watched when its parent tells of it (with the folders already inside it,
 * whose files are covered by the parent's notification: the reader stamps
 * that path's seed, or every seed, again); one removed is let go. Elsewhere
 * fs.watch is recursive natively and is used as it is.
 */
import { type FSWatcher, readdirSync, statSync, watch } from "node:fs";
import { join, sep } from "node:path";

/**
 * Watches `root` and its folders down to `depth` levels below it; calls
 * `onChange(file)` with the path that changed relative to `root` (null: not
 * known), and `onError` once when watching stopped working (the caller polls
 * instead). Throws when it cannot start (too many watches: ENOSPC). Returns
 * the function that stops watching.
 */
export function watchFolders(root: string, depth: number, onChange: (file: string | null) => void, onError: (e: Error) => void): () => void {
  if (process.platform !== "linux") {
    const w = watch(root, { recursive: true, persistent: false }, (_event, file) => onChange(file === null ? null : String(file)));
    w.on("error", (e) => {
      w.close();
      onError(e);
    });
    return () => w.close();
  }
  const watchers = new Map<string, FSWatcher>();
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    for (const w of watchers.values()) w.close();
    watchers.clear();
  };
  const fail = (e: Error): void => {
    if (stopped) return;
    stop();
    onError(e);
  };
  const drop = (rel: string): void => {
    for (const [key, w] of watchers) {
      if (key === rel || key.startsWith(rel + sep)) {
        w.close();
        watchers.delete(key);
      }
    }
  };
  const add = (rel: string, level: number): void => {
    if (watchers.has(rel)) return;
    const dir = rel ? join(root, rel) : root;
    let w: FSWatcher;
    try {
      w = watch(dir, { persistent: false }, (_event, name) => {
        if (stopped) return;
        if (name === null) return onChange(null);
        const file = rel ? join(rel, String(name)) : String(name);
        if (level < depth) {
          const st = statSync(join(root, file), { throwIfNoEntry: false });
          try {
            if (st?.isDirectory()) tree(file, level + 1);
            else if (!st) drop(file);
          } catch (e) {
            return fail(e as Error);
          }
        }
        onChange(file);
      });
    } catch (e) {
      // Removed between its listing and now: its parent tells of that.
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw e;
    }
    w.on("error", fail);
    watchers.set(rel, w);
  };
  const tree = (rel: string, level: number): void => {
    add(rel, level);
    if (level === depth) return;
    let entries;
    try {
      entries = readdirSync(rel ? join(root, rel) : root, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) tree(rel ? join(rel, e.name) : e.name, level + 1);
  };
  try {
    tree("", 0);
  } catch (e) {
    stop();
    throw e;
  }
  return stop;
}
