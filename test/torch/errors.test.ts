/**
 * Errors inside libtorch and in the argument bridge become JS errors whose
 * message names the op and its argument shapes; the process never aborts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/torch/index.ts";
import { nn } from "../../src/torch/index.ts";
import { native } from "../../src/torch/native.ts";

function throwsNaming(fn: () => unknown, parts: (string | RegExp)[], type: typeof Error = Error): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof type, `expected a ${type.name}, got ${String(e)}`);
    const msg = (e as Error).message;
    for (const p of parts) {
      if (typeof p === "string") assert.ok(msg.includes(p), `message lacks '${p}': ${msg}`);
      else assert.match(msg, p);
    }
    return true;
  });
}

test("shape mismatch", () => {
  torch.scope(() => {
    const a = torch.ones([2, 3]), b = torch.ones([4, 5]);
    throwsNaming(() => a.matmul(b), ["aten::matmul", "Tensor[2, 3] float32", "Tensor[4, 5] float32", "cannot be multiplied"]);
    throwsNaming(() => a.add(b), ["aten::add.Tensor", "Tensor[2, 3] float32", "Tensor[4, 5] float32", "must match"]);
    const lin = new nn.Linear(4, 3, { generator: new torch.Generator(0) });
    throwsNaming(() => lin.forward(torch.ones([2, 5])), ["aten::linear", "input=Tensor[2, 5] float32", "weight=Tensor[3, 4] float32"]);
    lin.dispose();
  });
});

test("wrong dtype", () => {
  torch.scope(() => {
    throwsNaming(() => torch.ops.mm(torch.ones([2, 3]), torch.ones([3, 2], { dtype: "float64" })), ["aten::mm", "Tensor[2, 3] float32", "Tensor[3, 2] float64", "expected scalar type"]);
    throwsNaming(() => nn.crossEntropy(torch.ones([2, 3]), torch.ones([2])), ["aten::cross_entropy_loss", "target=Tensor[2] float32", "expected scalar type Long but found Float"]);
  });
});

test("unknown op", () => {
  throwsNaming(() => native.opHandle("aten::no_such_op", ""), ["unknown op 'aten::no_such_op'", "libtorch 1.13"]);
  throwsNaming(() => native.opHandle("aten::add", "NoSuchOverload"), ["unknown op 'aten::add.NoSuchOverload'", "overload name is required"]);
});

test("wrong argument type", () => {
  torch.scope(() => {
    const a = torch.ones([2, 3]);
    const add = native.opHandle("aten::add", "Tensor");
    throwsNaming(() => native.callOp(add, a.id, "x"), ["aten::add.Tensor", "argument 'other' expects a Tensor, got string 'x'", "self=Tensor[2, 3] float32"], TypeError);
    throwsNaming(() => torch.ops.conv2d(torch.ones([1, 1, 4, 4]), torch.ones([1, 1, 3, 3]), { stride: "two" as unknown as number }),
      ["aten::conv2d", "argument 'stride' expects an array", "input=Tensor[1, 1, 4, 4] float32", "weight=Tensor[1, 1, 3, 3] float32"], TypeError);
    throwsNaming(() => torch.ops.sum_dim_IntList(a, [0.5]), ["aten::sum.dim_IntList", "expects an integer, got number 0.5", "self=Tensor[2, 3] float32"], TypeError);
  });
});

test("missing required argument", () => {
  torch.scope(() => {
    const a = torch.ones([2, 3]);
    const add = native.opHandle("aten::add", "Tensor");
    throwsNaming(() => native.callOp(add, a.id), ["aten::add.Tensor", "missing required argument 'other'", "self=Tensor[2, 3] float32"], TypeError);
  });
});

test("too many arguments", () => {
  torch.scope(() => {
    const a = torch.ones([2, 3]);
    const add = native.opHandle("aten::add", "Tensor");
    throwsNaming(() => native.callOp(add, a.id, a.id, 1, 2), ["aten::add.Tensor takes 3 arguments", "got 4", "Tensor[2, 3] float32"], TypeError);
  });
});

test("use of a disposed tensor", () => {
  const a = torch.ones([2, 3]);
  const d = torch.ones([3]);
  d.dispose();
  throwsNaming(() => d.add(1), ["aten::add.Scalar", "which was disposed", "keep()"]);
  throwsNaming(() => a.mul(d), ["aten::mul.Tensor", "self=Tensor[2, 3] float32", "other=<disposed tensor #", "which was disposed"]);
  throwsNaming(() => d.shape, ["which was disposed"]);
  throwsNaming(() => d.toArray(), ["which was disposed"]);
  const g = new torch.Generator(1);
  g.dispose();
  throwsNaming(() => torch.rand([2], { generator: g }), ["aten::rand.generator", "generator", "disposed"]);
  a.dispose();
});

test("never a crash: out of memory, bad indices, bad shapes, item, backward — and the engine still works afterwards", () => {
  torch.scope(() => {
    const a = torch.ones([2, 3]);
    throwsNaming(() => torch.empty([2 ** 48]), ["aten::empty", "allocate"]);
    throwsNaming(() => a.select(0, 5), ["aten::select.int", "Tensor[2, 3] float32", "out of range"]);
    throwsNaming(() => a.t().view(6), ["aten::view", "Tensor[3, 2] float32"]);
    throwsNaming(() => torch.zeros([-1]), ["aten::zeros", "negative dimension"]);
    throwsNaming(() => torch.zeros([NaN]), ["aten::zeros", "expects an integer"], TypeError);
    throwsNaming(() => a.item(), ["item(Tensor[2, 3] float32)", "exactly one element"]);
    throwsNaming(() => a.sum().backward(), ["backward", "does not require grad"]);
    throwsNaming(() => torch.tensor(new Float32Array(5), { shape: [2, 3] }), ["shape holds 6 elements but the array has 5"], TypeError);
    throwsNaming(() => torch.ops.index_Tensor(a, [torch.tensor([7], { dtype: "int64" })]), ["aten::index.Tensor", "Tensor[2, 3] float32", "out of bounds"]);
    assert.deepEqual(a.add(1).sum().item(), 12);
  });
});
