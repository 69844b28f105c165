/**
 * Scripted forwards with several inputs and structured outputs
 * (test/torch/py/torchscript_many_ref.py writes the models and PyTorch's
 * numbers): a two-input model with a float argument, a torchvision-style
 * Dict output with an aux head, a (logits, hidden) tuple. Outputs in training
 * mode (dropout from the same seed), the loss, every gradient of one backward
 * and the eval-mode outputs equal PyTorch's exactly (difference 0, one
 * thread). Wrong calls are errors that name the argument and the type, before
 * anything runs; an exception raised in the scripted code is a JS error.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../../src/torch/index.ts";
import { nn, optim } from "../../src/torch/index.ts";
import { native } from "../../src/torch/native.ts";
import { runPython, pythonTorchProblem } from "../torch/py/python.ts";

const DROPOUT_SEED = 5;

let dir = "";
let previousThreads = 1;
let inputs: Record<string, torch.Tensor> = {};
let expected: Record<string, torch.Tensor> = {};

before(() => {
  const problem = pythonTorchProblem();
  if (problem) assert.fail(problem);
  dir = mkdtempSync(join(tmpdir(), "twin-torchscript-many-"));
  runPython("torchscript_many_ref.py", { dir, dropoutSeed: DROPOUT_SEED });
  previousThreads = torch.getNumThreads();
  torch.setNumThreads(1);
  inputs = torch.loadSafetensors(join(dir, "inputs.safetensors")).tensors;
  expected = torch.loadSafetensors(join(dir, "expected.safetensors")).tensors;
  for (const t of [...Object.values(inputs), ...Object.values(expected)]) t.keep();
});

after(() => {
  for (const t of [...Object.values(inputs), ...Object.values(expected)]) t.dispose();
  torch.setNumThreads(previousThreads);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function same(got: torch.Tensor, key: string): void {
  const want = expected[key];
  assert.ok(want, `PyTorch recorded ${key}`);
  assert.deepEqual(got.shape, want.shape, `${key}: shape`);
  assert.equal(got.sub(want).abs().max().item(), 0, `${key} differs from PyTorch's`);
}

function sameGradients(model: nn.TorchScriptModule, name: string): void {
  const params = model.namedParameters();
  assert.ok(params.length > 0);
  for (const [path, p] of params) {
    assert.ok(p.grad, `${name}: ${path} has a gradient`);
    same(p.grad, `${name}.grad.${path}`);
  }
}

test("two inputs and a float: training outputs (dropout from the same seed), loss, gradients and eval outputs equal PyTorch's", () => {
  torch.scope(() => {
    const model = nn.torchscript(join(dir, "two.pt"));
    assert.deepEqual(model.arguments, [{ name: "x", type: "Tensor" }, { name: "mask", type: "Tensor" }, { name: "scale", type: "float", default: "1." }]);
    assert.equal(model.returns, "Tensor");
    const dropout = new torch.Generator(DROPOUT_SEED);
    model.setDropoutGenerator(dropout);
    const x = inputs["two.x"], mask = inputs["two.mask"];
    const out = model.forwardMany([x, mask, 0.5]) as torch.Tensor;
    same(out, "two.train");
    const loss = nn.crossEntropy(out, inputs["two.y"]);
    same(loss.unsqueeze(0), "two.loss");
    loss.backward();
    sameGradients(model, "two");
    model.eval();
    same(torch.noGrad(() => model.forwardMany([x, mask]) as torch.Tensor), "two.eval");
    // By name, as Python's model(x, mask=mask, scale=0.5): the same call.
    model.train();
    dropout.manualSeed(DROPOUT_SEED);
    same(model.forwardMany([x], { scale: 0.5, mask }) as torch.Tensor, "two.train");
    assert.throws(() => model.forwardMany([x], { scale: 0.5 }), /got 2 inputs: give at least 2 \(missing mask \(Tensor\)\)/);
    assert.throws(() => model.forwardMany([x, mask], { mask }), /argument 'mask' of forward\(.*\) was given by position and by name; give it once/);
    assert.throws(() => model.forwardMany([x], { attention_mask: mask }), /has no argument named 'attention_mask'; its arguments are x, mask, scale/);
    model.dispose();
    dropout.dispose();
  });
  assert.equal(native.liveScriptedModules(), 0);
});

test("Dict output with an aux head (torchvision FCN layout): out and aux, loss out + 0.5·aux, gradients, eval outputs equal PyTorch's", () => {
  torch.scope(() => {
    const model = nn.torchscript(join(dir, "seg.pt"));
    assert.equal(model.returns, "Dict[str, Tensor]");
    const dropout = new torch.Generator(DROPOUT_SEED);
    model.setDropoutGenerator(dropout);
    const out = model.forwardMany([inputs["seg.x"]]) as Record<string, torch.Tensor>;
    assert.deepEqual(Object.keys(out), ["out", "aux"]);
    same(out.out, "seg.train.out");
    same(out.aux, "seg.train.aux");
    const masks = inputs["seg.masks"];
    const loss = nn.crossEntropy(out.out, masks).add(nn.crossEntropy(out.aux, masks).mul(0.5));
    same(loss.unsqueeze(0), "seg.loss");
    loss.backward();
    sameGradients(model, "seg");
    model.eval();
    const evalOut = torch.noGrad(() => model.forwardMany([inputs["seg.x"]])) as Record<string, torch.Tensor>;
    same(evalOut.out, "seg.eval.out");
    same(evalOut.aux, "seg.eval.aux");
    model.dispose();
    dropout.dispose();
  });
});

test("Tuple output (logits, hidden): both, a loss using both, gradients, eval outputs equal PyTorch's", () => {
  torch.scope(() => {
    const model = nn.torchscript(join(dir, "pair.pt"));
    assert.equal(model.returns, "Tuple[Tensor, Tensor]");
    const dropout = new torch.Generator(DROPOUT_SEED);
    model.setDropoutGenerator(dropout);
    const [logits, hidden] = model.forwardMany([inputs["pair.x"]]) as [torch.Tensor, torch.Tensor];
    same(logits, "pair.train.0");
    same(hidden, "pair.train.1");
    const loss = nn.crossEntropy(logits, inputs["pair.y"]).add(hidden.pow(2).mean().mul(0.1));
    same(loss.unsqueeze(0), "pair.loss");
    loss.backward();
    sameGradients(model, "pair");
    model.eval();
    const [l, h] = torch.noGrad(() => model.forwardMany([inputs["pair.x"]])) as [torch.Tensor, torch.Tensor];
    same(l, "pair.eval.0");
    same(h, "pair.eval.1");
    model.dispose();
    dropout.dispose();
  });
});

test("output selects the prediction forward(x) returns; inputs builds forward's arguments; one dropout draw per training forward", () => {
  torch.scope(() => {
    const dropout = new torch.Generator(DROPOUT_SEED);
    const seg = nn.torchscript(join(dir, "seg.pt"), { output: "out" }).setDropoutGenerator(dropout);
    same(seg.forward(inputs["seg.x"]), "seg.train.out");
    const pair = nn.torchscript(join(dir, "pair.pt"), { output: 0 }).setDropoutGenerator(new torch.Generator(DROPOUT_SEED));
    same(pair.forward(inputs["pair.x"]), "pair.train.0");
    const hidden = nn.torchscript(join(dir, "pair.pt"), { output: -1 }).eval();
    same(hidden.forward(inputs["pair.x"]), "pair.eval.1");
    // A mask built from the batch's inputs: here the recorded one, looked up by identity.
    const mask = inputs["two.mask"];
    const two = nn.torchscript(join(dir, "two.pt"), { inputs: (x) => [x, mask, 0.5] }).setDropoutGenerator(new torch.Generator(DROPOUT_SEED));
    same(two.forward(inputs["two.x"]), "two.train");

    // A twin stream is charged one draw per training forward, structured or not, and none in eval mode.
    const streams = new (class {
      draws = 0;
      readonly g = new torch.Generator(DROPOUT_SEED);
      take(): torch.Generator {
        this.draws++;
        return this.g;
      }
    })();
    const counted = nn.torchscript(join(dir, "seg.pt"), { output: "out" }).setDropoutGenerator(streams);
    same(counted.forward(inputs["seg.x"]), "seg.train.out");
    counted.forwardMany([inputs["seg.x"]]);
    assert.equal(streams.draws, 2);
    counted.eval();
    counted.forward(inputs["seg.x"]);
    assert.equal(streams.draws, 2, "an eval forward that drew nothing is not charged");
    for (const m of [seg, pair, hidden, two, counted]) m.dispose();
    streams.g.dispose();
    dropout.dispose();
  });
  assert.equal(native.liveScriptedModules(), 0);
});

test("a training step of the Dict model through forward(x) with output: \"out\" steps every parameter but the aux head's", () => {
  // Only "out" is in the loss: the aux head gets no gradient and SGD leaves it as it was (as PyTorch's does for a None grad).
  torch.scope(() => {
    const model = nn.torchscript(join(dir, "seg.pt"), { output: "out" }).setDropoutGenerator(new torch.Generator(DROPOUT_SEED));
    const before = Object.fromEntries(model.namedParameters().map(([p, t]) => [p, t.clone()]));
    const opt = optim.sgd(model.parameters(), { lr: 0.1 });
    const loss = nn.crossEntropy(model.forward(inputs["seg.x"]), inputs["seg.masks"]);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    for (const [path, p] of model.namedParameters()) {
      if (path.startsWith("aux_classifier.")) {
        assert.equal(p.grad, null, `${path}: no gradient`);
        assert.equal(p.sub(before[path]).abs().max().item(), 0, `${path} unchanged`);
      } else {
        assert.ok(p.grad, `${path} has a gradient`);
        // (A conv bias before BatchNorm gets a gradient of about 0: BatchNorm takes the mean out.)
        if (path.endsWith(".weight")) assert.ok(p.sub(before[path]).abs().max().item() > 0, `${path} stepped`);
      }
    }
    model.dispose();
  });
});

test("lists and ints: List[Tensor] in and out, an int argument", () => {
  torch.scope(() => {
    const model = nn.torchscript(join(dir, "lists.pt"));
    assert.deepEqual(model.arguments, [{ name: "xs", type: "List[Tensor]" }, { name: "k", type: "int" }]);
    const a = torch.ones([2]), b = torch.full([3], 2);
    const out = model.forwardMany([[a, b], 3]) as torch.Tensor[];
    assert.equal(out.length, 2);
    assert.deepEqual([...out[0].toArray()], [3, 3]);
    assert.deepEqual([...out[1].toArray()], [6, 6, 6]);
    assert.throws(() => model.forwardMany([[a, b], 1.5]), /argument 2 'k' of forward\(List\[Tensor\] xs, int k\) must be an integer, got number 1\.5/);
    assert.throws(() => model.forwardMany([a, 3]), /argument 1 'xs' of forward\(List\[Tensor\] xs, int k\) must be an array \(List\[Tensor\]\), got Tensor\[2\] float32/);
    assert.throws(() => model.forwardMany([[a, 2], 3]), /argument 1 'xs' of forward\(List\[Tensor\] xs, int k\) must be List\[Tensor\]; at xs\[1\] it got number 2, not a Tensor/);
    model.dispose();
  });
});

test("bool and str arguments; None, ints and strings in a tuple result; Dict[float, ...] results are refused cleanly", () => {
  torch.scope(() => {
    const mixed = nn.torchscript(join(dir, "mixed.pt"));
    const x = torch.ones([3, 2]);
    const [same1, none, n, name] = mixed.forwardMany([x, false, "seg"]) as [torch.Tensor, null, number, string];
    assert.deepEqual([same1.shape, none, n, name], [[3, 2], null, 3, "seg!"]);
    assert.ok((mixed.forwardMany([x, true, ""]) as torch.Tensor[])[1] instanceof torch.Tensor);
    assert.throws(() => mixed.forwardMany([x, 1, "a"]), /argument 2 'flag' .* must be a boolean, got number 1/);
    const dictIn = nn.torchscript(join(dir, "dictin.pt"));
    const picked = dictIn.forwardMany([{ other: torch.zeros([1]), x }]) as torch.Tensor;
    assert.equal(picked.sub(x).abs().max().item(), 0);
    throwsCleanly(() => dictIn.forwardMany([x]), /argument 1 'batch' of forward\(Dict\[str, Tensor\] batch\) must be an object \(Dict\[str, Tensor\]\), got Tensor\[3, 2\] float32/);
    const floatKeys = nn.torchscript(join(dir, "floatkeys.pt"));
    throwsCleanly(() => floatKeys.forwardMany([x]), /returned a Dict with float keys, which twin cannot hand to JS/);
    for (const m of [mixed, dictIn, floatKeys]) m.dispose();
  });
});

test("torchvision detection's convention: List[Tensor] images of different sizes, List[Dict[str, Tensor]] targets; losses, detections and gradients equal PyTorch's", () => {
  torch.scope(() => {
    const det = nn.torchscript(join(dir, "detector.pt"));
    assert.deepEqual(det.arguments.map((a) => a.type), ["List[Tensor]", "Optional[List[Dict[str, Tensor]]]"]);
    assert.equal(det.returns, "Tuple[Dict[str, Tensor], List[Dict[str, Tensor]]]");
    const images = [inputs["det.image0"], inputs["det.image1"]];
    const targets = [0, 1].map((n) => ({ boxes: inputs[`det.boxes${n}`], labels: inputs[`det.labels${n}`] }));
    const [losses, detections] = det.forwardMany([images, targets]) as [Record<string, torch.Tensor>, Record<string, torch.Tensor>[]];
    assert.deepEqual(Object.keys(losses), ["loss_box", "loss_cls"]);
    same(losses.loss_box.unsqueeze(0), "det.train.loss_box");
    same(losses.loss_cls.unsqueeze(0), "det.train.loss_cls");
    assert.equal(detections.length, 2);
    for (const n of [0, 1]) for (const key of ["boxes", "scores"]) same(detections[n][key], `det.train.${n}.${key}`);
    losses.loss_box.add(losses.loss_cls).backward();
    sameGradients(det, "det");
    // Without targets (inference): no losses, the same detections.
    const [none, found] = det.forwardMany([images]) as [Record<string, torch.Tensor>, Record<string, torch.Tensor>[]];
    assert.deepEqual(none, {});
    same(found[1].boxes, "det.train.1.boxes");
    const badTargets = [targets[0], { boxes: 3, labels: targets[1].labels }];
    throwsCleanly(
      () => det.forwardMany([images, badTargets]),
      /argument 2 'targets' of forward\(List\[Tensor\] images, Optional\[List\[Dict\[str, Tensor\]\]\] targets=None\) must be Optional\[List\[Dict\[str, Tensor\]\]\]; at targets\[1\]\["boxes"\] it got number 3, not a Tensor/,
    );
    throwsCleanly(() => det.forwardMany([images, targets.slice(0, 1)]), /forward of the scripted module .*detector\.pt .* on \[Tensor\[1, 10, 12\] float32, Tensor\[1, 8, 8\] float32\], \[.*\] failed: .*out of range/s);

    const tupleIn = nn.torchscript(join(dir, "tuplein.pt"));
    const a = torch.ones([2]), b = torch.full([2], 3);
    assert.deepEqual([...(tupleIn.forwardMany([[a, b], { a: 2, b: 0.5 }]) as torch.Tensor).toArray()], [3.5, 3.5]);
    throwsCleanly(() => tupleIn.forwardMany([[a], { a: 2, b: 0.5 }]), /argument 1 'pair' .* must be an array of 2 \(Tuple\[Tensor, Tensor\]\), got an array of 1/);
    throwsCleanly(() => tupleIn.forwardMany([[a, b], { a: 2, b: "x" }]), /argument 2 'weights' .* must be Dict\[str, float\]; at weights\["b"\] it got string "x", not a number/);
    for (const m of [det, tupleIn]) m.dispose();
  });
  assert.equal(native.liveScriptedModules(), 0);
});

test("callMethod: an exported method besides forward, with its own random ops and schema", () => {
  torch.scope(() => {
    const model = nn.torchscript(join(dir, "two.pt"));
    assert.deepEqual([...model.methods.keys()], ["encode"]);
    const encode = model.methods.get("encode")!;
    assert.deepEqual(encode.arguments, [{ name: "x", type: "Tensor" }, { name: "mask", type: "Tensor" }]);
    assert.ok(encode.randomOps.includes("aten::dropout"), encode.randomOps.join(", "));
    const x = inputs["two.x"], mask = inputs["two.mask"];
    assert.throws(() => model.callMethod("encode", [x, mask]), /draws random numbers \(aten::dropout.*\) and has no generator for them/);
    model.setDropoutGenerator(new torch.Generator(DROPOUT_SEED));
    same(model.callMethod("encode", [x], { mask }) as torch.Tensor, "two.encode");
    throwsCleanly(() => model.callMethod("encode", [x]), /encode\(Tensor x, Tensor mask\) got 1 input: give both \(missing mask \(Tensor\)\), e\.g\. model\.callMethod\("encode", \[x, mask\]\)/);
    throwsCleanly(() => model.callMethod("decode", [x]), /has no method 'decode'; its methods besides forward are encode \(a method is kept in the file when it is called by forward or marked @torch\.jit\.export\)/);
    const floatMask = mask.float();
    throwsCleanly(() => model.callMethod("encode", [x, floatMask]), /encode of the scripted module .*two\.pt \(encode\(.*\) on Tensor\[6, 5, 8\] float32, Tensor\[6, 5\] float32 failed: .*bitwise_not/s);
    model.dispose();
  });
});

/** The call throws with `pattern` and leaves no tensor or scripted module behind. */
function throwsCleanly(fn: () => unknown, pattern: RegExp): void {
  const tensors = native.liveTensors();
  assert.throws(fn, pattern);
  assert.equal(native.liveTensors(), tensors, "no tensor left behind");
}

test("wrong calls: arity, types, output selectors and structured results without output are errors naming what to give", () => {
  torch.scope(() => {
    const two = nn.torchscript(join(dir, "two.pt"));
    const seg = nn.torchscript(join(dir, "seg.pt")).eval();
    const pair = nn.torchscript(join(dir, "pair.pt")).eval();
    const x = inputs["two.x"], mask = inputs["two.mask"];
    two.eval();
    throwsCleanly(() => two.forward(x), /forward\(Tensor x, Tensor mask, float scale=1\.\) takes 2 inputs, and forward\(x\) gives it one: call model\.forwardMany\(\[x, mask\]\), or, in a twin study, build them from the batch's inputs with nn\.torchscript\(path, \{ inputs: \(x\) => \[x, \.\.\.\] \}\)/);
    throwsCleanly(() => two.forwardMany([x]), /forward\(Tensor x, Tensor mask, float scale=1\.\) got 1 input: give at least 2 \(missing mask \(Tensor\)\), e\.g\. model\.forwardMany\(\[x, mask\]\)/);
    throwsCleanly(() => two.forwardMany([x, mask, 1, 2]), /takes at most 3 inputs, got 4/);
    throwsCleanly(() => two.forwardMany([x, 1]), /argument 2 'mask' of forward\(Tensor x, Tensor mask, float scale=1\.\) must be a Tensor, got number 1/);
    throwsCleanly(() => two.forwardMany([x, mask, x]), /argument 3 'scale' .* must be a number, got Tensor\[6, 5, 8\] float32/);
    throwsCleanly(() => two.forwardMany([x, mask, "big"]), /argument 3 'scale' .* must be a number, got string "big"/);
    throwsCleanly(() => two.forwardMany(x as unknown as torch.Tensor[]), /forwardMany takes an array of forward's arguments, e\.g\. model\.forwardMany\(\[x, mask\]\)/);
    const floatMask = mask.float();
    throwsCleanly(() => two.forwardMany([x, floatMask, 0.5]), /forward of the scripted module .*two\.pt .* on Tensor\[6, 5, 8\] float32, Tensor\[6, 5\] float32, 0\.5 failed: .*bitwise_not.*\n  File .*torchscript_many_ref\.py", line \d+, in forward\n.*h = h\.masked_fill\(~mask\.unsqueeze\(-1\), 0\.0\)/s);
    const gone = torch.ones([2]);
    gone.dispose();
    throwsCleanly(() => two.forwardMany([x, gone]), /disposed/);
    throwsCleanly(() => seg.forward(inputs["seg.x"]), /forward returns Dict\[str, Tensor\]; twin needs one Tensor as the prediction .*nn\.torchscript\(path, \{ output: "out" \}\)/);
    throwsCleanly(() => pair.forward(inputs["pair.x"]), /forward returns Tuple\[Tensor, Tensor\]; .*\{ output: 0 \}/);
    const wrongKey = nn.torchscript(join(dir, "seg.pt"), { output: "logits" }).eval();
    throwsCleanly(() => wrongKey.forward(inputs["seg.x"]), /output "logits" selects the prediction, but forward returned a Dict with keys "out", "aux", which has no such output; give one of the keys "out", "aux"/);
    const wrongIndex = nn.torchscript(join(dir, "pair.pt"), { output: 2 }).eval();
    throwsCleanly(() => wrongIndex.forward(inputs["pair.x"]), /output 2 selects the prediction, but forward returned a tuple\/list of 2 .*give an index from 0 to 1/);
    // Selectors that cannot fit forward's return type are refused at load.
    const modules = native.liveScriptedModules();
    throwsCleanly(() => nn.torchscript(join(dir, "pair.pt"), { output: "out" }), /output "out" selects the prediction, but forward returns Tuple\[Tensor, Tensor\]: a tuple or list is indexed by position; give an index/);
    throwsCleanly(() => nn.torchscript(join(dir, "seg.pt"), { output: 0 }), /forward returns Dict\[str, Tensor\]: a Dict is read by key; give the key, e\.g\. "out"/);
    throwsCleanly(() => nn.torchscript(join(dir, "throws.pt"), { output: 0 }), /forward returns Tensor: it is the prediction itself; leave output out/);
    assert.equal(native.liveScriptedModules(), modules, "refused modules are freed");
    assert.throws(() => nn.torchscript(join(dir, "seg.pt"), { output: 1.5 }), /output must be a Dict key \(a string, e\.g\. "out"\) or a tuple index \(an integer\), got 1\.5/);
    const rowsWrong = nn.torchscript(join(dir, "two.pt"), { inputs: (t) => [t.narrow(0, 0, 2), mask.narrow(0, 0, 2)] }).eval();
    assert.throws(() => rowsWrong.forward(x), /twin needs one row per example/);
    for (const m of [two, seg, pair, wrongKey, wrongIndex, rowsWrong]) m.dispose();
  });
  assert.equal(native.liveScriptedModules(), 0);
});

test("an exception raised in the scripted code is a JS error naming it; the module keeps working", () => {
  torch.scope(() => {
    const model = nn.torchscript(join(dir, "throws.pt"));
    const negative = torch.full([2, 4], -1);
    throwsCleanly(() => model.forward(negative), /forward of the scripted module .*throws\.pt .* failed: .*inputs must be non-negative/s);
    throwsCleanly(() => model.forwardMany([negative]), /inputs must be non-negative/);
    assert.deepEqual(model.forward(torch.ones([2, 4])).shape, [2, 2]);
    model.dispose();
  });
});

test("lastOutput: the aux output of forward(x) in the loss out + 0.5·aux gives PyTorch's gradients exactly", () => {
  torch.scope(() => {
    const model = nn.torchscript(join(dir, "seg.pt"), { output: "out" }).setDropoutGenerator(new torch.Generator(DROPOUT_SEED));
    assert.throws(() => model.lastOutput("aux"), /reads the latest forward\(x\), and none ran yet/);
    const masks = inputs["seg.masks"];
    const out = model.forward(inputs["seg.x"]);
    const loss = nn.crossEntropy(out, masks).add(nn.crossEntropy(model.lastOutput("aux"), masks).mul(0.5));
    same(loss.unsqueeze(0), "seg.loss");
    loss.backward();
    sameGradients(model, "seg");
    assert.throws(() => model.lastOutput("extra"), /give one of the keys "out", "aux"/);
    model.dispose();
  });
  let aux: torch.Tensor | undefined;
  const model = nn.torchscript(join(dir, "seg.pt"), { output: "out" }).eval();
  torch.scope(() => {
    model.forward(inputs["seg.x"]);
    aux = model.lastOutput("aux");
  });
  assert.ok(aux?.isDisposed, "freed with the forward's scope");
  assert.throws(() => model.lastOutput("aux"), /was freed with the scope of its forward; read it in the same scope/);
  model.dispose();
  assert.equal(native.liveScriptedModules(), 0);
});
