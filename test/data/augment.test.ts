import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/torch/index.ts";
import * as augment from "../../src/data/augment/index.ts";
import type { AugBatch, AugFn } from "../../src/data/augment/index.ts";

const { ops } = torch;

// Strict random mode throughout: any draw from libtorch's global generator throws.
let previousStrict = false;
let globalBefore: Uint8Array;
before(() => {
  previousStrict = torch.setStrictRandom(true);
  globalBefore = torch.globalGeneratorState();
});
after(() => {
  assert.deepEqual(torch.globalGeneratorState(), globalBefore, "nothing drew from the global generator");
  torch.setStrictRandom(previousStrict);
});

/** Runs fn with a fresh generator and frees everything fn created. */
function withGen<T>(seed: number, fn: (g: torch.Generator) => T): T {
  const g = new torch.Generator(seed);
  try {
    return torch.scope(() => fn(g));
  } finally {
    g.dispose();
  }
}

/** A generator with another one's current state (to replay its draws). */
function replay(g: torch.Generator): torch.Generator {
  const r = new torch.Generator(0);
  r.setState(g.getState());
  return r;
}

interface MakeOptions {
  B?: number;
  C?: number;
  H?: number;
  W?: number;
  K?: number;
  masks?: "3d" | "4d" | false;
}

/**
 * A batch whose input channel 0 is the mask as float (so geometric transforms
 * can be checked to move masks exactly like images); other channels random.
 */
function makeBatch(g: torch.Generator, o: MakeOptions = {}): AugBatch {
  const { B = 8, C = 3, H = 12, W = 10, K = 5 } = o;
  const masks = torch.randint(0, 5, [B, H, W], { generator: g });
  const rest = torch.rand([B, C - 1, H, W], { generator: g }).add(0.5);
  const inputs = torch.cat([masks.unsqueeze(1).float(), rest], 1);
  const targets = torch.randint(0, K, [B], { generator: g });
  const batch: AugBatch = { inputs, targets };
  if (o.masks === "4d") batch.masks = masks.unsqueeze(1).contiguous();
  else if (o.masks !== false) batch.masks = masks;
  return batch;
}

function bytes(t: torch.Tensor): Buffer {
  const a = t.contiguous().toArray();
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function sameBatch(a: AugBatch, b: AugBatch): boolean {
  return (
    bytes(a.inputs).equals(bytes(b.inputs)) &&
    bytes(a.targets).equals(bytes(b.targets)) &&
    (a.masks === undefined) === (b.masks === undefined) &&
    (a.masks === undefined || bytes(a.masks).equals(bytes(b.masks!)))
  );
}

function channel0(batch: AugBatch): torch.Tensor {
  return batch.inputs.select(1, 0);
}

function maskAsFloat(batch: AugBatch): torch.Tensor {
  const m = batch.masks!;
  return (m.ndim === 4 ? m.squeeze(1) : m).float();
}

interface Case {
  name: string;
  make?: MakeOptions;
  fn: AugFn;
}

const K = 5;
const CASES: Case[] = [
  { name: "randomCrop", fn: augment.bind(augment.randomCrop, { size: 9, padding: 2 }) },
  { name: "randomCrop [B,1,H,W] masks", make: { masks: "4d" }, fn: augment.bind(augment.randomCrop, { size: [10, 8], padding: 3 }) },
  { name: "horizontalFlip", fn: augment.bind(augment.horizontalFlip, {}) },
  { name: "verticalFlip", fn: augment.bind(augment.verticalFlip, { p: 0.7 }) },
  { name: "randomErasing", fn: augment.bind(augment.randomErasing, { p: 0.9 }) },
  { name: "randomErasing random value", fn: augment.bind(augment.randomErasing, { p: 0.9, value: "random" }) },
  { name: "randomAffine", fn: augment.bind(augment.randomAffine, { degrees: 20 }) },
  { name: "randomAffine [B,1,H,W] masks", make: { masks: "4d" }, fn: augment.bind(augment.randomAffine, {}) },
  { name: "gaussianNoise", fn: augment.bind(augment.gaussianNoise, { sigma: 0.1 }) },
  { name: "mixup", make: { masks: false }, fn: augment.bind(augment.mixup, { alpha: 1, numClasses: K }) },
  { name: "cutmix", fn: augment.bind(augment.cutmix, { alpha: 1, numClasses: K }) },
  {
    name: "standard",
    make: { masks: false },
    fn: augment.standard({ crop: { size: 10, padding: 2 }, flip: true, affine: true, noise: 0.05, erasing: true, mixup: { alpha: 0.4, numClasses: K }, cutmix: { alpha: 1, numClasses: K } }),
  },
];

// ---- contracts every augmentation keeps -------------------------------------

test("determinism: same seed gives bitwise identical batches and generator states; another seed differs", () => {
  for (const c of CASES) {
    const run = (seed: number) =>
      withGen(seed, (g) => {
        const data = new torch.Generator(7); // the same data every time
        const batch = makeBatch(data, c.make);
        data.dispose();
        const out = c.fn(batch, g);
        return { out, state: Buffer.from(g.getState()) };
      });
    const a = run(1);
    const b = run(1);
    const d = run(2);
    assert.ok(sameBatch(a.out, b.out), `${c.name}: same seed, same bytes`);
    assert.ok(a.state.equals(b.state), `${c.name}: same seed, same generator state after`);
    assert.ok(!sameBatch(a.out, d.out), `${c.name}: another seed gives another batch`);
    for (const r of [a, b, d]) for (const t of [r.out.inputs, r.out.targets, r.out.masks]) t?.dispose();
  }
});

test("inputs are never modified, outputs are new handles, and nothing leaks", () => {
  for (const c of CASES) {
    withGen(3, (g) => {
      const batch = makeBatch(g, c.make);
      const copies = { inputs: batch.inputs.clone(), targets: batch.targets.clone(), masks: batch.masks?.clone() };
      const baseline = torch.memory().tensors;
      const out = torch.scope(() => c.fn(batch, g));
      const live = [out.inputs, out.targets, out.masks].filter((t) => t !== undefined).length;
      assert.equal(torch.memory().tensors, baseline + live, `${c.name}: only the output tensors stay alive`);
      assert.ok(batch.inputs.equal(copies.inputs), `${c.name}: inputs unchanged`);
      assert.ok(batch.targets.equal(copies.targets), `${c.name}: targets unchanged`);
      if (batch.masks) assert.ok(batch.masks.equal(copies.masks!), `${c.name}: masks unchanged`);
      assert.notEqual(out.inputs, batch.inputs);
      assert.notEqual(out.targets, batch.targets);
      if (batch.masks && out.masks) assert.notEqual(out.masks, batch.masks);
      // The output survives disposing the input batch (and vice versa).
      batch.inputs.dispose();
      batch.targets.dispose();
      batch.masks?.dispose();
      assert.equal(out.inputs.shape[0], 8);
      torch.scope(() => out.targets.sum().item());
      out.inputs.dispose();
      out.targets.dispose();
      out.masks?.dispose();
      assert.equal(torch.memory().tensors, baseline - (batch.masks ? 3 : 2), `${c.name}: back to baseline`);
    });
  }
});

test("the number of draws depends only on shapes and options, not on the outcomes", () => {
  const stateAfter = (fn: (b: AugBatch, g: torch.Generator) => AugBatch): Buffer =>
    withGen(8, (g) => {
      const data = new torch.Generator(9);
      fn(makeBatch(data), g);
      data.dispose();
      return Buffer.from(g.getState());
    });
  const pairs: [string, (b: AugBatch, g: torch.Generator) => AugBatch, (b: AugBatch, g: torch.Generator) => AugBatch][] = [
    ["flip", (b, g) => augment.horizontalFlip(b, { p: 0, generator: g }), (b, g) => augment.horizontalFlip(b, { p: 1, generator: g })],
    ["erasing", (b, g) => augment.randomErasing(b, { p: 0, generator: g }), (b, g) => augment.randomErasing(b, { p: 1, generator: g })],
    ["crop", (b, g) => augment.randomCrop(b, { size: [12, 10], generator: g }), (b, g) => augment.randomCrop(b, { size: 6, padding: 2, generator: g })],
  ];
  for (const [name, a, b] of pairs) assert.ok(stateAfter(a).equals(stateAfter(b)), name);
});

test("extra batch fields (loader indices, epoch) pass through", () => {
  withGen(4, (g) => {
    const batch = { ...makeBatch(g), indices: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), epoch: 3 };
    const out = augment.standard({ crop: { size: 8 }, flip: true })(batch, g);
    assert.equal(out.indices, batch.indices);
    assert.equal(out.epoch, 3);
  });
});

test("a missing generator or a malformed batch is a clear error", () => {
  withGen(5, (g) => {
    const batch = makeBatch(g);
    assert.throws(() => augment.horizontalFlip(batch, {} as never), /generator is required/);
    assert.throws(() => augment.randomCrop({ inputs: torch.zeros([2, 3, 4]), targets: torch.zeros([2]) }, { size: 2, generator: g }), /\[B, C, H, W\]/);
    assert.throws(() => augment.randomCrop({ ...batch, masks: batch.masks!.float() }, { size: 2, generator: g }), /integer class ids/);
    assert.throws(() => augment.randomCrop({ ...batch, masks: torch.zeros([8, 5, 5], { dtype: "int64" }) }, { size: 2, generator: g }), /masks must be/);
    assert.throws(() => augment.randomCrop(batch, { size: 20, padding: 2, generator: g }), /does not fit/);
    assert.throws(() => augment.horizontalFlip(batch, { p: 1.5, generator: g }), /p must be in \[0, 1\]/);
  });
});

// ---- randomCrop -------------------------------------------------------------

test("randomCrop: padding 0 and size H x W is the identity", () => {
  withGen(10, (g) => {
    const batch = makeBatch(g);
    const out = augment.randomCrop(batch, { size: [12, 10], generator: g });
    assert.ok(out.inputs.equal(batch.inputs));
    assert.ok(out.masks!.equal(batch.masks!));
    assert.ok(out.targets.equal(batch.targets));
  });
});

test("randomCrop: each sample is its padded image at its own offsets (replayed from the generator)", () => {
  withGen(11, (g) => {
    const B = 16;
    const batch = makeBatch(g, { B });
    const r = replay(g);
    const out = augment.randomCrop(batch, { size: [8, 7], padding: 3, generator: g });
    const top = ops.randint_low_generator(0, 18 - 8 + 1, [B], { generator: r }).toNumbers();
    const left = ops.randint_low_generator(0, 16 - 7 + 1, [B], { generator: r }).toNumbers();
    r.dispose();
    assert.ok(new Set(top.map((t, i) => `${t},${left[i]}`)).size > 4, "offsets differ between samples");
    const padded = ops.constant_pad_nd(batch.inputs, [3, 3, 3, 3]);
    const paddedMasks = ops.constant_pad_nd(batch.masks!, [3, 3, 3, 3], { value: 255 });
    assert.deepEqual(out.inputs.shape, [B, 3, 8, 7]);
    assert.deepEqual(out.masks!.shape, [B, 8, 7]);
    for (let i = 0; i < B; i++) {
      const want = padded.select(0, i).narrow(1, top[i], 8).narrow(2, left[i], 7);
      assert.ok(out.inputs.select(0, i).equal(want), `sample ${i}`);
      const wantMask = paddedMasks.select(0, i).narrow(0, top[i], 8).narrow(1, left[i], 7);
      assert.ok(out.masks!.select(0, i).equal(wantMask), `mask ${i}`);
    }
  });
});

test("randomCrop: masks are cropped exactly like the images, padded with ignoreIndex", () => {
  withGen(12, (g) => {
    for (const masks of ["3d", "4d"] as const) {
      const batch = makeBatch(g, { masks, B: 32 });
      // fill = ignoreIndex = 255: channel 0 (the mask as float) must equal the mask everywhere.
      const a = augment.randomCrop(batch, { size: 11, padding: 4, fill: 255, generator: g });
      assert.ok(channel0(a).equal(maskAsFloat(a)), `${masks}: crop with ignoreIndex 255`);
      assert.ok(a.masks!.eq(255).any().item(), "some padding was cropped in");
      // Defaults: inputs padded with 0, masks with 255, everywhere else equal.
      const b = augment.randomCrop(batch, { size: 11, padding: 4, generator: g });
      const pad = maskAsFloat(b).eq(255);
      assert.ok(channel0(b).maskedFill(pad, 0).equal(maskAsFloat(b).maskedFill(pad, 0)));
      assert.ok(channel0(b).maskedFill(pad.logicalNot(), 0).eq(0).all().item(), "padded inputs are 0");
      const c = augment.randomCrop(batch, { size: 11, padding: 4, ignoreIndex: 0, generator: g });
      assert.ok(channel0(c).equal(maskAsFloat(c)), `${masks}: crop with ignoreIndex 0`);
    }
  });
});

// ---- flips ------------------------------------------------------------------

test("flips: p = 1 twice is the identity, p = 0 changes nothing, masks follow the images", () => {
  withGen(20, (g) => {
    for (const flip of [augment.horizontalFlip, augment.verticalFlip]) {
      for (const masks of ["3d", "4d"] as const) {
        const batch = makeBatch(g, { masks });
        const once = flip(batch, { p: 1, generator: g });
        assert.ok(!once.inputs.equal(batch.inputs));
        assert.ok(channel0(once).equal(maskAsFloat(once)));
        const twice = flip(once, { p: 1, generator: g });
        assert.ok(twice.inputs.equal(batch.inputs) && twice.masks!.equal(batch.masks!));
        const none = flip(batch, { p: 0, generator: g });
        assert.ok(none.inputs.equal(batch.inputs) && none.masks!.equal(batch.masks!));
        const half = flip(makeBatch(g, { masks, B: 64 }), { p: 0.5, generator: g });
        assert.ok(channel0(half).equal(maskAsFloat(half)));
      }
    }
    const src = makeBatch(g);
    const hh = augment.horizontalFlip(src, { p: 1, generator: g });
    assert.ok(hh.inputs.equal(ops.flip(src.inputs, [3])), "horizontal = last axis");
  });
});

test("flips: the flip rate is p, per sample", () => {
  withGen(21, (g) => {
    const B = 20000;
    // Each image is [0, 1] in one row: flipped samples read [1, 0].
    const inputs = torch.tensor([0, 1]).view(1, 1, 1, 2).expand(B, 1, 1, 2).contiguous();
    const batch = { inputs, targets: torch.zeros([B], { dtype: "int64" }) };
    for (const p of [0.1, 0.3, 0.5, 0.9]) {
      const out = augment.horizontalFlip(batch, { p, generator: g });
      const rate = out.inputs.select(3, 0).sum().item() / B;
      assert.ok(Math.abs(rate - p) < 4 * Math.sqrt((p * (1 - p)) / B), `p=${p}: rate ${rate}`);
    }
  });
});

// ---- randomErasing ----------------------------------------------------------

/** The erased rectangle of each sample (where inputs became `value`), or null. */
function erasedBoxes(before: torch.Tensor, after: torch.Tensor): ({ h: number; w: number; n: number } | null)[] {
  const diff = ops.any_dim(before.ne(after), 1); // [B, H, W]
  const B = diff.shape[0];
  const boxes: ({ h: number; w: number; n: number } | null)[] = [];
  for (let i = 0; i < B; i++) {
    const d = diff.select(0, i);
    const n = d.sum().item();
    if (n === 0) {
      boxes.push(null);
      continue;
    }
    const rows = ops.any_dim(d, 1).sum().item();
    const cols = ops.any_dim(d, 0).sum().item();
    boxes.push({ h: rows, w: cols, n });
  }
  return boxes;
}

test("randomErasing: one rectangle of the right size per erased sample, at rate p; masks untouched", () => {
  withGen(30, (g) => {
    const B = 400;
    const H = 32;
    const W = 24;
    const batch = makeBatch(g, { B, H, W });
    const inputs = batch.inputs.add(1); // no zeros anywhere, so erased pixels are exactly the zeros
    const b = { ...batch, inputs };
    const out = augment.randomErasing(b, { p: 0.5, generator: g });
    assert.ok(out.masks!.equal(batch.masks!), "masks untouched");
    assert.ok(out.targets.equal(batch.targets));
    const boxes = erasedBoxes(inputs, out.inputs);
    const erased = boxes.filter((x) => x !== null);
    const rate = erased.length / B;
    assert.ok(Math.abs(rate - 0.5) < 0.1, `erase rate ${rate}`);
    for (const box of erased) {
      assert.equal(box!.n, box!.h * box!.w, "a filled rectangle");
      assert.ok(box!.h < H && box!.w < W);
      const frac = box!.n / (H * W);
      assert.ok(frac >= 0.01 && frac <= 0.36, `area fraction ${frac}`);
    }
    // Erased pixels are 0 in every channel.
    assert.ok(out.inputs.eq(0).sum().item() === erased.reduce((s, x) => s + x!.n, 0) * 3);
    const none = augment.randomErasing(b, { p: 0, generator: g });
    assert.ok(none.inputs.equal(inputs));
  });
});

test("randomErasing: per-channel and random values", () => {
  withGen(31, (g) => {
    const batch = makeBatch(g, { B: 16, H: 20, W: 20 });
    const inputs = batch.inputs.add(10);
    const b = { ...batch, inputs };
    const perChannel = augment.randomErasing(b, { p: 1, value: [-1, -2, -3], generator: g });
    for (let c = 0; c < 3; c++) {
      const ch = perChannel.inputs.select(1, c);
      const changed = ch.ne(inputs.select(1, c));
      assert.ok(changed.any().item());
      assert.ok(ch.maskedFill(changed.logicalNot(), -(c + 1)).eq(-(c + 1)).all().item(), `channel ${c} filled with ${-(c + 1)}`);
    }
    const random = augment.randomErasing(b, { p: 1, value: "random", generator: g });
    const region = random.inputs.lt(5); // inputs are >= 10; N(0,1) values are far below
    const vals = ops.masked_select(random.inputs, region);
    assert.ok(vals.numel > 200);
    assert.ok(Math.abs(vals.mean().item()) < 0.2 && Math.abs(vals.std().item() - 1) < 0.2, "standard normal fill");
    assert.throws(() => augment.randomErasing(b, { value: [1, 2], generator: g }), /3 channels/);
  });
});

// ---- randomAffine -----------------------------------------------------------

test("randomAffine: masks move exactly like nearest-sampled images; outside pixels get ignoreIndex", () => {
  withGen(40, (g) => {
    for (const masks of ["3d", "4d"] as const) {
      const batch = makeBatch(g, { masks, B: 32, H: 16, W: 12 });
      const a = augment.randomAffine(batch, { degrees: 25, translate: 0.2, scale: [0.8, 1.2], interpolation: "nearest", ignoreIndex: 0, generator: g });
      assert.ok(channel0(a).equal(maskAsFloat(a)), `${masks}: nearest inputs channel 0 == masks`);
      const b = augment.randomAffine(batch, { degrees: 25, translate: 0.2, scale: [0.8, 1.2], interpolation: "nearest", generator: g });
      const outside = maskAsFloat(b).eq(255);
      assert.ok(outside.any().item(), "some pixels came from outside the image");
      assert.ok(channel0(b).maskedFill(outside, 0).equal(maskAsFloat(b).maskedFill(outside, 0)));
      assert.ok(b.inputs.select(1, 1).maskedFill(outside.logicalNot(), 0).eq(0).all().item(), "zeros padding for inputs");
      assert.equal(b.masks!.dtype, "int64");
      assert.deepEqual(b.masks!.shape, batch.masks!.shape);
    }
  });
});

test("randomAffine: the identity transform and a 90° rotation", () => {
  withGen(41, (g) => {
    const batch = makeBatch(g, { H: 10, W: 10 });
    const id = augment.randomAffine(batch, { degrees: 0, translate: 0, scale: [1, 1], generator: g });
    assert.ok(id.inputs.allclose(batch.inputs, { atol: 1e-5, rtol: 0 }), "bilinear identity");
    assert.ok(id.masks!.equal(batch.masks!));
    const rot = augment.randomAffine(batch, { degrees: [90, 90], translate: 0, scale: [1, 1], interpolation: "nearest", generator: g });
    // torchvision: positive angles rotate counter-clockwise, like torch.rot90(k=1, dims=[H, W]).
    assert.ok(rot.inputs.equal(ops.rot90(batch.inputs, { k: 1, dims: [2, 3] })));
    assert.ok(rot.masks!.equal(ops.rot90(batch.masks!, { k: 1, dims: [1, 2] })));
    const bil = augment.randomAffine(batch, { degrees: [90, 90], translate: 0, scale: [1, 1], generator: g });
    assert.ok(bil.inputs.allclose(ops.rot90(batch.inputs, { k: 1, dims: [2, 3] }), { atol: 1e-4, rtol: 0 }));
  });
});

// ---- gaussianNoise ----------------------------------------------------------

test("gaussianNoise: noise has sd sigma and mean 0; clip; sigma 0 is the identity", () => {
  withGen(50, (g) => {
    const batch = makeBatch(g, { B: 32, H: 32, W: 32 });
    const out = augment.gaussianNoise(batch, { sigma: 0.25, generator: g });
    const d = out.inputs.sub(batch.inputs);
    assert.ok(Math.abs(d.std().item() - 0.25) < 0.005);
    assert.ok(Math.abs(d.mean().item()) < 0.005);
    assert.ok(out.masks!.equal(batch.masks!));
    const clipped = augment.gaussianNoise(batch, { sigma: 1, clip: [0, 1], generator: g });
    assert.ok(clipped.inputs.min().item() >= 0 && clipped.inputs.max().item() <= 1);
    assert.ok(augment.gaussianNoise(batch, { sigma: 0, generator: g }).inputs.equal(batch.inputs));
  });
});

// ---- Beta sampling ----------------------------------------------------------

test("sampleBeta: Beta(α, α) has mean 1/2 and variance 1/(4(2α+1)); Beta(2, 5) mean 2/7", () => {
  withGen(60, (g) => {
    const n = 40000;
    for (const alpha of [0.1, 0.2, 1, 2, 5]) {
      const x = augment.sampleBeta(alpha, alpha, n, g);
      assert.ok(x.isfinite().all().item() && x.min().item() >= 0 && x.max().item() <= 1);
      const mean = x.mean().item();
      const v = x.var().item();
      const want = 1 / (4 * (2 * alpha + 1));
      assert.ok(Math.abs(mean - 0.5) < 4 * Math.sqrt(want / n), `α=${alpha}: mean ${mean}`);
      assert.ok(Math.abs(v / want - 1) < 0.04, `α=${alpha}: var ${v} vs ${want}`);
    }
    const y = augment.sampleBeta(2, 5, n, g);
    assert.ok(Math.abs(y.mean().item() - 2 / 7) < 0.005);
    assert.throws(() => augment.sampleBeta(0, 1, 1, g), /positive/);
  });
});

// ---- mixup ------------------------------------------------------------------

test("mixup: inputs and targets mixed with one λ and one permutation (replayed); rows sum to 1", () => {
  withGen(70, (g) => {
    for (const alpha of [0.2, 1]) {
      const B = 16;
      const batch = makeBatch(g, { B, K, masks: false });
      const r = replay(g);
      const out = augment.mixup(batch, { alpha, numClasses: K, generator: g });
      const lambda = augment.sampleBeta(alpha, alpha, 1, r).item();
      const perm = torch.randperm(B, { generator: r });
      r.dispose();
      const x = batch.inputs;
      const y = ops.one_hot(batch.targets, { num_classes: K }).float();
      const wantX = x.mul(lambda).add(x.indexSelect(0, perm).mul(1 - lambda));
      const wantY = y.mul(lambda).add(y.indexSelect(0, perm).mul(1 - lambda));
      assert.ok(out.inputs.allclose(wantX, { atol: 1e-5, rtol: 1e-5 }));
      assert.ok(out.targets.allclose(wantY, { atol: 1e-6, rtol: 0 }));
      assert.deepEqual(out.targets.shape, [B, K]);
      assert.equal(out.targets.dtype, "float32");
      for (const s of out.targets.sum(1).toNumbers()) assert.ok(Math.abs(s - 1) < 1e-6);
    }
  });
});

test("mixup: inputs that are their one-hot labels stay equal to the mixed soft targets", () => {
  withGen(71, (g) => {
    const B = 64;
    const targets = torch.randint(0, K, [B], { generator: g });
    const inputs = ops.one_hot(targets, { num_classes: K }).float().view(B, K, 1, 1);
    const out = augment.mixup({ inputs, targets }, { alpha: 0.4, numClasses: K, generator: g });
    assert.ok(out.inputs.view(B, K).allclose(out.targets, { atol: 1e-6, rtol: 0 }));
    // Every row is λ·e_y + (1−λ)·e_y' with the same λ: the weights are in {λ, 1−λ, 1}.
    const weights = new Set(out.targets.toNumbers().filter((v) => v > 1e-6 && v < 1 - 1e-6).map((v) => Math.min(v, 1 - v).toFixed(5)));
    assert.ok(weights.size <= 1, `one λ per batch, got ${[...weights]}`);
    // Soft targets in, soft targets out.
    const again = augment.mixup(out, { alpha: 0.4, generator: g });
    for (const s of again.targets.sum(1).toNumbers()) assert.ok(Math.abs(s - 1) < 1e-5);
    assert.throws(() => augment.mixup(out, { alpha: 0.4, numClasses: K + 1, generator: g }), /numClasses/);
    assert.throws(() => augment.mixup({ inputs, targets }, { alpha: 0.4, generator: g }), /numClasses/);
    assert.throws(() => augment.mixup({ inputs, targets }, { alpha: 0.4, numClasses: 3, generator: g }), /class ids must be in/);
  });
});

test("mixup: refuses segmentation masks", () => {
  withGen(72, (g) => {
    const batch = makeBatch(g);
    assert.throws(() => augment.mixup(batch, { alpha: 1, numClasses: K, generator: g }), /mixup of masks is undefined/);
  });
});

// ---- cutmix -----------------------------------------------------------------

test("cutmix: one box for the batch; the pasted fraction equals the target weight; masks pasted with it", () => {
  let sawBox = false;
  for (let seed = 0; seed < 30; seed++) {
    withGen(100 + seed, (g) => {
      const B = 12;
      const H = 14;
      const W = 18;
      // Sample i is the constant i + 1 in channel 0, its mask is i + 1, its class is i.
      const ids = torch.arange(B).add(1);
      const masks = ids.view(B, 1, 1).expand(B, H, W).contiguous();
      const inputs = torch.cat([masks.unsqueeze(1).float(), torch.rand([B, 2, H, W], { generator: g })], 1);
      const targets = torch.arange(B);
      const batch = { inputs, targets, masks };
      const out = augment.cutmix(batch, { alpha: 1, numClasses: B, generator: g });
      assert.ok(channel0(out).equal(out.masks!.float()), "masks pasted with the same box from the same partner");
      const pasted = out.masks!.ne(ids.view(B, 1, 1)); // [B, H, W]
      const anyPasted = ops.any_dim(pasted, 0); // the box, where partners differ
      const T = out.targets.toNumbers();
      const partnerIds = out.masks!.toNumbers();
      let boxArea = -1;
      for (let i = 0; i < B; i++) {
        const row = T.slice(i * B, (i + 1) * B);
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6, "row sums to 1");
        const n = pasted.select(0, i).sum().item();
        if (n > 0) {
          // The partner is the id found in the pasted pixels.
          const flat = pasted.select(0, i).flatten().toNumbers();
          const k = flat.indexOf(1);
          const partner = partnerIds[i * H * W + k] - 1;
          assert.ok(Math.abs(row[partner] - n / (H * W)) < 1e-6, `weight ${row[partner]} = pasted fraction ${n / (H * W)}`);
          assert.ok(Math.abs(row[i] - (1 - n / (H * W))) < 1e-6);
          if (boxArea < 0) boxArea = n;
          assert.equal(n, boxArea, "the same box for every sample");
        }
      }
      if (boxArea > 0) {
        sawBox = true;
        // The box is a rectangle.
        const rows = ops.any_dim(anyPasted, 1).sum().item();
        const cols = ops.any_dim(anyPasted, 0).sum().item();
        assert.equal(rows * cols, boxArea);
      }
    });
  }
  assert.ok(sawBox);
});

test("cutmix: the box follows the paper's formula (replayed from the generator)", () => {
  withGen(200, (g) => {
    const batch = makeBatch(g, { B: 10, H: 32, W: 32 });
    const r = replay(g);
    const out = augment.cutmix(batch, { alpha: 1, numClasses: K, generator: g });
    const lambda = augment.sampleBeta(1, 1, 1, r).item();
    const perm = torch.randperm(10, { generator: r });
    const [u0, u1] = torch.rand([2], { generator: r, dtype: "float64" }).toNumbers();
    r.dispose();
    const box = augment.cutmixBox(lambda, 32, 32, Math.floor(u0 * 32), Math.floor(u1 * 32));
    const want = batch.inputs.clone();
    want.slice(2, box.y1, box.y2).slice(3, box.x1, box.x2).copy_(batch.inputs.indexSelect(0, perm).slice(2, box.y1, box.y2).slice(3, box.x1, box.x2));
    assert.ok(out.inputs.equal(want));
    const kept = 1 - ((box.y2 - box.y1) * (box.x2 - box.x1)) / 1024;
    const y = ops.one_hot(batch.targets, { num_classes: K }).float();
    assert.ok(out.targets.allclose(y.mul(kept).add(y.indexSelect(0, perm).mul(1 - kept)), { atol: 1e-6, rtol: 0 }));
  });
});

// ---- compose and standard ---------------------------------------------------

test("compose: the same as calling the steps in order on one generator; intermediates freed", () => {
  withGen(300, (g) => {
    const batch = makeBatch(g);
    const r = replay(g);
    const chain = augment.compose(
      augment.bind(augment.randomCrop, { size: 10, padding: 2 }),
      augment.bind(augment.horizontalFlip, { p: 0.5 }),
      (b, gen) => augment.randomErasing(b, { p: 0.5, generator: gen }),
    );
    const base = torch.memory().tensors;
    const out = torch.scope(() => chain(batch, g));
    assert.equal(torch.memory().tensors, base + 3, "only the final batch is alive");
    const manual = torch.scope(() => {
      const a = augment.randomCrop(batch, { size: 10, padding: 2, generator: r });
      const b = augment.horizontalFlip(a, { p: 0.5, generator: r });
      return augment.randomErasing(b, { p: 0.5, generator: r });
    });
    assert.ok(Buffer.from(g.getState()).equals(Buffer.from(r.getState())));
    r.dispose();
    assert.ok(sameBatch(out, manual));
    const empty = augment.compose()(batch, g);
    assert.ok(sameBatch(empty, batch) && empty.inputs !== batch.inputs);
  });
});

test("standard: runs the configured steps in order; masks flow through geometric steps", () => {
  withGen(310, (g) => {
    const batch = makeBatch(g, { B: 16 });
    const seg = augment.standard({ crop: { size: 10, padding: 2, fill: 255 }, flip: true, affine: { interpolation: "nearest", ignoreIndex: 255 } });
    const out = seg(batch, g);
    assert.deepEqual(out.inputs.shape, [16, 3, 10, 10]);
    assert.deepEqual(out.masks!.shape, [16, 10, 10]);
    // Crop padding is 255 in both; affine's outside pixels are 0 in inputs and 255 in masks.
    const outside = maskAsFloat(out).eq(255).logicalAnd(channel0(out).eq(0));
    assert.ok(channel0(out).maskedFill(outside, 255).equal(maskAsFloat(out)));
    const cls = augment.standard({ crop: { size: 12, padding: 2 }, flip: { p: 0.5 }, noise: 0.01, erasing: { p: 0.25 }, cutmix: { alpha: 1, numClasses: K } });
    const { masks: _unused, ...noMasks } = batch;
    void _unused;
    const c = cls(noMasks, g);
    assert.deepEqual(c.targets.shape, [16, K]);
    for (const s of c.targets.sum(1).toNumbers()) assert.ok(Math.abs(s - 1) < 1e-6);
    assert.throws(() => augment.standard({ mixup: { alpha: 1, numClasses: K } })(batch, g), /masks/);
  });
});
