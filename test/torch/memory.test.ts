/**
 * A synchronous training loop (no event-loop turns, so no GC finalizers can
 * help) keeps resident memory flat: every step runs in torch.scope, the
 * optimizer's temporaries die inside step(), and nothing else allocates.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/torch/index.ts";
import { nn, optim } from "../../src/torch/index.ts";

test("20,000 MLP training steps (batch 32, each in a scope) keep RSS flat and the tensor count at baseline", () => {
  const baseline = torch.memory().tensors;
  const g = new torch.Generator(0);
  const model = nn.mlp([64, 128, 10], { generator: g, dropout: 0.1 });
  model.setDropoutGenerator(g);
  const opt = optim.adam(model.parameters(), { lr: 1e-3 });
  const x = torch.randn([32, 64], { generator: g }).keep();
  const y = torch.randint(0, 10, [32], { generator: g }).keep();
  const afterSetup = torch.memory().tensors;
  const step = () => {
    opt.zeroGrad();
    torch.scope(() => {
      const logits = model.forward(x);
      const loss = nn.crossEntropy(logits, y);
      loss.backward();
      opt.step();
      return loss.item();
    });
  };
  for (let i = 0; i < 1000; i++) step();
  const tensorsWarm = torch.memory().tensors;
  const rssWarm = process.memoryUsage.rss();
  let peak = rssWarm;
  for (let i = 1000; i < 20000; i++) {
    step();
    if (i % 1000 === 0) peak = Math.max(peak, process.memoryUsage.rss());
  }
  const rssEnd = process.memoryUsage.rss();
  peak = Math.max(peak, rssEnd);
  const growthMb = (peak - rssWarm) / 2 ** 20;
  console.log(`# RSS after warm-up ${(rssWarm / 2 ** 20).toFixed(1)} MB, peak over 19,000 more steps ${(peak / 2 ** 20).toFixed(1)} MB (+${growthMb.toFixed(1)} MB)`);
  assert.ok(growthMb < 50, `RSS grew by ${growthMb.toFixed(1)} MB over 19,000 steps`);
  // Parameters + Adam state (exp_avg, exp_avg_sq per parameter) are the only new live tensors.
  assert.equal(tensorsWarm, afterSetup + 2 * model.parameters().length);
  assert.equal(torch.memory().tensors, tensorsWarm, "no tensor leaked per step");
  opt.dispose();
  model.dispose();
  x.dispose();
  y.dispose();
  g.dispose();
  assert.equal(torch.memory().tensors, baseline, "live tensor count back to baseline");
});
