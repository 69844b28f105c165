import { test } from "node:test";
import assert from "node:assert/strict";
import { Streams, deriveSeed, RandomStream } from "../../src/rng/index.ts";
import * as torch from "../../src/torch/index.ts";

test("deriveSeed is stable, domain-separated and sensitive to every part", () => {
  // Pinned values: a change in the derivation would silently change every run's randomness.
  assert.equal(deriveSeed(0, "order"), deriveSeed(0, "order"));
  assert.notEqual(deriveSeed(0, "order"), deriveSeed(1, "order"));
  assert.notEqual(deriveSeed(0, "order"), deriveSeed(0, "augment"));
  assert.notEqual(deriveSeed(0, "ab", "c"), deriveSeed(0, "a", "bc"));
  assert.ok(deriveSeed(7, "init") < 1n << 64n);
  assert.throws(() => deriveSeed(-1, "x"), /non-negative/);
  assert.throws(() => deriveSeed(1.5, "x"), /non-negative integer/);
});

test("changing one factor's seed changes only that stream", () => {
  const a = new Streams({ root: 3 });
  const b = new Streams({ root: 3, factors: { order: 99 } });
  const draw = (s: Streams, f: string) => torch.scope(() => torch.rand([4], { generator: s.stream(f).take() }).toNumbers());
  for (const f of ["init", "augment", "dropout", "split", "eval", "custom"]) assert.deepEqual(draw(a, f), draw(b, f), f);
  assert.notDeepEqual(draw(a, "order"), draw(b, "order"));
  a.dispose();
  b.dispose();
});

test("parameter init generators depend on (init seed, path, shape) only", () => {
  const a = new Streams({ root: 1 });
  const b = new Streams({ root: 2, factors: { init: 1 } });
  const g = (s: Streams, path: string, shape: number[]) => {
    const gen = s.parameterGenerator(path, shape);
    const v = torch.scope(() => torch.rand([3], { generator: gen }).toNumbers());
    gen.dispose();
    return v;
  };
  assert.deepEqual(g(a, "0.weight", [256, 784]), g(b, "0.weight", [256, 784]));
  assert.notDeepEqual(g(a, "0.weight", [256, 784]), g(a, "0.weight", [128, 784]));
  assert.notDeepEqual(g(a, "0.weight", [256, 784]), g(a, "2.weight", [256, 784]));
  a.dispose();
  b.dispose();
});

test("control sums catch an extra draw at the step where it happened", () => {
  const run = (extraAt: number | undefined) => {
    const s = new Streams({ root: 5 });
    const sums = [];
    for (let step = 0; step < 5; step++) {
      torch.scope(() => {
        torch.rand([2], { generator: s.stream("augment").take() });
        if (step === extraAt) torch.rand([1], { generator: s.stream("augment").take() });
      });
      sums.push(s.record());
    }
    s.dispose();
    return sums;
  };
  const clean = run(undefined);
  const disturbed = run(3);
  const firstDiff = clean.findIndex((sums, i) => JSON.stringify(sums) !== JSON.stringify(disturbed[i]));
  assert.equal(firstDiff, 3);
  const stream = disturbed[3].find((c, k) => c.state !== clean[3][k].state)!;
  assert.equal(stream.stream, "augment");
});

test("stream state round-trips (resume)", () => {
  const s = new RandomStream("order", 11);
  torch.scope(() => torch.rand([5], { generator: s.take() }));
  const saved = s.getState();
  const a = torch.scope(() => torch.rand([3], { generator: s.take() }).toNumbers());
  const t = new RandomStream("order", 11);
  t.setState(saved);
  const b = torch.scope(() => torch.rand([3], { generator: t.take() }).toNumbers());
  assert.deepEqual(a, b);
  assert.equal(t.draws, s.draws);
  assert.throws(() => new RandomStream("augment", 11).setState(saved), /cannot restore/);
  s.dispose();
  t.dispose();
});

test("streams rebuilt from specs (what a variant host is handed) draw what the run's own streams draw", () => {
  const run = new Streams({ root: 4, factors: { dropout: 9 } });
  const host = new Streams([run.spec("init"), run.spec("dropout")]);
  assert.deepEqual(run.spec("dropout"), { factor: "dropout", seed: 9n });
  const draw = (s: Streams, f: string) => torch.scope(() => torch.rand([4], { generator: s.stream(f).take() }).toNumbers());
  assert.deepEqual(draw(host, "dropout"), draw(run, "dropout"));
  const init = (s: Streams) => {
    const g = s.parameterGenerator("0.weight", [3, 2]);
    const v = torch.scope(() => torch.rand([3], { generator: g }).toNumbers());
    g.dispose();
    return v;
  };
  assert.deepEqual(init(host), init(run));
  assert.throws(() => host.stream("order"), /no seed for factor 'order'/);
  run.dispose();
  host.dispose();
});
