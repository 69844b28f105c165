/**
 * A thread of the dashboard's log reader pool (log-reader-pool.ts): reads
 * runs' metrics.jsonl files in full into packed run states (run-state.ts)
 * (a cold first view's runs each after a stamp of its folder, sent back with it),
 * writes them to the index (one transaction per batch, from this thread's own
 * connection, so that the thread building the view does not spend its time on
 * index writes) and sends each state back as bytes, its buffer transferred.
 */
import { parentPort, workerData } from "node:worker_threads";
import type Database from "better-sqlite3";
import { openSqlite } from "../../store/sqlite-module.ts";
import { emptyRunState, encodeRunState, readAppended } from "./run-state.ts";
import { INDEX_RUN_INSERT, TAIL_CHECK } from "./log-index.ts";
import type { ReadBatch, ReaderAnswer, ThreadStamp } from "./log-reader-pool.ts";
import { runDirStamp, type RunDirFiles } from "./run-dir-stamp.ts";

const { index, predictionFiles } = workerData as { index?: string; predictionFiles?: string[] };
const predictionNames = new Set(predictionFiles ?? []);
const port = parentPort!;

/** This thread's connection to the index (undefined: none, or it cannot be written: the view's thread writes the rows then). */
let db: Database.Database | undefined;
let putRun: Database.Statement<[string, string, number, number, Buffer, string | null, Buffer]> | undefined;
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

port.on("message", (batch: ReadBatch) => {
  const results = batch.files.map(readOne);
  let written = false;
  if (db && putRun) {
    try {
      db.transaction(() => {
        results.forEach((r, k) => {
          const f = batch.files[k]!;
          if (!("error" in r)) putRun!.run(batch.study, f.dir, r.size, r.mtimeMs, r.tail, r.status, r.state);
        });
      })();
      written = true;
    } catch {
      // A cache: the view's thread writes the rows instead.
    }
  }
  const transfer: ArrayBuffer[] = [];
  for (const r of results) {
    if ("error" in r) continue;
    // encodeRunState allocates each state on its own (Buffer.alloc): its memory moves to the other thread, not copied.
    if (r.state.byteOffset === 0 && r.state.byteLength === r.state.buffer.byteLength) transfer.push(r.state.buffer as ArrayBuffer);
  }
  port.postMessage({ id: batch.id, results, written } satisfies ReaderAnswer, transfer);
});
