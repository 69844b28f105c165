/**
 * Calling a scripted forward with several arguments and reading back what it
 * returns: the arguments checked against forward's schema (count and, for
 * tensors, type) before anything runs, tensors passed as table ids, and the
 * result (tensors, tuples, lists, Dict[str, Tensor], numbers) decoded into JS
 * values. See docs/torchscript.md, "Several inputs and outputs".
 */
import { Tensor } from "../tensor.ts";
import type { TaggedValue } from "../native.ts";

/** One argument of forward, from its schema: type as Python writes it ("Tensor", "Optional[Tensor]", "List[Tensor]", "int"). */
export interface ForwardArgument {
  name: string;
  type: string;
  /** The default as the schema prints it; absent when the argument has none. */
  default?: string;
}

/** What a scripted forward can be given: tensors, numbers (int or float as the schema says), booleans, strings, null (None) and lists. */
export type ScriptArgument = Tensor | number | boolean | string | null | undefined | readonly ScriptArgument[];

/** What a scripted forward returns, in JS: a tuple or list is an array, a Dict[str, ...] an object, None null. */
export type ScriptValue = Tensor | number | boolean | string | null | ScriptValue[] | { [key: string]: ScriptValue };

/** Which output of a structured forward is the prediction: a Dict key ("out") or a tuple/list index (0). */
export type OutputSelector = string | number;

const TENSOR_TYPES: Record<string, (v: unknown) => boolean> = {
  Tensor: (v) => v instanceof Tensor,
  "Optional[Tensor]": (v) => v === null || v === undefined || v instanceof Tensor,
  "List[Tensor]": (v) => Array.isArray(v) && v.every((e) => e instanceof Tensor),
  "List[Optional[Tensor]]": (v) => Array.isArray(v) && v.every((e) => e === null || e === undefined || e instanceof Tensor),
};

/** "forward(Tensor x, Tensor mask)": the signature as a user reads it. */
export function signature(args: readonly ForwardArgument[]): string {
  return `forward(${args.map((a) => `${a.type} ${a.name}${a.default === undefined ? "" : `=${a.default}`}`).join(", ")})`;
}

/** Arguments that must be given: no default and not Optional (libtorch passes None for a missing Optional). */
export function requiredCount(args: readonly ForwardArgument[]): number {
  let n = 0;
  args.forEach((a, i) => {
    if (a.default === undefined && !a.type.startsWith("Optional[")) n = i + 1;
  });
  return n;
}

function containsTensor(v: unknown): boolean {
  return v instanceof Tensor || (Array.isArray(v) && v.some(containsTensor));
}

function describeJs(v: unknown): string {
  if (v instanceof Tensor) return v.isDisposed ? "a disposed Tensor" : `Tensor[${v.shape.join(", ")}] ${v.dtype}`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return "null";
  if (v === undefined) return "nothing";
  return `${typeof v} ${typeof v === "string" ? JSON.stringify(v) : String(v)}`;
}

/**
 * Throws, before anything runs, when `given` does not fit forward's schema:
 * too many or too few arguments (naming them, with an example call), or a
 * tensor where the schema wants another type and the other way round. Numbers,
 * booleans and strings are checked by the native conversion (int vs float).
 */
export function checkArguments(what: string, args: readonly ForwardArgument[], given: readonly ScriptArgument[]): void {
  const sig = signature(args);
  const required = requiredCount(args);
  const example = `model.forwardMany([${args.slice(0, Math.max(required, 1)).map((a) => a.name).join(", ")}])`;
  if (given.length > args.length) {
    throw new Error(`${what}: ${sig} takes ${args.length === 1 ? "1 input" : `at most ${args.length} inputs`}, got ${given.length}`);
  }
  if (given.length < required) {
    const missing = args.slice(given.length, required).map((a) => `${a.name} (${a.type})`);
    throw new Error(
      `${what}: ${sig} got ${given.length} input${given.length === 1 ? "" : "s"}: give ${required === args.length ? (required === 2 ? "both" : `all ${required}`) : `at least ${required}`} ` +
        `(missing ${missing.join(", ")}), e.g. ${example}`,
    );
  }
  given.forEach((v, i) => {
    const a = args[i];
    const disposed = (Array.isArray(v) ? v : [v]).find((e) => e instanceof Tensor && e.isDisposed);
    if (disposed) throw new Error(`${what}: argument ${i + 1} '${a.name}' of ${sig} is a disposed Tensor; keep it alive with keep() or return it from the scope that made it`);
    const fits = TENSOR_TYPES[a.type];
    if (fits) {
      if (!fits(v)) throw new Error(`${what}: argument ${i + 1} '${a.name}' of ${sig} must be ${a.type === "Tensor" ? "a Tensor" : `of type ${a.type}`}, got ${describeJs(v)}`);
      return;
    }
    if (a.type.includes("Tensor")) {
      throw new Error(`${what}: argument '${a.name}' of ${sig} has type ${a.type}, which twin cannot pass yet; take Tensor, Optional[Tensor] or List[Tensor] arguments`);
    }
    if (containsTensor(v)) throw new Error(`${what}: argument ${i + 1} '${a.name}' of ${sig} must be ${a.type}, got ${describeJs(v)}`);
  });
}

/** The arguments with tensors as their table ids (what native.jitCall takes). */
export function encodeArguments(given: readonly ScriptArgument[]): unknown[] {
  const encode = (v: ScriptArgument): unknown => (v instanceof Tensor ? v.id : Array.isArray(v) ? v.map(encode) : v);
  return given.map(encode);
}

/** native.jitCall's result as JS values; each tensor is a new Tensor of the current scope. */
export function decodeValue(v: TaggedValue): ScriptValue {
  if (Array.isArray(v)) return v.map(decodeValue);
  if (v !== null && typeof v === "object") {
    if ("tensor" in v) return new Tensor(v.tensor);
    const out: { [key: string]: ScriptValue } = {};
    for (const [key, value] of v.dict) out[String(key)] = decodeValue(value);
    return out;
  }
  return v;
}

/** Every tensor in a value. */
export function tensorsOf(v: ScriptValue): Tensor[] {
  if (v instanceof Tensor) return [v];
  if (Array.isArray(v)) return v.flatMap(tensorsOf);
  if (v !== null && typeof v === "object") return Object.values(v).flatMap(tensorsOf);
  return [];
}

/** "Dict with keys "out", "aux"", "tuple of 2", "Tensor[4, 10] float32". */
export function describeValue(v: ScriptValue): string {
  if (v instanceof Tensor) return `Tensor[${v.shape.join(", ")}] ${v.dtype}`;
  if (Array.isArray(v)) return `a tuple/list of ${v.length} (${v.map(describeValue).join(", ")})`;
  if (v !== null && typeof v === "object") return `a Dict with keys ${Object.keys(v).map((k) => JSON.stringify(k)).join(", ")}`;
  return JSON.stringify(v);
}

/**
 * The prediction in a structured output: `output` is a Dict key or a
 * tuple/list index (negative counts from the end); throws naming what the
 * output holds when the selector does not fit or does not lead to a tensor.
 */
export function selectOutput(what: string, value: ScriptValue, output: OutputSelector): Tensor {
  let picked: ScriptValue | undefined;
  if (typeof output === "number") {
    if (Array.isArray(value) && Number.isInteger(output)) picked = value[output < 0 ? value.length + output : output];
  } else if (value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Tensor)) {
    picked = Object.hasOwn(value, output) ? value[output] : undefined;
  }
  if (picked instanceof Tensor) return picked;
  const hint = value instanceof Tensor
    ? "forward returns one tensor: leave `output` out"
    : Array.isArray(value)
      ? `give an index from 0 to ${value.length - 1}`
      : value !== null && typeof value === "object"
        ? `give one of the keys ${Object.keys(value).map((k) => JSON.stringify(k)).join(", ")}`
        : "";
  const reason = picked === undefined ? "has no such output" : `holds ${describeValue(picked)} there, not a tensor`;
  throw new Error(`${what}: output ${JSON.stringify(output)} selects the prediction, but forward returned ${describeValue(value)}, which ${reason}${hint ? `; ${hint}` : ""}`);
}
