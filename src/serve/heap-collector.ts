/**
 * Full garbage collections of a thread's heap once it has grown: the
 * dashboard's threads make megabytes of garbage per update (the view worker:
 * the model, the page, charts; the server's thread: each view's copy from the
 * worker and its JSON text, about 1 MB each at 10,000 runs) that V8 would
 * otherwise collect only as the heap grows, so the process's memory rose with
 * every update although what it keeps did not.
 *
 * With these collections, V8's memory reducer (which follows a full
 * collection that shrank the heap, 8 s or more later once the thread is idle,
 * with up to three incremental "Mark-Compact (reduce)" collections on the
 * thread and V8's helper threads) is held to one collection per episode
 * (process-wide): the idle dashboard's CPU after a cold start was those
 * collections, the second and third freeing nothing (docs/serve-at-scale.md).
 */
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { isMainThread } from "node:worker_threads";

/**
 * V8's full collection of this thread's heap; undefined where the runtime does not allow it.
 * V8's flags are process-wide and V8 reads them without a lock, so setting one while another thread runs
 * JavaScript or collects is a data race: they are set once, by the main thread, when this module loads
 * (the server imports it before any of the dashboard's threads start); a worker finds them set.
 */
const collect = ((): (() => void) | undefined => {
  try {
    if (isMainThread) {
      setFlagsFromString("--expose-gc");
      setFlagsFromString("--memory-reducer-single-gc");
    }
    return runInNewContext("typeof gc === 'function' ? gc : undefined") as (() => void) | undefined;
  } catch {
    return undefined;
  }
})();

export interface GrowthLimits {
  /** Grown by this many bytes since the last collection left it, the heap is collected at the next quiet moment. */
  growth: number;
  /** Grown by this many, it is collected at once, even while requests come one after another. */
  growthNow: number;
  /** A quiet moment: this long without a request. */
  idleMs: number;
}

export class HeapCollector {
  private heapAfterGc = 0;
  private idleGc: NodeJS.Timeout | undefined;
  /** Requests told by {@link postpone} and not yet followed by their {@link collectIfGrown}. */
  private inFlight = 0;

  constructor(private readonly limits: GrowthLimits) {}

  /**
   * After some work (the answer to a request told by {@link postpone}): a
   * collection at once when the heap grew `growthNow`, else once no request
   * came for `idleMs` and none is waiting for its answer (when it grew `growth`).
   */
  collectIfGrown(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (!collect) return;
    const grown = getHeapStatistics().used_heap_size - this.heapAfterGc;
    if (grown >= this.limits.growthNow) this.collectNow();
    else if (grown >= this.limits.growth && this.idleGc === undefined) {
      this.idleGc = setTimeout(() => {
        this.idleGc = undefined;
        // A request that came before this wait began (its build queued behind the last) is not held up by a collection.
        if (this.inFlight === 0) this.collectNow();
      }, this.limits.idleMs).unref();
    }
  }

  /** A request came: a collection waiting for a quiet moment waits for the next one, after this request's answer. */
  postpone(): void {
    this.inFlight++;
    if (this.idleGc === undefined) return;
    clearTimeout(this.idleGc);
    this.idleGc = undefined;
  }

  /**
   * What the heap holds now is kept, not garbage (the accumulators a restart
   * restored: about 20–30 MB of objects at 10,000 runs): growth counts from
   * here. Counted from an empty heap, the warm-up after a restart set off a
   * full collection that freed little and held up the first update behind it.
   */
  rebase(): void {
    this.heapAfterGc = getHeapStatistics().used_heap_size;
  }

  private collectNow(): void {
    if (this.idleGc !== undefined) clearTimeout(this.idleGc);
    this.idleGc = undefined;
    collect!();
    this.heapAfterGc = getHeapStatistics().used_heap_size;
  }
}
