/**
 * A thread of the dashboard's log reader pool (log-reader-pool.ts): reads
 * runs' metrics.jsonl files in full into packed run states (run-state.ts),
 * writes them to the index (one transaction per batch, from this thread's own
 * connection, so that the thread building the view does not spend its time on
 * index writes) and sends each state back as bytes, its buffer transferred.
 */
import { parentPort, workerData } from "node:worker_threads";
import type Database from "better-sqlite3";
import { openSqlite } from "../../store/sqlite-module.ts";
import { emptyRunState, encodeRunState, readAppended } from "./run-state.ts";
import { INDEX_RUN_INSERT, TAIL_CHECK } from "./log-index.ts";
import type { ReadBatch, ReaderAnswer } from "./log-reader-pool.ts";

const { index } = workerData as { index?: string };
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

/** A run read (Buffers here; the other thread receives them as Uint8Arrays), or why it could not be. */
function readOne(f: ReadBatch["files"][number]): { state: Buffer; tail: Buffer; status: string | null } | { error: string } {
  try {
    const state = emptyRunState();
    const tail = readAppended(f.path, state, f.size, TAIL_CHECK);
    return { state: encodeRunState(state), tail, status: state.status ?? null };
  } catch (e) {
    // Read again in the view's thread, which says what is wrong (or reads the run's event files instead).
    return { error: (e as Error).message };
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
          if (!("error" in r)) putRun!.run(batch.study, f.dir, f.size, f.mtimeMs, r.tail, r.status, r.state);
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
