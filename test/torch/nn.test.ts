import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/torch/index.ts";
import { nn } from "../../src/torch/index.ts";
import { runPython } from "./py/python.ts";

type Ref = { shape: number[]; data: number[] };

const G = (seed: number) => new torch.Generator(seed);

function asRef(t: torch.Tensor): Ref {
  return { shape: t.shape, data: t.double().toNumbers() };
}
function assertClose(t: torch.Tensor, r: Ref, tol = 1e-5, what = ""): void {
  assert.deepEqual(t.shape, r.shape, `${what} shape`);
  const a = t.double().toNumbers();
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - r.data[i]);
    if (d > tol * (1 + Math.abs(r.data[i]))) assert.fail(`${what}[${i}]: ${a[i]} vs python ${r.data[i]}`);
  }
}
function assertStateEqualsRef(m: nn.Module, ref: Record<string, Ref>): void {
  torch.scope(() => {
    const sd = m.stateDict();
    assert.deepEqual(Object.keys(sd).sort(), Object.keys(ref).sort());
    for (const [k, t] of Object.entries(sd)) {
      assert.deepEqual(t.shape, ref[k].shape, k);
      assert.deepEqual(t.double().toNumbers(), ref[k].data, `${k} differs from PyTorch`);
    }
  });
}

let globalBefore: Uint8Array;
let strictBefore: boolean;
let tensorsBefore: number;
before(() => {
  strictBefore = torch.setStrictRandom(true);
  globalBefore = torch.globalGeneratorState();
  tensorsBefore = torch.memory().tensors;
});
afterEach((t) => { if (process.env.DEBUG_LEAKS) console.log(t.name, torch.memory().tensors - tensorsBefore); });
after(() => {
  assert.deepEqual(torch.globalGeneratorState(), globalBefore, "the nn layer drew from the global generator");
  torch.setStrictRandom(strictBefore);
});

test("default init with { generator } equals PyTorch's with torch.manual_seed (Linear, Conv2d, ConvTranspose2d, Embedding, mlp, cnn)", () => {
  const ref = runPython<Record<string, Record<string, Ref>>>("nn_ref.py", {
    init: {
      linear: { kind: "linear", seed: 1 },
      linear_nobias: { kind: "linear_nobias", seed: 2 },
      conv2d: { kind: "conv2d", seed: 3 },
      conv_transpose2d: { kind: "conv_transpose2d", seed: 4 },
      embedding: { kind: "embedding", seed: 5 },
      mlp: { kind: "mlp", seed: 6 },
      cnn: { kind: "cnn", seed: 7 },
    },
  });
  const build: Record<string, (g?: torch.Generator) => nn.Module> = {
    linear: (g) => new nn.Linear(5, 3, { generator: g }),
    linear_nobias: (g) => new nn.Linear(7, 4, { bias: false, generator: g }),
    conv2d: (g) => new nn.Conv2d(3, 4, 3, { padding: 1, generator: g }),
    conv_transpose2d: (g) => new nn.ConvTranspose2d(4, 2, 3, { stride: 2, generator: g }),
    embedding: (g) => new nn.Embedding(10, 4, { paddingIdx: 2, generator: g }),
    mlp: (g) => nn.mlp([784, 256, 10], { generator: g }),
    cnn: (g) => nn.cnn({ generator: g }),
  };
  const seeds: Record<string, number> = { linear: 1, linear_nobias: 2, conv2d: 3, conv_transpose2d: 4, embedding: 5, mlp: 6, cnn: 7 };
  for (const [name, make] of Object.entries(build)) {
    const g = G(seeds[name]);
    const m = make(g);
    assertStateEqualsRef(m, ref[name]);
    m.dispose();
    // Built uninitialized, then initialize(g): the same weights.
    const m2 = make();
    assert.equal(m2.isInitialized, false);
    const g2 = G(seeds[name]);
    m2.initialize(g2);
    assertStateEqualsRef(m2, ref[name]);
    m2.dispose();
    g.dispose();
    g2.dispose();
  }
});

test("parameter paths and order follow PyTorch; initializers are recorded", () => {
  const m = nn.mlp([4, 8, 8, 2], { dropout: 0.1 });
  assert.deepEqual(m.namedParameters().map(([p]) => p), ["0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias"]);
  assert.equal(m.numParameters(), 4 * 8 + 8 + 8 * 8 + 8 + 8 * 2 + 2);
  const info = m.parameterInfo();
  assert.equal(info[0].init.kind, "uniform");
  assert.match(m.describeInitialization()[0], /0\.weight \[8, 4\] kaiming_uniform\(a=sqrt\(5\), fan_in=4\) \(uninitialized\)/);
  assert.equal(m.isInitialized, false);
  const block = new nn.ResidualBlock(4, 8, { stride: 2 });
  assert.deepEqual(block.namedParameters().map(([p]) => p), [
    "conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias",
    "downsample.0.weight", "downsample.1.weight", "downsample.1.bias",
  ]);
  assert.deepEqual(block.namedBuffers().map(([p]) => p), [
    "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
    "bn2.running_mean", "bn2.running_var", "bn2.num_batches_tracked",
    "downsample.1.running_mean", "downsample.1.running_var", "downsample.1.num_batches_tracked",
  ]);
  for (const p of m.parameters()) assert.equal(p.requiresGrad, true);
  m.dispose();
  block.dispose();
});

test("forward before initialisation throws a clear error; initialize() fixes it", () => {
  const m = nn.mlp([4, 3, 2]);
  const x = torch.ones([2, 4]);
  assert.throws(() => m.forward(x), /Linear\(4 → 3\): parameters weight, bias are uninitialized.*initialize\(generator\)/s);
  const g = G(0);
  m.initialize(g);
  assert.equal(m.isInitialized, true);
  torch.scope(() => assert.deepEqual(m.forward(x).shape, [2, 2]));
  // Norm layers draw nothing, so they are ready without a generator.
  const ln = new nn.LayerNorm(4);
  assert.equal(ln.isInitialized, true);
  x.dispose();
  m.dispose();
  ln.dispose();
  g.dispose();
});

test("initialize((path, shape) => generator): shared paths and shapes start identical across architectures", () => {
  const seedOf = (path: string, shape: number[]) => {
    let h = 7;
    for (const c of `${path}|${shape.join("x")}`) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return h;
  };
  const seen: string[] = [];
  const source = (path: string, shape: number[]) => {
    seen.push(path);
    return G(seedOf(path, shape));
  };
  const a = nn.mlp([6, 5, 3]).initialize(source, { disposeGenerators: true });
  const b = nn.mlp([6, 5, 3], { activation: "gelu", dropout: 0.3 }).initialize(source, { disposeGenerators: true });
  const c = nn.mlp([6, 5, 4]).initialize(source, { disposeGenerators: true });
  assert.deepEqual(seen.slice(0, 4), ["0.weight", "0.bias", "2.weight", "2.bias"]);
  torch.scope(() => {
    const sa = a.stateDict(), sb = b.stateDict(), sc = c.stateDict();
    // Same path and shape: identical, whatever the rest of the architecture.
    assert.ok(sa["0.weight"].equal(sb["0.weight"]));
    assert.ok(sa["0.bias"].equal(sb["0.bias"]));
    assert.ok(sa["0.weight"].equal(sc["0.weight"]));
    // Different path (2 vs 3) or shape: different draws.
    assert.ok(!sa["2.weight"].equal(sb["3.weight"]));
    assert.ok(!sa["2.weight"].equal(sc["2.weight"].narrow(0, 0, 3)));
  });
  a.dispose(); b.dispose(); c.dispose();
});

test("stateDict / loadStateDict: copies, buffers, missing/unexpected keys and shape mismatches", () => {
  const g = G(11);
  const src = new nn.Sequential(new nn.Linear(3, 4, { generator: g }), new nn.BatchNorm1d(4), new nn.Linear(4, 2, { generator: g }));
  const dst = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.Linear(4, 2));
  torch.scope(() => {
    const sd = src.stateDict();
    assert.deepEqual(Object.keys(sd), [
      "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "2.weight", "2.bias",
    ]);
    const r = dst.loadStateDict(sd);
    assert.deepEqual(r, { missingKeys: [], unexpectedKeys: [] });
    assert.equal(dst.isInitialized, true);
    const sd2 = dst.stateDict();
    for (const k of Object.keys(sd)) assert.ok(sd[k].equal(sd2[k]), k);
    // A copy, not shared memory.
    torch.noGrad(() => dst.parameters()[0].add_(1));
    assert.ok(!sd["0.weight"].equal(sd2["0.weight"]));

    const partial = { ...sd };
    delete partial["2.bias"];
    partial["extra.weight"] = torch.zeros([1]);
    assert.throws(() => dst.loadStateDict(partial), (e: Error) =>
      /Missing key\(s\) in state_dict: "2\.bias"/.test(e.message) && /Unexpected key\(s\) in state_dict: "extra\.weight"/.test(e.message));
    const nonStrict = dst.loadStateDict(partial, { strict: false });
    assert.deepEqual(nonStrict, { missingKeys: ["2.bias"], unexpectedKeys: ["extra.weight"] });
    const bad = { ...sd, "0.weight": torch.zeros([4, 5]) };
    assert.throws(() => dst.loadStateDict(bad, { strict: false }), /size mismatch for 0\.weight: copying a param with shape \[4, 5\], the shape in the current model is \[4, 3\]/);
  });
  // The parameters are still leaves that require grad after loading.
  assert.equal(dst.parameters()[0].requiresGrad, true);
  src.dispose(); dst.dispose(); g.dispose();
});

test("dispose frees every parameter and buffer; zeroGrad drops gradients", () => {
  const start = torch.memory().tensors;
  const g = G(3);
  const m = new nn.Sequential(new nn.Conv2d(1, 2, 3, { generator: g }), new nn.BatchNorm2d(2), new nn.ReLU(), new nn.Flatten(), new nn.Linear(2 * 4 * 4, 3, { generator: g }));
  torch.scope(() => {
    const loss = m.forward(torch.ones([2, 1, 6, 6])).sum();
    loss.backward();
  });
  assert.ok(m.parameters().every((p) => torch.scope(() => p.grad !== null)));
  m.zeroGrad();
  assert.ok(m.parameters().every((p) => torch.scope(() => p.grad === null)));
  m.dispose();
  m.dispose();
  assert.equal(torch.memory().tensors, start);
  torch.scope(() => assert.throws(() => m.forward(torch.ones([1])), /disposed/));
  g.dispose();
});

test("BatchNorm2d: training statistics, running averages, num_batches_tracked and eval mode match PyTorch", () => {
  const g = G(5);
  torch.scope(() => {
    const x = torch.randn([4, 3, 5, 5], { generator: g });
    const ref = runPython<{ bn: Record<string, Ref> }>("nn_ref.py", { bn: { x: asRef(x) } }).bn;
    const bn = new nn.BatchNorm2d(3);
    const y1 = bn.forward(x);
    const y2 = bn.forward(x.mul(2).add(1));
    bn.eval();
    assert.equal(bn.training, false);
    const y3 = bn.forward(x);
    assertClose(y1, ref.y1, 1e-5, "y1");
    assertClose(y2, ref.y2, 1e-5, "y2");
    assertClose(y3, ref.y3, 1e-5, "y3 (eval)");
    const sd = bn.stateDict();
    for (const k of ["running_mean", "running_var", "weight", "bias"]) assertClose(sd[k], ref[k], 1e-6, k);
    assert.equal(sd.num_batches_tracked.item(), 2);
    assert.equal(sd.num_batches_tracked.dtype, "int64");
    assert.throws(() => bn.forward(torch.ones([2, 3])), /BatchNorm2d: expected 4D input, got \[2, 3\]/);
    bn.dispose();
  });
  g.dispose();
});

test("layers match PyTorch: LayerNorm, GroupNorm, pools, Upsample, GELU, SiLU", () => {
  const g = G(9);
  torch.scope(() => {
    const x = torch.randn([2, 4, 6, 6], { generator: g });
    const r = runPython<{ layers: Record<string, Ref> }>("nn_ref.py", { layers: { x: asRef(x) } }).layers;
    const cases: [string, nn.Module][] = [
      ["layer_norm", new nn.LayerNorm(6)],
      ["group_norm", new nn.GroupNorm(2, 4)],
      ["max_pool", new nn.MaxPool2d(2)],
      ["avg_pool", new nn.AvgPool2d(2)],
      ["adaptive", new nn.AdaptiveAvgPool2d(3)],
      ["up_nearest", new nn.Upsample({ scaleFactor: 2 })],
      ["up_bilinear", new nn.Upsample({ size: [5, 7], mode: "bilinear" })],
      ["up_bilinear_ac", new nn.Upsample({ scaleFactor: 2, mode: "bilinear", alignCorners: true })],
      ["gelu", new nn.GELU()],
      ["gelu_tanh", new nn.GELU({ approximate: "tanh" })],
      ["silu", new nn.SiLU()],
    ];
    for (const [name, m] of cases) {
      assertClose(m.forward(x), r[name], 1e-6, name);
      m.dispose();
    }
    assert.deepEqual(new nn.Flatten().forward(x).shape, [2, 144]);
    assert.deepEqual(new nn.Tanh().forward(x).shape, x.shape);
    assert.ok(new nn.ReLU().forward(x).min().item() >= 0);
    assert.ok(new nn.Sigmoid().forward(x).max().item() <= 1);
  });
  g.dispose();
});

test("ResidualBlock: identity and projection shortcuts, backward reaches every parameter", () => {
  const g = G(2);
  const same = new nn.ResidualBlock(4, 4, { generator: g });
  const proj = new nn.ResidualBlock(4, 8, { stride: 2, generator: g });
  assert.equal(same.downsample, null);
  torch.scope(() => {
    const x = torch.randn([2, 4, 8, 8], { generator: g });
    const y = proj.forward(same.forward(x));
    assert.deepEqual(y.shape, [2, 8, 4, 4]);
    assert.ok(y.min().item() >= 0);
    y.sum().backward();
    for (const [path, p] of [...same.namedParameters(), ...proj.namedParameters()]) assert.ok(p.grad !== null, `${path} has no grad`);
  });
  same.dispose(); proj.dispose(); g.dispose();
});

test("ConvTranspose2d, Embedding and cnn shapes; backward through them", () => {
  const g = G(4);
  torch.scope(() => {
    const up = new nn.ConvTranspose2d(3, 2, 2, { stride: 2, generator: g });
    assert.deepEqual(up.forward(torch.ones([1, 3, 5, 5])).shape, [1, 2, 10, 10]);
    const emb = new nn.Embedding(10, 3, { paddingIdx: 0, generator: g });
    const e = emb.forward(torch.tensor([[0, 3], [9, 0]], { dtype: "int64" }));
    assert.deepEqual(e.shape, [2, 2, 3]);
    assert.deepEqual(e.select(0, 0).select(0, 0).toNumbers(), [0, 0, 0]);
    const net = nn.cnn({ generator: g });
    assert.deepEqual(net.namedParameters().map(([p]) => p), ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias"]);
    const out = net.forward(torch.randn([3, 1, 28, 28], { generator: g }));
    assert.deepEqual(out.shape, [3, 10]);
    out.sum().backward();
    assert.ok(net.parameters().every((p) => p.grad !== null));
    up.dispose(); emb.dispose(); net.dispose();
  });
  g.dispose();
});

test("Dropout: generator required in training, identity in eval, deterministic per generator, unbiased scaling", () => {
  torch.scope(() => {
    const d = new nn.Dropout(0.25);
    const x = torch.ones([200, 50]);
    assert.throws(() => d.forward(x), /Dropout\(p=0\.25\) is in training mode but has no generator; call model\.setDropoutGenerator/);
    d.eval();
    assert.equal(d.forward(x), x);
    d.train();
    const m = nn.mlp([50, 20, 2], { dropout: 0.25, generator: G(1) });
    m.setDropoutGenerator(G(42));
    const drop = m.at(2) as nn.Dropout;
    assert.ok(drop.dropoutGenerator !== null);
    d.dropoutGenerator = G(7);
    const a = d.forward(x);
    d.dropoutGenerator = G(7);
    const b = d.forward(x);
    assert.ok(a.equal(b));
    const values = new Set(a.toNumbers());
    assert.deepEqual([...values].sort(), [0, 1 / 0.75].map((v) => Math.fround(v)).sort());
    const keep = a.ne(0).float().mean().item();
    assert.ok(Math.abs(keep - 0.75) < 0.02, `kept fraction ${keep}`);
    const d2 = new nn.Dropout2d(0.5, { generator: G(3) });
    const y = d2.forward(torch.ones([4, 6, 3, 3]));
    const perMap = y.amax([2, 3]).sub(y.amin([2, 3])).abs().max().item();
    assert.equal(perMap, 0, "Dropout2d zeroes whole feature maps");
    assert.equal(new nn.Dropout(0).forward(x), x);
    // Backward through dropout.
    const w = torch.ones([3], { requiresGrad: true });
    const out = new nn.Dropout(0.5, { generator: G(1) }).forward(w).sum();
    out.backward();
    assert.ok(w.grad!.toNumbers().every((v) => v === 0 || v === 2));
    m.dispose();
  });
});

test("losses and metrics match PyTorch (weights, ignore index, label smoothing, soft targets, pos_weight)", () => {
  const g = G(8);
  torch.scope(() => {
    const logits = torch.randn([6, 4], { generator: g });
    const target = torch.tensor([0, 1, 3, 2, 1, 0], { dtype: "int64" });
    const weight = torch.tensor([1, 2, 0.5, 3]);
    const soft = torch.rand([6, 4], { generator: g }).softmax(1);
    const r = runPython<{ losses: Record<string, number & Ref> }>("nn_ref.py", {
      losses: { logits: asRef(logits), target: asRef(target), weight: asRef(weight), soft: asRef(soft) },
    }).losses;
    const close = (a: torch.Tensor | number, b: number, name: string) => {
      const v = typeof a === "number" ? a : a.item();
      assert.ok(Math.abs(v - b) <= 1e-6 * (1 + Math.abs(b)), `${name}: ${v} vs python ${b}`);
    };
    close(nn.crossEntropy(logits, target), r.ce, "ce");
    close(nn.crossEntropy(logits, target, { reduction: "sum" }), r.ce_sum, "ce_sum");
    assertClose(nn.crossEntropy(logits, target, { reduction: "none" }), r.ce_none as unknown as Ref, 1e-6, "ce_none");
    close(nn.crossEntropy(logits, target, { labelSmoothing: 0.1 }), r.ce_ls, "ce_ls");
    close(nn.crossEntropy(logits, target, { weight }), r.ce_w, "ce_w");
    close(nn.crossEntropy(logits, target, { ignoreIndex: 1 }), r.ce_ignore, "ce_ignore");
    close(nn.crossEntropy(logits, target, { weight, ignoreIndex: 1, labelSmoothing: 0.2 }), r.ce_all, "ce_all");
    close(nn.crossEntropy(logits, soft), r.ce_soft, "ce_soft");
    close(nn.nllLoss(logits.logSoftmax(1), target), r.nll, "nll");
    close(nn.nllLoss(logits.logSoftmax(1), target, { weight, reduction: "sum" }), r.nll_w, "nll_w");
    close(nn.mseLoss(logits, soft), r.mse, "mse");
    close(nn.mseLoss(logits, soft, { reduction: "sum" }), r.mse_sum, "mse_sum");
    close(nn.bceWithLogits(logits, soft), r.bce, "bce");
    close(nn.bceWithLogits(logits, soft, { posWeight: weight }), r.bce_pw, "bce_pw");
    close(nn.accuracy(logits, target), r.acc, "accuracy");
    close(nn.topKAccuracy(logits, target, 2), r.top2, "top2");
    assert.equal(nn.correct(logits, target).item(), Math.round(r.acc * 6));
    assert.equal(nn.topKAccuracy(logits, target, 4), 1);
  });
  g.dispose();
});

test("train/eval propagate; the whole file ran with strict randomness and left no tensors behind", () => {
  const m = nn.cnn({ dropout: 0.5 });
  assert.equal(m.training, true);
  m.eval();
  assert.ok(m.namedModules().every(([, x]) => !x.training));
  m.train();
  assert.ok(m.namedModules().every(([, x]) => x.training));
  m.dispose();
  assert.equal(torch.isStrictRandom(), true);
  assert.equal(torch.memory().tensors, tensorsBefore);
});
