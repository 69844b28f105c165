/**
 * The dashboard's view worker thread: opens the data source again from its
 * spec and answers view requests with a {@link ViewBuilder}, so that reading
 * logs, folding runs and making the charts' specs never hold up the server's thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { ReportOptions } from "../report/model/index.ts";
import type { SourceSpec } from "../report/types.ts";
import { HeapCollector } from "./heap-collector.ts";
import { openSourceSpec } from "./open-source.ts";
import { ViewBuilder } from "./view-builder.ts";
import type { ViewRequest, ViewResponse } from "./view-worker.ts";

/**
 * A collection costs 0.3–0.4 s at 10,000 runs (the accumulators' runs are
 * marked), so it runs after an answer that left the heap grown by 32 MB at a
 * quiet moment (a burst of updates is not held up by it), at once at 64 MB.
 */
const heap = new HeapCollector({ growth: 32 * 2 ** 20, growthNow: 64 * 2 ** 20, idleMs: 300 });

const { spec, report } = workerData as { spec: SourceSpec; report: ReportOptions };
const port = parentPort!;
/** Progress is told at most this often per study (and when a build is done reading). */
const PROGRESS_EVERY_MS = 200;

// No top-level await: the compiled worker is one CommonJS file (scripts/bundle.mjs), which starts faster than an ES module.
void (async () => {
  const source = await openSourceSpec(spec);
  const progressSentAt = new Map<string, number>();
  const builder = new ViewBuilder(source, report, (name, progress) => {
    const now = Date.now();
    if (progress && now - (progressSentAt.get(name) ?? 0) < PROGRESS_EVERY_MS) return;
    progressSentAt.set(name, now);
    port.postMessage({ id: -1, progress: { name, ...(progress ? { progress } : {}) } } satisfies ViewResponse);
  });

  port.on("message", (req: ViewRequest) => {
    heap.postpone();
    if (req.kind === "close") {
      void builder.close().then(() => source.close?.()).finally(() => port.close());
      return;
    }
    if (req.kind === "warm") {
      // After a restart, the studies looked at last are made ready for their next update, from the server's stamps where it took them.
      if (req.stamps) source.adoptStamps?.(req.stamps);
      void builder.warm(new Set(req.stamps?.keys())).finally(() => setImmediate(() => heap.collectIfGrown()));
      return;
    }
    if (req.kind === "view" && req.stamps) source.adoptStamps?.(new Map([[req.name, req.stamps]]));
    const answer = req.kind === "view" ? builder.view(req.name, req.options, req.changed && new Set(req.changed)) : builder.compare(req.a, req.b, req.options);
    answer
      .then(
        (body) => port.postMessage({ id: req.id, body } satisfies ViewResponse),
        (e: Error) => port.postMessage({ id: req.id, error: e.message } satisfies ViewResponse),
      )
      .finally(() => setImmediate(() => heap.collectIfGrown()));
  });
  // After a restart: the accumulators saved are restored now, while the server's thread stamps the seeds (warm, on its first request, takes them).
  builder.restoreAhead();
  heap.rebase();
  port.postMessage({ id: 0, ready: true } satisfies ViewResponse);
})();
