/**
 * Small ready-made models: mlp() and cnn(). Their parameter paths match the
 * obvious nn.Sequential in Python, so weights move between the two.
 */
import type { Tensor } from "../tensor.ts";
import type { Generator } from "../generator.ts";
import { Sequential, Linear, Conv2d, MaxPool2d, Flatten, Dropout, ReLU, activation, type ActivationName } from "./layers.ts";

export interface MlpOptions {
  /** Activation between layers (default "relu"). */
  activation?: ActivationName;
  /** Dropout probability after each hidden activation (default 0: no Dropout modules). */
  dropout?: number;
  /** Draw the weights now from this generator (PyTorch's order). */
  generator?: Generator;
  /** Generator for the dropout masks (also settable later with setDropoutGenerator). */
  dropoutGenerator?: Generator;
}

/**
 * A multi-layer perceptron, like nn.Sequential(Linear, act, [Dropout], Linear, …, Linear).
 * Inputs with more than 2 dimensions are flattened from dimension 1 first
 * (images [N, 1, 28, 28] → [N, 784]) without an extra module, so the paths are
 * "0.weight", "0.bias", "2.weight", … exactly as in that nn.Sequential.
 */
export class MLP extends Sequential {
  readonly sizes: number[];
  constructor(sizes: number[], options: MlpOptions = {}) {
    super();
    if (sizes.length < 2) throw new Error(`mlp: need at least [in, out] sizes, got [${sizes.join(", ")}]`);
    this.sizes = [...sizes];
    const p = options.dropout ?? 0;
    for (let i = 0; i + 1 < sizes.length; i++) {
      this.add(new Linear(sizes[i], sizes[i + 1], { generator: options.generator }));
      if (i + 2 < sizes.length) {
        this.add(activation(options.activation ?? "relu"));
        if (p > 0) this.add(new Dropout(p, { generator: options.dropoutGenerator }));
      }
    }
  }
  override describe(): string {
    return `MLP[${this.sizes.join("-")}]`;
  }
  override forward(x: Tensor): Tensor {
    return super.forward(x.ndim > 2 ? x.flatten(1) : x);
  }
}

export function mlp(sizes: number[], options: MlpOptions = {}): MLP {
  return new MLP(sizes, options);
}

export interface CnnOptions {
  inChannels?: number;
  /** Input height = width (default 28). */
  imageSize?: number;
  numClasses?: number;
  /** Channels of the two conv layers (default [32, 64]). */
  channels?: [number, number];
  /** Width of the hidden fully-connected layer (default 128). */
  hidden?: number;
  /** Dropout before the last layer (default 0: no Dropout module). */
  dropout?: number;
  generator?: Generator;
  dropoutGenerator?: Generator;
}

/**
 * The conv32-conv64-fc128 CNN for 28x28 images:
 * conv3x3(1→32, pad 1) relu maxpool2 → conv3x3(32→64, pad 1) relu maxpool2 →
 * flatten → fc(64·7·7→128) relu → fc(128→10). Paths 0, 3, 7, 9 (10 with dropout)
 * as in the equivalent nn.Sequential.
 */
export function cnn(options: CnnOptions = {}): Sequential {
  const inC = options.inChannels ?? 1;
  const size = options.imageSize ?? 28;
  const [c1, c2] = options.channels ?? [32, 64];
  const hidden = options.hidden ?? 128;
  const g = options.generator;
  if (size % 4) throw new Error(`cnn: imageSize must be divisible by 4, got ${size}`);
  const flat = c2 * (size / 4) * (size / 4);
  const layers = [
    new Conv2d(inC, c1, 3, { padding: 1, generator: g }), new ReLU(), new MaxPool2d(2),
    new Conv2d(c1, c2, 3, { padding: 1, generator: g }), new ReLU(), new MaxPool2d(2),
    new Flatten(),
    new Linear(flat, hidden, { generator: g }), new ReLU(),
  ];
  if ((options.dropout ?? 0) > 0) layers.push(new Dropout(options.dropout, { generator: options.dropoutGenerator }));
  layers.push(new Linear(hidden, options.numClasses ?? 10, { generator: g }));
  return new Sequential(layers);
}
