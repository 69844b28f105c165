/**
 * Learning-rate schedules. A Schedule is pure: lrAt(step, baseLr) gives the lr
 * after `step` scheduler steps (step 0 = before the first), so a run resumes
 * from a step count alone. The values are PyTorch 1.13's schedulers in closed
 * form (StepLR, MultiStepLR, CosineAnnealingLR, OneCycleLR, LinearLR,
 * SequentialLR); cos and pow come from libm like CPython's math module.
 * PyTorch's CosineAnnealingLR updates recursively, so its values can differ
 * from the closed form in the last few bits.
 *
 * LRScheduler applies a Schedule to an optimizer, PyTorch style:
 * construct (sets the step-0 lr), then scheduler.step() after each
 * optimizer.step().
 */
import { native } from "../native.ts";
import type { GroupBase } from "./optimizer.ts";

/** Anything with PyTorch-style param groups (twin's optimizers; typed loosely so trainer callbacks need no cast). */
export interface HasParamGroups {
  paramGroups: GroupBase[];
}

const cos = (x: number) => native.mathFn("cos", x);
const pow = (x: number, y: number) => native.mathFn("pow", x, y);

export interface Schedule {
  /** The lr after `step` scheduler steps, for a group whose base lr is baseLr. */
  lrAt(step: number, baseLr: number): number;
  /** The momentum (or Adam's beta1) after `step` steps, for schedules that cycle it (OneCycle). */
  momentumAt?(step: number): number;
  /** Human-readable description (logged with runs). */
  readonly description: string;
}

/** lr = baseLr for ever. */
export function constant(): Schedule {
  return { lrAt: (_s, base) => base, description: "constant" };
}

/** StepLR: multiply by gamma every stepSize steps. */
export function stepLR(options: { stepSize: number; gamma?: number }): Schedule {
  const gamma = options.gamma ?? 0.1;
  if (!(options.stepSize > 0)) throw new RangeError(`stepLR: stepSize must be positive, got ${options.stepSize}`);
  return {
    lrAt: (s, base) => base * pow(gamma, Math.floor(s / options.stepSize)),
    description: `step(stepSize=${options.stepSize}, gamma=${gamma})`,
  };
}

/** MultiStepLR: multiply by gamma at each milestone. */
export function multiStepLR(options: { milestones: number[]; gamma?: number }): Schedule {
  const gamma = options.gamma ?? 0.1;
  const milestones = [...options.milestones].sort((a, b) => a - b);
  return {
    lrAt: (s, base) => base * pow(gamma, milestones.filter((m) => m <= s).length),
    description: `multiStep(milestones=[${milestones.join(", ")}], gamma=${gamma})`,
  };
}

/**
 * CosineAnnealingLR: etaMin + (base - etaMin)(1 + cos(π s / tMax)) / 2, for
 * s ≤ tMax; beyond tMax it continues the cosine (rising again), as PyTorch does.
 */
export function cosineAnnealing(options: { tMax: number; etaMin?: number }): Schedule {
  const etaMin = options.etaMin ?? 0;
  const tMax = options.tMax;
  if (!(tMax > 0)) throw new RangeError(`cosineAnnealing: tMax must be positive, got ${tMax}`);
  return {
    lrAt: (s, base) => etaMin + ((base - etaMin) * (1 + cos((Math.PI * s) / tMax))) / 2,
    description: `cosine(tMax=${tMax}, etaMin=${etaMin})`,
  };
}

export interface OneCycleOptions {
  totalSteps: number;
  /** Peak lr; default: the group's base lr. */
  maxLr?: number;
  pctStart?: number;
  annealStrategy?: "cos" | "linear";
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  /** Cycle momentum/beta1 inversely to the lr (PyTorch's default: true). */
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
}

/**
 * OneCycleLR with PyTorch's defaults: cos annealing, pctStart 0.3, divFactor
 * 25, finalDivFactor 1e4, momentum cycled between 0.85 and 0.95. Valid for
 * steps 0..totalSteps (PyTorch raises beyond that; so does this).
 */
export function oneCycle(options: OneCycleOptions): Schedule {
  const total = options.totalSteps;
  if (!(total > 0 && Number.isInteger(total))) throw new RangeError(`oneCycle: totalSteps must be a positive integer, got ${total}`);
  const pct = options.pctStart ?? 0.3;
  if (!(pct >= 0 && pct <= 1)) throw new RangeError(`oneCycle: pctStart must be in [0, 1], got ${pct}`);
  const div = options.divFactor ?? 25;
  const finalDiv = options.finalDivFactor ?? 1e4;
  const anneal = (options.annealStrategy ?? "cos") === "cos"
    ? (start: number, end: number, p: number) => end + ((start - end) / 2.0) * (cos(Math.PI * p) + 1)
    : (start: number, end: number, p: number) => (end - start) * p + start;
  type Phase = { end: number; startLr: "initial" | "max" | "min"; endLr: "initial" | "max" | "min"; startM: "max" | "base"; endM: "max" | "base" };
  const phases: Phase[] = options.threePhase
    ? [
        { end: pct * total - 1, startLr: "initial", endLr: "max", startM: "max", endM: "base" },
        { end: 2 * pct * total - 2, startLr: "max", endLr: "initial", startM: "base", endM: "max" },
        { end: total - 1, startLr: "initial", endLr: "min", startM: "max", endM: "max" },
      ]
    : [
        { end: pct * total - 1, startLr: "initial", endLr: "max", startM: "max", endM: "base" },
        { end: total - 1, startLr: "max", endLr: "min", startM: "base", endM: "max" },
      ];
  const where = (s: number): [Phase, number] => {
    if (s > total) throw new RangeError(`oneCycle: tried to step ${s} times; the schedule has totalSteps=${total}`);
    let start = 0;
    for (let i = 0; i < phases.length; i++) {
      const ph = phases[i];
      if (s <= ph.end || i === phases.length - 1) return [ph, (s - start) / (ph.end - start)];
      start = ph.end;
    }
    throw new Error("unreachable");
  };
  const baseM = options.baseMomentum ?? 0.85;
  const maxM = options.maxMomentum ?? 0.95;
  const schedule: Schedule = {
    lrAt(s, base) {
      const maxLr = options.maxLr ?? base;
      const lrs = { initial: maxLr / div, max: maxLr, min: maxLr / div / finalDiv };
      const [ph, p] = where(s);
      return anneal(lrs[ph.startLr], lrs[ph.endLr], p);
    },
    description: `oneCycle(totalSteps=${total}, pctStart=${pct}, divFactor=${div}, finalDivFactor=${finalDiv}, anneal=${options.annealStrategy ?? "cos"}${options.threePhase ? ", threePhase" : ""})`,
  };
  if (options.cycleMomentum ?? true) {
    schedule.momentumAt = (s) => {
      const [ph, p] = where(s);
      const m = { max: maxM, base: baseM };
      return anneal(m[ph.startM], m[ph.endM], p);
    };
  }
  return schedule;
}

/** LinearLR: the factor goes linearly from startFactor to endFactor over totalIters steps, then stays. */
export function linearLR(options: { startFactor?: number; endFactor?: number; totalIters?: number }): Schedule {
  const a = options.startFactor ?? 1 / 3;
  const b = options.endFactor ?? 1;
  const n = options.totalIters ?? 5;
  return {
    lrAt: (s, base) => base * (a + ((b - a) * Math.min(n, s)) / n),
    description: `linear(${a} → ${b} over ${n})`,
  };
}

/**
 * Linear warm-up composed with another schedule (SequentialLR(LinearLR, then)):
 * the lr rises from startFactor·base at step 0 to base at step `steps`, then
 * follows `then` from its own step 0 (default: constant).
 */
export function warmup(options: { steps: number; startFactor?: number }, then: Schedule = constant()): Schedule {
  const n = options.steps;
  const a = options.startFactor ?? 0;
  if (!(n >= 0)) throw new RangeError(`warmup: steps must be >= 0, got ${n}`);
  const s: Schedule = {
    lrAt: (step, base) => (step < n ? base * (a + ((1 - a) * step) / n) : then.lrAt(step - n, base)),
    description: `warmup(${n}, from ${a}) then ${then.description}`,
  };
  if (then.momentumAt) s.momentumAt = (step) => then.momentumAt!(Math.max(0, step - n));
  return s;
}

/** Runs schedules one after another: schedules[i] from milestones[i-1] on (SequentialLR). */
export function sequential(schedules: Schedule[], milestones: number[]): Schedule {
  if (milestones.length !== schedules.length - 1) throw new Error("sequential: need one milestone fewer than schedules");
  const pick = (step: number): [Schedule, number] => {
    let i = 0;
    while (i < milestones.length && step >= milestones[i]) i++;
    return [schedules[i], i === 0 ? step : step - milestones[i - 1]];
  };
  return {
    lrAt: (step, base) => {
      const [s, k] = pick(step);
      return s.lrAt(k, base);
    },
    description: `sequential(${schedules.map((s) => s.description).join(", ")} at [${milestones.join(", ")}])`,
  };
}

/** A schedule from any pure function of (step, baseLr). */
export function lambdaLR(fn: (step: number, baseLr: number) => number, description = "lambda"): Schedule {
  return { lrAt: fn, description };
}

// ---- applying a schedule to an optimizer ----------------------------------------

interface MomentumGroup extends GroupBase {
  momentum?: number;
  betas?: [number, number];
}

/**
 * Drives an optimizer's lr (and momentum, for OneCycle) from a Schedule.
 * Construction sets the step-0 values; step() advances one step. Base lrs are
 * each group's lr at construction (kept as group.initialLr, like PyTorch's
 * initial_lr). State is the step count.
 */
export class LRScheduler {
  readonly optimizer: HasParamGroups;
  readonly schedule: Schedule;
  #step = 0;

  /** optimizer: a twin optimizer (anything with paramGroups; checked at run time). */
  constructor(optimizer: object, schedule: Schedule, options: { lastStep?: number } = {}) {
    const groups = (optimizer as Partial<HasParamGroups>).paramGroups;
    if (!Array.isArray(groups) || groups.some((g) => typeof g?.lr !== "number")) {
      throw new TypeError(`LRScheduler: ${optimizer.constructor.name} has no paramGroups with an lr; pass a twin optimizer (optim.sgd, optim.adam, …)`);
    }
    this.optimizer = optimizer as HasParamGroups;
    this.schedule = schedule;
    for (const g of this.optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    if (schedule.momentumAt) {
      for (const g of this.optimizer.paramGroups as MomentumGroup[]) {
        if (g.momentum === undefined && g.betas === undefined) {
          throw new Error(`${schedule.description} cycles momentum, but ${optimizer.constructor.name} has neither momentum nor betas; pass cycleMomentum: false`);
        }
      }
    }
    this.#step = options.lastStep ?? 0;
    this.#apply();
  }

  /** Steps taken so far. */
  get lastStep(): number {
    return this.#step;
  }

  /** The current lr of each group. */
  lastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  step(): void {
    this.#step++;
    this.#apply();
  }

  #apply(): void {
    for (const g of this.optimizer.paramGroups as MomentumGroup[]) {
      g.lr = this.schedule.lrAt(this.#step, g.initialLr!);
      if (this.schedule.momentumAt) {
        const m = this.schedule.momentumAt(this.#step);
        if (g.betas !== undefined) g.betas = [m, g.betas[1]];
        else g.momentum = m;
      }
    }
  }

  stateDict(): { step: number; description: string } {
    return { step: this.#step, description: this.schedule.description };
  }

  loadStateDict(state: unknown): void {
    const s = state as { step?: unknown };
    if (typeof s?.step !== "number") throw new Error("LRScheduler.loadStateDict: expected { step: number }");
    this.#step = s.step;
    this.#apply();
  }
}

/** new LRScheduler(optimizer, schedule). */
export function scheduler(optimizer: object, schedule: Schedule): LRScheduler {
  return new LRScheduler(optimizer, schedule);
}
