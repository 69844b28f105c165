/**
 * A small pool of threads that read runs' metrics.jsonl files in full (a log
 * folder the dashboard's index does not know yet: a cold start), so that the
 * reading, the bulk of a cold first view, runs on every core while the view's
 * thread folds the runs read so far into the study's model. Each thread
 * returns a run as its packed state (run-state.ts encodeRunState: no object
 * per point crosses threads, the bytes are transferred, not copied) and writes
 * it to the index itself (log-reader-worker.ts).
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { RunDirFiles } from "./run-dir-stamp.ts";

/**
 * Files read by one thread in one message (`dir`: the run folder relative to
 * the study): each read up to `size` (size and mtime as stat gave them), or,
 * with `stamp` (the run folder's path), the folder stamped first
 * (run-dir-stamp.ts) and the file read up to the size that stamp found.
 */
export interface ReadBatch {
  id: number;
  study: string;
  files: ({ dir: string; path: string; size: number; mtimeMs: number } | { dir: string; path: string; stamp: string })[];
}

/** A run folder's stamp taken by the thread just before it read the run: the stamp's text, the folder's files and the metrics file's size and time it found (null: none). */
export interface ThreadStamp {
  text: string;
  files: RunDirFiles | null;
  metrics: { size: number; mtimeMs: number } | null;
}

/**
 * A run read: its state for the index (encodeRunState), the bytes before its
 * read offset (the index's tail check), its status, the size and time read up
 * to; or why it could not be read. `stamp`: the folder's stamp where the thread took it.
 */
export type ReadResult = ({ state: Uint8Array; tail: Uint8Array; status: string | null; size: number; mtimeMs: number } | { error: string }) & { stamp?: ThreadStamp };

/** A thread's answer; `written`: whether it wrote the runs read to the index. */
export interface ReaderAnswer {
  id: number;
  results: ReadResult[];
  written: boolean;
}

/**
 * Threads in a pool: one per core but one (the view worker folds the runs
 * meanwhile), at least one, at most 4. Each costs its start (about 0.2 s of
 * CPU) and a compiler that warms up on its first thousands of runs.
 */
export function readerThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

export class LogReaderPool {
  private readonly workers: { worker: Worker; inFlight: number; stopped?: Error }[] = [];
  private readonly pending = new Map<number, { resolve: (a: ReaderAnswer) => void; reject: (e: Error) => void; worker: number }>();
  private nextId = 1;
  private closed = false;

  /** `index`: the index file the threads write the runs they read to (undefined: they write nothing); `predictionFiles`: the names of the prediction files a run folder's stamp looks at. */
  constructor(index: string | undefined, threads = readerThreads(), predictionFiles: readonly string[] = []) {
    // From the sources, threads load TypeScript through tsx (the boot file); compiled (dist/), they start from the JavaScript.
    const entry = import.meta.url.endsWith(".ts") ? "./log-reader-boot.mjs" : "./log-reader-worker.js";
    for (let k = 0; k < threads; k++) {
      const worker = new Worker(new URL(entry, import.meta.url), { execArgv: process.execArgv.filter((a) => /^--(cpu|heap)-prof/.test(a)), workerData: { index, predictionFiles } });
      worker.unref();
      worker.on("message", (a: ReaderAnswer) => {
        const p = this.pending.get(a.id);
        if (!p) return;
        this.pending.delete(a.id);
        this.workers[p.worker]!.inFlight--;
        p.resolve(a);
      });
      const fail = (e: Error): void => {
        const w = this.workers[k]!;
        w.stopped ??= new Error(`a log reader thread stopped: ${e.message}`);
        for (const [id, p] of this.pending) {
          if (p.worker !== k) continue;
          this.pending.delete(id);
          p.reject(w.stopped);
        }
      };
      worker.on("error", fail);
      worker.on("exit", (code) => fail(new Error(`exit code ${code}`)));
      this.workers.push({ worker, inFlight: 0 });
    }
  }

  /** Reads the files of `batch` (its id is set here) on the running thread with the fewest batches in flight. */
  read(batch: Omit<ReadBatch, "id">): Promise<ReaderAnswer> {
    let k = -1;
    this.workers.forEach((w, j) => {
      if (!w.stopped && (k < 0 || w.inFlight < this.workers[k]!.inFlight)) k = j;
    });
    if (k < 0) return Promise.reject(this.workers[0]!.stopped);
    const w = this.workers[k]!;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: k });
      w.inFlight++;
      w.worker.postMessage({ ...batch, id } satisfies ReadBatch);
    });
  }

  /** Stops the threads (reads in flight are rejected); again, nothing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
