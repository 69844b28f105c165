/** A command's study: the study file imported (study/study-file.ts), its training length replaced by --steps when given. */
import { importStudy } from "../study/study-file.ts";
import type { StudySpec } from "../study/define.ts";

export async function loadStudy(path: string, steps?: string): Promise<StudySpec> {
  const spec = await importStudy(path);
  if (steps === undefined) return spec;
  const n = Number(steps);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--steps must be a positive integer (got '${steps}')`);
  return { ...spec, steps: n };
}
