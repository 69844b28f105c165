/**
 * twin's own studies keep curves in the log folder and predictions in the
 * store: the report and the dashboard of the log folder take each run's
 * predictions from the store's run with the same factor seeds.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RunLogger } from "../../src/log/index.ts";
import { LogDirSource, LogDirWithStorePredictions, StoreSource, streamReportModel, withStorePredictions } from "../../src/report/index.ts";
import { openStore } from "../../src/store/index.ts";
import { importStudy } from "../../src/study/study-file.ts";
import { runStudy } from "../../src/study/run-study.ts";
import { studyProject } from "../study/fixtures/synthetic-study.ts";

test("a log folder written by twin gets its runs' predictions from the store: the same deployment section as the store's", { timeout: 300_000 }, async () => {
  const p = studyProject({ name: "kept", steps: 6, evalEvery: 3, testSet: 60, split: "shared" });
  try {
    await runStudy(await importStudy(p.file), { record: true, cwd: p.dir, studyFile: p.file, plan: 3, jobs: 1, logdir: "runs" });
    const logs = new LogDirSource(join(p.dir, "runs"));
    const alone = await streamReportModel((await logs.openStudy("kept"))!);
    assert.equal(alone.deployments[0]!.available, false, "the log folder alone has no predictions");
    const store = new StoreSource(await openStore(undefined, { cwd: p.dir, existing: true }));
    try {
      const fromStore = (await streamReportModel((await store.openStudy("kept"))!)).deployments[0]!;
      const filled = (await streamReportModel(withStorePredictions((await logs.openStudy("kept"))!, store))).deployments[0]!;
      assert.equal(filled.available, true);
      // The log folder lists variants by name, the store in study order.
      const byName = <T extends { name?: string; variant?: string }>(xs: T[]): T[] => [...xs].sort((a, b) => ((a.name ?? a.variant)! < (b.name ?? b.variant)! ? -1 : 1));
      assert.deepEqual(byName(filled.variants), byName(fromStore.variants));
      assert.equal(filled.sharedValidation, true);
      assert.deepEqual(filled.variants.map((v) => v.testSeeds), fromStore.variants.map(() => 3));
      // The same numbers: the log folder's seed labels are the store's root seeds here, and the predictions the same rows.
      const numbers = (d: typeof filled) => byName(d.analysis!.variants).map((v) => [v.variant, v.validation.ensemble, v.test!.ensemble, v.gain?.estimate, v.churn?.mean]);
      assert.deepEqual(numbers(filled), numbers(fromStore));
      const dots = (d: typeof filled) => [...d.scatter].sort((a, b) => (a.variant + a.seed < b.variant + b.seed ? -1 : 1));
      assert.deepEqual(dots(filled), dots(fromStore));

      // The dashboard's source: every run has ended in the store, so the stamps are the log folder's (a saved view still matches).
      const live = new LogDirWithStorePredictions(logs, store);
      const logStamps = (await logs.seedStamps("kept"))!;
      assert.deepEqual(await live.seedStamps("kept"), logStamps);
      const m = await streamReportModel((await live.openStudy("kept"))!);
      assert.equal(m.deployments[0]!.available, true);
      assert.deepEqual(await live.seedStamps("kept"), logStamps);
      assert.deepEqual(live.spec(), undefined, "a store opened without a URL cannot be opened again in a worker");
    } finally {
      await store.close();
    }
  } finally {
    p.cleanup();
  }
});

test("the dashboard's log-folder view reads a seed again once its store run ends with predictions, and only then", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-live-preds-"));
  const raw = await openStore(join(dir, "twin.db"));
  const store = new StoreSource(raw);
  try {
    await raw.putStudy({ name: "live", specHash: "s" });
    const seeds = { init: 5, order: 5, split: 0 };
    const { run } = await raw.submitRun({ study: "live", variants: ["a"], specHash: "s", rootSeed: 5, seeds });
    assert.ok(await raw.claimRun(run.id, "w"));
    // The run's log folder, as twin's run recorder writes it (factor seeds in the hparams).
    const logger = new RunLogger({ logdir: join(dir, "runs"), study: "live", variant: "a", seed: 5, flushSecs: 0 });
    logger.hparams({ seeds }, ["val/accuracy"]);
    logger.log(1, { "val/accuracy": 0.5 });
    logger.close();
    const live = new LogDirWithStorePredictions(new LogDirSource(join(dir, "runs")), store);
    const model = async () => streamReportModel((await live.openStudy("live"))!);
    assert.equal((await model()).deployments[0]!.available, false);
    const running = (await live.seedStamps("live"))!.get("5")!;
    assert.equal((await live.seedStamps("live"))!.get("5"), running, "nothing changed: the same stamp");
    // The run ends with its predictions: the seed's stamp changes, and reading it again finds them.
    await raw.addPredictions({ runId: run.id, variant: "a", split: "validation", probabilities: [0.9, 0.1, 0.2, 0.8], examples: 2, classes: 2, labels: [0, 1] });
    await raw.finishRun(run.id, { worker: "w" });
    assert.notEqual((await live.seedStamps("live"))!.get("5"), running);
    const m = await model();
    assert.equal(m.deployments[0]!.available, true);
    assert.deepEqual(m.deployments[0]!.variants, [{ name: "a", seeds: 1, ensembleSeeds: 1, testSeeds: 0 }]);
    // Settled: later ends of other runs leave this seed's stamp alone.
    const settled = (await live.seedStamps("live"))!.get("5");
    const other = await raw.submitRun({ study: "live", variants: ["a"], specHash: "s", rootSeed: 6, seeds: { init: 6, order: 6, split: 0 } });
    assert.ok(await raw.claimRun(other.run.id, "w"));
    assert.equal((await live.seedStamps("live"))!.get("5"), settled, "another run open");
    await raw.finishRun(other.run.id, { worker: "w" });
    assert.equal((await live.seedStamps("live"))!.get("5"), settled, "another run ended");
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
