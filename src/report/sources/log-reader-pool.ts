/**
 * A small pool of threads that read runs' metrics.jsonl files in full (a log
 * folder the dashboard's index does not know yet: a cold start), so that the
 * reading, the bulk of a cold first view, runs on every core while the view's
 * thread folds the runs read so far into the study's model. Each thread
 * returns a run as its packed state (run-state.ts encodeRunState: no object
 * per point crosses threads, the bytes are transferred, not copied) and writes
 * it to the index itself once the pool is done reading (log-reader-worker.ts).
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { IndexRunRow } from "./log-index.ts";
import type { RunDirFiles } from "./run-dir-stamp.ts";

/**
 * Files read by one thread in one message (`dir`: the run folder relative to
 * the study): each read up to `size` (size and mtime as stat gave them), or,
 * with `stamp` (the run folder's path), the folder stamped first
 * (run-dir-stamp.ts) and the file read up to the size that stamp found.
 */
export interface ReadBatch {
  kind: "read";
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

/** What a thread is sent: runs to read; rows to write with its own (the view's thread's reads, see LogIndex.handOver); or "finish": no more reads, write the rows and end. */
export type ReaderMessage = ReadBatch | { kind: "write"; rows: IndexRunRow[] } | { kind: "finish" };

/** A thread's answer; `written`: whether it writes the runs read to the index (once the pool is done reading: see LogReaderPool.close). */
export interface ReaderAnswer {
  id: number;
  results: ReadResult[];
  written: boolean;
}

/** Bytes of runs' states a pool's threads keep to write after the reading, at most (a cold read of 10,000 runs of 500 steps reads about 100 MB of them). */
const MAX_UNWRITTEN_BYTES = 128 << 20;

/** How long a thread told to finish may take to write the runs it read (10,000 runs: about 0.3 s) before it is stopped. */
const FINISH_WAIT_MS = 30_000;

/**
 * Threads in a pool: one per core but one (the view worker folds the runs
 * meanwhile), at least one, at most 4. Each costs its start (about 0.2 s of
 * CPU) and a compiler that warms up on its first thousands of runs.
 */
export function readerThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/** Pools closing: their threads writing the runs they read to the index (see readerWrites). */
const closing = new Set<Promise<void>>();

/** Resolves once every pool closed so far has ended its threads, so that the runs they read are in the index (or could not be written): before the index is closed, or read by another connection. */
export async function readerWrites(): Promise<void> {
  while (closing.size > 0) await Promise.all([...closing]);
}

export class LogReaderPool {
  /** `writes`: the thread said it writes the runs it reads to the index. */
  private readonly workers: { worker: Worker; inFlight: number; writes: boolean; stopped?: Error }[] = [];
  private readonly pending = new Map<number, { resolve: (a: ReaderAnswer) => void; reject: (e: Error) => void; worker: number }>();
  private nextId = 1;
  private closed = false;

  /**
   * `index`: the index file the threads write the runs they read to (undefined: they write nothing); `predictionFiles`: the names of the prediction files a run folder's stamp looks at;
   * `maxUnwritten`: the bytes of runs' states the threads keep to write once the reading is done, at most, all together (each thread its share; log-reader-worker.ts).
   */
  constructor(index: string | undefined, threads = readerThreads(), predictionFiles: readonly string[] = [], maxUnwritten = MAX_UNWRITTEN_BYTES) {
    // From the sources, threads load TypeScript through tsx (the boot file); compiled (dist/), they start from the JavaScript.
    const entry = import.meta.url.endsWith(".ts") ? "./log-reader-boot.mjs" : "./log-reader-worker.js";
    for (let k = 0; k < threads; k++) {
      const worker = new Worker(new URL(entry, import.meta.url), { execArgv: process.execArgv.filter((a) => /^--(cpu|heap)-prof/.test(a)), workerData: { index, predictionFiles, maxUnwritten: Math.floor(maxUnwritten / threads) } });
      worker.unref();
      worker.on("message", (a: ReaderAnswer) => {
        const p = this.pending.get(a.id);
        if (!p) return;
        this.pending.delete(a.id);
        const w = this.workers[p.worker]!;
        w.inFlight--;
        w.writes ||= a.written;
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
      this.workers.push({ worker, inFlight: 0, writes: false });
    }
  }

  /** Reads the files of `batch` (its id is set here) on the running thread with the fewest batches in flight. */
  read(batch: Omit<ReadBatch, "id" | "kind">): Promise<ReaderAnswer> {
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
      w.worker.postMessage({ ...batch, kind: "read", id } satisfies ReaderMessage);
    });
  }

  /**
   * Gives index rows (the view's thread's own reads) to a running thread that
   * writes the rows of its reads, to write with them once the pool is done
   * reading; false when there is none (or the pool is closed).
   */
  write(rows: IndexRunRow[]): boolean {
    const w = this.closed ? undefined : this.workers.find((x) => x.writes && !x.stopped);
    if (!w) return false;
    w.worker.postMessage({ kind: "write", rows } satisfies ReaderMessage);
    return true;
  }

  /**
   * Ends the threads: with no read in flight, each writes the runs it read to
   * the index first (readerWrites waits for that); else they are stopped at
   * once (the reads in flight are rejected; the runs read are not written).
   * Again, nothing.
   */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    const ended = Promise.all(this.workers.map((w) => (w.stopped ? undefined : this.pending.size > 0 ? w.worker.terminate() : this.finish(w.worker))));
    const done = ended.then(() => undefined);
    closing.add(done);
    void done.finally(() => closing.delete(done));
    return done;
  }

  /** Tells a thread to write what it read and end; resolves when it has ended (at most FINISH_WAIT_MS later: then it is stopped). */
  private finish(worker: Worker): Promise<void> {
    return new Promise((resolve) => {
      const stop = setTimeout(() => void worker.terminate().then(() => resolve()), FINISH_WAIT_MS);
      worker.once("exit", () => {
        clearTimeout(stop);
        resolve();
      });
      worker.postMessage({ kind: "finish" } satisfies ReaderMessage);
    });
  }
}
