/**
 * PyTorch 1.13's default initialisation (each layer's reset_parameters) by
 * module type, for the parameters of a scripted module: what `init: "twin"`
 * and `reinit` draw from the run's init stream, so that a scripted model and a
 * native twin model of the same shape start identical.
 */
import type { Tensor } from "../tensor.ts";
import type { Generator } from "../generator.ts";
import { scope } from "../scope.ts";
import * as init from "./init.ts";
import type { Initializer } from "./init.ts";

/** A rule for the parameters of one module type: the initializer of parameter `name` (shapes of its siblings given). */
export type ScriptedInitRule = (name: string, shape: number[], siblings: Record<string, number[]>) => Initializer;

/**
 * "__torch__.torch.nn.modules.linear.___torch_mangle_3.Linear" → "Linear":
 * the class name, without TorchScript's module path and name mangling.
 */
export function scriptedTypeName(qualified: string): string {
  const parts = qualified.split(".");
  return parts[parts.length - 1];
}

const CONVOLUTIONS = ["Linear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"];
const NORMS = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LayerNorm", "GroupNorm"];

/** Module types whose running statistics (running_mean 0, running_var 1, num_batches_tracked 0) are reset with their parameters. */
export const RUNNING_STATS_TYPES = new Set(["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]);

/**
 * The default rule of a built-in layer type, or undefined for a type twin
 * does not know. Linear/ConvNd/ConvTransposeNd: weight kaiming_uniform(a=√5),
 * bias uniform(±1/√fan_in) of the weight's fan_in (reset_parameters of
 * _ConvNd and Linear); norms: weight 1, bias 0; Embedding: weight N(0, 1)
 * (its padding row is zeroed after, see embeddingInit).
 */
export function defaultRule(type: string): ScriptedInitRule | undefined {
  if (CONVOLUTIONS.includes(type)) {
    return (name, shape, siblings) => {
      if (name === "weight") return init.kaimingUniform(shape, { a: Math.sqrt(5) });
      if (name === "bias" && siblings.weight) return init.biasUniform(siblings.weight);
      throw new Error(`${type} has no default rule for a parameter named '${name}'`);
    };
  }
  if (NORMS.includes(type)) {
    return (name) => {
      if (name === "weight") return init.ones();
      if (name === "bias") return init.zeros();
      throw new Error(`${type} has no default rule for a parameter named '${name}'`);
    };
  }
  if (type === "Embedding") {
    return (name) => {
      if (name === "weight") return init.normal(0, 1);
      throw new Error(`Embedding has no default rule for a parameter named '${name}'`);
    };
  }
  return undefined;
}

/** nn.Embedding's reset_parameters: N(0, 1), then the padding_idx row set to 0. */
export function embeddingInit(paddingIdx: number): Initializer {
  return {
    kind: "custom",
    name: `normal(0, 1), row ${paddingIdx} zero (padding_idx)`,
    draws: true,
    fn: (t: Tensor, g: Generator) => {
      t.normal_(0, 1, g);
      scope(() => void t.select(0, paddingIdx).zero_());
    },
  };
}
