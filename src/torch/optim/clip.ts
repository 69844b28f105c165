/** Gradient clipping: torch.nn.utils.clip_grad_norm_ and clip_grad_value_ of 1.13. */
import type { Tensor } from "../tensor.ts";
import * as ops from "../generated/ops.ts";
import { scope } from "../scope.ts";
import { noGrad } from "../runtime.ts";

export interface ClipOptions {
  /** Norm order (default 2; Infinity for the max norm). */
  normType?: number;
  /** Throw when the total norm is NaN or infinite (default false, like PyTorch). */
  errorIfNonfinite?: boolean;
}

/**
 * Scales the gradients of params in place so that their total norm is at
 * most maxNorm (coefficient maxNorm / (norm + 1e-6), clamped to 1, exactly as
 * PyTorch computes it). Returns the total norm before clipping, as a number.
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number, options: ClipOptions = {}): number {
  const normType = options.normType ?? 2;
  return scope(() => noGrad(() => {
    const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
    if (grads.length === 0) return 0;
    let total: Tensor;
    if (normType === Infinity) {
      const norms = grads.map((g) => g.detach().abs().max());
      total = norms.length === 1 ? norms[0] : ops.stack(norms).max();
    } else {
      const norms = grads.map((g) => ops.norm_ScalarOpt_dim(g.detach(), normType, range(g.ndim)));
      const stacked = ops.stack(norms);
      total = ops.norm_ScalarOpt_dim(stacked, normType, [0]);
    }
    const value = total.item();
    if (options.errorIfNonfinite && !Number.isFinite(value)) {
      throw new Error(`The total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped`);
    }
    const coef = total.add(1e-6).reciprocal().mul(maxNorm);
    const clamped = coef.clamp(null, 1.0);
    for (const g of grads) g.detach().mul_(clamped);
    return value;
  }));
}

/** Clamps every gradient element to [-clipValue, clipValue] in place. */
export function clipGradValue(params: readonly Tensor[], clipValue: number): void {
  scope(() => noGrad(() => {
    for (const p of params) {
      const g = p.grad;
      if (g !== null) g.clamp_(-clipValue, clipValue);
    }
  }));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
