/**
 * Optimizer base: parameter groups with their hyper-parameters, per-parameter
 * state (kept tensors and numbers), zeroGrad with set_to_none semantics,
 * stateDict/loadStateDict in PyTorch's layout, and dispose.
 *
 * step() runs under noGrad inside a scope, so every temporary is freed and
 * only the (kept) state tensors survive.
 */
import { Tensor } from "../tensor.ts";
import { scope } from "../scope.ts";
import { noGrad } from "../runtime.ts";
import { native } from "../native.ts";

/** libm pow: CPython's float ** (V8's ** differs in the last bit for some arguments). */
export function pyPow(x: number, y: number): number {
  return native.mathFn("pow", x, y);
}

export type StateValue = Tensor | number;
export type ParamState = Record<string, StateValue>;

/** Hyper-parameters shared by every optimizer's groups. */
export interface GroupBase {
  lr: number;
  /** The lr a schedule scales (set by the first LRScheduler attached; like PyTorch's initial_lr). */
  initialLr?: number;
}

export type ParamGroup<H extends GroupBase> = H & { params: Tensor[] };

/** Parameters, or groups of them with per-group overrides ({ params, lr, ... }). */
export type ParamsInput<H> = Tensor[] | (Partial<H> & { params: Tensor[] })[];

/** JSON values and tensors. */
export type StateTree = Tensor | number | string | boolean | null | StateTree[] | { [key: string]: StateTree };

/** A JSON-able state tree (tensors are live views; see stateDict()). */
export type OptimizerState = {
  state: Record<string, Record<string, StateValue>>;
  param_groups: Record<string, StateTree>[];
};

export abstract class Optimizer<H extends GroupBase> {
  readonly paramGroups: ParamGroup<H>[];
  readonly defaults: H;
  /** Per-parameter state, keyed by parameter tensor. */
  protected state = new Map<Tensor, ParamState>();
  #disposed = false;

  constructor(params: ParamsInput<H>, defaults: H) {
    this.defaults = defaults;
    const list = params as unknown[];
    if (list.length === 0) throw new Error(`${new.target.name}: got an empty parameter list`);
    const groups = list[0] instanceof Tensor
      ? [{ params: params as Tensor[] }]
      : (params as (Partial<H> & { params: Tensor[] })[]);
    const seen = new Set<Tensor>();
    this.paramGroups = groups.map((g, i) => {
      if (!Array.isArray(g.params)) throw new Error(`${new.target.name}: parameter group ${i} has no params array`);
      for (const p of g.params) {
        if (!(p instanceof Tensor)) throw new TypeError(`${new.target.name}: group ${i} holds something that is not a Tensor`);
        if (seen.has(p)) throw new Error(`${new.target.name}: some parameters appear in more than one parameter group`);
        seen.add(p);
      }
      const group = { ...defaults, ...g, params: [...g.params] } as ParamGroup<H>;
      this.validate(group);
      return group;
    });
  }

  /** Checks a group's hyper-parameters; throws a clear error. */
  protected abstract validate(group: ParamGroup<H>): void;

  /** Updates the parameters of one group (called under noGrad, inside a scope). */
  protected abstract stepGroup(group: ParamGroup<H>): void;

  /** Tensor-valued state names, in the order stateDict lists them. */
  protected abstract readonly stateKeys: string[];

  /** One optimisation step over every parameter that has a gradient. */
  step(): void {
    if (this.#disposed) throw new Error(`${this.constructor.name} was disposed`);
    scope(() => noGrad(() => {
      for (const group of this.paramGroups) this.stepGroup(group);
    }));
  }

  /** Drops every gradient (set_to_none=True semantics: the next backward allocates fresh ones). */
  zeroGrad(): void {
    for (const group of this.paramGroups) for (const p of group.params) p.grad = null;
  }

  /** The lr of the first group; setting it sets every group's lr. */
  get lr(): number {
    return this.paramGroups[0].lr;
  }
  set lr(value: number) {
    for (const g of this.paramGroups) g.lr = value;
  }

  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /**
   * PyTorch's layout: { state: { "<index>": { step, exp_avg, … } }, param_groups:
   * [{ lr, …, params: [indices] }] }, parameters numbered across groups in
   * order. Tensors are detached views of the live state (new handles in the
   * current scope); numbers are plain JSON.
   */
  stateDict(): OptimizerState {
    const state: OptimizerState["state"] = {};
    const groups: Record<string, StateTree>[] = [];
    let index = 0;
    for (const g of this.paramGroups) {
      const ids: number[] = [];
      for (const p of g.params) {
        const s = this.state.get(p);
        if (s) {
          const o: Record<string, StateValue> = {};
          for (const [k, v] of Object.entries(s)) o[k] = v instanceof Tensor ? v.detach() : v;
          state[String(index)] = o;
        }
        ids.push(index++);
      }
      const { params: _params, ...hyper } = g;
      void _params;
      groups.push({ ...JSON.parse(JSON.stringify(hyper)), params: ids });
    }
    return { state, param_groups: groups };
  }

  /** Restores hyper-parameters and state (tensors are copied into fresh kept tensors). */
  loadStateDict(sd: unknown): void {
    const d = sd as OptimizerState;
    if (!d || typeof d !== "object" || !Array.isArray(d.param_groups) || typeof d.state !== "object") {
      throw new Error(`${this.constructor.name}.loadStateDict: expected { state, param_groups }`);
    }
    if (d.param_groups.length !== this.paramGroups.length) {
      throw new Error(`${this.constructor.name}.loadStateDict: the state has ${d.param_groups.length} parameter groups, the optimizer ${this.paramGroups.length}`);
    }
    const byIndex: Tensor[] = [];
    this.paramGroups.forEach((g, i) => {
      const saved = d.param_groups[i];
      const ids = saved.params as unknown as number[];
      if (!Array.isArray(ids) || ids.length !== g.params.length) {
        throw new Error(`${this.constructor.name}.loadStateDict: group ${i} has ${Array.isArray(ids) ? ids.length : "no"} parameters in the state, ${g.params.length} in the optimizer`);
      }
      g.params.forEach((p, k) => (byIndex[ids[k]] = p));
    });
    // Validate shapes before touching anything.
    for (const [key, s] of Object.entries(d.state)) {
      const p = byIndex[Number(key)];
      if (!p) throw new Error(`${this.constructor.name}.loadStateDict: state for unknown parameter ${key}`);
      for (const [k, v] of Object.entries(s)) {
        if (v instanceof Tensor && this.stateKeys.includes(k)) {
          const a = v.shape, b = p.shape;
          if (a.length !== b.length || a.some((x, j) => x !== b[j])) {
            throw new Error(`${this.constructor.name}.loadStateDict: state '${k}' of parameter ${key} has shape [${a.join(", ")}], the parameter [${b.join(", ")}]`);
          }
        }
      }
    }
    this.#freeState();
    this.paramGroups.forEach((g, i) => {
      const { params: _p, ...hyper } = d.param_groups[i];
      void _p;
      Object.assign(g, hyper);
    });
    noGrad(() => {
      for (const [key, s] of Object.entries(d.state)) {
        const p = byIndex[Number(key)];
        const own: ParamState = {};
        for (const [k, v] of Object.entries(s)) {
          own[k] = v instanceof Tensor ? scope(() => v.detach().to({ dtype: p.dtype }).clone()).keep() : Number(v);
        }
        this.state.set(p, own);
      }
    });
  }

  #freeState(): void {
    for (const s of this.state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
    this.state.clear();
  }

  /** Frees every state tensor. The optimizer cannot step afterwards. */
  dispose(): void {
    this.#freeState();
    this.#disposed = true;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
