/**
 * Study files anywhere: a study in a folder outside the repository imports
 * "twin" and runs through `twin compare` (main process, pool worker processes
 * and variant worker threads all resolve "twin" to this installation);
 * `twin init` writes a starter study that runs as it is.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fashionMnistDir } from "../../src/data/datasets/fashion-mnist.ts";
import { twin } from "./fixtures/store-dump.ts";

const STUDY = `
import { defineStudy, data, nn, optim } from "twin";

function blobs(n: number) {
  const x = new Float32Array(n * 8);
  const y = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    y[i] = BigInt(c);
    for (let j = 0; j < 8; j++) x[i * 8 + j] = (c ? 1 : -1) + Math.sin(i * 7 + j);
  }
  return { name: "toy", inputs: data.hostArray(x, [n, 8]), targets: data.hostArray(y, [n]) };
}

export default defineStudy({
  name: "anywhere",
  data: { name: "toy", validation: 32, load: () => ({ train: blobs(160) }) },
  batchSize: 16,
  steps: 12,
  evalEvery: 4,
  variants: {
    a: () => ({ model: nn.mlp([8, 8, 2]), optimizer: (p) => optim.sgd(p, { lr: 0.05 }) }),
    b: () => ({ model: nn.mlp([8, 16, 2]), optimizer: (p) => optim.sgd(p, { lr: 0.05 }) }),
  },
});
`;

test("a study file in a folder outside the repository imports 'twin' and runs through twin compare (2 worker processes)", () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-anywhere-"));
  try {
    writeFileSync(join(dir, "toy.study.ts"), STUDY);
    const r = twin(dir, ["compare", "toy.study.ts", "--seeds", "2", "--jobs", "2", "--json"]);
    assert.equal(r.status, 0, r.stderr);
    const verdict = JSON.parse(r.stdout) as { variants: { name: string; n: number }[] };
    assert.deepEqual(verdict.variants.map((v) => [v.name, v.n]), [["a", 2], ["b", 2]]);
    assert.ok(existsSync(join(dir, ".twin", "twin.db")), "recorded in the study folder's store");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("twin init writes a starter study, refuses to overwrite it, and the study runs", { skip: !existsSync(fashionMnistDir()) && "Fashion-MNIST is not installed (npm run setup)" }, () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-init-"));
  try {
    const r = twin(dir, ["init", "starter"]);
    assert.equal(r.status, 0, r.stderr);
    const file = join(dir, "starter.study.ts");
    assert.match(readFileSync(file, "utf8"), /name: "starter"/);
    const again = twin(dir, ["init", "starter"]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already exists; pass --force/);
    assert.match(twin(dir, ["init", "../bad name"]).stderr, /must start with a letter or digit/);
    const run = twin(dir, ["compare", "starter.study.ts", "--steps", "2", "--seeds", "2", "--jobs", "1", "--json"]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual((JSON.parse(run.stdout) as { variants: { name: string }[] }).variants.map((v) => v.name), ["baseline", "dropout"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
