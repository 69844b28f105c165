// Pretrained starts for native modules: weights from safetensors, `reinit` parameters re-drawn, `freeze` kept fixed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../../src/torch/index.ts";
import { nn } from "../../src/torch/index.ts";

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
