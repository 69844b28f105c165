/**
 * Adam and AdamW: torch.optim.Adam / AdamW of 1.13, single-tensor
 * (foreach=False) path, the same in-place ops in the same order, the bias
 * corrections with libm's pow like CPython's float **.
 */
import type { Tensor } from "../tensor.ts";
import * as ops from "../generated/ops.ts";
import { Optimizer, pyPow, type GroupBase, type ParamGroup, type ParamsInput } from "./optimizer.ts";

export interface AdamOptions extends GroupBase {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

abstract class AdamBase extends Optimizer<AdamOptions> {
  protected readonly stateKeys = ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"];
  protected abstract readonly decoupled: boolean;

  protected validate(g: ParamGroup<AdamOptions>): void {
    const name = this.constructor.name;
    if (!(g.lr >= 0)) throw new RangeError(`${name}: invalid learning rate ${g.lr}`);
    if (!(g.eps >= 0)) throw new RangeError(`${name}: invalid epsilon ${g.eps}`);
    if (!(g.betas[0] >= 0 && g.betas[0] < 1)) throw new RangeError(`${name}: invalid beta parameter at index 0: ${g.betas[0]}`);
    if (!(g.betas[1] >= 0 && g.betas[1] < 1)) throw new RangeError(`${name}: invalid beta parameter at index 1: ${g.betas[1]}`);
    if (!(g.weightDecay >= 0)) throw new RangeError(`${name}: invalid weight_decay value: ${g.weightDecay}`);
  }

  protected stepGroup(g: ParamGroup<AdamOptions>): void {
    const [beta1, beta2] = g.betas;
    for (const param of g.params) {
      const rawGrad = param.grad;
      if (rawGrad === null) continue;
      const s = this.stateOf(param);
      if (s.step === undefined) {
        s.step = 0;
        s.exp_avg = ops.zeros_like(param, { memory_format: "preserve_format" }).keep();
        s.exp_avg_sq = ops.zeros_like(param, { memory_format: "preserve_format" }).keep();
        if (g.amsgrad) s.max_exp_avg_sq = ops.zeros_like(param, { memory_format: "preserve_format" }).keep();
      }
      let grad: Tensor = g.maximize ? rawGrad.neg() : rawGrad;
      const expAvg = s.exp_avg as Tensor;
      const expAvgSq = s.exp_avg_sq as Tensor;
      // step_t += 1 (a float32 tensor in PyTorch: exact for any count below 2^24)
      s.step = Math.fround((s.step as number) + 1);
      if (this.decoupled) {
        param.mul_(1 - g.lr * g.weightDecay);
      } else if (g.weightDecay !== 0) {
        grad = grad.add(param, g.weightDecay);
      }
      expAvg.mul_(beta1).add_(grad, 1 - beta1);
      expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      const step = s.step;
      const biasCorrection1 = 1 - pyPow(beta1, step);
      const biasCorrection2 = 1 - pyPow(beta2, step);
      const stepSize = g.lr / biasCorrection1;
      const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
      let denom: Tensor;
      if (g.amsgrad) {
        const maxSq = s.max_exp_avg_sq as Tensor;
        ops.maximum_out(maxSq, expAvgSq, { out: maxSq });
        denom = maxSq.sqrt().div(biasCorrection2Sqrt).add_(g.eps);
      } else {
        denom = expAvgSq.sqrt().div(biasCorrection2Sqrt).add_(g.eps);
      }
      param.addcdiv_(expAvg, denom, -stepSize);
    }
  }
}

export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...options });
  }
}

/** Adam with decoupled weight decay (default 1e-2, like torch.optim.AdamW). */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false, ...options });
  }
}

export function adam(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}): Adam {
  return new Adam(params, options);
}

export function adamw(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}): AdamW {
  return new AdamW(params, options);
}
