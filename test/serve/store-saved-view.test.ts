// A log folder whose runs take their predictions from the store
// (src/report/sources/store-predictions.ts): after a restart its saved view is
// shown while neither the logs nor the store's run ends changed, also while some
// store run of the study is still open (it used to match only when none was).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RunLogger } from "../../src/log/index.ts";
import { LogDirSource, LogDirWithStorePredictions, StoreSource } from "../../src/report/index.ts";
import { openStore } from "../../src/store/index.ts";
import { ViewBuilder } from "../../src/serve/view-builder.ts";

test("after a restart, a store-predictions log folder matches its saved view while a store run is open, and after it ends", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-store-saved-"));
  const raw = await openStore(join(dir, "twin.db"));
  const store = new StoreSource(raw);
  try {
    await raw.putStudy({ name: "live", specHash: "s" });
    for (const seed of [5, 6]) {
      const seeds = { init: seed, order: seed, split: 0 };
      const { run } = await raw.submitRun({ study: "live", variants: ["a"], specHash: "s", rootSeed: seed, seeds });
      assert.ok(await raw.claimRun(run.id, "w"));
      const logger = new RunLogger({ logdir: join(dir, "runs"), study: "live", variant: "a", seed, flushSecs: 0 });
      logger.hparams({ seeds }, ["val/accuracy"]);
      logger.log(1, { "val/accuracy": 0.5 + seed / 100 });
      logger.close("success");
      await raw.addPredictions({ runId: run.id, variant: "a", split: "validation", probabilities: [0.9, 0.1, 0.2, 0.8], examples: 2, classes: 2, labels: [0, 1] });
      await raw.finishRun(run.id, { worker: "w" });
    }
    // A run of the study claimed in the store that has not logged anything yet.
    const open = await raw.submitRun({ study: "live", variants: ["a"], specHash: "s", rootSeed: 7, seeds: { init: 7, order: 7, split: 0 } });
    assert.ok(await raw.claimRun(open.run.id, "w"));
    const index = join(dir, "index.sqlite");
    const start = () => {
      const source = new LogDirWithStorePredictions(new LogDirSource(join(dir, "runs"), { index }), store);
      return { source, builder: new ViewBuilder(source) };
    };
    let { source, builder } = start();
    const built = (await builder.view("live", {}))!;
    assert.equal(built.error, undefined);
    assert.equal(built.seedsRead, 2);
    await builder.close();
    await source.close();
    ({ source, builder } = start());
    const again = (await builder.view("live", {}))!;
    assert.equal(again.seedsRead, 0, "the saved view, with a store run still open");
    assert.equal(again.html, built.html);
    await builder.close();
    await source.close();
    // The open run ends (it logged nothing: no seed of the view waits for it).
    await raw.finishRun(open.run.id, { worker: "w" });
    ({ source, builder } = start());
    const after = (await builder.view("live", {}))!;
    assert.equal(after.seedsRead, 0, "no store run open: the log folder's stamps (every seed had settled)");
    await builder.close();
    await source.close();
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
