/**
 * Runs a study in this process: every planned run is one twin run of all
 * variants; the split is drawn from each run's split stream.
 */
import { splitTrainValidation } from "../data/split.ts";
import { Streams } from "../rng/streams.ts";
import { setNumThreads } from "../torch/runtime.ts";
import { twinTrain } from "../twin/trainer.ts";
import { WorkerPool } from "../twin/hosts.ts";
import { availableParallelism } from "node:os";
import type { Progress, TwinConfig, TwinResult } from "../twin/types.ts";
import type { Dataset } from "../data/host/dataset.ts";
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
  /** Stops the study cleanly (Ctrl-C): the current run checkpoints (when checkpointDir is set) and no further run starts. */
  signal?: AbortSignal;
  onRunStart?: (run: PlannedRun, index: number, total: number) => void;
  onProgress?: (run: PlannedRun, p: Progress) => void;
}

/** Log folder study name for a run group: the study itself, or "<study>.vary-<factor>". */
export function groupStudyName(study: string, group: string): string {
  return group === "all" ? study : `${study}.${group === "grid" ? "grid" : `vary-${group}`}`;
}

export async function runStudy(spec: StudySpec, options: RunStudyOptions = {}): Promise<StudyResults> {
  const runs = planRuns(options.plan ?? spec.seeds ?? 5);
  setNumThreads(spec.threads ?? 1);
  const { train } = spec.data.load();
  const variants = Object.keys(spec.variants);
  const reference = spec.reference ?? variants[0];
  // One pool of worker threads serves every run of the study (started once).
  const variantsModule = options.studyFile === undefined ? undefined : { path: options.studyFile };
  const poolSize = options.schedule === "parallel" ? Math.min(options.workers ?? availableParallelism(), variants.length) : 1;
  const pool = variantsModule === undefined ? undefined : await WorkerPool.start(variantsModule, poolSize);
  const out: StudyRun[] = [];
  try {
    for (const [i, run] of runs.entries()) {
      options.onRunStart?.(run, i, runs.length);
      const result = await twinTrain({ ...runConfig(spec, run, train, options), reference, variantsModule, pool, workers: pool?.size });
      out.push({ plan: run, result });
      if (result.stopped) break;
    }
  } finally {
    await pool?.close();
  }
  return { study: spec.name, reference, variants, runs: out };
}

/** The twin run of one planned seed: its own split (from its split stream), logs and checkpoints. */
function runConfig(spec: StudySpec, run: PlannedRun, train: Dataset, options: RunStudyOptions): TwinConfig {
  const splitStreams = new Streams(run.seed);
  const split = splitTrainValidation(train, { validation: spec.data.validation, stream: splitStreams.stream("split"), stratified: spec.data.stratified });
  splitStreams.dispose();
  const study = groupStudyName(spec.name, run.group);
  return {
    study,
    variants: spec.variants,
    train: split.train,
    validation: split.validation,
    normalize: spec.data.normalize,
    augment: spec.augment,
    testAugment: spec.testAugment,
    batchSize: spec.batchSize,
    epochs: spec.epochs,
    steps: spec.steps,
    evalEvery: spec.evalEvery,
    target: spec.target,
    metrics: spec.metrics,
    seed: run.seed,
    runLabel: run.label,
    logdir: options.logdir,
    checkpoint: options.checkpointDir ? { dir: `${options.checkpointDir}/${study}/run-${run.label}`, every: options.checkpointEvery ?? 200 } : undefined,
    schedule: options.schedule,
    signal: options.signal,
    onProgress: options.onProgress ? (p) => options.onProgress!(run, p) : undefined,
  };
}

/** Final validation metric of every run, per variant (NaN for diverged/failed runs). */
export function finalMetric(results: StudyResults, metric: "accuracy" | "loss", group?: string): Record<string, number[]> {
  const runs = results.runs.filter((r) => group === undefined || r.plan.group === group);
  return Object.fromEntries(results.variants.map((v) => [v, runs.map((r) => r.result.variants[v].final?.[metric] ?? NaN)]));
}
