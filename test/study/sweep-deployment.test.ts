/**
 * `twin sweep` ends with what to deploy when its commands write prediction
 * files (predictions.npy / test_predictions.npy with their labels) to
 * TWIN_RUN_DIR: seeds on the same examples (identical label files) give
 * validation ensembles, chosen on validation and reported on test; the
 * numbers equal the deployment analysis of the same arrays read back.
 * Needs /usr/bin/python3 with NumPy.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSweep } from "../../src/study/sweep.ts";
import { formatSweep } from "../../src/cli/sweep.ts";
import * as s from "../../src/stats/index.ts";
import { openStore } from "../../src/store/index.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-sweep-deploy-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

// The examples and labels are fixed (generator 0); each seed adds its own noise; `skill` raises the true class's logit.
const SCRIPT = `
import json, os, sys, numpy as np
seed = int(os.environ["TWIN_SEED"]); d = os.environ["TWIN_RUN_DIR"]; skill = float(sys.argv[1])
data = np.random.default_rng(0); own = np.random.default_rng(100 + seed)
accs = {}
for prefix, n in (("", 400), ("test_", 600)):
    y = data.integers(0, 5, n)
    z = data.normal(0, 1, (n, 5)) + own.normal(0, 0.8, (n, 5)); z[np.arange(n), y] += skill
    np.save(os.path.join(d, prefix + "predictions.npy"), z.astype(np.float32))
    np.save(os.path.join(d, prefix + "labels.npy"), y)
    accs[prefix] = float((z.argmax(1) == y).mean())
print(json.dumps({"step": 1, "val_accuracy": accs[""], "test_accuracy": accs["test_"]}))
`;

test("a sweep whose commands write predictions ends with the deployment choice, made on validation ensembles", async () => {
  const script = join(dir, "train.py");
  writeFileSync(script, SCRIPT);
  const env = { OPENBLAS_NUM_THREADS: "1" };
  const result = await runSweep({
    cwd: dir,
    name: "deploy",
    seeds: 3,
    jobs: 1,
    metric: "val_accuracy",
    onWarning: () => {},
    variants: [
      { name: "weak", command: ["/usr/bin/python3", script, "0.9"], env },
      { name: "strong", command: ["/usr/bin/python3", script, "1.6"], env },
    ],
  });
  for (const r of result.runs) assert.equal(r.status, "finished", r.error);
  const d = result.deployment!;
  assert.deepEqual(d.variants.map((v) => [v.variant, v.seeds]), [["weak", 3], ["strong", 3]]);
  assert.equal(d.ensemble!.variant, "strong");
  assert.match(d.ensemble!.note, /best on validation/);
  assert.equal(d.singleSeed!.variant, "strong");
  assert.ok(d.variants.every((v) => Number.isFinite(v.validation.ensemble) && v.test && Number.isFinite(v.test.ensemble)));
  // The stored (half-precision) arrays, read back, give the same ensemble accuracy.
  const store = await openStore(undefined, { cwd: dir });
  try {
    const strongRuns = result.runs.filter((r) => r.variant === "strong").sort((a, b) => a.label - b.label);
    const test = await Promise.all(strongRuns.map(async (r) => (await store.predictions(r.id, { split: "test" }))[0]!));
    const preds = test.map((p) => ({ data: p.probabilities, shape: [p.examples, p.classes] as [number, number] }));
    assert.equal(d.variants.find((v) => v.variant === "strong")!.test!.ensemble, s.ensembleAccuracy(preds, test[0]!.labels));
  } finally {
    await store.close();
  }
  const text = formatSweep(result);
  assert.match(text, /what to deploy \(accuracies in pp, churn in % of examples; chosen on validation/);
  assert.match(text, /as an ensemble: strong\. Its ensemble of 3 seeds is the best on validation: \d+\.\d\d pp on validation, \d+\.\d\d pp on test/);
});
