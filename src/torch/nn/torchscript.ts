/**
 * nn.torchscript(path): a PyTorch model scripted in Python
 * (`torch.jit.script(model).save(path)`) as a twin module. Its parameters and
 * buffers are the scripted module's own tensors (shared with libtorch, so twin's
 * optimizers train it in place), under PyTorch's paths ("body.0.weight");
 * forward runs the scripted code. See docs/torchscript.md.
 *
 * - Initial weights: `init: "file"` (default) keeps the file's weights;
 *   `init: "twin"` re-draws every parameter from the run's init stream with
 *   PyTorch's default rule for its module type (torchscript-init.ts);
 *   `reinit: ["head.*"]` re-draws only the parameters whose path matches.
 * - Several inputs and structured outputs: forwardMany([x, mask]) returns tuples
 *   as arrays and Dict[str, Tensor] as objects; `output: "out"` makes forward(x)
 *   return that output (the prediction a twin study's loss sees), `inputs`
 *   builds forward's arguments from the batch, lastOutput("aux") reads the rest.
 * - Randomness: a module whose code draws random numbers (dropout, rand_like,
 *   ...) draws them from the generator given with setDropoutGenerator (the
 *   variant's dropout stream in twin training: one draw counted per training
 *   forward, and per eval forward that draws), never from libtorch's global
 *   generator (native/jit.cc swaps its state in).
 */
import { statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { native, type ScriptedModuleInfo } from "../native.ts";
import { Tensor } from "../tensor.ts";
import { Generator, type GeneratorSource } from "../generator.ts";
import { noGrad } from "../runtime.ts";
import { scope } from "../scope.ts";
import { Module, type InitSource, type InitializeOptions, type LoadResult, type StateDict } from "./module.ts";
import { applyInit, type Initializer } from "./init.ts";
import { matchPaths } from "./parameter-patterns.ts";
import {
  checkArguments, decodeValue, describeValue, encodeArguments, placeArguments, requiredCount, selectOutput, signature, tensorsOf,
  type ForwardArgument, type OutputSelector, type ScriptArgument, type ScriptValue,
} from "./torchscript-call.ts";
import { defaultRule, embeddingInit, RUNNING_STATS_TYPES, scriptedTypeName, type ScriptedInitRule } from "./torchscript-init.ts";

export type { ScriptedInitRule } from "./torchscript-init.ts";
export type { ForwardArgument, OutputSelector, ScriptArgument, ScriptValue } from "./torchscript-call.ts";

export interface TorchScriptOptions {
  /** "file" (default): the weights saved in the file; "twin": every parameter drawn from the init stream by PyTorch's default rule. */
  init?: "file" | "twin";
  /** Glob patterns over parameter paths (e.g. "head.*", "layer4.**") re-drawn from the init stream; the rest keep the file's weights. */
  reinit?: string[];
  /** Init rules for module types twin has no default for, by class name (e.g. { MyGate: (name, shape) => nn.init.zeros() }). */
  rules?: Record<string, ScriptedInitRule>;
  /**
   * For a forward that returns a tuple, list or Dict: which output is the prediction that forward(x) returns
   * (and so what a twin study's loss, accuracy and metrics see): a Dict key ("out") or an index (0).
   */
  output?: OutputSelector;
  /**
   * For a forward that takes more than one argument: builds them from the batch's inputs, e.g.
   * `(x) => [x, x.ne(0)]` for forward(Tensor x, Tensor mask). forward(x) then calls forward(...inputs(x)).
   */
  inputs?: (x: Tensor) => ScriptArgument[];
}

/** Marks a parameter twin has no rule for: drawing it is an error that names it. */
function noRule(type: string): Initializer {
  return { kind: "custom", name: `no init rule for module type ${type}`, draws: true, fn: () => { throw new Error(`no init rule for module type ${type}`); } };
}

function isNoRule(init: Initializer): boolean {
  return init.kind === "custom" && init.name.startsWith("no init rule for module type ");
}

/** One sub-module of a scripted model: holds its parameters and buffers under their names; forward runs only on the whole model. */
class ScriptedPart extends Module {
  readonly typeName: string;

  constructor(qualifiedType: string) {
    super();
    this.typeName = scriptedTypeName(qualifiedType);
  }

  override describe(): string {
    return this.typeName;
  }

  forward(_x: Tensor): Tensor {
    throw new Error(`${this.typeName} is part of a scripted module: call forward on the whole model`);
  }

  attachParameter(name: string, t: Tensor, init: Initializer): void {
    this.adoptParameter(name, t, init);
  }

  attachBuffer(name: string, t: Tensor): void {
    this.registerBuffer(name, t);
  }

  attachChild(name: string, part: ScriptedPart): void {
    this.registerModule(name, part);
  }
}

export class TorchScriptModule extends ScriptedPart {
  /** The file, as an absolute path. */
  readonly path: string;
  /** The scripted forward's signature, e.g. "forward(__torch__.Net self, Tensor x) -> Tensor". */
  readonly schema: string;
  /** forward's arguments after self ({name, type, default}), types as Python writes them. */
  readonly arguments: readonly ForwardArgument[];
  /** forward's return type as Python writes it ("Tensor", "Dict[str, Tensor]", "Tuple[Tensor, Tensor]"). */
  readonly returns: string;
  /** The module's methods besides forward (exported with @torch.jit.export), by name: callMethod calls them. */
  readonly methods: ReadonlyMap<string, { schema: string; arguments: readonly ForwardArgument[]; returns: string; randomOps: readonly string[] }>;
  /** Random ops in the scripted code (e.g. ["aten::dropout"]); empty when forward draws nothing. */
  readonly randomOps: readonly string[];
  /**
   * Tied weights: path → the path of the one tensor it shares
   * ("decoder.weight" → "encoder.weight"). As in PyTorch's named_parameters,
   * a tied tensor is a parameter once, under its first path: trained, counted
   * and saved once; loadStateDict accepts either path.
   */
  readonly tied: ReadonlyMap<string, string>;
  readonly #id: number;
  readonly #init: "file" | "twin";
  readonly #reinit: readonly string[];
  readonly #output: OutputSelector | undefined;
  readonly #inputs: ((x: Tensor) => ScriptArgument[]) | undefined;
  /** Why forward(x) cannot call forward with x alone and return its result (null when it can). */
  readonly #plainProblem: string | null;
  #generator: Generator | GeneratorSource | null = null;
  /** The whole result of the latest structured forward(x): what lastOutput reads (see there). */
  #last: { value: ScriptValue; prediction: Tensor } | null = null;

  constructor(file: string | URL, options: TorchScriptOptions = {}) {
    const init = options.init ?? "file";
    if (init !== "file" && init !== "twin") throw new Error(`nn.torchscript: init must be "file" or "twin", got ${JSON.stringify(options.init)}`);
    const { output, inputs } = options;
    if (output !== undefined && typeof output !== "string" && !Number.isInteger(output)) {
      throw new Error(`nn.torchscript: output must be a Dict key (a string, e.g. "out") or a tuple index (an integer), got ${JSON.stringify(output)}`);
    }
    if (inputs !== undefined && typeof inputs !== "function") throw new Error("nn.torchscript: inputs must be a function (x) => [forward's arguments], e.g. (x) => [x, x.ne(0)]");
    const path = resolve(file instanceof URL ? fileURLToPath(file) : file);
    checkFile(path);
    const loaded = native.jitLoad(path);
    super(loaded.modules[0][1]);
    this.path = path;
    this.schema = loaded.schema;
    // An addon built before forwardMany existed says nothing of forward's arguments: forward(x) still runs.
    this.arguments = loaded.arguments ?? [];
    this.returns = loaded.returns ?? "Tensor";
    this.methods = new Map((loaded.methods ?? []).map(({ name, ...method }) => [name, method]));
    this.#output = output;
    this.#inputs = inputs;
    this.#plainProblem = loaded.arguments ? plainProblem(this.describe(), loaded.arguments, loaded.returns) : null;
    this.randomOps = loaded.randomOps;
    this.tied = new Map(loaded.tied);
    this.#id = loaded.id;
    this.#init = init;
    this.#reinit = options.reinit ?? [];
    if (loaded.traced) warnTraced(path, loaded.tracedAt);
    // Wrapped at once, so that a failure below frees every tensor the load handed over.
    const owned = [...loaded.parameters, ...loaded.buffers].map(([, id]) => new Tensor(id).keep());
    try {
      const misfit = output === undefined ? null : outputMisfit(this.returns, output);
      if (misfit) throw new Error(`nn.torchscript(${basename(path)}): output ${JSON.stringify(output)} selects the prediction, but forward returns ${this.returns}: ${misfit}`);
      this.#build(loaded, owned, options.rules ?? {});
      this.train(true);
      this.#redrawn();
    } catch (e) {
      this.dispose();
      for (const t of owned) t.dispose();
      throw e;
    }
  }

  #build(loaded: ScriptedModuleInfo, owned: Tensor[], rules: Record<string, ScriptedInitRule>): void {
    const parts = new Map<string, ScriptedPart>([["", this]]);
    for (const [path, type] of loaded.modules.slice(1)) {
      const cut = path.lastIndexOf(".");
      const part = new ScriptedPart(type);
      parts.get(cut < 0 ? "" : path.slice(0, cut))!.attachChild(path.slice(cut + 1), part);
      parts.set(path, part);
    }
    const owner = (path: string): [ScriptedPart, string, string] => {
      const cut = path.lastIndexOf(".");
      const ownerPath = cut < 0 ? "" : path.slice(0, cut);
      return [parts.get(ownerPath)!, ownerPath, path.slice(cut + 1)];
    };
    // Each module's parameter shapes by name, tied ones included (a Linear's bias rule needs its weight's fan_in).
    const shapes = new Map<string, Record<string, number[]>>();
    const parameterIds = new Map(loaded.parameters);
    const tiedParameters = loaded.tied.filter(([, first]) => parameterIds.has(first)).map(([path, first]): [string, number] => [path, parameterIds.get(first)!]);
    for (const [path, id] of [...loaded.parameters, ...tiedParameters]) {
      const [, ownerPath, name] = owner(path);
      const siblings = shapes.get(ownerPath) ?? {};
      siblings[name] = native.shape(id);
      shapes.set(ownerPath, siblings);
    }
    for (const [k, [path, id]] of loaded.parameters.entries()) {
      const [part, ownerPath, name] = owner(path);
      const rule = rules[part.typeName] ?? defaultRule(part.typeName);
      let init = rule ? rule(name, native.shape(id), shapes.get(ownerPath)!) : noRule(part.typeName);
      if (part.typeName === "Embedding" && name === "weight" && !rules.Embedding) {
        const pad = native.jitAttribute(this.#id, ownerPath, "padding_idx");
        if (typeof pad === "number") init = embeddingInit(pad);
      }
      part.attachParameter(name, owned[k], init);
    }
    for (const [k, [path]] of loaded.buffers.entries()) {
      const [part, , name] = owner(path);
      part.attachBuffer(name, owned[loaded.parameters.length + k]);
    }
  }

  /**
   * As Module.loadStateDict; a key under a tied path (a PyTorch state_dict
   * has both) loads into the tensor it shares. Both keys given: they must
   * hold the same values.
   */
  override loadStateDict(state: StateDict | Map<string, Tensor>, options: { strict?: boolean } = {}): LoadResult {
    if (this.tied.size === 0) return super.loadStateDict(state, options);
    const entries = new Map(state instanceof Map ? state : Object.entries(state));
    for (const [alias, first] of this.tied) {
      const t = entries.get(alias);
      if (!t) continue;
      entries.delete(alias);
      const other = entries.get(first);
      if (!other) {
        entries.set(first, t);
      } else if (!sameShape(t, other) || scope(() => noGrad(() => t.sub(other).abs().max().item())) !== 0) {
        throw new Error(
          `Error(s) in loading state_dict for ${this.describe()}: "${alias}" and "${first}" are one tied tensor in the module ` +
            `but hold different values in the state dict; give one of them`,
        );
      }
    }
    return super.loadStateDict(entries, options);
  }

  override describe(): string {
    return `TorchScript(${basename(this.path)}: ${this.typeName})`;
  }

  override train(flag = true): this {
    super.train(flag);
    if (this.#id !== undefined && !this.isDisposed) native.jitTrain(this.#id, flag);
    return this;
  }

  override setDropoutGenerator(g: Generator | GeneratorSource | null): this {
    this.#generator = g;
    return this;
  }

  /**
   * The prediction for a batch: forward(x) of the scripted module, or, with `inputs`/`output` options,
   * forward(...inputs(x)) and the output they select (the others are kept for lastOutput). One row per example.
   */
  override forward(x: Tensor): Tensor {
    if (this.isDisposed) throw new Error(`${this.describe()} was disposed; its parameters are gone`);
    if (this.#output === undefined && this.#inputs === undefined) {
      if (this.#plainProblem) throw new Error(this.#plainProblem);
      return this.#checked(x, this.#drawing(this.randomOps, (g) => new Tensor(native.jitForward(this.#id, [x.id], g?.id ?? null)), (t) => t.dispose()));
    }
    const out = this.forwardMany(this.#inputs ? this.#inputs(x) : [x]);
    let prediction: Tensor;
    try {
      if (this.#output !== undefined) prediction = selectOutput(this.describe(), out, this.#output);
      else if (out instanceof Tensor) prediction = out;
      else throw new Error(`${this.describe()}: forward returned ${describeValue(out)}; say which output is the prediction with nn.torchscript(path, { output: ${Array.isArray(out) ? "0" : '"<key>"'} })`);
    } catch (e) {
      for (const t of tensorsOf(out)) t.dispose();
      throw e;
    }
    this.#releaseLast();
    this.#last = { value: out, prediction };
    return this.#checked(x, prediction);
  }

  /**
   * An output of the latest forward(x) besides the prediction (with the `output` option), by Dict key or
   * tuple index: e.g. the aux head's logits for a loss `out + 0.5·aux`, as torchvision trains its segmentation
   * models. Its tensors live as the prediction does (until the scope of that forward closes, or the next
   * forward(x)), with their gradient graph.
   */
  lastOutput(selector: OutputSelector): Tensor {
    const last = this.#last;
    if (!last) throw new Error(`${this.describe()}: lastOutput(${JSON.stringify(selector)}) reads the latest forward(x), and none ran yet (with the output option)`);
    const t = selectOutput(`${this.describe()}, lastOutput`, last.value, selector);
    if (t.isDisposed) throw new Error(`${this.describe()}: lastOutput(${JSON.stringify(selector)}) was freed with the scope of its forward; read it in the same scope (the loss, in twin training)`);
    return t;
  }

  /** Frees the previous forward's other outputs (the prediction is the caller's). */
  #releaseLast(): void {
    if (this.#last) for (const t of tensorsOf(this.#last.value)) if (t !== this.#last.prediction) t.dispose();
    this.#last = null;
  }

  /**
   * Calls the scripted forward with `args` (its arguments after self: tensors, numbers, booleans, strings,
   * null, arrays, objects; missing trailing arguments take their defaults) and `named` ones by name
   * (`forwardMany([ids], { attention_mask: mask })`), and returns what it returns: a Tensor, an
   * array for a tuple or list, an object for a Dict[str, ...]. Checked against forward's schema first;
   * randomness as for forward (the module's generator, a draw counted per training call).
   */
  forwardMany(args: readonly ScriptArgument[], named: Readonly<Record<string, ScriptArgument>> = {}): ScriptValue {
    if (!Array.isArray(args)) throw new Error(`${this.describe()}: forwardMany takes an array of forward's arguments, e.g. model.forwardMany([x, mask]); got ${typeof args}`);
    return this.#call("forward", this.arguments, this.randomOps, args, named);
  }

  /**
   * Calls another method of the scripted module (one exported with @torch.jit.export, e.g. `encode`), as
   * forwardMany calls forward: arguments checked against its schema, results as JS values, its random ops
   * drawn from the module's generator.
   */
  callMethod(name: string, args: readonly ScriptArgument[] = [], named: Readonly<Record<string, ScriptArgument>> = {}): ScriptValue {
    if (name === "forward") return this.forwardMany(args, named);
    const method = this.methods.get(name);
    if (!method) {
      const names = [...this.methods.keys()];
      throw new Error(
        `${this.describe()} has no method '${name}'; ` +
          (names.length ? `its methods besides forward are ${names.join(", ")}` : "it has none besides forward") +
          ` (a method is kept in the file when it is called by forward or marked @torch.jit.export)`,
      );
    }
    if (!Array.isArray(args)) throw new Error(`${this.describe()}: callMethod takes an array of ${name}'s arguments; got ${typeof args}`);
    return this.#call(name, method.arguments, method.randomOps, args, named);
  }

  #call(method: string, schema: readonly ForwardArgument[], randomOps: readonly string[], args: readonly ScriptArgument[], named: Readonly<Record<string, ScriptArgument>>): ScriptValue {
    if (this.isDisposed) throw new Error(`${this.describe()} was disposed; its parameters are gone`);
    if (typeof native.jitCall !== "function") throw new Error(`${this.describe()}: the native addon predates forwardMany; rebuild it with npm run build:native`);
    const placed = placeArguments(this.describe(), schema, args, named, method);
    checkArguments(this.describe(), schema, placed, method);
    const encoded = encodeArguments(placed);
    return this.#drawing(
      randomOps,
      (g) => decodeValue(native.jitCall(this.#id, encoded, g?.id ?? null, method)),
      (v) => { for (const t of tensorsOf(v)) t.dispose(); },
    );
  }

  /**
   * Runs `run` with the generator the module's random ops draw from: none for a module without random ops;
   * in training, the module's generator (a stream is charged one draw); in eval mode, a probe first, and
   * the stream only when the module still drew (the probe's result is released then).
   */
  #drawing<T>(randomOps: readonly string[], run: (g: Generator | null) => T, release: (value: T) => void): T {
    if (randomOps.length === 0) return run(null);
    const g = this.#generator;
    if (g instanceof Generator) return run(g);
    if (this.training) {
      if (g === null) {
        throw new Error(
          `${this.describe()} draws random numbers (${randomOps.join(", ")}) and has no generator for them; ` +
            `call model.setDropoutGenerator(generator) (twin training does it with the variant's dropout stream) or switch to eval mode with model.eval()`,
        );
      }
      return run(g.take());
    }
    // Eval mode: dropout draws nothing, so a stream is not charged a draw unless the module still drew;
    // then the forward runs again on the stream, or, without one, it is an error (never a silent global draw).
    const probe = new Generator(0);
    try {
      const before = probe.getState();
      const out = run(probe);
      if (sameBytes(before, probe.getState())) return out;
      release(out);
    } finally {
      probe.dispose();
    }
    if (g === null) {
      throw new Error(`${this.describe()} drew random numbers in eval mode (${randomOps.join(", ")}); give it a generator with model.setDropoutGenerator(generator)`);
    }
    return run(g.take());
  }

  /** The output must have one row per example. */
  #checked(x: Tensor, out: Tensor): Tensor {
    const shape = out.shape;
    const batch = x.shape[0];
    if (shape.length === 0 || shape[0] !== batch) {
      out.dispose();
      throw new Error(
        `forward of ${this.describe()} on input [${x.shape.join(", ")}] returned [${shape.join(", ")}]; ` +
          `twin needs one row per example: logits [${batch}, classes] (or [${batch}, classes, H, W] for masks)`,
      );
    }
    return out;
  }

  /**
   * Re-draws the parameters that init/reinit select, each from its generator
   * (see Module.initialize); a norm layer whose parameters are re-drawn (or
   * any norm layer under init: "twin") gets fresh running statistics too.
   * With init: "file" and no reinit nothing changes.
   */
  override initialize(source: InitSource, options: InitializeOptions = {}): this {
    if (options.overwrite === false) return this;
    const targets = this.#redrawn(options.only);
    noGrad(() => {
      for (const p of targets) {
        if (source instanceof Function) {
          const g = source(p.path, p.tensor.shape);
          try {
            applyInit(p.tensor, p.init, g);
          } finally {
            if (options.disposeGenerators) g.dispose();
          }
        } else {
          applyInit(p.tensor, p.init, source);
        }
      }
      const redrawnOwners = new Set(targets.map((p) => p.path.slice(0, Math.max(0, p.path.lastIndexOf(".")))));
      for (const [path, m] of this.namedModules()) {
        if (!(m instanceof ScriptedPart) || !RUNNING_STATS_TYPES.has(m.typeName)) continue;
        if ((this.#init !== "twin" || options.only) && !redrawnOwners.has(path)) continue;
        for (const [name, b] of m.namedBuffers()) {
          if (name === "running_var") b.fill_(1);
          else if (name === "running_mean" || name === "num_batches_tracked") b.zero_();
        }
      }
    });
    return this;
  }

  /**
   * The parameters init/reinit re-draw, or exactly `only` when a caller names them (nn.pretrained's reinit,
   * whatever init says); throws naming those without a rule and patterns that match nothing.
   */
  #redrawn(only?: ReadonlySet<string>): ReturnType<Module["parameterInfo"]> {
    const all = this.parameterInfo();
    let targets = all;
    if (only) targets = all.filter((p) => only.has(p.path));
    else if (this.#init === "file") {
      // A tied weight matches under either path ("decoder.*" re-draws the tensor decoder shares with the encoder).
      const paths = all.map((p) => p.path);
      const tiedPaths = [...this.tied.keys()].filter((alias) => paths.includes(this.tied.get(alias)!));
      const selected = matchPaths(this.#reinit, [...paths, ...tiedPaths], `nn.torchscript(${basename(this.path)}), reinit`);
      const redrawn = new Set([...selected].map((p) => this.tied.get(p) ?? p));
      targets = all.filter((p) => redrawn.has(p.path));
    }
    const missing = targets.filter((p) => isNoRule(p.init));
    if (missing.length) {
      const types = [...new Set(missing.map((p) => p.init.kind === "custom" ? p.init.name.slice("no init rule for module type ".length) : ""))];
      throw new Error(
        `nn.torchscript(${basename(this.path)}): twin has no default init rule for ${missing.map((p) => p.path).join(", ")} ` +
          `(module type${types.length > 1 ? "s" : ""} ${types.join(", ")}); give one with ` +
          `rules: { ${types[0]}: (name, shape) => nn.init.… }, keep the file's weights (init: "file"), or leave ${missing.length > 1 ? "them" : "it"} out of reinit`,
      );
    }
    return targets;
  }

  override dispose(): void {
    this.#releaseLast();
    const first = !this.isDisposed;
    super.dispose();
    if (first) native.jitFree(this.#id);
  }
}

/** Why forward(x) cannot be forward's one tensor argument and its result the prediction; null when it can. */
function plainProblem(what: string, args: readonly ForwardArgument[], returns: string): string | null {
  const sig = signature(args);
  const required = requiredCount(args);
  if (args.length === 0) return `${what}: ${sig} takes no input; twin calls forward with the batch's inputs`;
  if (required > 1) {
    return (
      `${what}: ${sig} takes ${required} inputs, and forward(x) gives it one: call model.forwardMany([${args.slice(0, required).map((a) => a.name).join(", ")}]), ` +
      `or, in a twin study, build them from the batch's inputs with nn.torchscript(path, { inputs: (x) => [x, ...] })`
    );
  }
  if (args[0].type !== "Tensor" && args[0].type !== "Optional[Tensor]") return `${what}: ${sig} takes ${args[0].type} ${args[0].name}, not the batch's input tensor; call model.forwardMany([...]) or give nn.torchscript(path, { inputs: (x) => [...] })`;
  if (returns !== "Tensor") {
    return (
      `${what}: forward returns ${returns}; twin needs one Tensor as the prediction (the logits, [batch, classes]): ` +
      `say which output it is with nn.torchscript(path, { output: ${returns.startsWith("Dict[") ? '"out"' : "0"} }) (a Dict key or a tuple index), ` +
      `or call model.forwardMany([x]) for all of it`
    );
  }
  return null;
}

/** Why `output` cannot select from what forward's return type says it returns; null when it may (or the type does not tell). */
function outputMisfit(returns: string, output: OutputSelector): string | null {
  if (returns === "Tensor") return "it is the prediction itself; leave output out";
  if (typeof output === "string" && /^(Tuple|List)\[/.test(returns)) return "a tuple or list is indexed by position; give an index (0, 1, ...)";
  if (typeof output === "number" && /^Dict\[str, /.test(returns)) return 'a Dict is read by key; give the key, e.g. "out"';
  return null;
}

function checkFile(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new Error(`nn.torchscript: ${path} does not exist; save the model in Python with torch.jit.script(model).save("${basename(path)}")`);
  }
  if (!st.isFile()) throw new Error(`nn.torchscript: ${path} is not a regular file`);
}

const warnedTraced = new Set<string>();

/** Once per file and process: a traced module runs, but only the path its example input took. */
function warnTraced(path: string, tracedAt: string): void {
  if (warnedTraced.has(path)) return;
  warnedTraced.add(path);
  process.emitWarning(
    `${path} was made by torch.jit.trace${tracedAt ? ` (called at ${tracedAt})` : ""}, not torch.jit.script: ` +
      `every if and loop on tensor values in its forward was frozen to the path the example input took, ` +
      `so other inputs may compute something else. If forward has such control flow, save it with torch.jit.script(model).save(path)`,
    { code: "TWIN_TRACED_MODULE" },
  );
}

function sameShape(a: Tensor, b: Tensor): boolean {
  return a.shape.length === b.shape.length && a.shape.every((v, i) => v === b.shape[i]);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Loads a scripted PyTorch module as a twin module (see TorchScriptModule). */
export function torchscript(file: string | URL, options: TorchScriptOptions = {}): TorchScriptModule {
  return new TorchScriptModule(file, options);
}
