/**
 * Scripted PyTorch models in twin: an MLP with dropout, a small CNN with
 * BatchNorm, a ResNet-style block and an MLP with tied weights, scripted and
 * trained by Debian's python3-torch (the same libtorch), trained again in twin
 * from the same file, batches and dropout seed. Losses and final weights and buffers must
 * be identical (difference exactly 0), one thread on both sides; the losses
 * also equal PyTorch's training of the same model unscripted (eager mode).
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../../src/torch/index.ts";
import { nn, optim } from "../../src/torch/index.ts";
import { native } from "../../src/torch/native.ts";
import { runPython, pythonTorchProblem } from "../torch/py/python.ts";

const STEPS = 20;
const BATCH = 16;
const DROPOUT_SEED = 5;
const CASES = ["mlp", "cnn", "resnet", "tied"] as const;
const FLAT = new Set<string>(["mlp", "tied"]);

let dir = "";
let reference: Record<string, number[]> = {};
let previousThreads = 1;

before(() => {
  const problem = pythonTorchProblem();
  if (problem) assert.fail(problem);
  dir = mkdtempSync(join(tmpdir(), "twin-torchscript-"));
  reference = runPython<Record<string, number[]>>("torchscript_ref.py", { dir, steps: STEPS, batch: BATCH, dropoutSeed: DROPOUT_SEED });
  previousThreads = torch.getNumThreads();
  torch.setNumThreads(1);
});

after(() => {
  torch.setNumThreads(previousThreads);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function batches(): { x: torch.Tensor; y: torch.Tensor } {
  const n = STEPS * BATCH;
  const xb = readFileSync(join(dir, "x.bin"));
  const yb = readFileSync(join(dir, "y.bin"));
  const x = torch.tensor(new Float32Array(xb.buffer, xb.byteOffset, xb.byteLength / 4), { shape: [n, 1, 12, 12] });
  const y = torch.tensor(new BigInt64Array(yb.buffer, yb.byteOffset, yb.byteLength / 8), { shape: [n] });
  return { x, y };
}

for (const name of CASES) {
  test(`${name}: ${STEPS} steps in twin from the scripted file equal PyTorch's losses, weights and buffers exactly`, () => {
    torch.scope(() => {
      const { x, y } = batches();
      const model = nn.torchscript(join(dir, `${name}.pt`));
      if (name === "tied") {
        // One Parameter in two modules: a parameter once (as PyTorch's named_parameters), so stepped once per step.
        assert.deepEqual([...model.tied], [["mix.weight", "hidden.weight"]]);
        assert.deepEqual(model.namedParameters().map(([p]) => p), ["encoder.weight", "encoder.bias", "hidden.weight", "hidden.bias", "mix.bias", "head.weight", "head.bias"]);
        assert.equal(model.numParameters(), 144 * 32 + 32 + 32 * 32 + 32 + 32 + 32 * 10 + 10);
      } else {
        assert.equal(model.tied.size, 0);
      }
      // Found through F.dropout's scripted function also when loaded after other forwards ran in this thread.
      assert.deepEqual(model.randomOps, name === "cnn" ? [] : ["aten::dropout"]);
      const dropout = new torch.Generator(DROPOUT_SEED);
      model.setDropoutGenerator(dropout);
      const opt = name === "resnet"
        ? optim.adam(model.parameters(), { lr: 1e-3 })
        : optim.sgd(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const losses: number[] = [];
      for (let step = 0; step < STEPS; step++) {
        torch.scope(() => {
          let xb = x.narrow(0, step * BATCH, BATCH);
          if (FLAT.has(name)) xb = xb.flatten(1);
          model.train();
          const loss = nn.crossEntropy(model.forward(xb), y.narrow(0, step * BATCH, BATCH));
          losses.push(loss.item());
          opt.zeroGrad();
          loss.backward();
          opt.step();
        });
      }
      assert.deepEqual(losses, reference[name], "PyTorch training the scripted file");
      assert.deepEqual(losses, reference[`${name}-eager`], "PyTorch training the same model in eager mode");
      const trained = nn.torchscript(join(dir, `${name}-trained.pt`));
      const want = trained.stateDict();
      const got = model.stateDict();
      assert.deepEqual(Object.keys(got), Object.keys(want));
      for (const key of Object.keys(want)) {
        assert.equal(got[key].sub(want[key]).abs().max().item(), 0, `${name}: ${key} differs from PyTorch's`);
      }
      if (name === "cnn") assert.equal(got["bn.num_batches_tracked"].item(), STEPS);
      trained.dispose();
      model.dispose();
      dropout.dispose();
      (opt as { dispose?: () => void }).dispose?.();
    });
    assert.equal(native.liveScriptedModules(), 0);
  });
}

test("tied weights: a PyTorch state_dict (both paths) loads, both paths with different values is an error; init and reinit by either path", () => {
  torch.scope(() => {
    const trained = nn.torchscript(join(dir, "tied-trained.pt"));
    const model = nn.torchscript(join(dir, "tied.pt"));
    const state = trained.stateDict();
    assert.equal(state["mix.weight"], undefined, "saved once, under its first path");
    model.loadStateDict({ ...state, "mix.weight": state["hidden.weight"] });
    const loaded = model.stateDict();
    for (const key of Object.keys(state)) assert.equal(loaded[key].sub(state[key]).abs().max().item(), 0, key);
    const { "hidden.weight": hidden, ...rest } = state;
    const fresh = nn.torchscript(join(dir, "tied.pt"));
    fresh.loadStateDict({ ...rest, "mix.weight": hidden });
    assert.equal(fresh.stateDict()["hidden.weight"].sub(hidden).abs().max().item(), 0, "the tied path alone loads the shared tensor");
    assert.throws(
      () => fresh.loadStateDict({ ...state, "mix.weight": hidden.add(1) }),
      /"mix\.weight" and "hidden\.weight" are one tied tensor in the module but hold different values in the state dict/,
    );
    // init "twin": the tied Linear's bias takes its bound from the tied weight's fan_in (32), as PyTorch's reset_parameters.
    const drawn = nn.torchscript(join(dir, "tied.pt"), { init: "twin" });
    drawn.initialize((path) => new torch.Generator(BigInt(path.length)), { disposeGenerators: true });
    const bias = drawn.stateDict()["mix.bias"];
    assert.ok(bias.abs().max().item() <= 1 / Math.sqrt(32) && bias.abs().max().item() > 0.5 / Math.sqrt(32));
    // reinit by the second path re-draws the tied tensor.
    const head = nn.torchscript(join(dir, "tied-trained.pt"), { reinit: ["mix.*"] });
    head.initialize((path) => new torch.Generator(BigInt(path.length)), { disposeGenerators: true });
    const redrawn = head.stateDict();
    assert.notEqual(redrawn["hidden.weight"].sub(state["hidden.weight"]).abs().max().item(), 0, "the tied weight is re-drawn");
    assert.notEqual(redrawn["mix.bias"].sub(state["mix.bias"]).abs().max().item(), 0);
    assert.equal(redrawn["hidden.bias"].sub(state["hidden.bias"]).abs().max().item(), 0, "hidden.bias keeps the file's value");
    for (const m of [trained, model, fresh, drawn, head]) m.dispose();
  });
});

test("init: \"twin\" on the scripted MLP equals twin's native nn.mlp from the same per-parameter generators", () => {
  torch.scope(() => {
    const source = (path: string, shape: number[]) => new torch.Generator(BigInt(path.length * 1000 + shape.reduce((a, b) => a + b, 0)));
    const scripted = nn.torchscript(join(dir, "mlp.pt"), { init: "twin" });
    const native_ = nn.mlp([144, 32, 10], { dropout: 0.3 });
    const fromFile = nn.torchscript(join(dir, "mlp.pt"));
    scripted.initialize(source, { disposeGenerators: true });
    native_.initialize(source, { disposeGenerators: true });
    fromFile.initialize(source, { disposeGenerators: true });
    const a = scripted.stateDict();
    const b = native_.stateDict();
    const file = fromFile.stateDict();
    assert.deepEqual(Object.keys(a), Object.keys(b));
    for (const key of Object.keys(b)) {
      assert.equal(a[key].sub(b[key]).abs().max().item(), 0, `${key}: scripted init "twin" differs from nn.mlp`);
      assert.notEqual(file[key].sub(b[key]).abs().max().item(), 0, `${key}: init "file" must keep the file's weights`);
    }
    assert.match(scripted.describeInitialization().join("\n"), /0\.weight \[32, 144\] kaiming_uniform\(a=sqrt\(5\), fan_in=144\)/);
    for (const m of [scripted, native_, fromFile]) m.dispose();
  });
});

test("init: \"twin\" on the scripted CNN and ResNet block equals native twin modules of the same paths (Conv2d, BatchNorm2d, Linear rules)", () => {
  torch.scope(() => {
    const source = (path: string, shape: number[]) => new torch.Generator(BigInt(path.length * 1000 + shape.reduce((a, b) => a + b, 0)));
    const natives: Record<string, nn.Module> = {
      cnn: new nn.ModuleDict({ conv: new nn.Conv2d(1, 8, 3, { padding: 1 }), bn: new nn.BatchNorm2d(8), head: new nn.Linear(8 * 6 * 6, 10) }),
      resnet: new nn.ModuleDict({
        stem: new nn.Sequential(new nn.Conv2d(1, 8, 3, { padding: 1, bias: false }), new nn.BatchNorm2d(8), new nn.ReLU()),
        layer1: new nn.ResidualBlock(8, 8),
        fc: new nn.Linear(8, 10),
      }),
    };
    for (const [name, native_] of Object.entries(natives)) {
      // From the trained file: its BatchNorm statistics are not the defaults, so init "twin" must reset them.
      const scripted = nn.torchscript(join(dir, `${name}-trained.pt`), { init: "twin" });
      scripted.initialize(source, { disposeGenerators: true });
      native_.initialize(source, { disposeGenerators: true });
      const a = scripted.stateDict();
      const b = native_.stateDict();
      assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), name);
      for (const key of Object.keys(b)) assert.equal(a[key].sub(b[key]).abs().max().item(), 0, `${name}: ${key}: scripted init "twin" differs from the native module`);
      scripted.dispose();
      native_.dispose();
    }
  });
});

test("reinit re-draws only the matching parameters; BatchNorm running stats of a re-drawn layer are reset", () => {
  torch.scope(() => {
    const source = (path: string) => new torch.Generator(BigInt(path.length));
    const file = nn.torchscript(join(dir, "cnn-trained.pt"));
    const model = nn.torchscript(join(dir, "cnn-trained.pt"), { reinit: ["head.*", "bn.*"] });
    model.initialize(source, { disposeGenerators: true });
    const a = model.stateDict();
    const b = file.stateDict();
    for (const key of ["conv.weight", "conv.bias"]) assert.equal(a[key].sub(b[key]).abs().max().item(), 0, `${key} must keep the file's weights`);
    assert.notEqual(a["head.weight"].sub(b["head.weight"]).abs().max().item(), 0);
    assert.equal(a["bn.weight"].sum().item(), 8);
    assert.equal(a["bn.running_var"].sum().item(), 8);
    assert.equal(a["bn.num_batches_tracked"].item(), 0);
    assert.throws(() => nn.torchscript(join(dir, "cnn.pt"), { reinit: ["classifier.*"] }), /cnn\.pt\), reinit: pattern "classifier\.\*" matches no parameter; the parameters are: conv\.weight, conv\.bias, bn\.weight/);
    model.dispose();
    file.dispose();
  });
});

test("parameters are the module's own tensors: an in-place update changes the scripted forward", () => {
  torch.scope(() => {
    const model = nn.torchscript(join(dir, "mlp.pt")).eval();
    const x = torch.ones([2, 144]);
    const before = model.forward(x).sum().item();
    torch.noGrad(() => model.namedParameters().find(([p]) => p === "3.bias")![1].add_(1));
    assert.ok(Math.abs(model.forward(x).sum().item() - (before + 20)) < 1e-4);
    const other = nn.torchscript(join(dir, "mlp.pt")).eval();
    assert.ok(Math.abs(other.forward(x).sum().item() - before) < 1e-6, "a second load has its own parameters");
    model.dispose();
    other.dispose();
  });
});

test("safetensors: a scripted CNN's weights and BatchNorm buffers saved and loaded into a fresh load of the file", () => {
  torch.scope(() => {
    const trained = nn.torchscript(join(dir, "cnn-trained.pt"));
    const file = join(dir, "cnn-trained.safetensors");
    torch.saveSafetensors(file, trained.stateDict());
    const fresh = nn.torchscript(join(dir, "cnn.pt"));
    fresh.loadStateDict(torch.loadSafetensors(file).tensors);
    const a = trained.stateDict();
    const b = fresh.stateDict();
    for (const key of Object.keys(a)) assert.equal(a[key].sub(b[key]).abs().max().item(), 0, key);
    assert.equal(b["bn.num_batches_tracked"].item(), STEPS);
    const x = torch.ones([2, 1, 12, 12]);
    trained.eval();
    fresh.eval();
    assert.equal(trained.forward(x).sub(fresh.forward(x)).abs().max().item(), 0, "the loaded weights are what the scripted forward uses");
    trained.dispose();
    fresh.dispose();
  });
});
