/**
 * How a study and its runs are identified in the store: the spec hash (what
 * makes two sessions the same study), the study's JSON, and each run's
 * config: everything needed to run it again anywhere the project is checked out.
 */
import { canonicalJson, sha256, StoreError, type RunRecord } from "../store/index.ts";
import type { StudySpec } from "./define.ts";
import type { PlannedRun } from "./seed-plan.ts";
import type { SplitMode } from "./split-mode.ts";

/**
 * What a run record's `config` holds: enough to run it again anywhere the
 * project is checked out. Its seeds are the record's own (root seed and every
 * factor's seed, resolved when the run was planned).
 */
export interface RunConfig {
  kind: "twin-run";
  group: string;
  label: number;
  /** The study file, relative to the project folder (posix separators); null for a study defined in code (run in memory by the process that defined it). */
  studyFile: string | null;
  studyFileHash: string | null;
  /** Effective training length (the study's, or --steps). */
  epochs: number | null;
  steps: number | null;
  batchSize: number;
  evalEvery: number | null;
  threads: number;
  /** `split` is present (as "shared") only for a study whose runs share one split seed. */
  data: { name: string; validation: number; stratified: boolean; split?: "shared" };
  variants: string[];
  reference: string;
}

/** Hash of what makes two sessions the same study: the study file's content and the effective training length. */
export function specHash(spec: StudySpec, studyFileHash: string | null): string {
  return sha256(canonicalJson({ studyFile: studyFileHash, epochs: spec.epochs ?? null, steps: spec.steps ?? null }));
}

/** The resolved study as stored with it (JSON). */
export function specJson(spec: StudySpec, studyFile: string | null, studyFileHash: string | null): Record<string, unknown> {
  return {
    studyFile,
    studyFileHash,
    variants: Object.keys(spec.variants),
    reference: spec.reference ?? Object.keys(spec.variants)[0],
    batchSize: spec.batchSize,
    epochs: spec.epochs ?? null,
    steps: spec.steps ?? null,
    evalEvery: spec.evalEvery ?? null,
    threads: spec.threads ?? 1,
    data: { name: spec.data.name, validation: spec.data.validation, stratified: spec.data.stratified ?? false },
    // A factorial study's factors and each variant's levels: the report and the dashboard read them back.
    ...(spec.design ? { design: spec.design } : {}),
  };
}

export function runConfig(spec: StudySpec, plan: PlannedRun, studyFile: string | null, studyFileHash: string | null, split: SplitMode = "per-seed"): RunConfig {
  const variants = Object.keys(spec.variants);
  return {
    kind: "twin-run",
    group: plan.group,
    label: plan.label,
    studyFile,
    studyFileHash,
    epochs: spec.epochs ?? null,
    steps: spec.steps ?? null,
    batchSize: spec.batchSize,
    evalEvery: spec.evalEvery ?? null,
    threads: spec.threads ?? 1,
    data: { name: spec.data.name, validation: spec.data.validation, stratified: spec.data.stratified ?? false, ...(split === "shared" ? { split } : {}) },
    variants,
    reference: spec.reference ?? variants[0]!,
  };
}

/** The run's config, checked: throws for a run that was not recorded by a twin study. */
export function configOf(run: RunRecord): RunConfig {
  const c = run.config as Partial<RunConfig> | null;
  if (!c || c.kind !== "twin-run" || (typeof c.studyFile !== "string" && c.studyFile !== null)) {
    throw new StoreError(`run '${run.id}' was not recorded by a twin study (no study file in its config); it cannot be run again from its record`);
  }
  return c as RunConfig;
}
