/** A command's study: the study file imported (study/study-file.ts, the one importer), and --steps. */
import { extname } from "node:path";
import type { StudySpec } from "../study/define.ts";
import { importStudy } from "../study/study-file.ts";
import { parseWhole } from "./count-option.ts";
import { WrongInputError } from "../log/wrong-input.ts";

/** The longest run --steps asks for (a run keeps per-step checksums in memory). */
const MAX_STEPS = 10_000_000;

/** What a study file can be: a module that Node (with tsx) imports. */
const STUDY_FILE = /^\.(ts|mts|cts|tsx|js|mjs|cjs)$/;

/** Imports a study file; a file of another kind (a results CSV, a log folder) is refused with what to use instead. */
export async function loadStudy(path: string): Promise<StudySpec> {
  if (!STUDY_FILE.test(extname(path))) {
    throw new WrongInputError(
      `${path} is not a study file: a study file is a TypeScript (or JavaScript) module that exports a study, such as the one \`twin init NAME\` writes; ` +
        "for results from elsewhere (CSV, TSV, JSON Lines) or a TensorBoard log folder use `twin stats`",
      path,
    );
  }
  return importStudy(path);
}

/** The study with its training length replaced by --steps, when given. */
export function withSteps(spec: StudySpec, steps: string | undefined): StudySpec {
  if (steps === undefined) return spec;
  return { ...spec, steps: parseWhole(steps, "--steps", { min: 1, max: MAX_STEPS, why: "a run keeps a checksum and control sums per step in memory" }) };
}
