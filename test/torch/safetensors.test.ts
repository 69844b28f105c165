import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../../src/torch/index.ts";
import { nn, optim } from "../../src/torch/index.ts";
import { runPython } from "./py/python.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-safetensors-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

type JsonTensor = { dtype: string; shape: number[]; data: number[] };

function sample(): Record<string, torch.Tensor> {
  const g = new torch.Generator(1);
  const t = {
    "layer.weight": torch.randn([3, 4], { generator: g }),
    "layer.bias": torch.randn([3], { generator: g, dtype: "float64" }),
    half: torch.tensor([1.5, -2, 65504]).to("float16"),
    brain: torch.tensor([1.5, -2, 3e38]).to("bfloat16"),
    ids: torch.tensor([1, -2, 2 ** 40], { dtype: "int64" }),
    i32: torch.tensor([7, -8], { dtype: "int32" }),
    i16: torch.tensor([300, -300], { dtype: "int16" }),
    i8: torch.tensor([-5, 5], { dtype: "int8" }),
    bytes: torch.tensor([0, 255, 17], { dtype: "uint8" }),
    mask: torch.tensor([true, false, true]),
    scalar: torch.tensor([42]).reshape(),
    empty: torch.zeros([0, 3]),
  };
  g.dispose();
  return t;
}

test("format: little-endian u64 header length, space-padded JSON to 8 bytes, aligned data, sorted by alignment then name", () => {
  torch.scope(() => {
    const path = join(dir, "format.safetensors");
    torch.saveSafetensors(path, sample(), { framework: "twin", note: "hi" });
    const raw = readFileSync(path);
    const n = Number(raw.readBigUInt64LE(0));
    assert.equal((8 + n) % 8, 0);
    const text = raw.subarray(8, 8 + n).toString("utf8");
    assert.equal(text, text.trimEnd() + " ".repeat(text.length - text.trimEnd().length));
    const header = JSON.parse(text);
    assert.deepEqual(header.__metadata__, { framework: "twin", note: "hi" });
    assert.deepEqual(header["layer.weight"], { dtype: "F32", shape: [3, 4], data_offsets: [header["layer.weight"].data_offsets[0], header["layer.weight"].data_offsets[0] + 48] });
    const names = Object.keys(header).filter((k) => k !== "__metadata__");
    assert.deepEqual(names, ["ids", "layer.bias", "empty", "i32", "layer.weight", "scalar", "brain", "half", "i16", "bytes", "i8", "mask"]);
    for (let i = 1; i < names.length; i++) assert.equal(header[names[i]].data_offsets[0], header[names[i - 1]].data_offsets[1]);
    for (const k of names) {
      const size = { F64: 8, I64: 8, F32: 4, I32: 4, F16: 2, BF16: 2, I16: 2 }[header[k].dtype as string] ?? 1;
      assert.equal(header[k].data_offsets[0] % size, 0, `${k} aligned`);
    }
    assert.equal(header.scalar.shape.length, 0);
  });
});

test("round trip in twin: every dtype, shapes, values, metadata", () => {
  torch.scope(() => {
    const path = join(dir, "roundtrip.safetensors");
    const src = sample();
    torch.saveSafetensors(path, src, { k: "v" });
    const { tensors, metadata } = torch.loadSafetensors(path);
    assert.deepEqual(metadata, { k: "v" });
    assert.deepEqual(Object.keys(tensors).sort(), Object.keys(src).sort());
    for (const [k, t] of Object.entries(src)) {
      assert.equal(tensors[k].dtype, t.dtype, k);
      assert.deepEqual(tensors[k].shape, t.shape, k);
      assert.ok(tensors[k].equal(t), `${k} values`);
    }
    assert.throws(() => torch.saveSafetensors(join(dir, "x"), { c: torch.zeros([2], { dtype: "complex64" }) }), /complex64, which safetensors cannot store/);
    assert.throws(() => torch.decodeSafetensors(new Uint8Array([255, 255, 0, 0, 0, 0, 0, 0, 1])), /header length/);
  });
});

test("Python (an independent json+struct+torch.frombuffer reader) reads twin's files, and twin reads Python's", () => {
  torch.scope(() => {
    const path = join(dir, "to-python.safetensors");
    const src = sample();
    torch.saveSafetensors(path, src, { from: "twin" });
    const py = runPython<{ tensors: Record<string, JsonTensor>; metadata: Record<string, string> }>("safetensors_io.py", {}, ["read", path]);
    assert.deepEqual(py.metadata, { from: "twin" });
    for (const [k, t] of Object.entries(src)) {
      const codes: Record<string, string> = { float32: "F32", float64: "F64", float16: "F16", bfloat16: "BF16", int64: "I64", int32: "I32", int16: "I16", int8: "I8", uint8: "U8", bool: "BOOL" };
      assert.equal(py.tensors[k].dtype, codes[t.dtype], k);
      assert.deepEqual(py.tensors[k].shape, t.shape, k);
      assert.deepEqual(py.tensors[k].data, t.double().toNumbers(), `${k} values as Python sees them`);
    }
    // Python writes with its own order and an unpadded header (unaligned offsets): twin must still read it.
    const back = join(dir, "from-python.safetensors");
    const request = {
      tensors: Object.fromEntries(Object.entries(py.tensors).filter(([k]) => k !== "ids")),
      metadata: { from: "python" },
      order: ["mask", "layer.weight", "i8", "layer.bias", "half", "brain", "bytes", "i16", "i32", "scalar", "empty"],
      pad_header: false,
    };
    runPython("safetensors_io.py", request, ["write", back]);
    const { tensors, metadata } = torch.loadSafetensors(back);
    assert.deepEqual(metadata, { from: "python" });
    for (const k of request.order) {
      assert.equal(tensors[k].dtype, src[k].dtype, k);
      assert.ok(tensors[k].equal(src[k]), `${k} values after Python wrote them`);
    }
  });
});

test("model weights and optimizer state (tensors + JSON hyper-parameters and steps) round-trip", () => {
  torch.scope(() => {
    const g = new torch.Generator(3);
    const model = nn.mlp([4, 5, 2], { generator: g });
    const opt = optim.adam(model.parameters(), { lr: 0.01, amsgrad: true });
    const x = torch.randn([6, 4], { generator: g });
    const y = torch.randint(0, 2, [6], { generator: g });
    const stepOnce = () => {
      opt.zeroGrad();
      torch.scope(() => nn.crossEntropy(model.forward(x), y).backward());
      opt.step();
    };
    stepOnce();
    stepOnce();
    const wPath = join(dir, "model.safetensors");
    const oPath = join(dir, "optim.safetensors");
    torch.saveSafetensors(wPath, model.stateDict());
    torch.saveOptimizer(oPath, opt);
    stepOnce();
    const expected = model.stateDict()["0.weight"].clone();

    const model2 = nn.mlp([4, 5, 2]);
    model2.loadStateDict(torch.loadSafetensors(wPath).tensors);
    const opt2 = optim.adam(model2.parameters(), { lr: 0.5 });
    torch.loadOptimizer(oPath, opt2);
    assert.equal(opt2.paramGroups[0].lr, 0.01);
    assert.equal(opt2.paramGroups[0].amsgrad, true);
    opt2.zeroGrad();
    torch.scope(() => nn.crossEntropy(model2.forward(x), y).backward());
    opt2.step();
    assert.ok(model2.stateDict()["0.weight"].equal(expected), "resumed training is identical");
    const { tree } = torch.loadStateTree(oPath);
    const t = tree as { state: Record<string, { step: number }>; param_groups: { betas: number[] }[] };
    assert.equal(t.state["0"].step, 2);
    assert.deepEqual(t.param_groups[0].betas, [0.9, 0.999]);
    for (const m of [model, model2]) m.dispose();
    opt.dispose();
    opt2.dispose();
    g.dispose();
  });
});
