/**
 * The one way twin imports a user's module (a study file, or the variants
 * module a worker thread rebuilds variants from): by file path or file: URL,
 * with errors that say which file and why.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { WrongInputError } from "../log/wrong-input.ts";

export class ModuleImportError extends Error {
  override name = "ModuleImportError";
}

/** One export of a module (`what` names the file in errors, e.g. "study file"). */
export async function importExport(path: string, exportName: string, what: string): Promise<unknown> {
  const abs = path.startsWith("file:") ? fileURLToPath(path) : resolve(path);
  if (!existsSync(abs)) throw new WrongInputError(`${what} ${path} does not exist`, path);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    throw new ModuleImportError(`${what} ${path} failed to load: ${(e as Error).message}`);
  }
  return mod[exportName];
}
