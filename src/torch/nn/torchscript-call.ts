/**
 * Calling a scripted forward with several arguments and reading back what it
 * returns: the arguments checked against forward's schema (count and type,
 * down to the elements of lists, tuples and Dicts) before anything runs,
 * tensors passed as table ids, and the result (tensors, tuples, lists,
 * Dict[str, Tensor], numbers) decoded into JS values. See docs/torchscript.md, "Several inputs and outputs".
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

/**
 * What a scripted forward can be given: tensors, numbers (int or float as the schema says), booleans,
 * strings, null (None), arrays for lists and tuples, objects for Dict[str, ...] (e.g. a detection model's
 * targets: [{ boxes, labels }]).
 */
export type ScriptArgument = Tensor | number | boolean | string | null | undefined | readonly ScriptArgument[] | { readonly [key: string]: ScriptArgument };

/** What a scripted forward returns, in JS: a tuple or list is an array, a Dict[str, ...] an object, None null. */
export type ScriptValue = Tensor | number | boolean | string | null | ScriptValue[] | { [key: string]: ScriptValue };

/** Which output of a structured forward is the prediction: a Dict key ("out") or a tuple/list index (0). */
export type OutputSelector = string | number;

/** A TorchScript type as Python writes it, parsed: "Dict[str, List[Tensor]]" → {name: "Dict", args: [str, List[Tensor]]}. */
interface ScriptType {
  name: string;
  args: ScriptType[];
}

function parseType(text: string): ScriptType {
  let at = 0;
  const parse = (): ScriptType => {
    const start = at;
    while (at < text.length && !"[], ".includes(text[at])) at++;
    const node: ScriptType = { name: text.slice(start, at), args: [] };
    if (text[at] === "[") {
      at++;
      while (text[at] !== "]" && at < text.length) {
        node.args.push(parse());
        while (text[at] === "," || text[at] === " ") at++;
      }
      at++;
    }
    return node;
  };
  return parse();
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Tensor);

/** Where inside an argument a value does not fit (`[0]["boxes"]`, "" for the argument itself), what was expected there and what came. */
interface Misfit {
  at: string;
  expected: string;
  got: string;
}

/**
 * Where `v` does not fit `type` (null when it does). Types twin does not model (Any, a custom class) fit
 * anything without a tensor in it, and are left to the native conversion.
 */
function misfit(type: ScriptType, v: unknown, at = ""): Misfit | null {
  const no = (expected: string): Misfit => ({ at, expected, got: describeJs(v) });
  const each = (items: [string, ScriptType, unknown][]): Misfit | null => {
    for (const [where, t, e] of items) {
      const m = misfit(t, e, `${at}${where}`);
      if (m) return m;
    }
    return null;
  };
  switch (type.name) {
    case "Tensor":
      if (v instanceof Tensor && v.isDisposed) return { at, expected: "a live Tensor", got: "a disposed Tensor (keep it alive with keep() or return it from the scope that made it)" };
      return v instanceof Tensor ? null : no("a Tensor");
    case "Optional":
      return v === null || v === undefined ? null : misfit(type.args[0], v, at);
    case "int":
      return typeof v === "number" && Number.isInteger(v) ? null : no("an integer");
    case "float":
      return typeof v === "number" ? null : no("a number");
    case "bool":
      return typeof v === "boolean" ? null : no("a boolean");
    case "str":
      return typeof v === "string" ? null : no("a string");
    case "List":
      return Array.isArray(v) ? each(v.map((e, i) => [`[${i}]`, type.args[0], e])) : no(`an array (${typeString(type)})`);
    case "Tuple":
      return Array.isArray(v) && v.length === type.args.length
        ? each(v.map((e, i) => [`[${i}]`, type.args[i], e]))
        : no(`an array of ${type.args.length} (${typeString(type)})`);
    case "Dict": {
      if (!isRecord(v)) return no(`an object (${typeString(type)})`);
      const key = type.args[0].name;
      if (key !== "str" && key !== "int") return { at, expected: "a Dict with str or int keys (all twin passes)", got: typeString(type) };
      const bad = key === "int" ? Object.keys(v).find((k) => !/^-?\d+$/.test(k)) : undefined;
      if (bad !== undefined) return { at, expected: "integer keys", got: `key ${JSON.stringify(bad)}` };
      return each(Object.entries(v).map(([k, e]) => [`[${JSON.stringify(k)}]`, type.args[1], e]));
    }
    default:
      return containsTensor(v) ? { at, expected: typeString(type), got: `${describeJs(v)} (twin cannot pass a tensor there)` } : null;
  }
}

function typeString(t: ScriptType): string {
  return t.args.length ? `${t.name}[${t.args.map(typeString).join(", ")}]` : t.name;
}

/** "forward(Tensor x, Tensor mask)": the signature as a user reads it. */
export function signature(args: readonly ForwardArgument[], method = "forward"): string {
  return `${method}(${args.map((a) => `${a.type} ${a.name}${a.default === undefined ? "" : `=${a.default}`}`).join(", ")})`;
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
  return v instanceof Tensor || (Array.isArray(v) && v.some(containsTensor)) || (isRecord(v) && Object.values(v).some(containsTensor));
}

function describeJs(v: unknown): string {
  if (v instanceof Tensor) return v.isDisposed ? "a disposed Tensor" : `Tensor[${v.shape.join(", ")}] ${v.dtype}`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (isRecord(v)) return `an object with keys ${Object.keys(v).map((k) => JSON.stringify(k)).join(", ") || "(none)"}`;
  if (v === null) return "null";
  if (v === undefined) return "nothing";
  return `${typeof v} ${typeof v === "string" ? JSON.stringify(v) : String(v)}`;
}

/**
 * Throws, before anything runs, when `given` does not fit forward's schema:
 * too many or too few arguments (naming them, with an example call), or an
 * argument of the wrong type, down to the element (`argument 2 'targets' of
 * forward(...) must be List[Dict[str, Tensor]]; at targets[0]["boxes"] it got
 * number 3, not a Tensor`). A tensor never reaches a number's place or the
 * other way round: tensors travel as table ids.
 */
export function checkArguments(what: string, args: readonly ForwardArgument[], given: readonly ScriptArgument[], method = "forward"): void {
  const sig = signature(args, method);
  const required = requiredCount(args);
  const names = args.slice(0, Math.max(required, 1)).map((a) => a.name).join(", ");
  const example = method === "forward" ? `model.forwardMany([${names}])` : `model.callMethod(${JSON.stringify(method)}, [${names}])`;
  if (given.length > args.length) {
    throw new Error(`${what}: ${sig} takes ${args.length === 1 ? "1 input" : `at most ${args.length} inputs`}, got ${given.length}`);
  }
  const missing = args.slice(0, required).filter((a, i) => given[i] === undefined && a.default === undefined && !a.type.startsWith("Optional["));
  if (missing.length) {
    const count = given.filter((v) => v !== undefined).length;
    throw new Error(
      `${what}: ${sig} got ${count} input${count === 1 ? "" : "s"}: give ${required === args.length ? (required === 2 ? "both" : `all ${required}`) : `at least ${required}`} ` +
        `(missing ${missing.map((a) => `${a.name} (${a.type})`).join(", ")}), e.g. ${example}`,
    );
  }
  given.forEach((v, i) => {
    const a = args[i];
    if (v === undefined && (a.default !== undefined || a.type.startsWith("Optional["))) return;
    const m = misfit(parseType(a.type), v);
    if (!m) return;
    const head = `${what}: argument ${i + 1} '${a.name}' of ${sig}`;
    throw new Error(m.at ? `${head} must be ${a.type}; at ${a.name}${m.at} it got ${m.got}, not ${m.expected}` : `${head} must be ${m.expected}, got ${m.got}`);
  });
}

/**
 * Positional and named arguments as one positional list (a name's place from the schema; places left
 * open are undefined: the default, or None for an Optional). Throws for a name forward does not have and
 * for an argument given both ways.
 */
export function placeArguments(what: string, args: readonly ForwardArgument[], given: readonly ScriptArgument[], named: Readonly<Record<string, ScriptArgument>>, method = "forward"): ScriptArgument[] {
  const placed: ScriptArgument[] = [...given];
  for (const [name, v] of Object.entries(named)) {
    const i = args.findIndex((a) => a.name === name);
    if (i < 0) throw new Error(`${what}: ${signature(args, method)} has no argument named '${name}'; its arguments are ${args.map((a) => a.name).join(", ")}`);
    if (i < given.length) throw new Error(`${what}: argument '${name}' of ${signature(args, method)} was given by position and by name; give it once`);
    placed[i] = v;
  }
  for (let i = 0; i < placed.length; i++) if (!(i in placed)) placed[i] = undefined;
  return placed;
}

/** The arguments with tensors as their table ids (what native.jitCall takes). */
export function encodeArguments(given: readonly ScriptArgument[]): unknown[] {
  const encode = (v: ScriptArgument): unknown =>
    v instanceof Tensor ? v.id : Array.isArray(v) ? v.map(encode) : isRecord(v) ? Object.fromEntries(Object.entries(v).map(([k, e]) => [k, encode(e as ScriptArgument)])) : v;
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
