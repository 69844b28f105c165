/** Loads a study file (TypeScript or JavaScript) whose default export is defineStudy({...}). */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { StudySpec } from "../study/define.ts";
import { parseWhole } from "./count-option.ts";

/** The longest run --steps asks for (a run keeps per-step checksums in memory). */
const MAX_STEPS = 10_000_000;

export async function loadStudy(path: string): Promise<StudySpec> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new Error(`study file ${path} does not exist`);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(abs).href)) as { default?: unknown };
  } catch (e) {
    throw new Error(`study file ${path} failed to load: ${(e as Error).message}`);
  }
  const spec = mod.default as StudySpec | undefined;
  if (spec === undefined || typeof spec !== "object" || !spec.variants || !spec.data) {
    throw new Error(`study file ${path} must default-export defineStudy({ name, data, variants, batchSize, ... })`);
  }
  return spec;
}

/** The study with its training length replaced by --steps, when given. */
export function withSteps(spec: StudySpec, steps: string | undefined): StudySpec {
  if (steps === undefined) return spec;
  return { ...spec, steps: parseWhole(steps, "--steps", { min: 1, max: MAX_STEPS, why: "a run keeps a checksum and control sums per step in memory" }) };
}
