/**
 * A small U-Net (Ronneberger, Fischer & Brox, 2015) for semantic segmentation.
 *
 *   encoder.0   block(in → b)            ──────────────── skip 0 ──┐
 *   maxpool 2                                                       │
 *   encoder.1   block(b → 2b)            ──── skip 1 ──┐            │
 *   maxpool 2                                          │            │
 *   …           (depth levels)                         │            │
 *   bottleneck  block(2^(d-1)b → 2^d b)                │            │
 *   up.{d-1}    ConvTranspose2d(2^d b → 2^(d-1) b, k 2, s 2)        │
 *   decoder.{d-1} block(cat[skip, up] 2·2^(d-1)b → 2^(d-1)b)        │
 *   …                                                               │
 *   up.0, decoder.0 (cat with skip 0)  ←────────────────────────────┘
 *   head        Conv2d(b → numClasses, 1×1)
 *
 * A block is conv3×3-BN-ReLU-conv3×3-BN-ReLU, an nn.Sequential whose paths are
 * 0 (conv), 1 (bn), 2 (relu), 3 (conv), 4 (bn), 5 (relu); with batchNorm off it
 * is conv-ReLU-conv-ReLU (paths 0-3) and the convs get biases. The parameter
 * paths are those of this PyTorch module, so state dicts move unchanged:
 *
 * ```python
 * class UNet(nn.Module):
 *     def __init__(s, cin, k, base=16, depth=3, bn=True):
 *         super().__init__()
 *         def block(i, o):
 *             if bn: return nn.Sequential(nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(),
 *                                         nn.Conv2d(o, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU())
 *             return nn.Sequential(nn.Conv2d(i, o, 3, padding=1), nn.ReLU(), nn.Conv2d(o, o, 3, padding=1), nn.ReLU())
 *         ch = [base * 2 ** i for i in range(depth + 1)]
 *         s.encoder = nn.ModuleList([block(cin if i == 0 else ch[i - 1], ch[i]) for i in range(depth)])
 *         s.bottleneck = block(ch[depth - 1], ch[depth])
 *         s.up = nn.ModuleList([nn.ConvTranspose2d(ch[i + 1], ch[i], 2, stride=2) for i in range(depth)])
 *         s.decoder = nn.ModuleList([block(2 * ch[i], ch[i]) for i in range(depth)])
 *         s.head = nn.Conv2d(base, k, 1)
 *     def forward(s, x):
 *         skips = []
 *         for enc in s.encoder:
 *             x = enc(x); skips.append(x); x = F.max_pool2d(x, 2)
 *         x = s.bottleneck(x)
 *         for i in reversed(range(len(s.up))):
 *             x = s.decoder[i](torch.cat([skips[i], s.up[i](x)], 1))
 *         return s.head(x)
 * ```
 *
 * forward([B, inChannels, H, W]) returns logits [B, numClasses, H, W]; H and W
 * must be divisible by 2^depth. Intermediate handles (skips included) are freed
 * as soon as they are used; the autograd graph keeps what backward needs.
 */
import type { Tensor } from "../tensor.ts";
import type { Generator } from "../generator.ts";
import * as ops from "../generated/ops.ts";
import { Module } from "./module.ts";
import { BatchNorm2d, Conv2d, ConvTranspose2d, ReLU, Sequential } from "./layers.ts";

export interface UNetOptions {
  inChannels: number;
  numClasses: number;
  /** Channels of the first level; level i has base·2^i (default 16). */
  base?: number;
  /** Number of down-sampling steps (default 3). */
  depth?: number;
  /** conv-BN-ReLU blocks (default true); false gives conv(bias)-ReLU blocks. */
  batchNorm?: boolean;
  /** Draw the weights now (PyTorch's construction order); otherwise call initialize(...). */
  generator?: Generator;
}

/** conv3×3-[BN]-ReLU ×2 as an nn.Sequential. */
export function convBlock(inChannels: number, outChannels: number, options: { batchNorm?: boolean; generator?: Generator } = {}): Sequential {
  const bn = options.batchNorm ?? true;
  const g = options.generator;
  const conv = (i: number) => new Conv2d(i, outChannels, 3, { padding: 1, bias: !bn, generator: g });
  return bn
    ? new Sequential(conv(inChannels), new BatchNorm2d(outChannels), new ReLU(), conv(outChannels), new BatchNorm2d(outChannels), new ReLU())
    : new Sequential(conv(inChannels), new ReLU(), conv(outChannels), new ReLU());
}

export class UNet extends Module {
  readonly inChannels: number;
  readonly numClasses: number;
  readonly base: number;
  readonly depth: number;
  readonly batchNorm: boolean;
  /** Blocks of the contracting path (a list: its forward is never called). */
  readonly encoder: Sequential;
  readonly bottleneck: Sequential;
  /** Up-sampling transposed convolutions, up[i]: level i+1 → level i. */
  readonly up: Sequential;
  /** Blocks of the expanding path, decoder[i] at level i. */
  readonly decoder: Sequential;
  readonly head: Conv2d;

  constructor(options: UNetOptions) {
    super();
    const { inChannels, numClasses } = options;
    const base = options.base ?? 16;
    const depth = options.depth ?? 3;
    for (const [k, v] of Object.entries({ inChannels, numClasses, base, depth })) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`unet: ${k} must be a positive integer, got ${v}`);
    }
    this.inChannels = inChannels;
    this.numClasses = numClasses;
    this.base = base;
    this.depth = depth;
    this.batchNorm = options.batchNorm ?? true;
    const g = options.generator;
    const block = (i: number, o: number) => convBlock(i, o, { batchNorm: this.batchNorm, generator: g });
    const ch = Array.from({ length: depth + 1 }, (_, i) => base * 2 ** i);
    // Registration order = PyTorch's attribute order (encoder, bottleneck, up, decoder, head),
    // so a model drawn from one generator matches the Python module built under the same seed.
    this.encoder = this.registerModule("encoder", new Sequential(ch.slice(0, depth).map((c, i) => block(i === 0 ? inChannels : ch[i - 1], c))));
    this.bottleneck = this.registerModule("bottleneck", block(ch[depth - 1], ch[depth]));
    this.up = this.registerModule("up", new Sequential(ch.slice(0, depth).map((c, i) => new ConvTranspose2d(ch[i + 1], c, 2, { stride: 2, generator: g }))));
    this.decoder = this.registerModule("decoder", new Sequential(ch.slice(0, depth).map((c) => block(2 * c, c))));
    this.head = this.registerModule("head", new Conv2d(base, numClasses, 1, { generator: g }));
  }

  override describe(): string {
    return `UNet(in=${this.inChannels}, classes=${this.numClasses}, base=${this.base}, depth=${this.depth}${this.batchNorm ? "" : ", no BN"})`;
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.size(1) !== this.inChannels) {
      throw new Error(`${this.describe()}: expected input [B, ${this.inChannels}, H, W], got [${x.shape.join(", ")}]`);
    }
    const f = 2 ** this.depth;
    if (x.size(2) % f || x.size(3) % f) {
      throw new Error(`${this.describe()}: H and W must be divisible by 2^depth = ${f}, got ${x.size(2)}×${x.size(3)} (crop or pad the images)`);
    }
    const skips: Tensor[] = [];
    let y = x;
    // y ← next, freeing the old y unless it is the caller's input or a pending skip.
    // Only the JS handle goes: tensors autograd saved for backward stay alive in the graph,
    // and the ones it did not save (e.g. BN outputs, which ReLU does not need) are freed now
    // instead of at the end of the caller's scope.
    const advance = (next: Tensor) => {
      if (y !== x && !skips.includes(y)) y.dispose();
      y = next;
    };
    const run = (block: Sequential) => {
      for (let j = 0; j < block.length; j++) advance(block.at(j).forward(y));
    };
    for (let i = 0; i < this.depth; i++) {
      run(this.encoder.at(i) as Sequential);
      skips.push(y);
      advance(ops.max_pool2d(y, 2, { stride: 2 }));
    }
    run(this.bottleneck);
    for (let i = this.depth - 1; i >= 0; i--) {
      advance(this.up.at(i).forward(y));
      const skip = skips.pop()!;
      advance(ops.cat([skip, y], { dim: 1 }));
      skip.dispose();
      run(this.decoder.at(i) as Sequential);
    }
    advance(this.head.forward(y));
    return y;
  }
}

/** A U-Net: `unet({ inChannels: 1, numClasses: 11, base: 16, depth: 3 })`. */
export function unet(options: UNetOptions): UNet {
  return new UNet(options);
}
