/**
 * The life of a run in the store, shared by every executor (twin compare and
 * seeds, pool workers, cluster workers, twin sweep): a worker claims a queued
 * run under its worker id, heartbeats it while it works, and a run whose
 * owner is gone goes back to the queue.
 *
 * When is an owner gone? A worker id names its host and process
 * (`kind:host:pid`). On the same host the answer is known at once: the pid no
 * longer exists. A worker on another host can only be judged by its silence:
 * no heartbeat for STALE_AFTER_MS.
 */
import { hostname } from "node:os";
import type { RunRecord, Store } from "../store/types.ts";
import { processExists } from "../log/local-process.ts";

/** How often a running run tells the store it is alive (ms). */
export const HEARTBEAT_MS = 1000;

/** Silence after which a run of a worker on another host is taken over (ms). */
export const STALE_AFTER_MS = 60_000;

/** A worker id: kind, host and process, so that a dead local worker can be recognised. */
export function workerId(kind = "local"): string {
  return `${kind}:${hostname()}:${process.pid}`;
}

/** The host and pid of a worker id made by workerId, or undefined for other ids. */
export function parseWorkerId(worker: string): { kind: string; host: string; pid: number } | undefined {
  const m = /^([a-z]+):(.+):(\d+)$/.exec(worker);
  return m ? { kind: m[1]!, host: m[2]!, pid: Number(m[3]) } : undefined;
}

/** True when the worker id names a process on this machine that no longer exists. */
export function isDeadLocalWorker(worker: string | null): boolean {
  if (!worker) return false;
  const w = parseWorkerId(worker);
  if (!w || w.host !== hostname() || w.pid === process.pid) return false;
  return !processExists(w.pid);
}

/**
 * Why a running run's owner is known to be gone, or undefined while it may
 * still be alive: its process died on this host (known at once), or it has
 * sent no heartbeat for staleAfterMs (any host).
 */
export function goneOwner(run: Pick<RunRecord, "status" | "worker" | "heartbeatAt">, now = Date.now(), staleAfterMs = STALE_AFTER_MS): string | undefined {
  if (run.status !== "running") return undefined;
  if (isDeadLocalWorker(run.worker)) return `its worker ${run.worker} (a process on this host) is dead`;
  if (run.heartbeatAt === null || now - run.heartbeatAt > staleAfterMs) {
    return `its worker ${run.worker ?? "(unknown)"} sent no heartbeat for ${Math.round((now - (run.heartbeatAt ?? 0)) / 1000)} s`;
  }
  return undefined;
}

export interface Heartbeat {
  /** Stops beating; resolves when the beat in flight (if any) is done. */
  stop(): Promise<void>;
}

/**
 * Heartbeats a claimed run every HEARTBEAT_MS. `onLost` is called once when
 * the store says the run is no longer this worker's (taken over); a store
 * that cannot be reached for a moment is tried again at the next beat.
 * `beforeBeat` runs inside each beat (e.g. to flush buffered metrics).
 */
export function startHeartbeat(
  store: Pick<Store, "heartbeat">,
  runId: string,
  worker: string,
  opts: { onLost?: () => void; beforeBeat?: () => Promise<void>; intervalMs?: number } = {},
): Heartbeat {
  let chain: Promise<void> = Promise.resolve();
  let lost = false;
  const beat = () => {
    chain = chain.then(async () => {
      try {
        await opts.beforeBeat?.();
        if (!(await store.heartbeat(runId, worker)) && !lost) {
          lost = true;
          opts.onLost?.();
        }
      } catch {
        // The store may be briefly unreachable: keep working and try again at the next beat.
      }
    });
  };
  const timer = setInterval(beat, opts.intervalMs ?? HEARTBEAT_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await chain;
    },
  };
}
