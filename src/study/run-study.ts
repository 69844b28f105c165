/**
 * Runs a study in this process: every planned run is one twin run of all
 * variants; the split is drawn from each run's split stream.
 */
import { splitTrainValidation } from "../data/split.ts";
import { Streams } from "../rng/streams.ts";
import { setNumThreads } from "../torch/runtime.ts";
import { twinTrain } from "../twin/trainer.ts";
import type { Progress, TwinResult } from "../twin/types.ts";
import type { StudySpec } from "./define.ts";
import { planRuns, type PlannedRun, type SeedPlan } from "./seed-plan.ts";

export interface StudyRun {
  plan: PlannedRun;
  result: TwinResult;
}

export interface StudyResults {
  study: string;
  reference: string;
  variants: string[];
  runs: StudyRun[];
}

export interface RunStudyOptions {
  plan?: SeedPlan;
  logdir?: string;
  /** Checkpoints under <dir>/<study>/<group>-<label>/ so an interrupted study resumes. */
  checkpointDir?: string;
  checkpointEvery?: number;
  /** The study file the spec came from: lets worker threads rebuild the variants (prefetch, parallel schedule). */
  studyFile?: string;
  schedule?: "sequential" | "parallel";
  workers?: number;
  onRunStart?: (run: PlannedRun, index: number, total: number) => void;
  onProgress?: (run: PlannedRun, p: Progress) => void;
}

/** Log folder study name for a run group: the study itself, or "<study>.vary-<factor>". */
export function groupStudyName(study: string, group: string): string {
  return group === "all" ? study : `${study}.${group === "grid" ? "grid" : `vary-${group}`}`;
}

export async function runStudy(spec: StudySpec, options: RunStudyOptions = {}): Promise<StudyResults> {
  const plan = options.plan ?? spec.seeds ?? 5;
  const runs = planRuns(plan);
  setNumThreads(spec.threads ?? 1);
  const { train } = spec.data.load();
  const variants = Object.keys(spec.variants);
  const reference = spec.reference ?? variants[0];
  const out: StudyRun[] = [];
  for (const [i, run] of runs.entries()) {
    options.onRunStart?.(run, i, runs.length);
    const splitStreams = new Streams(run.seed);
    const split = splitTrainValidation(train, { validation: spec.data.validation, stream: splitStreams.stream("split"), stratified: spec.data.stratified });
    splitStreams.dispose();
    const study = groupStudyName(spec.name, run.group);
    const result = await twinTrain({
      study,
      variants: spec.variants,
      reference,
      train: split.train,
      validation: split.validation,
      normalize: spec.data.normalize,
      augment: spec.augment,
      testAugment: spec.testAugment,
      batchSize: spec.batchSize,
      epochs: spec.epochs,
      steps: spec.steps,
      evalEvery: spec.evalEvery,
      seed: run.seed,
      logdir: options.logdir,
      checkpoint: options.checkpointDir ? { dir: `${options.checkpointDir}/${study}/run-${run.label}`, every: options.checkpointEvery ?? 200 } : undefined,
      onProgress: options.onProgress ? (p) => options.onProgress!(run, p) : undefined,
      runLabel: run.label,
      schedule: options.schedule,
      variantsModule: options.studyFile === undefined ? undefined : { path: options.studyFile },
      workers: options.workers,
    });
    out.push({ plan: run, result });
  }
  return { study: spec.name, reference, variants, runs: out };
}

/** Final validation metric of every run, per variant (NaN for diverged/failed runs). */
export function finalMetric(results: StudyResults, metric: "accuracy" | "loss", group?: string): Record<string, number[]> {
  const runs = results.runs.filter((r) => group === undefined || r.plan.group === group);
  return Object.fromEntries(results.variants.map((v) => [v, runs.map((r) => r.result.variants[v].final?.[metric] ?? NaN)]));
}
