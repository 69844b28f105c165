/**
 * What `--allow-changed` does to a study whose fingerprint changed, said in
 * the refusal before the user passes it. A run's identity includes the study
 * file's hash (run-record.ts specHash), so a changed study file makes every
 * planned run a new run while the earlier ones stay in the store; any other
 * change (imported sources, dependencies, data, environment) keeps the runs
 * that ended and trains only the rest, so one verdict mixes both.
 */
import { changedParts, type FingerprintDifference } from "../store/index.ts";

export interface StudyRunsHeld {
  /** The study file as recorded (relative to the project), or null for a study defined in code. */
  studyFile: string | null;
  /** Runs the study now plans. */
  planned: number;
  /** Runs of the study in the store that ended with the current study file (they would be kept). */
  endedSameFile: number;
  /** Runs of the study in the store made with another study file. */
  otherFile: number;
}

/** The sentence the refusal ends with: what passing --allow-changed would do with these differences. */
export function allowChangedEffect(differences: readonly FingerprintDifference[], held: StudyRunsHeld): string {
  const fileChanged = held.studyFile !== null && differences.some((d) => d.key === `files.${held.studyFile}`);
  if (fileChanged) {
    return (
      `With --allow-changed, the changed study file makes ${held.planned} new run(s) under the same study name (the file is part of a run's identity) and trains them all; ` +
      `the ${held.endedSameFile + held.otherFile} run(s) made with earlier versions stay in the store (twin runs lists them, and a report of the study from the store reads them too)`
    );
  }
  const left = Math.max(0, held.planned - held.endedSameFile);
  return (
    `With --allow-changed, the ${held.endedSameFile} run(s) that already ended are kept and the other ${left} are trained with the changed ${changedParts(differences)}: ` +
    "one verdict then mixes runs made before and after the change"
  );
}
