/**
 * Bad scripted models get errors that say what is wrong and what to do, and
 * leave nothing behind (no live tensors or modules): files that are not
 * TorchScript, files from a newer PyTorch, CUDA-saved files, forwards that do
 * not fit the batch, modules that draw random numbers without a generator,
 * parameters without an init rule.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../../src/torch/index.ts";
import { nn } from "../../src/torch/index.ts";
import { native } from "../../src/torch/native.ts";
import { runPython, pythonTorchProblem } from "../torch/py/python.ts";

let dir = "";

before(() => {
  const problem = pythonTorchProblem();
  if (problem) assert.fail(problem);
  dir = mkdtempSync(join(tmpdir(), "twin-torchscript-errors-"));
  runPython("torchscript_ref.py", { dir, steps: 1, batch: 1, fixtures: true });
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs fn and checks that it throws matching `message` and leaves no tensor or scripted module alive. */
function throwsCleanly(fn: () => unknown, message: RegExp): void {
  const tensors = native.liveTensors();
  const modules = native.liveScriptedModules();
  torch.scope(() => assert.throws(fn, message));
  assert.equal(native.liveTensors(), tensors, "the failure left tensors behind");
  assert.equal(native.liveScriptedModules(), modules, "the failure left a scripted module behind");
}

test("files that are not TorchScript modules are named, with how to make one", () => {
  throwsCleanly(() => nn.torchscript(join(dir, "missing.pt")), /missing\.pt does not exist; save the model in Python with torch\.jit\.script\(model\)\.save/);
  throwsCleanly(() => nn.torchscript(dir), /is not a regular file/);
  throwsCleanly(() => nn.torchscript(join(dir, "linear.pt"), { init: "random" as "twin" }), /init must be "file" or "twin", got "random"/);
  throwsCleanly(() => nn.torchscript(join(dir, "junk.pt")), /junk\.pt is not a TorchScript file \(it is not the zip archive torch\.jit\.save writes\); save the model in Python with torch\.jit\.script\(model\)\.save/);
  throwsCleanly(() => nn.torchscript(join(dir, "state_dict.pt")), /state_dict\.pt is a PyTorch archive but not a TorchScript module \(torch\.save of a model or a state_dict\?\)/);
});

test("a file from a newer PyTorch names both versions and LIBTORCH=", () => {
  throwsCleanly(
    () => nn.torchscript(join(dir, "newer.pt")),
    new RegExp(`newer\\.pt was saved by a newer PyTorch than the libtorch twin runs on: its file format is version 99, and libtorch ${native.version().replace(/\./g, "\\.")} reads up to version 10\\..*LIBTORCH=`, "s"),
  );
});

test("a model saved on CUDA loads on the CPU; code that asks for CUDA says so at forward", () => {
  torch.scope(() => {
    const onCpu = nn.torchscript(join(dir, "linear.pt")).eval();
    const fromCuda = nn.torchscript(join(dir, "cuda.pt")).eval();
    assert.equal(fromCuda.parameters()[0].device, "cpu");
    const x = torch.ones([3, 144]);
    assert.equal(fromCuda.forward(x).sub(onCpu.forward(x)).abs().max().item(), 0);
    onCpu.dispose();
    fromCuda.dispose();
  });
  const model = nn.torchscript(join(dir, "oncuda.pt"));
  const x = torch.ones([3, 144]).keep();
  throwsCleanly(() => model.forward(x), /on Tensor\[3, 144\] float32 failed: .*The module's code asks for a CUDA device/s);
  model.dispose();
  x.dispose();
});

test("a forward that does not fit the batch names the shapes and the signature", () => {
  const linear = nn.torchscript(join(dir, "linear.pt"));
  const x = torch.ones([4, 100]).keep();
  throwsCleanly(() => linear.forward(x), /forward of the scripted module .*linear\.pt \(forward\(.*Tensor input\) -> Tensor\) on Tensor\[4, 100\] float32 failed: .*mat1 and mat2 shapes cannot be multiplied \(4x100 and 144x10\)/s);
  const pair = nn.torchscript(join(dir, "pair.pt"));
  throwsCleanly(() => pair.forward(x), /TorchScript\(pair\.pt: Pair\): forward\(Tensor x, Tensor y\) takes 2 inputs, and forward\(x\) gives it one: call model\.forwardMany\(\[x, y\]\)/);
  const twice = nn.torchscript(join(dir, "twice.pt"));
  const flat = torch.ones([4, 144]).keep();
  throwsCleanly(() => twice.forward(flat), /forward returns Tuple\[Tensor, Tensor\]; twin needs one Tensor as the prediction \(the logits, \[batch, classes\]\): say which output it is with nn\.torchscript\(path, \{ output: 0 \}\)/);
  for (const m of [linear, pair, twice]) m.dispose();
  x.dispose();
  flat.dispose();
});

test("random ops never draw from the global generator: no generator is an error in training, and in eval when they still draw", () => {
  const noisy = nn.torchscript(join(dir, "noisy.pt"));
  assert.deepEqual(noisy.randomOps, ["aten::rand_like"]);
  const x = torch.ones([2, 3]).keep();
  const globalBefore = native.globalGeneratorState();
  throwsCleanly(() => noisy.forward(x), /draws random numbers \(aten::rand_like\) and has no generator for them; call model\.setDropoutGenerator/);
  noisy.eval();
  throwsCleanly(() => noisy.forward(x), /drew random numbers in eval mode \(aten::rand_like\); give it a generator/);
  const g1 = new torch.Generator(11);
  const g2 = new torch.Generator(11);
  noisy.setDropoutGenerator(g1);
  torch.scope(() => {
    const a = noisy.forward(x);
    const expected = torch.randLike(x, g2).add(1);
    assert.equal(a.sub(expected).abs().max().item(), 0, "the module draws what rand_like draws from its generator");
    assert.deepEqual(g1.getState(), g2.getState());
  });
  assert.deepEqual(native.globalGeneratorState(), globalBefore, "the global generator is left as it was");
  noisy.dispose();
  g1.dispose();
  g2.dispose();
  x.dispose();
});

test("init \"twin\" needs a rule for unknown module types; rules and Embedding, ConvTranspose2d, GroupNorm, LayerNorm defaults apply", () => {
  throwsCleanly(
    () => nn.torchscript(join(dir, "gate.pt"), { init: "twin" }),
    /twin has no default init rule for scale \(module type Gate\); give one with rules: \{ Gate: \(name, shape\) => nn\.init\.… \}/,
  );
  torch.scope(() => {
    const fileOnly = nn.torchscript(join(dir, "gate.pt"), { reinit: ["fc.*"] });
    fileOnly.dispose();
    const gate = nn.torchscript(join(dir, "gate.pt"), { init: "twin", rules: { Gate: () => nn.init.constant(0.5) } });
    gate.initialize(new torch.Generator(1));
    assert.equal(gate.stateDict().scale.sum().item(), 5);
    gate.dispose();
    const emb = nn.torchscript(join(dir, "embedding.pt"), { init: "twin" });
    emb.initialize((path, shape) => new torch.Generator(BigInt(path.length + shape[0])), { disposeGenerators: true });
    const state = emb.stateDict();
    assert.equal(state["0.weight"].select(0, 2).abs().sum().item(), 0, "padding_idx row is zero");
    assert.notEqual(state["0.weight"].select(0, 1).abs().sum().item(), 0);
    assert.equal(state["2.weight"].sum().item(), 12);
    assert.equal(state["2.bias"].abs().sum().item(), 0);
    assert.match(emb.describeInitialization()[0], /normal\(0, 1\), row 2 zero \(padding_idx\)/);
    emb.dispose();
    // ConvTranspose2d (fan_in from weight dim 1: out_channels / groups × kernel), GroupNorm, LayerNorm: as twin's native layers.
    const source = (path: string, shape: number[]) => new torch.Generator(BigInt(path.length * 1000 + shape.reduce((a, b) => a + b, 0)));
    const layers = nn.torchscript(join(dir, "layers.pt"), { init: "twin" });
    const native_ = new nn.Sequential(new nn.ConvTranspose2d(2, 4, 3, { stride: 2 }), new nn.GroupNorm(2, 4), new nn.Flatten(), new nn.Linear(4 * 9 * 9, 6), new nn.LayerNorm(6));
    layers.initialize(source, { disposeGenerators: true });
    native_.initialize(source, { disposeGenerators: true });
    const a = layers.stateDict();
    const b = native_.stateDict();
    assert.deepEqual(Object.keys(a), Object.keys(b));
    for (const key of Object.keys(b)) assert.equal(a[key].sub(b[key]).abs().max().item(), 0, `${key}: scripted init "twin" differs from the native layer`);
    layers.dispose();
    native_.dispose();
  });
});

test("traced modules load with a warning that their control flow was frozen; scripted ones do not", async () => {
  const warnings: Error[] = [];
  const listen = (w: Error) => warnings.push(w);
  process.on("warning", listen);
  try {
    for (const file of ["traced.pt", "traced-if.pt", "scripted-if.pt", "linear.pt", "traced.pt"]) nn.torchscript(join(dir, file)).dispose();
    await new Promise((r) => setImmediate(r));
    const mine = warnings.filter((w) => (w as Error & { code?: string }).code === "TWIN_TRACED_MODULE");
    assert.deepEqual(mine.map((w) => w.message.split(" ")[0].split("/").pop()), ["traced.pt", "traced-if.pt"], "one warning per traced file, none for scripted ones");
    // traced-if.pt: forward is `if x.sum() > 0: return self.up(x)`, its sub-modules take the model's own input.
    assert.match(
      mine[1].message,
      /traced-if\.pt was made by torch\.jit\.trace \(called at .*torchscript_ref\.py\(\d+\): fixtures\), not torch\.jit\.script: every if and loop on tensor values in its forward was frozen to the path the example input took.*torch\.jit\.script\(model\)\.save\(path\)/s,
    );
  } finally {
    process.off("warning", listen);
  }
  torch.scope(() => {
    // What the warning is about: the traced file always takes the branch of its example input (sum > 0).
    const traced = nn.torchscript(join(dir, "traced-if.pt")).eval();
    const scripted = nn.torchscript(join(dir, "scripted-if.pt")).eval();
    traced.loadStateDict(scripted.stateDict());
    const negative = torch.ones([2, 144]).neg();
    assert.notEqual(traced.forward(negative).sub(scripted.forward(negative)).abs().max().item(), 0);
    const positive = torch.ones([2, 144]);
    assert.equal(traced.forward(positive).sub(scripted.forward(positive)).abs().max().item(), 0);
    traced.dispose();
    scripted.dispose();
  });
});
