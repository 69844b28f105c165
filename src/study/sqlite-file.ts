/** Recognises a SQLite database (twin's store) handed where results or a study were expected, to say so instead of misreading it. */
import { closeSync, openSync, readSync, statSync } from "node:fs";

/** Whether the file starts with SQLite's header ("SQLite format 3\0"), as twin's store does. */
export function isSqliteFile(path: string): boolean {
  const header = Buffer.alloc(16);
  let fd: number | undefined;
  try {
    // Only a regular file is opened: opening a FIFO blocks until a writer comes (the caller's own reading refuses it).
    if (!statSync(path).isFile()) return false;
    fd = openSync(path, "r");
    return readSync(fd, header, 0, 16, 0) === 16 && header.toString("latin1") === "SQLite format 3\0";
  } catch {
    return false; // a folder, or unreadable: the caller's own reading says why
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
