/** A command's study: the study file imported (study/study-file.ts, the one importer), and --steps. */
import type { StudySpec } from "../study/define.ts";
import { importStudy } from "../study/study-file.ts";
import { parseWhole } from "./count-option.ts";

/** The longest run --steps asks for (a run keeps per-step checksums in memory). */
const MAX_STEPS = 10_000_000;

export const loadStudy = importStudy;

/** The study with its training length replaced by --steps, when given. */
export function withSteps(spec: StudySpec, steps: string | undefined): StudySpec {
  if (steps === undefined) return spec;
  return { ...spec, steps: parseWhole(steps, "--steps", { min: 1, max: MAX_STEPS, why: "a run keeps a checksum and control sums per step in memory" }) };
}
