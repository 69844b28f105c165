/**
 * Layers with PyTorch 1.13's parameter names, shapes, registration order and
 * default initialisation. Pass { generator } to draw the weights at
 * construction (in PyTorch's order); leave it out to initialise later with
 * module.initialize(...) or loadStateDict(...).
 */
import { Tensor } from "../tensor.ts";
import { Generator, type GeneratorSource } from "../generator.ts";
import * as ops from "../generated/ops.ts";
import { zeros, ones, tensor } from "../creation.ts";
import { noGrad } from "../runtime.ts";
import { scope } from "../scope.ts";
import { Module } from "./module.ts";
import * as init from "./init.ts";

export interface InitOptions {
  /** Draw the parameters now from this generator (PyTorch's order). */
  generator?: Generator;
}

type Pair = number | [number, number];
function pair(v: Pair): [number, number] {
  return typeof v === "number" ? [v, v] : v;
}

function shapeText(x: Tensor): string {
  return `[${x.shape.join(", ")}]`;
}

// ---- linear and convolutions ------------------------------------------------

export interface LinearOptions extends InitOptions {
  bias?: boolean;
}

/** y = x Wᵀ + b. weight [out, in]; kaiming_uniform(a=√5); bias uniform(±1/√in). */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const shape = [outFeatures, inFeatures];
    this.weight = this.registerParameter("weight", shape, init.kaimingUniform(shape, { a: Math.sqrt(5) }), options.generator);
    this.bias = options.bias ?? true ? this.registerParameter("bias", [outFeatures], init.biasUniform(shape), options.generator) : null;
  }

  override describe(): string {
    return `Linear(${this.inFeatures} → ${this.outFeatures}${this.bias ? "" : ", bias=false"})`;
  }

  forward(x: Tensor): Tensor {
    this.requireInitialized();
    return ops.linear(x, this.weight, { bias: this.bias });
  }
}

export interface Conv2dOptions extends InitOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
}

/**
 * What Conv2d and ConvTranspose2d share (PyTorch's _ConvNd): the geometry, the
 * groups check and the weight and bias with their default init
 * (kaiming_uniform(a=√5), bias uniform(±1/√fan_in)). The weight is
 * [out, in/groups, kh, kw], or [in, out/groups, kh, kw] when transposed.
 */
abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  protected constructor(kind: string, transposed: boolean, inChannels: number, outChannels: number, kernelSize: Pair, options: Conv2dOptions) {
    super();
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = pair(kernelSize);
    this.stride = pair(options.stride ?? 1);
    this.padding = pair(options.padding ?? 0);
    this.dilation = pair(options.dilation ?? 1);
    this.groups = options.groups ?? 1;
    if (inChannels % this.groups || outChannels % this.groups) {
      throw new Error(`${kind}: in_channels (${inChannels}) and out_channels (${outChannels}) must be divisible by groups (${this.groups})`);
    }
    const shape = transposed ? [inChannels, outChannels / this.groups, ...this.kernelSize] : [outChannels, inChannels / this.groups, ...this.kernelSize];
    this.weight = this.registerParameter("weight", shape, init.kaimingUniform(shape, { a: Math.sqrt(5) }), options.generator);
    this.bias = options.bias ?? true ? this.registerParameter("bias", [outChannels], init.biasUniform(shape), options.generator) : null;
  }
}

/** 2-D convolution. weight [out, in/groups, kh, kw]; default init as nn.Conv2d. */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: Conv2dOptions = {}) {
    super("Conv2d", false, inChannels, outChannels, kernelSize, options);
  }

  override describe(): string {
    return `Conv2d(${this.inChannels} → ${this.outChannels}, kernel=${this.kernelSize.join("x")}, stride=${this.stride.join("x")}, padding=${this.padding.join("x")}${this.bias ? "" : ", bias=false"})`;
  }

  forward(x: Tensor): Tensor {
    this.requireInitialized();
    return ops.conv2d(x, this.weight, { bias: this.bias, stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

export interface ConvTranspose2dOptions extends Conv2dOptions {
  outputPadding?: Pair;
}

/** Transposed 2-D convolution. weight [in, out/groups, kh, kw]; default init as nn.ConvTranspose2d. */
export class ConvTranspose2d extends ConvNd {
  readonly outputPadding: [number, number];

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: ConvTranspose2dOptions = {}) {
    super("ConvTranspose2d", true, inChannels, outChannels, kernelSize, options);
    this.outputPadding = pair(options.outputPadding ?? 0);
  }

  override describe(): string {
    return `ConvTranspose2d(${this.inChannels} → ${this.outChannels}, kernel=${this.kernelSize.join("x")}, stride=${this.stride.join("x")})`;
  }

  forward(x: Tensor): Tensor {
    this.requireInitialized();
    return ops.conv_transpose2d_input(x, this.weight, {
      bias: this.bias, stride: this.stride, padding: this.padding, output_padding: this.outputPadding, groups: this.groups, dilation: this.dilation,
    });
  }
}

// ---- normalisation ------------------------------------------------------------

export interface BatchNormOptions {
  eps?: number;
  /** Running-average factor (default 0.1); null for a cumulative average like PyTorch's momentum=None. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;
  protected abstract readonly dims: number[];

  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super();
    this.numFeatures = numFeatures;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    this.weight = this.affine ? this.registerParameter("weight", [numFeatures], init.ones()) : null;
    this.bias = this.affine ? this.registerParameter("bias", [numFeatures], init.zeros()) : null;
    if (this.trackRunningStats) {
      this.runningMean = this.registerBuffer("running_mean", zeros([numFeatures]));
      this.runningVar = this.registerBuffer("running_var", ones([numFeatures]));
      this.numBatchesTracked = this.registerBuffer("num_batches_tracked", tensor([0], { dtype: "int64", shape: [] }));
    } else {
      this.runningMean = this.runningVar = this.numBatchesTracked = null;
    }
  }

  override describe(): string {
    return `${this.constructor.name}(${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum})`;
  }

  /** Resets running_mean to 0, running_var to 1 and num_batches_tracked to 0. */
  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }

  forward(x: Tensor): Tensor {
    this.requireInitialized();
    const nd = x.ndim;
    if (!this.dims.includes(nd)) {
      throw new Error(`${this.constructor.name}: expected ${this.dims.map((d) => `${d}D`).join(" or ")} input, got ${shapeText(x)}`);
    }
    let factor = this.momentum ?? 0.0;
    if (this.training && this.trackRunningStats && this.numBatchesTracked) {
      noGrad(() => this.numBatchesTracked!.add_(1));
      factor = this.momentum === null ? 1.0 / this.numBatchesTracked.item() : this.momentum;
    }
    const bnTraining = this.training ? true : this.runningMean === null && this.runningVar === null;
    const useStats = !this.training || this.trackRunningStats;
    return ops.batch_norm(
      x, this.weight, this.bias,
      useStats ? this.runningMean : null, useStats ? this.runningVar : null,
      bnTraining, factor, this.eps, true,
    );
  }
}

/** Batch norm over (N, C) or (N, C, L). */
export class BatchNorm1d extends BatchNormBase {
  protected readonly dims = [2, 3];
}

/** Batch norm over (N, C, H, W). */
export class BatchNorm2d extends BatchNormBase {
  protected readonly dims = [4];
}

export interface LayerNormOptions {
  eps?: number;
  elementwiseAffine?: boolean;
}

/** Layer norm over the trailing normalizedShape dimensions. */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(normalizedShape: number | number[], options: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    this.eps = options.eps ?? 1e-5;
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? this.registerParameter("weight", this.normalizedShape, init.ones()) : null;
    this.bias = affine ? this.registerParameter("bias", this.normalizedShape, init.zeros()) : null;
  }

  override describe(): string {
    return `LayerNorm([${this.normalizedShape.join(", ")}], eps=${this.eps})`;
  }

  forward(x: Tensor): Tensor {
    this.requireInitialized();
    return ops.layer_norm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
}

export interface GroupNormOptions {
  eps?: number;
  affine?: boolean;
}

/** Group norm: channels split into numGroups groups. */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(numGroups: number, numChannels: number, options: GroupNormOptions = {}) {
    super();
    if (numChannels % numGroups) throw new Error(`GroupNorm: num_channels (${numChannels}) must be divisible by num_groups (${numGroups})`);
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = options.eps ?? 1e-5;
    const affine = options.affine ?? true;
    this.weight = affine ? this.registerParameter("weight", [numChannels], init.ones()) : null;
    this.bias = affine ? this.registerParameter("bias", [numChannels], init.zeros()) : null;
  }

  override describe(): string {
    return `GroupNorm(${this.numGroups}, ${this.numChannels}, eps=${this.eps})`;
  }

  forward(x: Tensor): Tensor {
    this.requireInitialized();
    return ops.group_norm(x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
}

// ---- dropout --------------------------------------------------------------------

export interface DropoutOptions {
  /** Generator for the dropout masks, or a source asked for it at every mask; can also be set later with setDropoutGenerator(). */
  generator?: Generator | GeneratorSource;
}

/**
 * Dropout built on bernoulli_ from an explicit generator (libtorch's dropout
 * ops draw from the global generator, which twin never uses). In training
 * mode: x * mask / (1 - p), mask ~ Bernoulli(1 - p), like PyTorch's kernel.
 * In eval mode: identity. Training without a generator throws.
 */
export class Dropout extends Module {
  readonly p: number;
  readonly isDropout = true;
  dropoutGenerator: Generator | GeneratorSource | null;

  constructor(p = 0.5, options: DropoutOptions = {}) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${new.target.name}: p must be in [0, 1], got ${p}`);
    this.p = p;
    this.dropoutGenerator = options.generator ?? null;
  }

  override describe(): string {
    return `${this.constructor.name}(p=${this.p})`;
  }

  /** The shape of the mask for input x (elementwise here; per channel in Dropout2d). */
  protected maskShape(x: Tensor): number[] {
    return x.shape;
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    const g = this.dropoutGenerator;
    if (g === null) {
      throw new Error(
        `${this.describe()} is in training mode but has no generator; call model.setDropoutGenerator(generator) ` +
          `(or pass { generator }) or switch to eval mode with model.eval()`,
      );
    }
    if (this.p === 1) return x.mul(0);
    const shape = this.maskShape(x);
    const generator = g instanceof Generator ? g : g.take();
    const noise = noGrad(() => {
      const n = ops.empty_memory_format(shape, { dtype: x.dtype, device: x.device });
      n.bernoulli_(1 - this.p, generator);
      n.div_(1 - this.p);
      return n;
    });
    return x.mul(noise);
  }
}

/** Channel-wise dropout for (N, C, H, W) or (C, H, W): zeroes whole feature maps. */
export class Dropout2d extends Dropout {
  protected override maskShape(x: Tensor): number[] {
    const s = x.shape;
    if (s.length === 4) return [s[0], s[1], 1, 1];
    if (s.length === 3) return [s[0], 1, 1];
    throw new Error(`Dropout2d: expected a 3D or 4D input, got ${shapeText(x)}`);
  }
}

// ---- activations -----------------------------------------------------------------

export class ReLU extends Module {
  forward(x: Tensor): Tensor { return ops.relu(x); }
}

export class GELU extends Module {
  readonly approximate: "none" | "tanh";
  constructor(options: { approximate?: "none" | "tanh" } = {}) {
    super();
    this.approximate = options.approximate ?? "none";
  }
  forward(x: Tensor): Tensor { return ops.gelu(x, { approximate: this.approximate }); }
}

export class SiLU extends Module {
  forward(x: Tensor): Tensor { return ops.silu(x); }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor { return ops.tanh(x); }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return ops.sigmoid(x); }
}

export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  constructor(negativeSlope = 0.01) {
    super();
    this.negativeSlope = negativeSlope;
  }
  forward(x: Tensor): Tensor { return ops.leaky_relu(x, { negative_slope: this.negativeSlope }); }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor { return x; }
}

export type ActivationName = "relu" | "gelu" | "silu" | "tanh" | "sigmoid" | "leaky_relu" | "identity";

export function activation(name: ActivationName): Module {
  switch (name) {
    case "relu": return new ReLU();
    case "gelu": return new GELU();
    case "silu": return new SiLU();
    case "tanh": return new Tanh();
    case "sigmoid": return new Sigmoid();
    case "leaky_relu": return new LeakyReLU();
    case "identity": return new Identity();
    default: throw new Error(`unknown activation '${name as string}'; use relu, gelu, silu, tanh, sigmoid, leaky_relu or identity`);
  }
}

// ---- pooling, resampling, reshaping -----------------------------------------------

export interface PoolOptions {
  stride?: Pair;
  padding?: Pair;
  ceilMode?: boolean;
}

export class MaxPool2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly ceilMode: boolean;
  constructor(kernelSize: Pair, options: PoolOptions & { dilation?: Pair } = {}) {
    super();
    this.kernelSize = pair(kernelSize);
    this.stride = pair(options.stride ?? kernelSize);
    this.padding = pair(options.padding ?? 0);
    this.dilation = pair(options.dilation ?? 1);
    this.ceilMode = options.ceilMode ?? false;
  }
  override describe(): string {
    return `MaxPool2d(kernel=${this.kernelSize.join("x")}, stride=${this.stride.join("x")})`;
  }
  forward(x: Tensor): Tensor {
    return ops.max_pool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceil_mode: this.ceilMode });
  }
}

export class AvgPool2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  constructor(kernelSize: Pair, options: PoolOptions & { countIncludePad?: boolean } = {}) {
    super();
    this.kernelSize = pair(kernelSize);
    this.stride = pair(options.stride ?? kernelSize);
    this.padding = pair(options.padding ?? 0);
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
  }
  override describe(): string {
    return `AvgPool2d(kernel=${this.kernelSize.join("x")}, stride=${this.stride.join("x")})`;
  }
  forward(x: Tensor): Tensor {
    return ops.avg_pool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, ceil_mode: this.ceilMode, count_include_pad: this.countIncludePad });
  }
}

export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: [number, number];
  constructor(outputSize: Pair) {
    super();
    this.outputSize = pair(outputSize);
  }
  override describe(): string {
    return `AdaptiveAvgPool2d(${this.outputSize.join("x")})`;
  }
  forward(x: Tensor): Tensor {
    return ops.adaptive_avg_pool2d(x, this.outputSize);
  }
}

export interface UpsampleOptions {
  size?: Pair;
  scaleFactor?: number | [number, number];
  mode?: "nearest" | "bilinear";
  alignCorners?: boolean;
}

/** Upsampling of (N, C, H, W) by a size or a scale factor; nearest or bilinear. */
export class Upsample extends Module {
  readonly size: [number, number] | null;
  readonly scaleFactor: [number, number] | null;
  readonly mode: "nearest" | "bilinear";
  readonly alignCorners: boolean;
  constructor(options: UpsampleOptions) {
    super();
    if ((options.size === undefined) === (options.scaleFactor === undefined)) {
      throw new Error("Upsample: give exactly one of size and scaleFactor");
    }
    this.size = options.size === undefined ? null : pair(options.size);
    const sf = options.scaleFactor;
    this.scaleFactor = sf === undefined ? null : typeof sf === "number" ? [sf, sf] : sf;
    this.mode = options.mode ?? "nearest";
    this.alignCorners = options.alignCorners ?? false;
    if (this.mode === "nearest" && options.alignCorners !== undefined) {
      throw new Error("Upsample: alignCorners only applies to mode 'bilinear'");
    }
  }
  override describe(): string {
    return `Upsample(${this.size ? `size=${this.size.join("x")}` : `scale=${this.scaleFactor!.join("x")}`}, mode=${this.mode})`;
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4) throw new Error(`Upsample: expected a 4D (N, C, H, W) input, got ${shapeText(x)}`);
    if (this.mode === "nearest") return ops.upsample_nearest2d_vec(x, this.size, this.scaleFactor);
    return ops.upsample_bilinear2d_vec(x, this.size, this.alignCorners, this.scaleFactor);
  }
}

export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = startDim;
    this.endDim = endDim;
  }
  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
}

// ---- embedding ----------------------------------------------------------------------

export interface EmbeddingOptions extends InitOptions {
  paddingIdx?: number;
}

/** A lookup table [num, dim]; init normal(0, 1), the padding row zero. forward takes int64 indices. */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly weight: Tensor;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    let pad = options.paddingIdx ?? null;
    if (pad !== null) {
      if (pad >= numEmbeddings || pad < -numEmbeddings) throw new RangeError(`Embedding: paddingIdx ${pad} out of range`);
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    this.weight = this.registerParameter("weight", [numEmbeddings, embeddingDim], init.normal(0, 1), options.generator);
    if (options.generator) this.onInitialize();
  }

  protected override onInitialize(): void {
    if (this.paddingIdx !== null) scope(() => noGrad(() => void ops.fill__Scalar(this.weight.select(0, this.paddingIdx!), 0)));
  }

  override describe(): string {
    return `Embedding(${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? "" : `, padding_idx=${this.paddingIdx}`})`;
  }

  forward(indices: Tensor): Tensor {
    this.requireInitialized();
    return ops.embedding(this.weight, indices, { padding_idx: this.paddingIdx ?? -1 });
  }
}

// ---- containers -----------------------------------------------------------------------

/** Modules applied in order; paths "0", "1", … like nn.Sequential. */
export class Sequential extends Module {
  #layers: Module[] = [];

  constructor(...modules: (Module | Module[])[]) {
    super();
    for (const m of modules.flat()) this.add(m);
  }

  /** Appends a module (its index is its name). */
  add(m: Module): this {
    this.registerModule(String(this.#layers.length), m);
    this.#layers.push(m);
    return this;
  }

  get length(): number {
    return this.#layers.length;
  }

  at(i: number): Module {
    const m = this.#layers.at(i);
    if (!m) throw new RangeError(`Sequential index ${i} out of range (length ${this.#layers.length})`);
    return m;
  }

  override describe(): string {
    return "Sequential";
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.#layers) y = m.forward(y);
    return y;
  }
}

/** Named sub-modules without a forward of their own (like nn.ModuleDict). */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.registerModule(k, m);
  }
  set(name: string, m: Module): this {
    this.registerModule(name, m);
    return this;
  }
  forward(): Tensor {
    throw new Error("ModuleDict has no forward; call its sub-modules");
  }
}

// ---- ResNet basic block ------------------------------------------------------------------

export interface ResidualBlockOptions extends InitOptions {
  stride?: number;
}

/**
 * torchvision's BasicBlock: conv3x3-bn-relu-conv3x3-bn, plus the identity or a
 * 1x1 conv + bn projection ("downsample") when the stride or width changes,
 * then relu. Paths: conv1, bn1, conv2, bn2, downsample.0, downsample.1.
 */
export class ResidualBlock extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Sequential | null;

  constructor(inChannels: number, outChannels: number, options: ResidualBlockOptions = {}) {
    super();
    const stride = options.stride ?? 1;
    const g = options.generator;
    this.conv1 = this.registerModule("conv1", new Conv2d(inChannels, outChannels, 3, { stride, padding: 1, bias: false, generator: g }));
    this.bn1 = this.registerModule("bn1", new BatchNorm2d(outChannels));
    this.conv2 = this.registerModule("conv2", new Conv2d(outChannels, outChannels, 3, { stride: 1, padding: 1, bias: false, generator: g }));
    this.bn2 = this.registerModule("bn2", new BatchNorm2d(outChannels));
    this.downsample = stride !== 1 || inChannels !== outChannels
      ? this.registerModule("downsample", new Sequential(new Conv2d(inChannels, outChannels, 1, { stride, bias: false, generator: g }), new BatchNorm2d(outChannels)))
      : null;
  }

  override describe(): string {
    return "ResidualBlock";
  }

  forward(x: Tensor): Tensor {
    let out = ops.relu(this.bn1.forward(this.conv1.forward(x)));
    out = this.bn2.forward(this.conv2.forward(out));
    const identity = this.downsample ? this.downsample.forward(x) : x;
    return ops.relu_(out.add_(identity));
  }
}

