/**
 * Module: a plain object with named parameters, buffers and sub-modules, and a
 * forward. State is explicit: parameters are kept tensors owned by the module
 * (freed by dispose()), gradients live on them, and optimizers hold their own
 * state. Paths are PyTorch's dotted names ("0.weight", "layer1.conv.weight"),
 * so state dicts move between twin and Python unchanged.
 *
 * Initialisation is always drawn from an explicit Generator (see initialize()).
 */
import { Tensor } from "../tensor.ts";
import type { Generator, GeneratorSource } from "../generator.ts";
import { empty } from "../creation.ts";
import { noGrad } from "../runtime.ts";
import { applyInit, describeInit, initDraws, type Initializer } from "./init.ts";

/** A parameter slot: the tensor, the rule that initialises it, and whether it has been. */
export interface ParameterInfo {
  path: string;
  tensor: Tensor;
  init: Initializer;
  initialized: boolean;
}

interface ParamSlot {
  tensor: Tensor;
  init: Initializer;
  initialized: boolean;
}

interface BufferSlot {
  tensor: Tensor;
  persistent: boolean;
}

/** A generator for the whole model, or one per parameter (path, shape). */
export type InitSource = Generator | ((path: string, shape: number[]) => Generator);

export interface InitializeOptions {
  /** Dispose each generator the callback returns, right after it is used (default false). */
  disposeGenerators?: boolean;
  /** Re-draw parameters that are already initialized (default true). */
  overwrite?: boolean;
  /** Draw only the parameters at these paths (the others keep their values); default: all. */
  only?: ReadonlySet<string>;
}

export type StateDict = Record<string, Tensor>;

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export abstract class Module {
  #params = new Map<string, ParamSlot>();
  #buffers = new Map<string, BufferSlot>();
  #children = new Map<string, Module>();
  #training = true;
  #uninitialized = 0;
  #disposed = false;

  /** The computation. Subclasses override it. */
  abstract forward(x: Tensor): Tensor;

  /** Short description for messages and printing, e.g. "Linear(784 → 256)". */
  describe(): string {
    return this.constructor.name;
  }

  toString(): string {
    const lines = [this.describe() + (this.#children.size ? "(" : "")];
    for (const [name, child] of this.#children) {
      const inner = child.toString().split("\n").join("\n  ");
      lines.push(`  (${name}): ${inner}`);
    }
    if (this.#children.size) lines.push(")");
    return lines.join("\n");
  }

  // ---- registration ---------------------------------------------------------

  /**
   * Registers a parameter (kept, requiresGrad). When g is given it is drawn
   * now from g; otherwise it stays uninitialized until initialize() or
   * loadStateDict(). Returns the tensor.
   */
  protected registerParameter(name: string, shape: readonly number[], init: Initializer, g?: Generator | null): Tensor {
    this.#checkName(name);
    const t = empty(shape).keep();
    const slot: ParamSlot = { tensor: t, init, initialized: false };
    this.#params.set(name, slot);
    if (g != null || !initDraws(init)) {
      applyInit(t, init, g ?? null);
      slot.initialized = true;
    } else {
      this.#uninitialized++;
    }
    t.requiresGrad_(true);
    return t;
  }

  /**
   * Registers a tensor that already holds weights (a scripted module's
   * parameter, shared with libtorch) as a parameter: kept, its requiresGrad
   * left as it is, marked initialized.
   */
  protected adoptParameter(name: string, t: Tensor, init: Initializer): Tensor {
    this.#checkName(name);
    t.keep();
    this.#params.set(name, { tensor: t, init, initialized: true });
    return t;
  }

  /** Registers a buffer (kept, no grad). Non-persistent buffers are left out of stateDict(). */
  protected registerBuffer(name: string, t: Tensor, persistent = true): Tensor {
    this.#checkName(name);
    t.keep();
    this.#buffers.set(name, { tensor: t, persistent });
    return t;
  }

  /** Registers a sub-module under name (its paths become "name.…"). */
  protected registerModule<M extends Module>(name: string, m: M): M {
    this.#checkName(name);
    if (!(m instanceof Module)) throw new TypeError(`${this.describe()}.registerModule('${name}'): not a Module`);
    this.#children.set(name, m);
    m.train(this.#training);
    return m;
  }

  #checkName(name: string): void {
    if (name === "" || name.includes(".")) throw new Error(`invalid name '${name}': names must be non-empty and contain no '.'`);
    if (this.#params.has(name) || this.#buffers.has(name) || this.#children.has(name)) {
      throw new Error(`${this.describe()}: '${name}' is already registered`);
    }
  }

  /** Replaces the initializer of one of this module's own parameters (before initialize()). */
  setInitializer(name: string, init: Initializer): this {
    const slot = this.#params.get(name);
    if (!slot) throw new Error(`${this.describe()} has no parameter '${name}'`);
    slot.init = init;
    return this;
  }

  /** Throws a clear error when a parameter of this module (not its children) is uninitialized. */
  protected requireInitialized(): void {
    if (this.#disposed) throw new Error(`${this.describe()} was disposed; its parameters are gone`);
    if (this.#uninitialized === 0) return;
    const names = [...this.#params].filter(([, s]) => !s.initialized).map(([n]) => n);
    throw new Error(
      `${this.describe()}: parameter${names.length > 1 ? "s" : ""} ${names.join(", ")} ${names.length > 1 ? "are" : "is"} uninitialized. ` +
        `Build the module with { generator } or call model.initialize(generator) ` +
        `(or model.initialize((path, shape) => generator)), or load weights with model.loadStateDict(...)`,
    );
  }

  // ---- traversal ------------------------------------------------------------

  /** [path, module] for this module ("") and every descendant, in registration order. */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.#children) out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  /** Direct sub-modules. */
  namedChildren(): [string, Module][] {
    return [...this.#children];
  }

  children(): Module[] {
    return [...this.#children.values()];
  }

  /** [path, parameter] in PyTorch's order (each module's own parameters, then its children's). */
  namedParameters(): [string, Tensor][] {
    return this.parameterInfo().map((p) => [p.path, p.tensor]);
  }

  parameters(): Tensor[] {
    return this.parameterInfo().map((p) => p.tensor);
  }

  /** Parameters with their initializers and whether each has been initialized. */
  parameterInfo(): ParameterInfo[] {
    const out: ParameterInfo[] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, s] of m.#params) {
        out.push({ path: prefix ? `${prefix}.${name}` : name, tensor: s.tensor, init: s.init, initialized: s.initialized });
      }
    }
    return out;
  }

  /** [path, buffer] (running statistics and the like). */
  namedBuffers(options: { persistentOnly?: boolean } = {}): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, b] of m.#buffers) {
        if (options.persistentOnly && !b.persistent) continue;
        out.push([prefix ? `${prefix}.${name}` : name, b.tensor]);
      }
    }
    return out;
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /** Total number of parameter elements. */
  numParameters(options: { trainableOnly?: boolean } = {}): number {
    let n = 0;
    for (const p of this.parameters()) {
      if (options.trainableOnly && !p.requiresGrad) continue;
      n += p.numel;
    }
    return n;
  }

  /** Whether every parameter has been initialized (drawn or loaded). */
  get isInitialized(): boolean {
    return this.namedModules().every(([, m]) => m.#uninitialized === 0);
  }

  // ---- modes ----------------------------------------------------------------

  get training(): boolean {
    return this.#training;
  }

  /** Sets training mode on this module and every descendant. */
  train(flag = true): this {
    this.#training = flag;
    for (const child of this.#children.values()) child.train(flag);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Sets the dropout generator (or a source asked for one at every mask) of every dropout sub-module (see Dropout). */
  setDropoutGenerator(g: Generator | GeneratorSource | null): this {
    for (const [, m] of this.namedModules()) {
      const d = m as unknown as { dropoutGenerator?: Generator | GeneratorSource | null; isDropout?: boolean };
      if (d.isDropout) d.dropoutGenerator = g;
    }
    return this;
  }

  // ---- initialisation -------------------------------------------------------

  /**
   * Draws every parameter from `source`, in registration order.
   * - initialize(g): one generator for all; the same order as PyTorch's
   *   constructors, so a model built without a generator and initialized from
   *   Generator(s) equals one built with { generator: Generator(s) }.
   * - initialize((path, shape) => g): each parameter from its own generator,
   *   so parameters that share a path and shape across two architectures can
   *   start identical. Those generators are not disposed unless
   *   options.disposeGenerators is set.
   * Parameters whose initializer draws nothing (ones, zeros) are filled too.
   */
  initialize(source: InitSource, options: InitializeOptions = {}): this {
    const overwrite = options.overwrite ?? true;
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, s] of m.#params) {
        if (s.initialized && !overwrite) continue;
        const path = prefix ? `${prefix}.${name}` : name;
        if (options.only && !options.only.has(path)) continue;
        if (source instanceof Function) {
          if (initDraws(s.init)) {
            const g = source(path, s.tensor.shape);
            try {
              applyInit(s.tensor, s.init, g);
            } finally {
              if (options.disposeGenerators) g.dispose();
            }
          } else {
            applyInit(s.tensor, s.init, null);
          }
        } else {
          applyInit(s.tensor, s.init, source);
        }
        if (!s.initialized) m.#uninitialized--;
        s.initialized = true;
      }
      m.onInitialize();
    }
    return this;
  }

  /** Hook run after this module's own parameters were (re)initialised (e.g. Embedding's padding row). */
  protected onInitialize(): void {}

  /** Human-readable list: path, shape, initializer. */
  describeInitialization(): string[] {
    return this.parameterInfo().map((p) => `${p.path} [${p.tensor.shape.join(", ")}] ${describeInit(p.init)}${p.initialized ? "" : " (uninitialized)"}`);
  }

  // ---- state ----------------------------------------------------------------

  /**
   * Parameters and persistent buffers by path, as detached views sharing the
   * module's memory (like PyTorch's state_dict). The views are new handles in
   * the current scope; the module's tensors are unaffected when they are freed.
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, s] of m.#params) out[prefix ? `${prefix}.${name}` : name] = s.tensor.detach();
      for (const [name, b] of m.#buffers) if (b.persistent) out[prefix ? `${prefix}.${name}` : name] = b.tensor.detach();
    }
    return out;
  }

  /**
   * Copies tensors into the parameters and buffers (under noGrad, converting
   * dtype). Shape mismatches always throw; missing or unexpected keys throw
   * when strict (the default), and are returned otherwise.
   */
  loadStateDict(state: StateDict | Map<string, Tensor>, options: { strict?: boolean } = {}): LoadResult {
    const strict = options.strict ?? true;
    const entries = state instanceof Map ? state : new Map(Object.entries(state));
    const targets = new Map<string, { tensor: Tensor; slot?: ParamSlot; owner: Module }>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, s] of m.#params) targets.set(prefix ? `${prefix}.${name}` : name, { tensor: s.tensor, slot: s, owner: m });
      for (const [name, b] of m.#buffers) if (b.persistent) targets.set(prefix ? `${prefix}.${name}` : name, { tensor: b.tensor, owner: m });
    }
    const missingKeys = [...targets.keys()].filter((k) => !entries.has(k));
    const unexpectedKeys = [...entries.keys()].filter((k) => !targets.has(k));
    const problems: string[] = [];
    for (const [k, src] of entries) {
      const t = targets.get(k);
      if (!t) continue;
      const a = t.tensor.shape;
      const b = src.shape;
      if (a.length !== b.length || a.some((v, i) => v !== b[i])) {
        problems.push(`size mismatch for ${k}: copying a param with shape [${b.join(", ")}], the shape in the current model is [${a.join(", ")}]`);
      }
    }
    if (strict) {
      if (missingKeys.length) problems.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}`);
      if (unexpectedKeys.length) problems.splice(missingKeys.length ? 1 : 0, 0, `Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}`);
    }
    if (problems.length) {
      throw new Error(`Error(s) in loading state_dict for ${this.describe()}:\n\t${problems.join("\n\t")}`);
    }
    noGrad(() => {
      for (const [k, src] of entries) {
        const t = targets.get(k);
        if (!t) continue;
        t.tensor.copy_(src);
        if (t.slot && !t.slot.initialized) {
          t.slot.initialized = true;
          t.owner.#uninitialized--;
        }
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- gradients and lifetime -----------------------------------------------

  /** Drops every parameter's gradient (set_to_none semantics). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Turns gradient tracking of every parameter on or off (freezing). */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad_(flag);
    return this;
  }

  /** Frees every parameter and buffer of this module and its descendants. Safe to call twice. */
  dispose(): void {
    for (const [, m] of this.namedModules()) {
      if (m.#disposed) continue;
      m.#disposed = true;
      for (const s of m.#params.values()) {
        if (!s.tensor.isDisposed) s.tensor.grad = null;
        s.tensor.dispose();
      }
      for (const b of m.#buffers.values()) b.tensor.dispose();
    }
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }
}
