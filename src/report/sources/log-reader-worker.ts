/**
 * A thread of the dashboard's log reader pool (log-reader-pool.ts): reads
 * runs' metrics.jsonl files in full into packed run states (run-state.ts)
 * (a cold first view's runs each after a stamp of its folder, sent back with it),
 * sends each state back as bytes, its buffer transferred, and writes the runs
 * to the index from this thread's own connection (so that the thread building
 * the view does not spend its time on index writes) once the reading is done
 * (see `unwritten`).
 */
import { parentPort, workerData } from "node:worker_threads";
import type Database from "better-sqlite3";
import { openSqlite } from "../../store/sqlite-module.ts";
import { emptyRunState, encodeRunState, readAppended } from "./run-state.ts";
import { INDEX_RUN_INSERT, TAIL_CHECK, type IndexRunRow } from "./log-index.ts";
import type { ReadBatch, ReaderAnswer, ReaderMessage, ThreadStamp } from "./log-reader-pool.ts";
import { runDirStamp, type RunDirFiles } from "./run-dir-stamp.ts";

const { index, predictionFiles, maxUnwritten } = workerData as { index?: string; predictionFiles?: string[]; maxUnwritten?: number };
const predictionNames = new Set(predictionFiles ?? []);
const port = parentPort!;

/** This thread's connection to the index (undefined: none, or it cannot be written: the view's thread writes the rows then). */
let db: Database.Database | undefined;
let putRun: Database.Statement<IndexRunRow> | undefined;
if (index !== undefined) {
  try {
    db = openSqlite(index, { timeout: 5000 });
    db.pragma("synchronous = OFF");
    putRun = db.prepare(INDEX_RUN_INSERT);
  } catch {
    db?.close();
    db = undefined;
  }
}

type Read = ({ state: Buffer; tail: Buffer; status: string | null; size: number; mtimeMs: number } | { error: string }) & { stamp?: ThreadStamp };

/**
 * A run read (Buffers here; the other thread receives them as Uint8Arrays),
 * or why it could not be; a file given a folder to stamp has it stamped just
 * before it is read, and is read up to the size the stamp found.
 */
function readOne(f: ReadBatch["files"][number]): Read {
  let size: number, mtimeMs: number;
  let stamp: ThreadStamp | undefined;
  if ("stamp" in f) {
    let files: RunDirFiles | null = null, metrics: ThreadStamp["metrics"] = null;
    const text = runDirStamp(f.stamp, predictionNames, undefined, (_, fl, m) => {
      files = fl ?? null;
      metrics = m ? { size: m.size, mtimeMs: m.mtimeMs } : null;
    });
    stamp = { text, files, metrics };
    // No metrics.jsonl (event files): read in the view's thread.
    if (metrics === null) return { error: "no metrics.jsonl when stamped", stamp };
    ({ size, mtimeMs } = metrics);
  } else ({ size, mtimeMs } = f);
  try {
    const state = emptyRunState();
    const tail = readAppended(f.path, state, size, TAIL_CHECK);
    return { state: encodeRunState(state), tail, status: state.status ?? null, size, mtimeMs, ...(stamp ? { stamp } : {}) };
  } catch (e) {
    // Read again in the view's thread, which says what is wrong (or reads the run's event files instead).
    return { error: (e as Error).message, ...(stamp ? { stamp } : {}) };
  }
}

/**
 * Runs read and not written to the index yet, with their states' bytes. The
 * rows are written when the pool is done reading ("finish"), while the view's
 * thread finishes the model and this thread would be idle: written batch by
 * batch, they took about a quarter of this thread's time in a cold read (10,000
 * runs), all of it before the view, whose thread waited for the reads.
 * Past `maxUnwrittenBytes` the oldest are written at once.
 */
const unwritten: IndexRunRow[] = [];
let unwrittenBytes = 0;
/** States' bytes kept unwritten at most: this thread's share of the pool's bound (log-reader-pool.ts); none given, the rows are written as they are read. */
const maxUnwrittenBytes = maxUnwritten ?? 0;
/** Rows per transaction when writing: a write of the view's thread (its saved view, an update's rows) waits for one of them at most, not for them all. */
const ROWS_PER_WRITE = 64;
/**
 * Pause between two transactions of the rows written after the reading: longer
 * than the steps of SQLite's busy handler once it has waited a few ms (5, 10,
 * 15 ms…), so that a writer of the view's thread finds the index free at its
 * next try. With 2 ms pauses between transactions of 128 rows, a line appended
 * right after a cold view of 10,000 runs took 279–301 ms to show, against
 * 180–214 ms before the rows were written late (bench:serve, load 13–15); with
 * these, 101–239 ms against 85–255 (load 7–12). 10,000 rows then take about 3 s.
 */
const WRITE_PAUSE_MS = 20;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Writes the first `n` unwritten rows, ROWS_PER_WRITE to a transaction; false when the index could not be written (the rows are dropped: the index is a cache). */
function writeRows(n: number): boolean {
  const rows = unwritten.splice(0, n);
  for (const r of rows) unwrittenBytes -= r[6].byteLength;
  try {
    for (let k = 0; k < rows.length; k += ROWS_PER_WRITE) db!.transaction(() => rows.slice(k, k + ROWS_PER_WRITE).forEach((r) => putRun!.run(...r)))();
    return true;
  } catch {
    return false;
  }
}

/** Writes every unwritten row, a transaction at a time with a pause between them (another connection's writer gets its turn), then closes the index. */
async function writeAll(): Promise<void> {
  while (unwritten.length > 0 && writeRows(ROWS_PER_WRITE)) await new Promise((resolve) => setTimeout(resolve, WRITE_PAUSE_MS));
  unwritten.length = 0;
  db?.close();
}

/** Keeps rows to write later; past MAX_UNWRITTEN_BYTES, the oldest are written now. */
function keep(rows: IndexRunRow[]): void {
  for (const r of rows) {
    unwritten.push(r);
    unwrittenBytes += r[6].byteLength;
  }
  let n = 0;
  for (let bytes = unwrittenBytes; bytes > maxUnwrittenBytes; n++) bytes -= unwritten[n]![6].byteLength;
  if (n > 0) writeRows(n);
}

function read(batch: ReadBatch): void {
  const results = batch.files.map(readOne);
  // Written later (see unwritten); the view's thread writes nothing of these.
  const written = db !== undefined;
  // A copy of each state: its buffer is transferred to the view's thread below.
  if (written) keep(results.flatMap((r, k) => ("error" in r ? [] : [[batch.study, batch.files[k]!.dir, r.size, r.mtimeMs, r.tail, r.status, Buffer.from(r.state)] satisfies IndexRunRow])));
  const transfer: ArrayBuffer[] = [];
  for (const r of results) {
    if ("error" in r) continue;
    // encodeRunState allocates each state on its own (Buffer.alloc): its memory moves to the other thread, not copied.
    if (r.state.byteOffset === 0 && r.state.byteLength === r.state.buffer.byteLength) transfer.push(r.state.buffer as ArrayBuffer);
  }
  port.postMessage({ id: batch.id, results, written } satisfies ReaderAnswer, transfer);
}

port.on("message", (m: ReaderMessage) => {
  if (m.kind === "read") read(m);
  // Rows of runs the view's thread read itself (LogIndex.handOver), received as Uint8Arrays.
  else if (m.kind === "write") keep(m.rows.map(([study, dir, size, mtime, tail, status, state]) => [study, dir, size, mtime, asBuffer(tail), status, asBuffer(state)]));
  // The pool is done reading: the rows are written, then the thread ends (nothing else keeps it).
  else if (m.kind === "finish") void writeAll().finally(() => port.close());
});
