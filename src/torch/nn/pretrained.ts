/**
 * Pretrained starts: a model whose weights come from a safetensors file,
 * except the parameters matched by `reinit`, which are drawn as usual (in a
 * twin run: from the run's init stream, per parameter path and shape), and
 * optionally with parameters matched by `freeze` kept fixed (left out of
 * parameters(), so the optimizer never sees them: head-only fine-tuning).
 *
 * The file is read when the run initializes the model, so every seed starts
 * from the same weights and only the re-drawn part (and the data order,
 * augmentation, dropout) varies with the seed: Picard's (2021) question of how
 * much of the seed spread is left after pretraining.
 *
 * A normalisation layer whose weight or bias is re-drawn also starts with
 * fresh running statistics, as a newly built one would in PyTorch
 * (running_mean 0, running_var 1, num_batches_tracked 0): keeping the trained
 * layer's statistics beside new affine parameters would mix two layers. The
 * file's statistics of such a layer are not read (their shapes need not fit).
 * A layer without affine parameters (BatchNorm with affine: false) is reset
 * by naming its statistics: reinit patterns match running-statistics buffers
 * too ("bn3.*", "bn3.running_*").
 *
 * Tied weights (a scripted module's `decoder.weight = embedding.weight`) are
 * one parameter, listed under its first path: a reinit or freeze pattern that
 * names the second path acts on that one tensor ("decoder.*" freezes the
 * shared weight too), and a file holding both paths (a PyTorch state_dict)
 * loads when they hold the same values.
 */
import { basename } from "node:path";
import { existsSync } from "node:fs";
import { loadSafetensors } from "../safetensors.ts";
import type { Generator, GeneratorSource } from "../generator.ts";
import type { Tensor } from "../tensor.ts";
import type { Module, InitSource, InitializeOptions, StateDict } from "./module.ts";
import { matchPaths } from "./parameter-patterns.ts";
import { noGrad } from "../runtime.ts";
import { scope } from "../scope.ts";
import { TorchScriptModule } from "./torchscript.ts";

export interface PretrainedOptions {
  /** A safetensors file with the model's state dict (e.g. saved with saveSafetensors(path, model.stateDict())). */
  weights: string;
  /** Glob patterns of parameter paths re-drawn instead of loaded (e.g. ["fc2.*"]). */
  reinit?: readonly string[];
  /** Glob patterns of parameter paths kept fixed during training. */
  freeze?: readonly string[];
}

/** Running statistics of BatchNorm/InstanceNorm layers (native and scripted) and the values a new layer starts with. */
const RUNNING_STATS: Record<string, (t: Tensor) => void> = {
  running_mean: (t) => t.zero_(),
  running_var: (t) => t.fill_(1),
  num_batches_tracked: (t) => t.zero_(),
};

const ownerOf = (path: string): string => path.slice(0, Math.max(0, path.lastIndexOf(".")));
const isRunningStat = (path: string): boolean => path.slice(path.lastIndexOf(".") + 1) in RUNNING_STATS;

/** Buffer paths of running statistics named in `matched`, or whose layer has a parameter in `matched`. */
function statsToReset(module: Module, matched: ReadonlySet<string>): Map<string, Tensor> {
  const owners = new Set([...matched].map(ownerOf));
  const out = new Map<string, Tensor>();
  for (const [path, t] of module.namedBuffers()) {
    if (isRunningStat(path) && (matched.has(path) || owners.has(ownerOf(path)))) out.set(path, t);
  }
  return out;
}

/** Second path → first path of each tied parameter (a scripted module's decoder.weight → embedding.weight); empty for other modules. */
function tiedParameters(module: Module): Map<string, string> {
  if (!(module instanceof TorchScriptModule)) return new Map();
  const parameters = new Set(module.parameterInfo().map((p) => p.path));
  return new Map([...module.tied].filter(([, first]) => parameters.has(first)));
}

/** The parameters (first paths) whose first or tied path a pattern matches. */
function matchParameters(patterns: readonly string[], paths: readonly string[], tied: ReadonlyMap<string, string>, what: string, extra: readonly string[] = []): Set<string> {
  const noun = extra.length ? ["parameter or running statistic", "parameters and running statistics"] : ["parameter", "parameters"];
  const matched = matchPaths(patterns, [...paths, ...tied.keys(), ...extra], what, noun[0], noun[1]);
  return new Set([...matched].map((p) => tied.get(p) ?? p));
}

/** A module that starts from trained weights (see the file comment); everything else is the wrapped module's. */
export class Pretrained {
  readonly module: Module;
  readonly weights: string;
  readonly #reinit: Set<string>;
  /** Running-statistics buffers named by reinit patterns (the only way to reset a layer without affine parameters). */
  readonly #reinitStats: Set<string>;
  readonly #frozen: Set<string>;
  /** Tied parameters: second path → first path. */
  readonly #tied: Map<string, string>;

  constructor(module: Module, options: PretrainedOptions) {
    this.module = module;
    this.weights = options.weights;
    const what = `nn.pretrained(${basename(options.weights)})`;
    if (!existsSync(options.weights)) throw new Error(`${what}: ${options.weights} does not exist; save the trained model's weights with saveSafetensors(path, model.stateDict())`);
    const paths = module.parameterInfo().map((p) => p.path);
    const statPaths = module.namedBuffers().map(([path]) => path).filter(isRunningStat);
    this.#tied = tiedParameters(module);
    const reinit = matchParameters(options.reinit ?? [], paths, this.#tied, `${what}, reinit`, statPaths);
    this.#reinit = new Set(paths.filter((p) => reinit.has(p)));
    this.#reinitStats = new Set(statPaths.filter((p) => reinit.has(p)));
    this.#frozen = matchParameters(options.freeze ?? [], paths, this.#tied, `${what}, freeze`);
    for (const [path, t] of module.namedParameters()) if (this.#frozen.has(path)) t.requiresGrad_(false);
  }

  /** Loads the file's weights, then draws the `reinit` parameters from source. Errors name the tensor that does not fit. */
  initialize(source: InitSource, options: InitializeOptions = {}): this {
    const file = loadSafetensors(this.weights);
    const what = `nn.pretrained(${basename(this.weights)})`;
    try {
      const own = this.module.stateDict();
      const tensors = this.#resolveTied(file.tensors, what);
      const reset = statsToReset(this.module, new Set([...this.#reinit, ...this.#reinitStats]));
      const load: StateDict = {};
      const problems: string[] = [];
      for (const [key, t] of Object.entries(own)) {
        if (this.#reinit.has(key) || reset.has(key)) continue;
        const w = tensors[key];
        if (!w) problems.push(`the file has no tensor "${key}" (shape [${t.shape.join(", ")}])`);
        else if (w.shape.length !== t.shape.length || w.shape.some((v, i) => v !== t.shape[i])) {
          problems.push(`tensor "${key}" has shape [${w.shape.join(", ")}] in the file but [${t.shape.join(", ")}] in the model`);
        } else load[key] = w;
      }
      const unexpected = Object.keys(tensors).filter((k) => !(k in own));
      if (unexpected.length) problems.push(`the model has no parameter or buffer named ${unexpected.map((k) => `"${k}"`).join(", ")}`);
      if (problems.length) {
        throw new Error(`${what}: the weights do not fit the model: ${problems.join("; ")}. Build the same architecture as the one saved, or re-draw the tensors that differ with reinit: ["<path pattern>"]`);
      }
      this.module.loadStateDict(load, { strict: false });
      if (this.#reinit.size) this.module.initialize(source, { ...options, only: this.#reinit });
      noGrad(() => {
        for (const [path, t] of reset) RUNNING_STATS[path.slice(path.lastIndexOf(".") + 1)]!(t);
      });
    } finally {
      for (const t of Object.values(file.tensors)) t.dispose();
    }
    return this;
  }

  /**
   * The file's tensors with a tied parameter's second path read as its first (a PyTorch state_dict has
   * both); when both are there they must hold the same values.
   */
  #resolveTied(tensors: Record<string, Tensor>, what: string): Record<string, Tensor> {
    if (this.#tied.size === 0) return tensors;
    const out = { ...tensors };
    for (const [alias, first] of this.#tied) {
      const t = out[alias];
      if (!t) continue;
      delete out[alias];
      const other = out[first];
      if (!other) out[first] = t;
      else if (t.shape.length !== other.shape.length || t.shape.some((v, i) => v !== other.shape[i]) || scope(() => noGrad(() => t.sub(other).abs().max().item())) !== 0) {
        throw new Error(`${what}: "${alias}" and "${first}" are one tied tensor in the model but hold different values in the file; keep one of them`);
      }
    }
    return out;
  }

  /** Parameter paths re-drawn and kept fixed (a tied parameter under its first path). */
  get reinit(): string[] {
    return [...this.#reinit];
  }

  get frozen(): string[] {
    return [...this.#frozen];
  }

  forward(x: Tensor): Tensor {
    return this.module.forward(x);
  }

  train(flag = true): this {
    this.module.train(flag);
    return this;
  }

  eval(): this {
    this.module.eval();
    return this;
  }

  setDropoutGenerator(g: Generator | GeneratorSource | null): this {
    this.module.setDropoutGenerator(g);
    return this;
  }

  /** The trainable parameters (frozen ones left out). */
  parameters(): Tensor[] {
    return this.module.namedParameters().filter(([path]) => !this.#frozen.has(path)).map(([, t]) => t);
  }

  stateDict(): StateDict {
    return this.module.stateDict();
  }

  loadStateDict(state: StateDict): this {
    this.module.loadStateDict(state);
    return this;
  }

  dispose(): void {
    this.module.dispose();
  }
}

/** The module starting from `weights`, with `reinit` parameters re-drawn and `freeze` parameters kept fixed. */
export function pretrained(module: Module, options: PretrainedOptions): Pretrained {
  return new Pretrained(module, options);
}
