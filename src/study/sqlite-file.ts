/** Recognises a SQLite database (twin's store) handed where results or a study were expected, to say so instead of misreading it. */

/** Whether bytes read from the start of a file begin with SQLite's header ("SQLite format 3\0"), as twin's store does. */
export function isSqliteHeader(bytes: Uint8Array): boolean {
  return bytes.length >= 16 && Buffer.from(bytes.buffer, bytes.byteOffset, 16).toString("latin1") === "SQLite format 3\0";
}
