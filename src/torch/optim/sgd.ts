/** SGD with momentum, dampening, Nesterov and weight decay: torch.optim.SGD of 1.13 (foreach=False). */
import type { Tensor } from "../tensor.ts";
import * as ops from "../generated/ops.ts";
import { Optimizer, type GroupBase, type ParamGroup, type ParamsInput } from "./optimizer.ts";

export interface SgdOptions extends GroupBase {
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

export class SGD extends Optimizer<SgdOptions> {
  protected readonly stateKeys = ["momentum_buffer"];

  constructor(params: ParamsInput<SgdOptions>, options: Partial<SgdOptions> & { lr: number }) {
    super(params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...options });
  }

  protected validate(g: ParamGroup<SgdOptions>): void {
    if (!(g.lr >= 0)) throw new RangeError(`SGD: invalid learning rate ${g.lr}`);
    if (!(g.momentum >= 0)) throw new RangeError(`SGD: invalid momentum ${g.momentum}`);
    if (!(g.weightDecay >= 0)) throw new RangeError(`SGD: invalid weight decay ${g.weightDecay}`);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) throw new Error("SGD: Nesterov momentum requires a momentum and zero dampening");
  }

  protected stepGroup(g: ParamGroup<SgdOptions>): void {
    for (const p of g.params) {
      const grad = p.grad;
      if (grad === null) continue;
      let dp: Tensor = g.maximize ? grad.neg() : grad;
      if (g.weightDecay !== 0) dp = dp.add(p, g.weightDecay);
      if (g.momentum !== 0) {
        const s = this.stateOf(p);
        let buf = s.momentum_buffer as Tensor | undefined;
        if (buf === undefined) {
          buf = ops.clone(dp).detach().keep();
          s.momentum_buffer = buf;
        } else {
          buf.mul_(g.momentum).add_(dp, 1 - g.dampening);
        }
        dp = g.nesterov ? dp.add(buf, g.momentum) : buf;
      }
      p.add_(dp, -g.lr);
    }
  }
}

export function sgd(params: ParamsInput<SgdOptions>, options: Partial<SgdOptions> & { lr: number }): SGD {
  return new SGD(params, options);
}
