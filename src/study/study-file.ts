/**
 * Study files: importing one (the one importer of the project, through
 * twin/import-module.ts), its content hash, and its path as recorded in the
 * store (relative to the project folder when inside it).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { importExport, ModuleImportError } from "../twin/import-module.ts";
import type { StudySpec } from "./define.ts";

export class StudyFileError extends Error {
  override name = "StudyFileError";
}

/** Imports a study file (its default export is defineStudy({...})); errors say which file and why. */
export async function importStudy(path: string): Promise<StudySpec> {
  let spec: StudySpec | undefined;
  try {
    spec = (await importExport(path, "default", "study file")) as StudySpec | undefined;
  } catch (e) {
    throw e instanceof ModuleImportError ? new StudyFileError(e.message) : e;
  }
  if (spec === undefined || spec === null || typeof spec !== "object" || !spec.variants || !spec.data) {
    throw new StudyFileError(`study file ${path} must default-export defineStudy({ name, data, variants, batchSize, ... })`);
  }
  return spec;
}

export function fileHash(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

export function posix(p: string): string {
  return p.split(sep).join("/");
}

/** The study file's path as recorded: relative to the project folder when inside it. */
export function recordedPath(cwd: string, file: string): string {
  const rel = relative(cwd, resolve(cwd, file));
  return rel.startsWith("..") || rel === "" ? posix(resolve(cwd, file)) : posix(rel);
}
