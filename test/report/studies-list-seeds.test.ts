// The dashboard's studies list counts the seeds as the study view's header
// does ("3 seeds (+ 4 seeds set aside)"): the listing alone counts every seed
// folder; once a view of the study is built, the list carries its count.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogDirSource, startDashboard } from "../../src/report/index.ts";
import { RunLogger } from "../../src/log/index.ts";

const root = mkdtempSync(join(tmpdir(), "twin-list-seeds-"));
// twin seeds --vary init around root 0 (seeds 1–4) and 3 seeds varying every factor (0, 5, 6).
for (const [seed, init, order] of [[0, 0, 0], [1, 1, 0], [2, 2, 0], [3, 3, 0], [4, 4, 0], [5, 5, 5], [6, 6, 6]]) {
  for (const variant of ["base", "wide"]) {
    const log = new RunLogger({ logdir: root, study: "s", variant, seed: seed!, events: false });
    log.hparams({ "seeds.init": init!, "seeds.order": order! }, ["val/accuracy"]);
    log.log(1, { "val/accuracy": 0.8 + 0.01 * seed! + (variant === "wide" ? 0.02 : 0) });
    log.close();
  }
}
const dash = await startDashboard({ source: new LogDirSource(root), port: 0, pollMs: 100 });
after(async () => {
  await dash.close();
  rmSync(root, { recursive: true, force: true });
});

async function get(path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${dash.port}${path}`);
  return (await res.json()) as Record<string, unknown>;
}

test("the studies list says the view's seed count, seeds set aside apart, once a view is built", async () => {
  const listed = () => get("/api/studies").then((l) => (l.studies as { name: string; seeds: number; seedsText?: string }[])[0]!);
  let view = await get("/api/studies/s");
  for (let i = 0; i < 100 && view.partial; i++) view = await get("/api/studies/s");
  assert.equal(view.seedsText, "3 seeds (+ 4 seeds set aside)");
  const s = await listed();
  assert.equal(s.seeds, 7, "the listing's own count: every seed folder");
  assert.equal(s.seedsText, view.seedsText);
});
