/** Optimizers, learning-rate schedules and gradient clipping: `import { optim } from "twin"`. */
export { Optimizer } from "./optimizer.ts";
export type { GroupBase, ParamGroup, ParamsInput, OptimizerState, ParamState, StateValue } from "./optimizer.ts";
export { SGD, sgd } from "./sgd.ts";
export type { SgdOptions } from "./sgd.ts";
export { Adam, AdamW, adam, adamw } from "./adam.ts";
export type { AdamOptions } from "./adam.ts";
export { clipGradNorm, clipGradValue } from "./clip.ts";
export type { ClipOptions } from "./clip.ts";
export {
  LRScheduler, scheduler, constant, stepLR, multiStepLR, cosineAnnealing, oneCycle, linearLR, warmup, sequential, lambdaLR,
} from "./schedule.ts";
export type { Schedule, OneCycleOptions, HasParamGroups } from "./schedule.ts";
