import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/torch/index.ts";
import { native } from "../../src/torch/native.ts";

test("generic op call: tensors, scalars, defaults, keyword-only arguments", () => {
  torch.scope(() => {
    const a = torch.tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(a.shape, [2, 3]);
    assert.deepEqual(a.add(a, 2).toNumbers(), [3, 6, 9, 12, 15, 18]);
    assert.deepEqual(a.sum(1).toNumbers(), [6, 15]);
    assert.deepEqual(a.sum([0], true).shape, [1, 3]);
    assert.deepEqual(torch.ops.sum(a, { dtype: "float64" }).dtype, "float64");
  });
});

test("tuple and list results", () => {
  torch.scope(() => {
    const [values, indices] = torch.tensor([3, 1, 2]).topk(2);
    assert.deepEqual(values.toNumbers(), [3, 2]);
    assert.equal(indices.dtype, "int64");
    assert.deepEqual(indices.toNumbers(), [0, 2]);
    const parts = torch.arange(6).chunk(3);
    assert.equal(parts.length, 3);
    assert.deepEqual(parts[2].toNumbers(), [4, 5]);
  });
});

test("integer scalars keep integer tensors integral; float tensors stay float", () => {
  torch.scope(() => {
    assert.equal(torch.arange(3).add(1).dtype, "int64");
    assert.equal(torch.tensor([1.5]).add(1).dtype, "float32");
    assert.equal(torch.full([2], 0).dtype, "float32");
  });
});

test("in-place ops return the same JS tensor", () => {
  torch.scope(() => {
    const z = torch.zeros([2]);
    const r = z.add_(1).mul_(3);
    assert.equal(r, z);
    assert.deepEqual(z.toNumbers(), [3, 3]);
  });
});

test("generators: seeded draws match torch.manual_seed(42); torch.rand(3)", () => {
  // Reference printed by Python: torch.manual_seed(42); torch.rand(3) -> 0.8823, 0.9150, 0.3829
  const g = new torch.Generator(42);
  const r = torch.rand([3], { generator: g });
  assert.deepEqual(r.toNumbers().map((v) => +v.toFixed(4)), [0.8823, 0.915, 0.3829]);
  const state = g.getState();
  const a = torch.rand([5], { generator: g }).toNumbers();
  g.setState(state);
  const b = torch.rand([5], { generator: g }).toNumbers();
  assert.deepEqual(a, b);
  r.dispose();
  g.dispose();
});

test("strict random mode refuses the global generator", () => {
  const before = torch.globalGeneratorState();
  const previous = torch.setStrictRandom(true);
  try {
    assert.throws(() => torch.ops.rand([3]), /global generator/);
    assert.throws(() => torch.ops.dropout(torch.ones([4]), 0.5, true), /global generator/);
    assert.throws(() => torch.ops.bernoulli_p(torch.ones([4]), 0.5), /no generator/);
  } finally {
    torch.setStrictRandom(previous);
  }
  assert.deepEqual(torch.globalGeneratorState(), before);
});

test("autograd: backward, grad, noGrad", () => {
  torch.scope(() => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward();
    assert.deepEqual(x.grad!.toNumbers(), [2, 4, 6]);
    const z = torch.noGrad(() => x.mul(2));
    assert.equal(z.requiresGrad, false);
    assert.equal(torch.isGradEnabled(), true);
  });
});

test("scope frees what is not returned; keep() survives", () => {
  const start = torch.memory().tensors;
  let kept: torch.Tensor | undefined;
  const out = torch.scope(() => {
    const a = torch.ones([1000]);
    kept = torch.zeros([3]).keep();
    a.mul(2);
    return { result: a.add(1) };
  });
  assert.equal(torch.memory().tensors, start + 2);
  assert.deepEqual(out.result.toNumbers().slice(0, 2), [2, 2]);
  out.result.dispose();
  kept!.dispose();
  assert.equal(torch.memory().tensors, start);
});

test("scope frees everything when fn throws", () => {
  const start = torch.memory().tensors;
  assert.throws(() => torch.scope(() => { torch.ones([10]); throw new Error("boom"); }), /boom/);
  assert.equal(torch.memory().tensors, start);
});

test("using disposes at block end", () => {
  const start = torch.memory().tensors;
  {
    using t = torch.ones([4]);
    assert.equal(t.numel, 4);
  }
  assert.equal(torch.memory().tensors, start);
});

test("zero-copy view writes through to the tensor", () => {
  const t = torch.zeros([4]);
  const v = t.dataView() as Float32Array;
  v[2] = 7;
  assert.deepEqual(t.toNumbers(), [0, 0, 7, 0]);
  t.dispose();
});

test("schemas are listed for the generator", () => {
  const schemas = native.listSchemas();
  assert.ok(schemas.length > 2000);
  const add = schemas.find((s) => s.name === "aten::add" && s.overload === "Tensor");
  assert.equal(add?.schema, "aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor");
});
