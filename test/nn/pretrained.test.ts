// Pretrained starts for native modules: weights from safetensors, `reinit` parameters re-drawn, `freeze` kept fixed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../../src/torch/index.ts";
import { nn } from "../../src/torch/index.ts";
import { runPython } from "../torch/py/python.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-pretrained-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

const values = (t: torch.Tensor) => Array.from(t.dataView() as Float32Array);
/** A per-parameter source like a twin run's init stream: the generator depends on (seed, path). */
const source = (seed: number) => (path: string) => new torch.Generator(seed * 1000 + [...path].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 997, 0));

const saved = join(dir, "mlp.safetensors");
const trained = nn.mlp([4, 8, 3]).initialize(source(1), { disposeGenerators: true });
torch.saveSafetensors(saved, trained.stateDict());

test("loaded parameters equal the file's; reinit parameters are drawn from the run's source, as a fresh model would draw them", () => {
  const m = nn.pretrained(nn.mlp([4, 8, 3]), { weights: saved, reinit: ["2.*"] });
  assert.deepEqual(m.reinit, ["2.weight", "2.bias"]);
  m.initialize(source(7), { disposeGenerators: true });
  const fresh = nn.mlp([4, 8, 3]).initialize(source(7), { disposeGenerators: true });
  const got = m.stateDict(), file = trained.stateDict(), drawn = fresh.stateDict();
  assert.deepEqual(values(got["0.weight"]!), values(file["0.weight"]!));
  assert.deepEqual(values(got["0.bias"]!), values(file["0.bias"]!));
  assert.deepEqual(values(got["2.weight"]!), values(drawn["2.weight"]!));
  assert.notDeepEqual(values(got["2.weight"]!), values(file["2.weight"]!));
  // another seed re-draws only the head
  const other = nn.pretrained(nn.mlp([4, 8, 3]), { weights: saved, reinit: ["2.*"] }).initialize(source(8), { disposeGenerators: true });
  assert.deepEqual(values(other.stateDict()["0.weight"]!), values(file["0.weight"]!));
  assert.notDeepEqual(values(other.stateDict()["2.weight"]!), values(got["2.weight"]!));
});

test("freeze keeps parameters out of the optimizer and unchanged by training", () => {
  const m = nn.pretrained(nn.mlp([4, 8, 3]), { weights: saved, reinit: ["2.*"], freeze: ["0.*"] }).initialize(source(3), { disposeGenerators: true });
  assert.equal(m.parameters().length, 2);
  const before = values(m.stateDict()["0.weight"]!);
  const opt = torch.optim.sgd(m.parameters(), { lr: 0.5 });
  const x = torch.randn([16, 4], { generator: new torch.Generator(5) });
  const y = torch.tensor(Array.from({ length: 16 }, (_, i) => i % 3), { dtype: "int64" });
  for (let i = 0; i < 3; i++) {
    opt.zeroGrad();
    const loss = nn.crossEntropy(m.forward(x), y);
    loss.backward();
    opt.step();
  }
  assert.deepEqual(values(m.stateDict()["0.weight"]!), before);
});

test("bad input: a pattern that matches nothing, a tensor whose shape does not fit, a missing file are named", () => {
  assert.throws(() => nn.pretrained(nn.mlp([4, 8, 3]), { weights: saved, reinit: ["head.*"] }), /reinit: pattern "head\.\*" matches no parameter; the parameters are: 0\.weight, 0\.bias, 2\.weight, 2\.bias/);
  assert.throws(() => nn.pretrained(nn.mlp([4, 8, 3]), { weights: saved, freeze: ["9.*"] }), /freeze: pattern "9\.\*" matches no parameter/);
  const wider = nn.pretrained(nn.mlp([4, 8, 5]), { weights: saved });
  assert.throws(() => wider.initialize(source(1), { disposeGenerators: true }), /tensor "2\.weight" has shape \[3, 8\] in the file but \[5, 8\] in the model/);
  // re-drawing the tensors that differ makes it fit
  nn.pretrained(nn.mlp([4, 8, 5]), { weights: saved, reinit: ["2.*"] }).initialize(source(1), { disposeGenerators: true });
  assert.throws(() => nn.pretrained(nn.mlp([4, 8, 3]), { weights: join(dir, "nope.safetensors") }), /does not exist/);
});

test("a re-drawn BatchNorm layer starts with PyTorch's fresh running statistics; kept layers keep the file's", () => {
  const net = (width = 6) => new nn.Sequential(new nn.Linear(4, 6), new nn.BatchNorm1d(6), new nn.ReLU(), new nn.Linear(6, width), new nn.BatchNorm1d(width), new nn.Linear(width, 3));
  // Train a little so that the running statistics move away from their start.
  const trainedBn = net().initialize(source(2), { disposeGenerators: true });
  const x = torch.randn([32, 4], { generator: new torch.Generator(9) });
  for (let i = 0; i < 3; i++) trainedBn.forward(x).dispose();
  const file = join(dir, "bn.safetensors");
  torch.saveSafetensors(file, trainedBn.stateDict());
  const saved = trainedBn.stateDict();
  assert.equal(Number(saved["4.num_batches_tracked"]!.item()), 3);

  const m = nn.pretrained(net(), { weights: file, reinit: ["4.*", "5.*"] }).initialize(source(4), { disposeGenerators: true });
  const got = m.stateDict();
  // re-drawn layer 4: weight 1, bias 0 (its default init), running_mean 0, running_var 1, num_batches_tracked 0
  assert.deepEqual(values(got["4.running_mean"]!), new Array(6).fill(0));
  assert.deepEqual(values(got["4.running_var"]!), new Array(6).fill(1));
  assert.equal(Number(got["4.num_batches_tracked"]!.item()), 0);
  // kept layer 1: the file's statistics
  assert.deepEqual(values(got["1.running_mean"]!), values(saved["1.running_mean"]!));
  assert.deepEqual(values(got["1.running_var"]!), values(saved["1.running_var"]!));
  assert.equal(Number(got["1.num_batches_tracked"]!.item()), 3);
  assert.notDeepEqual(values(got["1.running_mean"]!), new Array(6).fill(0));
  // Re-drawing only the weight of a layer resets its statistics too.
  const w = nn.pretrained(net(), { weights: file, reinit: ["1.weight"] }).initialize(source(4), { disposeGenerators: true }).stateDict();
  assert.deepEqual(values(w["1.running_var"]!), new Array(6).fill(1));
  assert.deepEqual(values(w["1.bias"]!), values(saved["1.bias"]!));
  // A re-drawn layer of another width: the file's statistics (of the old width) are not read, so they need not fit.
  const wider = nn.pretrained(net(8), { weights: file, reinit: ["3.*", "4.*", "5.weight"] }).initialize(source(4), { disposeGenerators: true }).stateDict();
  assert.deepEqual(values(wider["4.running_mean"]!), new Array(8).fill(0));
});

test("a BatchNorm layer without affine parameters is reset by naming its statistics; patterns over statistics alone reset nothing else", () => {
  const net = () => new nn.Sequential(new nn.Linear(4, 6), new nn.BatchNorm1d(6, { affine: false }), new nn.ReLU(), new nn.Linear(6, 3));
  const trained = net().initialize(source(1), { disposeGenerators: true });
  const x = torch.randn([32, 4], { generator: new torch.Generator(9) });
  for (let i = 0; i < 3; i++) trained.forward(x).dispose();
  const file = join(dir, "plain-bn.safetensors");
  torch.saveSafetensors(file, trained.stateDict());
  const saved = trained.stateDict();
  assert.notDeepEqual(values(saved["1.running_var"]!), new Array(6).fill(1));
  for (const reinit of [["1.*"], ["1.running_*"]]) {
    const got = nn.pretrained(net(), { weights: file, reinit }).initialize(source(4), { disposeGenerators: true }).stateDict();
    assert.deepEqual(values(got["1.running_mean"]!), new Array(6).fill(0), String(reinit));
    assert.deepEqual(values(got["1.running_var"]!), new Array(6).fill(1), String(reinit));
    assert.equal(Number(got["1.num_batches_tracked"]!.item()), 0);
    assert.deepEqual(values(got["0.weight"]!), values(saved["0.weight"]!));
    assert.deepEqual(values(got["3.weight"]!), values(saved["3.weight"]!));
  }
  const kept = nn.pretrained(net(), { weights: file, reinit: ["3.*"] }).initialize(source(4), { disposeGenerators: true }).stateDict();
  assert.deepEqual(values(kept["1.running_var"]!), values(saved["1.running_var"]!));
  assert.throws(() => nn.pretrained(net(), { weights: file, reinit: ["2.*"] }), /pattern "2\.\*" matches no parameter or running statistic; the parameters and running statistics are: 0\.weight, 0\.bias, 3\.weight, 3\.bias, 1\.running_mean/);
});

test("a scripted model under nn.pretrained: reinit re-draws exactly those parameters (whatever the module's own init says) and resets their BatchNorm statistics", () => {
  const { running_var_sum } = runPython<{ running_var_sum: number }>("pretrained_scripted.py", { dir });
  const scripted = join(dir, "net.pt");
  const original = nn.torchscript(scripted);
  const file = join(dir, "net.safetensors");
  torch.saveSafetensors(file, original.stateDict());
  const b = original.stateDict();
  assert.ok(Math.abs(b["bn.running_var"]!.sum().item() - running_var_sum) < 1e-5);
  const ownReinit = nn.torchscript(scripted, { reinit: ["head.*", "bn.*"] }).initialize(source(6), { disposeGenerators: true }).stateDict();
  for (const init of ["file", "twin"] as const) {
    const a = nn.pretrained(nn.torchscript(scripted, { init }), { weights: file, reinit: ["head.*", "bn.*"] }).initialize(source(6), { disposeGenerators: true }).stateDict();
    assert.deepEqual(values(a["fc.weight"]!), values(b["fc.weight"]!), `${init}: fc keeps the file's weights`);
    assert.notDeepEqual(values(a["head.weight"]!), values(b["head.weight"]!), `${init}: head is re-drawn`);
    // the same draw as the scripted module's own reinit from the same source
    assert.deepEqual(values(a["head.weight"]!), values(ownReinit["head.weight"]!));
    assert.deepEqual(values(a["bn.running_var"]!), new Array(6).fill(1));
    assert.deepEqual(values(a["bn.running_mean"]!), new Array(6).fill(0));
    assert.equal(Number(a["bn.num_batches_tracked"]!.item()), 0);
  }
});

test("tied weights under nn.pretrained: freeze and reinit patterns naming the second path act on the shared tensor; a state_dict with both paths loads", () => {
  runPython("pretrained_scripted.py", { dir });
  const scripted = join(dir, "tied.pt");
  const both = join(dir, "tied-both.safetensors");
  const file = torch.loadSafetensors(both).tensors;
  const model = (options: Omit<nn.PretrainedOptions, "weights">) => nn.pretrained(nn.torchscript(scripted), { weights: both, ...options });

  // PyTorch's state_dict holds the tied tensor under both paths: it loads, into the one tensor.
  const loaded = model({}).initialize(source(1), { disposeGenerators: true });
  assert.deepEqual(values(loaded.stateDict()["embedding.weight"]!), values(file["decoder.weight"]!));

  // freeze "decoder.*" (before: only decoder.bias, the shared weight silently kept training) freezes the shared weight.
  const frozen = model({ freeze: ["decoder.*"] }).initialize(source(1), { disposeGenerators: true });
  assert.deepEqual(frozen.frozen.sort(), ["decoder.bias", "embedding.weight"]);
  assert.deepEqual(frozen.parameters().length, 2);
  const shared = frozen.module.namedParameters().find(([p]) => p === "embedding.weight")![1];
  const before = values(shared);
  const opt = torch.optim.sgd(frozen.parameters(), { lr: 0.5 });
  torch.scope(() => {
    const loss = nn.crossEntropy(frozen.forward(torch.tensor(new BigInt64Array([1n, 2n, 3n, 4n]), { shape: [2, 2] })), torch.tensor(new BigInt64Array([0n, 5n]), { shape: [2] }));
    opt.zeroGrad();
    loss.backward();
    opt.step();
  });
  assert.deepEqual(values(shared), before, "the shared weight did not move");
  assert.equal(model({ freeze: ["decoder.weight"] }).frozen[0], "embedding.weight");

  // reinit by the second path re-draws the shared tensor (by the rule of the module that holds it first: Embedding's N(0, 1)).
  const redrawn = model({ reinit: ["decoder.weight"] });
  assert.deepEqual(redrawn.reinit, ["embedding.weight"]);
  const own = nn.torchscript(scripted, { reinit: ["embedding.weight"] }).initialize(source(4), { disposeGenerators: true });
  const r = redrawn.initialize(source(4), { disposeGenerators: true }).stateDict();
  assert.deepEqual(values(r["embedding.weight"]!), values(own.stateDict()["embedding.weight"]!));
  assert.notDeepEqual(values(r["embedding.weight"]!), values(file["embedding.weight"]!));
  assert.deepEqual(values(r["mix.weight"]!), values(file["mix.weight"]!));

  // Both paths in a file with different values: an error naming them.
  const differ = join(dir, "tied-differ.safetensors");
  torch.saveSafetensors(differ, { ...file, "decoder.weight": file["decoder.weight"]!.add(1) });
  assert.throws(
    () => nn.pretrained(nn.torchscript(scripted), { weights: differ }).initialize(source(1), { disposeGenerators: true }),
    /"decoder\.weight" and "embedding\.weight" are one tied tensor in the model but hold different values in the file; keep one of them/,
  );
  assert.throws(() => model({ freeze: ["decoder.gate"] }), /the parameters are: embedding\.weight, mix\.weight, mix\.bias, decoder\.bias, decoder\.weight/);
});
