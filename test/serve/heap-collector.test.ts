// The view worker's heap collections: a collection waiting for a quiet moment
// never runs while a request that came before it is still being answered,
// and what the heap held when rebased (restored accumulators) is not growth.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PerformanceObserver, constants, type PerformanceEntry } from "node:perf_hooks";
import { HeapCollector } from "../../src/serve/heap-collector.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Full (mark-compact) collections seen while `f` runs. */
async function fullCollections(f: () => Promise<void>): Promise<number> {
  let n = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) n++;
  });
  obs.observe({ entryTypes: ["gc"] });
  await f();
  await sleep(20);
  obs.disconnect();
  return n;
}

test("a quiet-moment collection waits for the answer to a request that came before it began; a rebased heap's contents are not growth", async () => {
  const heap = new HeapCollector({ growth: 1, growthNow: 2 ** 40, idleMs: 10 });
  // Two requests came; the first is answered while the second waits in the queue: no collection before the second is answered.
  assert.equal(await fullCollections(async () => {
    heap.postpone();
    heap.postpone();
    heap.collectIfGrown();
    await sleep(80);
  }), 0, "no collection while a request waits for its answer");
  assert.equal(await fullCollections(async () => {
    heap.collectIfGrown();
    await sleep(80);
  }), 1, "one collection once every request was answered");
  // Rebased: the heap as it is (more than 4 MB) is kept; counted from nothing, it would set off a collection.
  const restored = new HeapCollector({ growth: 4 * 2 ** 20, growthNow: 2 ** 40, idleMs: 10 });
  const kept = Array.from({ length: 50_000 }, (_, i) => ({ i, text: `run ${i}` }));
  restored.rebase();
  assert.equal(await fullCollections(async () => {
    restored.postpone();
    restored.collectIfGrown();
    await sleep(80);
  }), 0);
  assert.equal(kept.length, 50_000);
});
