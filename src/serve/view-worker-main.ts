/**
 * The dashboard's view worker thread: opens the data source again from its
 * spec and answers view requests with a {@link ViewBuilder}, so that reading
 * logs, folding runs and rendering charts never hold up the server's thread.
 */
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parentPort, workerData } from "node:worker_threads";
import type { ReportOptions } from "../report/model/index.ts";
import type { SourceSpec } from "../report/types.ts";
import { openSourceSpec } from "./open-source.ts";
import { ViewBuilder } from "./view-builder.ts";
import type { ViewRequest, ViewResponse } from "./view-worker.ts";

/**
 * A full garbage collection of this thread after an answer that left the heap
 * grown: a rebuild leaves megabytes of garbage (the model, the page, charts)
 * that V8 would otherwise collect only as the heap grows, so the dashboard's
 * memory rose with every update although what it keeps did not. A collection
 * costs 0.3–0.4 s at 10,000 runs, so it runs only when the heap has grown by
 * GROWTH_BEFORE_GC bytes since the last one left it, and then at a quiet
 * moment (collectIfGrown). Undefined where the runtime does not allow it.
 */
const collect = ((): (() => void) | undefined => {
  try {
    setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as () => void;
  } catch {
    return undefined;
  }
})();
const GROWTH_BEFORE_GC = 32 * 2 ** 20;
/** Grown by this much, the heap is collected at once, even while requests come one after another. */
const GROWTH_BEFORE_GC_NOW = 2 * GROWTH_BEFORE_GC;
/** Otherwise the collection waits for this long without a request (a burst of updates is not held up by it). */
const IDLE_BEFORE_GC_MS = 300;
let heapAfterGc = 0;
let idleGc: NodeJS.Timeout | undefined;

function collectNow(): void {
  idleGc = undefined;
  collect!();
  heapAfterGc = getHeapStatistics().used_heap_size;
}

/** After an answer: a collection at once when the heap grew GROWTH_BEFORE_GC_NOW, else once no request came for IDLE_BEFORE_GC_MS. */
function collectIfGrown(): void {
  if (!collect) return;
  const grown = getHeapStatistics().used_heap_size - heapAfterGc;
  if (grown >= GROWTH_BEFORE_GC_NOW) collectNow();
  else if (grown >= GROWTH_BEFORE_GC && idleGc === undefined) idleGc = setTimeout(collectNow, IDLE_BEFORE_GC_MS).unref();
}

/** A request came: a collection waiting for a quiet moment waits for the next one. */
function postponeCollection(): void {
  if (idleGc === undefined) return;
  clearTimeout(idleGc);
  idleGc = undefined;
}

const { spec, report } = workerData as { spec: SourceSpec; report: ReportOptions };
const port = parentPort!;
const source = await openSourceSpec(spec);
/** Progress is told at most this often per study (and when a build is done reading). */
const PROGRESS_EVERY_MS = 200;
const progressSentAt = new Map<string, number>();
const builder = new ViewBuilder(source, report, (name, progress) => {
  const now = Date.now();
  if (progress && now - (progressSentAt.get(name) ?? 0) < PROGRESS_EVERY_MS) return;
  progressSentAt.set(name, now);
  port.postMessage({ id: -1, progress: { name, ...(progress ? { progress } : {}) } } satisfies ViewResponse);
});

port.on("message", (req: ViewRequest) => {
  postponeCollection();
  if (req.kind === "close") {
    void builder.close().then(() => source.close?.()).finally(() => port.close());
    return;
  }
  const answer = req.kind === "view" ? builder.view(req.name, req.options, req.changed && new Set(req.changed)) : builder.compare(req.a, req.b, req.options);
  answer
    .then(
      (body) => port.postMessage({ id: req.id, body } satisfies ViewResponse),
      (e: Error) => port.postMessage({ id: req.id, error: e.message } satisfies ViewResponse),
    )
    .finally(() => setImmediate(collectIfGrown));
});
port.postMessage({ id: 0, ready: true } satisfies ViewResponse);
// After a restart, the studies looked at last are made ready for their next update.
void builder.warm().finally(() => setImmediate(collectIfGrown));
