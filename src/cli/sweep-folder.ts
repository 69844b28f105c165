/**
 * A path inside a sweep's folder (`<dir>/.twin/sweeps/<name>[.vary-<factor>]/…`,
 * where `twin sweep` gives each run its TWIN_RUN_DIR) names that sweep: its
 * metrics and curves are in the store beside it (`<dir>/.twin/twin.db`), not in
 * the folder, which holds only what the commands wrote.
 */
import { existsSync } from "node:fs";
import { join, resolve, sep } from "node:path";

/** The sweep (study name in the store) and the store that `path` belongs to, or undefined when it is not in a sweep folder with a store beside it. */
export function sweepFolderStudy(path: string): { study: string; store: string } | undefined {
  const parts = resolve(path).split(sep);
  const at = parts.lastIndexOf("sweeps");
  if (at < 1 || parts[at - 1] !== ".twin" || at + 1 >= parts.length) return undefined;
  const study = parts[at + 1]!.replace(/\.vary-[a-z]+$/, "");
  const store = join(parts.slice(0, at).join(sep) || sep, "twin.db");
  return existsSync(store) ? { study, store } : undefined;
}
