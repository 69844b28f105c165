/**
 * twin: trustworthy comparisons of deep-learning models.
 *
 *   import { torch, nn, optim, data, augment, rng, twin, stats, log } from "twin";
 */
export * as torch from "./torch/index.ts";
export * as nn from "./torch/nn/index.ts";
export * as optim from "./torch/optim/index.ts";
export * as data from "./data/index.ts";
export * as augment from "./data/augment/index.ts";
export * as rng from "./rng/index.ts";
export * as twin from "./twin/index.ts";
export * as stats from "./stats/index.ts";
export * as log from "./log/index.ts";
export { twinTrain } from "./twin/trainer.ts";
export { studyVerdict, formatVerdict } from "./study/verdict.ts";
export { analyzeResults } from "./study/analyze.ts";
export { readResults } from "./study/results-file.ts";
export { defineStudy, type StudySpec, type DataSpec } from "./study/define.ts";
export { fashionMnistData } from "./study/data-specs.ts";
export { runStudy, finalMetric } from "./study/run-study.ts";
export { planRuns, type SeedPlan } from "./study/seed-plan.ts";
export { seedReport, formatSeedReport } from "./study/seed-report.ts";
