// Bad input to factorial analyses and pretrained starts, from the CLI: each error names the cell, factor, pattern or tensor.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { REPO, studySource, TWIN_BIN } from "../study/fixtures/synthetic-study.ts";
import * as torch from "../../src/torch/index.ts";
import { nn } from "../../src/torch/index.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-factorial-bad-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function twin(args: string[]) {
  return spawnSync(process.execPath, [TWIN_BIN, ...args], { cwd: REPO, encoding: "utf8", timeout: 240_000 });
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const GRID = ["seed,optimizer,augment,accuracy", "0,sgd,none,0.81", "0,sgd,flip,0.82", "0,adam,none,0.83", "0,adam,flip,0.84", "1,sgd,none,0.80", "1,sgd,flip,0.83", "1,adam,none,0.82", "1,adam,flip,0.85"];

test("twin stats --factors: a seed without a run of some cell names the seed and the cell; a one-level factor names the factor", () => {
  const missing = twin(["stats", file("missing.csv", GRID.filter((l) => l !== "1,adam,none,0.82").join("\n")), "--factors", "optimizer,augment"]);
  assert.equal(missing.status, 1, missing.stderr);
  assert.match(missing.stderr, /seed 1 has no run for optimizer=adam, augment=none; a factorial analysis needs every combination/);
  const oneLevel = twin(["stats", file("one.csv", GRID.filter((l) => !l.includes("flip")).join("\n")), "--factors", "optimizer,augment"]);
  assert.equal(oneLevel.status, 1, oneLevel.stderr);
  assert.match(oneLevel.stderr, /factor "augment" has only one level \("none"\) in the results; a factor needs at least 2 levels/);
  for (const r of [missing, oneLevel]) assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
});

test("twin compare with nn.pretrained: a reinit pattern that matches nothing and weights that do not fit name the pattern and the tensor", () => {
  const weights = join(dir, "mlp.safetensors");
  torch.saveSafetensors(weights, nn.mlp([16, 32, 4]).initialize(new torch.Generator(1)).stateDict());
  const src = studySource({ name: "pre", steps: 20, evalEvery: 10, seeds: 2, extraVariants: `
    badPattern: () => ({ model: pretrained(mlp([16, 32, 4]), { weights: ${JSON.stringify(weights)}, reinit: ["head.*"] }), optimizer: (p) => optim.sgd(p, { lr: 0.05 }) }),
    badShape: () => ({ model: pretrained(mlp([16, 48, 4]), { weights: ${JSON.stringify(weights)} }), optimizer: (p) => optim.sgd(p, { lr: 0.05 }) }),` })
    .replace(/import \{ mlp \} from/, "import { mlp, pretrained } from");
  assert.match(src, /import \{ mlp, pretrained \} from/);
  const study = file("pre.study.mts", src);
  const r = twin(["compare", study, "--seeds", "2", "--store", join(dir, "pre.db"), "--json"]);
  const text = r.stdout + r.stderr;
  const out = JSON.parse(r.stdout) as { variants: { name: string; n: number; failed: number; errors: { seeds: string[]; error: string }[] }[] };
  const errorOf = (name: string) => out.variants.find((v) => v.name === name)!.errors.map((e) => e.error).join("\n");
  assert.match(errorOf("badPattern"), /variant 'badPattern' could not be built: nn\.pretrained\(mlp\.safetensors\), reinit: pattern "head\.\*" matches no parameter; the parameters are: 0\.weight, 0\.bias, 2\.weight, 2\.bias/);
  assert.match(errorOf("badShape"), /tensor "0\.weight" has shape \[32, 16\] in the file but \[48, 16\] in the model/);
  // The other variants trained and were compared; the two failures are counted, not a crash.
  assert.deepEqual(out.variants.map((v) => [v.name, v.n, v.failed]), [["sgd", 2, 0], ["adam", 2, 0], ["badPattern", 0, 2], ["badShape", 0, 2]]);
  assert.doesNotMatch(text, /\n\s+at /, "no stack trace");
});
