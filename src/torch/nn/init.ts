/**
 * Parameter initialisers. Each is plain data (so it can be logged and compared)
 * plus `applyInit`, which fills a tensor in place from an explicit Generator,
 * exactly as torch.nn.init of PyTorch 1.13 does (same distribution, same
 * bounds computed with the same floating-point steps, same number of draws).
 */
import type { Tensor } from "../tensor.ts";
import type { Generator } from "../generator.ts";
import { noGrad } from "../runtime.ts";

export type Initializer =
  /** uniform_(low, high); `rule` says where the bounds came from (e.g. "kaiming_uniform(a=sqrt(5))"). */
  | { kind: "uniform"; low: number; high: number; rule?: string }
  /** normal_(mean, std). */
  | { kind: "normal"; mean: number; std: number; rule?: string }
  /** fill_(value): draws nothing. */
  | { kind: "constant"; value: number }
  /** Any other rule: fn fills t in place from g (under noGrad). */
  | { kind: "custom"; name: string; draws: boolean; fn: (t: Tensor, g: Generator) => void };

/** Whether an initializer draws random numbers (and so needs a generator). */
export function initDraws(init: Initializer): boolean {
  return init.kind === "uniform" || init.kind === "normal" || (init.kind === "custom" && init.draws);
}

/** Fills t in place following init; g is required when the initializer draws. */
export function applyInit(t: Tensor, init: Initializer, g: Generator | null): void {
  noGrad(() => {
    switch (init.kind) {
      case "uniform":
        t.uniform_(init.low, init.high, need(g, init));
        break;
      case "normal":
        t.normal_(init.mean, init.std, need(g, init));
        break;
      case "constant":
        t.fill_(init.value);
        break;
      case "custom":
        init.fn(t, init.draws ? need(g, init) : (g as Generator));
        break;
    }
  });
}

function need(g: Generator | null, init: Initializer): Generator {
  if (g === null) throw new Error(`initializer ${describeInit(init)} draws random numbers and needs a Generator`);
  return g;
}

export function describeInit(init: Initializer): string {
  switch (init.kind) {
    case "uniform": return init.rule ?? `uniform(${init.low}, ${init.high})`;
    case "normal": return init.rule ?? `normal(${init.mean}, ${init.std})`;
    case "constant": return `constant(${init.value})`;
    case "custom": return init.name;
  }
}

// ---- fans and gains (torch.nn.init) ---------------------------------------

/** (fan_in, fan_out) of a weight shape, like torch.nn.init._calculate_fan_in_and_fan_out. */
export function fanInOut(shape: readonly number[]): [number, number] {
  if (shape.length < 2) {
    throw new Error(`fan in and fan out cannot be computed for a tensor with fewer than 2 dimensions (shape [${shape.join(", ")}])`);
  }
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i];
  return [shape[1] * receptive, shape[0] * receptive];
}

export type Nonlinearity = "linear" | "conv2d" | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

/** torch.nn.init.calculate_gain. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "conv2d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5.0 / 3;
    case "relu":
      return Math.sqrt(2.0);
    case "leaky_relu": {
      const slope = param ?? 0.01;
      return Math.sqrt(2.0 / (1 + slope ** 2));
    }
    case "selu":
      return 3.0 / 4;
  }
}

export interface KaimingOptions {
  a?: number;
  mode?: "fan_in" | "fan_out";
  nonlinearity?: Nonlinearity;
}

/** kaiming_uniform_ as an Initializer for a weight of this shape. */
export function kaimingUniform(shape: readonly number[], o: KaimingOptions = {}): Initializer {
  const a = o.a ?? 0;
  const [fi, fo] = fanInOut(shape);
  const fan = (o.mode ?? "fan_in") === "fan_in" ? fi : fo;
  const gain = calculateGain(o.nonlinearity ?? "leaky_relu", a);
  const std = gain / Math.sqrt(fan);
  const bound = Math.sqrt(3.0) * std;
  const aText = a === Math.sqrt(5) ? "sqrt(5)" : String(a);
  return { kind: "uniform", low: -bound, high: bound, rule: `kaiming_uniform(a=${aText}, ${o.mode ?? "fan_in"}=${fan})` };
}

/** kaiming_normal_ as an Initializer. */
export function kaimingNormal(shape: readonly number[], o: KaimingOptions = {}): Initializer {
  const a = o.a ?? 0;
  const [fi, fo] = fanInOut(shape);
  const fan = (o.mode ?? "fan_in") === "fan_in" ? fi : fo;
  const gain = calculateGain(o.nonlinearity ?? "leaky_relu", a);
  const std = gain / Math.sqrt(fan);
  return { kind: "normal", mean: 0, std, rule: `kaiming_normal(a=${a}, ${o.mode ?? "fan_in"}=${fan})` };
}

/** xavier_uniform_. */
export function xavierUniform(shape: readonly number[], gain = 1.0): Initializer {
  const [fi, fo] = fanInOut(shape);
  const std = gain * Math.sqrt(2.0 / (fi + fo));
  const a = Math.sqrt(3.0) * std;
  return { kind: "uniform", low: -a, high: a, rule: `xavier_uniform(gain=${gain})` };
}

/** xavier_normal_. */
export function xavierNormal(shape: readonly number[], gain = 1.0): Initializer {
  const [fi, fo] = fanInOut(shape);
  const std = gain * Math.sqrt(2.0 / (fi + fo));
  return { kind: "normal", mean: 0, std, rule: `xavier_normal(gain=${gain})` };
}

/** The bias rule of nn.Linear / nn.ConvNd: uniform(±1/sqrt(fan_in)) of the weight's fan_in (0 when fan_in is 0). */
export function biasUniform(weightShape: readonly number[]): Initializer {
  const [fanIn] = fanInOut(weightShape);
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return { kind: "uniform", low: -bound, high: bound, rule: `uniform(±1/sqrt(fan_in=${fanIn}))` };
}

export function uniform(low = 0, high = 1): Initializer {
  return { kind: "uniform", low, high };
}
export function normal(mean = 0, std = 1): Initializer {
  return { kind: "normal", mean, std };
}
export function constant(value: number): Initializer {
  return { kind: "constant", value };
}
export function zeros(): Initializer {
  return { kind: "constant", value: 0 };
}
export function ones(): Initializer {
  return { kind: "constant", value: 1 };
}
