/**
 * Which process writes a run folder's logs: `RunLogger` writes
 * `log:<host>:<pid>` (a worker id as study/lifecycle.ts reads them) into
 * `<run folder>/.twin-writer` when it opens the run, again when a resumed run
 * opens it. A log whose last line is not its end record is then running while
 * that process lives, and stopped (Ctrl-C, a crash, kill -9) once it is gone:
 * the dashboard of a log folder tells them apart as `twin runs` does for the
 * store. Without the file (logs written before it existed, or by other
 * tools) nothing can be told.
 */
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { readMark } from "./folder-mark.ts";

/** The file in a run folder that names the process writing its logs. */
export const WRITER_MARK = ".twin-writer";

/** Marks `dir` as written by this process. */
export function markWriter(dir: string): void {
  writeFileSync(join(dir, WRITER_MARK), `log:${hostname()}:${process.pid}\n`);
}

/** The worker id of the process that last opened the run folder's logs, or undefined (no mark). */
export function writerOf(dir: string): string | undefined {
  return readMark(dir, WRITER_MARK);
}
