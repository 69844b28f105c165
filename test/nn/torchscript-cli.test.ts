/**
 * Scripted variants through the CLI: a study file anywhere whose variants are
 * nn.torchscript(...) runs with `twin compare` (parallel schedule: variant
 * worker threads load the files), is recorded in the store, and `twin verify`
 * trains a run again bit-identically; `twin doctor` reports TorchScript.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { twin } from "../study/fixtures/store-dump.ts";
import { runPython, pythonTorchProblem } from "../torch/py/python.ts";

const STUDY = `
import { defineStudy, data, nn, optim } from "twin";

function blobs(n: number) {
  const x = new Float32Array(n * 16);
  const y = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 4;
    y[i] = BigInt(c);
    for (let j = 0; j < 16; j++) x[i * 16 + j] = (j % 4 === c ? 2 : 0) + Math.sin(i * 7 + j);
  }
  return { name: "toy", inputs: data.hostArray(x, [n, 16]), targets: data.hostArray(y, [n]) };
}

const scripted = (options: { init?: "file" | "twin" }) => nn.torchscript(new URL("./blob-mlp.pt", import.meta.url), options);

export default defineStudy({
  name: "scripted-cli",
  data: { name: "toy", validation: 32, load: () => ({ train: blobs(192) }) },
  batchSize: 16,
  steps: 16,
  evalEvery: 8,
  variants: {
    "from-file": () => ({ model: scripted({}), optimizer: (p) => optim.sgd(p, { lr: 0.05 }) }),
    "twin-init": () => ({ model: scripted({ init: "twin" }), optimizer: (p) => optim.sgd(p, { lr: 0.05 }) }),
  },
});
`;

let dir = "";

before(() => {
  const problem = pythonTorchProblem();
  if (problem) assert.fail(problem);
  dir = mkdtempSync(join(tmpdir(), "twin-torchscript-cli-"));
  runPython("torchscript_ref.py", { dir, steps: 1, batch: 1, fixtures: true });
  writeFileSync(join(dir, "scripted.study.ts"), STUDY);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("twin compare (parallel schedule) and twin verify on scripted variants", () => {
  const r = twin(dir, ["compare", "scripted.study.ts", "--seeds", "2", "--schedule", "parallel", "--json"], 300_000);
  assert.equal(r.status, 0, r.stderr);
  const verdict = JSON.parse(r.stdout) as { variants: { name: string; n: number }[] };
  assert.deepEqual(verdict.variants.map((v) => [v.name, v.n]), [["from-file", 2], ["twin-init", 2]]);
  const runs = twin(dir, ["runs", "--json"]);
  assert.equal(runs.status, 0, runs.stderr);
  const ids = (JSON.parse(runs.stdout) as { id: string; status: string }[]).map((x) => x.id);
  assert.equal(ids.length, 2);
  const v = twin(dir, ["verify", ids[0]!], 300_000);
  assert.equal(v.status, 0, v.stderr + v.stdout);
  assert.match(v.stdout, /bit-identical \(16 steps:/);
});

test("twin doctor reports that TorchScript loading works", () => {
  const r = twin(dir, ["doctor", "--json"]);
  const checks = (JSON.parse(r.stdout) as { checks: { name: string; ok: boolean; detail: string }[] }).checks;
  const ts = checks.find((c) => c.name === "TorchScript");
  assert.ok(ts, "a TorchScript check");
  assert.equal(ts.ok, true, ts.detail);
  assert.match(ts.detail, /loads scripted PyTorch models \(nn\.torchscript\)/);
});
