import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/torch/index.ts";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

test("Tensor's module loads without the op functions (no import cycle with generated/ops.ts)", () => {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "--import", join(ROOT, "test/cli/fixtures/trace-imports.mjs"), "--input-type=module", "-e", `await import(${JSON.stringify(join(ROOT, "src/torch/tensor.ts"))});`],
    { cwd: ROOT, encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  const loaded = r.stderr.split("\n").filter((l) => l.startsWith("IMPORT ")).map((l) => l.slice(7));
  assert.ok(loaded.some((u) => u.endsWith("src/torch/generated/tensor-methods.ts")));
  assert.ok(!loaded.some((u) => u.endsWith("src/torch/generated/ops.ts")), "tensor.ts pulled in generated/ops.ts");
});

test("generated methods choose the overload from the argument: Tensor or number, present or absent", () => {
  torch.scope(() => {
    const x = torch.tensor([1, 2, 3, 4]).reshape(2, 2);
    assert.deepEqual(x.add(torch.tensor([10, 20])).toNumbers(), [11, 22, 13, 24]);
    assert.deepEqual(x.add(1, 2).toNumbers(), [3, 4, 5, 6]);
    assert.deepEqual(x.pow(2).toNumbers(), [1, 4, 9, 16]);
    assert.deepEqual(x.sum().shape, []);
    assert.deepEqual(x.sum(1).toNumbers(), [3, 7]);
    assert.deepEqual(x.sum([0, 1], true).shape, [1, 1]);
    assert.deepEqual(x.unsqueeze(0).squeeze().shape, [2, 2]);
    const y = torch.zeros([2]);
    assert.equal(y.add_(torch.ones([2])).add_(1), y, "in-place methods return the tensor itself");
    assert.deepEqual(y.toNumbers(), [2, 2]);
  });
});
