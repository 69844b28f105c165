/**
 * An external command writes predictions.npy / test_predictions.npy (+ labels)
 * to $TWIN_RUN_DIR: `twin sweep` keeps them in the store with the run; a file it
 * cannot read is reported and the run's metrics stand. Needs /usr/bin/python3 with NumPy.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSweep } from "../../src/study/sweep.ts";
import { openStore } from "../../src/store/index.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-sweep-preds-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = `
import json, os, sys, numpy as np
seed = int(os.environ["TWIN_SEED"]); d = os.environ["TWIN_RUN_DIR"]
rng = np.random.default_rng(seed)
for prefix, n in (("", 300), ("test_", 500)):
    y = rng.integers(0, 4, n)
    z = rng.normal(0, 1, (n, 4)); z[np.arange(n), y] += 1.5
    if sys.argv[1] == "logits": np.save(os.path.join(d, prefix + "predictions.npy"), z.astype(np.float32))
    elif sys.argv[1] == "nan": z[7, 1] = np.nan; np.save(os.path.join(d, prefix + "predictions.npy"), z)
    np.save(os.path.join(d, prefix + "labels.npy"), y)
print(json.dumps({"step": 1, "val_accuracy": 0.5 + seed % 7 / 100}))
`;

test("twin sweep stores the predictions a command writes to TWIN_RUN_DIR, and reports the ones it cannot read", async () => {
  const script = join(dir, "train.py");
  writeFileSync(script, SCRIPT);
  const warnings: string[] = [];
  const result = await runSweep({
    cwd: dir,
    name: "preds",
    seeds: 2,
    jobs: 1,
    onWarning: (w) => warnings.push(w),
    variants: [
      { name: "good", command: ["/usr/bin/python3", script, "logits"] },
      { name: "bad", command: ["/usr/bin/python3", script, "nan"] },
    ],
  });
  assert.equal(result.runs.length, 4);
  for (const r of result.runs) assert.equal(r.status, "finished", r.error);
  const store = await openStore(undefined, { cwd: dir });
  try {
    for (const r of result.runs) {
      const preds = await store.predictions(r.id);
      if (r.variant === "good") {
        assert.deepEqual(preds.map((p) => `${p.split}:${p.examples}x${p.classes}`), ["validation:300x4", "test:500x4"]);
        for (const p of preds) {
          const sum = p.probabilities.slice(0, 4).reduce((a, v) => a + v, 0);
          assert.ok(Math.abs(sum - 1) < 0.005, "logits were softmaxed");
        }
      } else {
        assert.equal(preds.length, 0);
      }
    }
  } finally {
    await store.close();
  }
  const bad = warnings.filter((w) => /predictions not stored/.test(w));
  assert.equal(bad.length, 4, warnings.join("\n"));
  assert.match(bad[0]!, /predictions\.npy row 7 \(0-based\), class 1: NaN is neither a probability nor a logit/);
  assert.ok(!warnings.some((w) => /read as logits/.test(w)), "logits are expected: no warning per run");
});
