/**
 * Files scripted and saved on a real CUDA device by a current PyTorch (2.x,
 * see fixtures/torch2-cuda/expected.json's made_by) load in twin on the CPU:
 * storages saved as "cuda:0" are mapped to the CPU, the file format (version
 * 3) is read by this libtorch, and the forward (eval mode, BatchNorm running
 * statistics included) gives the outputs PyTorch computed before moving the
 * modules to the GPU. The fixtures are made by fixtures/torch2-cuda/make_fixtures.py,
 * which needs a machine with a GPU; the other CUDA test (torchscript-errors)
 * rewrites a CPU file's storage locations and runs everywhere.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/torch/index.ts";
import { nn } from "../../src/torch/index.ts";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "torch2-cuda");
const expected = JSON.parse(readFileSync(join(fixtures, "expected.json"), "utf8")) as {
  made_by: string;
  linear_output: number[][];
  cnn_output: number[][];
  cnn_running_mean: number[];
  cnn_running_var: number[];
};
// PyTorch computed the expected outputs with its own CPU kernels (another build, another BLAS): equal to float32 rounding.
const TOLERANCE = 1e-5;

/** arange(n)/divisor - 1 in the given shape: the inputs make_fixtures.py used. */
function ramp(shape: number[], divisor: number): torch.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.tensor(Float32Array.from({ length: n }, (_, i) => i / divisor - 1), { shape });
}

function assertClose(actual: number[], wanted: number[], what: string): void {
  assert.equal(actual.length, wanted.length, `${what}: length`);
  const worst = Math.max(...actual.map((v, i) => Math.abs(v - wanted[i])));
  assert.ok(worst <= TOLERANCE, `${what}: largest difference ${worst} > ${TOLERANCE} (fixture made by ${expected.made_by})`);
}

test("a Linear scripted and saved on a CUDA device by PyTorch 2 loads on the CPU and computes what PyTorch computed", () => {
  torch.scope(() => {
    const model = nn.torchscript(join(fixtures, "cuda_linear.pt")).eval();
    for (const p of model.parameters()) assert.equal(p.device, "cpu");
    assertClose(model.forward(ramp([3, 144], 144)).toNumbers(), expected.linear_output.flat(), "linear output");
    model.dispose();
  });
});

test("a CNN with BatchNorm and dropout saved on CUDA keeps its running statistics and evaluates like PyTorch", () => {
  torch.scope(() => {
    const model = nn.torchscript(join(fixtures, "cuda_cnn_bn.pt")).eval();
    const state = model.stateDict();
    assertClose(state["bn.running_mean"].toNumbers(), expected.cnn_running_mean, "bn.running_mean");
    assertClose(state["bn.running_var"].toNumbers(), expected.cnn_running_var, "bn.running_var");
    for (const t of Object.values(state)) assert.equal(t.device, "cpu");
    assertClose(model.forward(ramp([2, 1, 6, 6], 36)).toNumbers(), expected.cnn_output.flat(), "cnn output");
    // Training mode works on the CPU too: dropout draws from the generator twin gives it.
    assert.deepEqual(model.randomOps, ["aten::dropout"]);
    model.train();
    model.setDropoutGenerator(new torch.Generator(1));
    const loss = model.forward(ramp([2, 1, 6, 6], 36)).pow(2).mean();
    loss.backward();
    for (const p of model.parameters()) assert.ok(p.grad !== null, "every parameter has a gradient");
    model.dispose();
  });
});
