/**
 * Where `twin report <study>` finds a study: a path to a study folder, or a
 * name looked up in the log folder and then in the store (native, worker and
 * sweep runs), so that every study is reportable by name.
 */
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { isStudyDir, LogDirSource } from "./source.ts";
import type { DataSource } from "./types.ts";
import { WrongInputError } from "../log/wrong-input.ts";

export interface LocatedStudy {
  source: DataSource;
  name: string;
}

/**
 * The source holding `study`: the folder itself when it is a study folder,
 * else `<logdir>/<study>`, else the store (undefined when no store was given).
 * Throws an error that lists the studies that do exist (a WrongInputError: the
 * command line named nothing there).
 */
export async function locateStudy(study: string, where: { logdir: string; store?: DataSource }): Promise<LocatedStudy> {
  if (existsSync(study) && isStudyDir(study)) {
    const source = new LogDirSource(study);
    const [only] = await source.listStudies();
    return { source, name: only!.name };
  }
  const logs = new LogDirSource(where.logdir);
  if (!study.includes("/") && isStudyDir(join(where.logdir, study))) return { source: logs, name: study };
  if (where.store && !study.includes("/") && (await where.store.listStudies()).some((s) => s.name === study)) return { source: where.store, name: study };
  const known = [...(await logs.listStudies()).map((s) => `${s.name} (log folder ${resolve(where.logdir)})`), ...(where.store ? (await where.store.listStudies()).map((s) => `${s.name} (${where.store!.description})`) : [])];
  const tried = [!existsSync(study) ? `no folder ${study}` : statSync(study).isDirectory() ? `${study} is a folder but not a study folder (no <variant>/seed-<n>/ inside)` : `${study} is neither a folder nor a regular file`, `no study ${study} in ${resolve(where.logdir)}`, where.store ? `none in the ${where.store.description}` : "no store here (.twin/twin.db; name one with --store)"];
  throw new WrongInputError(`${study}: not found: ${tried.join("; ")}. ${known.length > 0 ? `Studies: ${known.join(", ")}` : "No studies found; run one first (twin compare, twin seeds, twin sweep)"}`, study);
}
