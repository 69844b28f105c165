/**
 * Gamma and Beta sampling from an explicit generator, for mixup and CutMix.
 *
 * Gamma(α, 1) comes from libtorch's `aten::_standard_gamma` (Marsaglia–Tsang,
 * with the boosting trick for α < 1), drawn in float64 from the given
 * generator; Beta(α, β) is X / (X + Y) with X ~ Gamma(α), Y ~ Gamma(β). As in
 * torch.distributions, gamma draws are clamped to the smallest positive
 * float64 so that a tiny α cannot give 0 / 0.
 */
import { Tensor } from "../../torch/tensor.ts";
import { native } from "../../torch/native.ts";
import { scope } from "../../torch/scope.ts";
import * as ops from "../../torch/generated/ops.ts";
import type { Generator } from "../../torch/generator.ts";

let gammaHandle: number | undefined;

/** Smallest positive normal float64 (torch.finfo(torch.float64).tiny). */
const TINY = 2.2250738585072014e-308;

/** Gamma(concentration, 1) draws, one per element of `concentration` (float64, same shape). */
export function sampleGamma(concentration: Tensor, generator: Generator): Tensor {
  gammaHandle ??= native.opHandle("aten::_standard_gamma", "");
  return scope(() => {
    const a = concentration.dtype === "float64" ? concentration : concentration.double();
    const g = new Tensor(native.callOp(gammaHandle!, a.id, generator.id) as number);
    return g.clamp(TINY);
  });
}

/**
 * n draws of Beta(alpha, beta) as a float64 [n] tensor. One generator call:
 * a single `_standard_gamma` over 2n concentrations (first n for X, last n for Y).
 */
export function sampleBeta(alpha: number, beta: number, n: number, generator: Generator): Tensor {
  if (!(alpha > 0) || !(beta > 0) || !Number.isFinite(alpha) || !Number.isFinite(beta)) {
    throw new RangeError(`sampleBeta: alpha and beta must be positive and finite, got (${alpha}, ${beta})`);
  }
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`sampleBeta: n must be a positive integer, got ${n}`);
  return scope(() => {
    const conc = ops.cat([ops.full([n], alpha, { dtype: "float64" }), ops.full([n], beta, { dtype: "float64" })], { dim: 0 });
    const g = sampleGamma(conc, generator);
    const x = g.narrow(0, 0, n);
    const y = g.narrow(0, n, n);
    return x.div(x.add(y));
  });
}

/** One Beta(alpha, alpha) draw as a JS number (the λ of mixup and CutMix). */
export function sampleLambda(alpha: number, generator: Generator): number {
  const t = sampleBeta(alpha, alpha, 1, generator);
  const v = t.item();
  t.dispose();
  return v;
}
