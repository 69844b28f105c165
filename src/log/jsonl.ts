/**
 * JSON Lines: one JSON value per line, appended.
 *
 * The writer buffers lines and appends them with one write per flush (every
 * `flushEvery` lines, after `flushSecs`, on `flush()`, on close, at process
 * exit), so a crash loses at most the unflushed tail, and at worst leaves a
 * last line cut short. `close()` fsyncs. Reopening a file whose last line was
 * cut short drops that fragment first, so appended lines stay well formed.
 *
 * The reader skips blank lines and a truncated last line (no final newline
 * and not valid JSON); a malformed line anywhere else throws
 * {@link JsonlParseError} naming the file and line number.
 */
import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { openRegularFile } from "./regular-file.ts";
import { BufferedFile, BufferedWriter } from "./buffered-file.ts";
import { dirname } from "node:path";

/** Options of {@link JsonlWriter}. */
export interface JsonlWriterOptions {
  /** Flush after this many buffered lines (default 32). */
  flushEvery?: number;
  /** Flush when the oldest buffered line is this many seconds old (default 2; 0 = flush on every write). */
  flushSecs?: number;
  /** Start a fresh file instead of appending (default false). */
  truncate?: boolean;
}

/**
 * If the file does not end with a newline, either completes its last line
 * (when it is valid JSON: only the newline was lost) or cuts it off.
 */
function repairTail(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const chunk = 1 << 16;
  let end = size;
  let tail = "";
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] === 0x0a) return;
  // Find the start of the last line.
  let lineStart = 0;
  while (end > 0) {
    const start = Math.max(0, end - chunk);
    const buf = Buffer.alloc(end - start);
    readSync(fd, buf, 0, buf.length, start);
    const nl = buf.lastIndexOf(0x0a);
    if (nl >= 0) {
      lineStart = start + nl + 1;
      break;
    }
    end = start;
  }
  const buf = Buffer.alloc(size - lineStart);
  readSync(fd, buf, 0, buf.length, lineStart);
  tail = buf.toString("utf8");
  let complete = true;
  try {
    JSON.parse(tail);
  } catch {
    complete = false;
  }
  if (complete) writeSync(fd, "\n", size);
  else ftruncateSync(fd, lineStart);
}

/** Opens `path` (creating its folder) for buffered appends; a torn last line of an existing file is repaired or cut first. */
function openJsonl(path: string, options: JsonlWriterOptions): BufferedFile {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, options.truncate ? "w+" : "a+");
  try {
    if (!options.truncate) repairTail(fd);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return new BufferedFile(path, fd, { flushEvery: options.flushEvery ?? 32, flushMs: (options.flushSecs ?? 2) * 1000, label: "JSONL writer" });
}

/** Appends JSON values to a `.jsonl` file, one per line. */
export class JsonlWriter extends BufferedWriter {
  /** Opens (creating the directory and file if needed) `path` for appending. */
  constructor(path: string, options: JsonlWriterOptions = {}) {
    super(openJsonl(path, options));
  }

  /**
   * Appends one value as a line (buffered). Non-finite numbers become `null`
   * as in `JSON.stringify`; encode them yourself if they matter.
   * @throws TypeError for values JSON cannot represent (undefined, functions)
   */
  write(value: unknown): void {
    const line = JSON.stringify(value);
    if (line === undefined) throw new TypeError(`cannot write ${typeof value} as JSON`);
    this.file.append(Buffer.from(line + "\n", "utf8"));
  }
}

/** A malformed line in the middle of a JSON Lines file. */
export class JsonlParseError extends Error {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  constructor(file: string, line: number, reason: string, message = `${file}:${line}: malformed JSON line (${reason})`) {
    super(message);
    this.name = "JsonlParseError";
    this.file = file;
    this.line = line;
  }
}

/** Longest line read from a JSON Lines file as one record (its bytes, then its text, are held whole). */
export const MAX_LINE_BYTES = 64 << 20;

/** A line longer than {@link MAX_LINE_BYTES}: not read (it may be valid JSON). */
export class JsonlLineTooLongError extends JsonlParseError {
  constructor(file: string, line: number) {
    super(
      file,
      line,
      "too long",
      `${file}:${line}: a line longer than 64 MiB (${MAX_LINE_BYTES} bytes), the longest twin reads as one JSON Lines record; twin's own metrics lines are far shorter: split the record, or move what made it that long (a text or a blob) to a file of its own`,
    );
    this.name = "JsonlLineTooLongError";
  }
}

/** What {@link parseJsonl} / {@link readJsonl} found. */
export interface JsonlReadResult<T> {
  records: T[];
  /** 1-based number of a truncated last line that was skipped, if any. */
  truncatedLine?: number;
}

/**
 * Why a line is not JSON, without quoting it: the file may not be a log at
 * all (a wrong path, /etc/passwd), and its bytes must not reach the terminal.
 */
function parseFailure(err: unknown): string {
  const message = (err as Error).message ?? "";
  if (/unexpected end/i.test(message)) return "the line ends before its JSON value does";
  const at = /position (\d+)/.exec(message);
  return at ? `not valid JSON at column ${Number(at[1]) + 1}` : "not valid JSON";
}

/**
 * Parses JSON Lines text. Values are returned as parsed (not validated
 * against `T`).
 */
export function parseJsonl<T = unknown>(text: string, source = "<jsonl>"): JsonlReadResult<T> {
  const lines = text.split("\n");
  const endsWithNewline = text.endsWith("\n");
  const records: T[] = [];
  const result: JsonlReadResult<T> = { records };
  // With a final newline, split() yields a trailing "": the last real line is complete.
  const count = endsWithNewline ? lines.length - 1 : lines.length;
  for (let i = 0; i < count; i++) {
    const line = lines[i]!.replace(/\r$/, "");
    if (line.trim() === "") continue;
    try {
      records.push(JSON.parse(line) as T);
    } catch (err) {
      if (i === count - 1 && !endsWithNewline) {
        result.truncatedLine = i + 1;
        break;
      }
      throw new JsonlParseError(source, i + 1, parseFailure(err));
    }
  }
  return result;
}

/**
 * Lines a caller reads faster than one `visit` at a time (the native scanner's
 * stretch of twin's scalars lines): given the chunk's bytes from a line's start
 * up to just past its last newline, it takes whole lines from `start` and
 * returns where it stopped (the start of the first line it did not take) and
 * how many lines it took.
 */
export type TakeLines = (buffer: Buffer, start: number, end: number) => { next: number; lines: number };

/** forEachLine's read buffer, reused by calls that do not overlap (a visit that reads another file gets its own). */
let sharedChunk: Buffer | null = null;

/**
 * Calls `visit` with each line of a file (any size up to maxBytes, without
 * holding its text at once): the bytes buffer[start, end) without the newline,
 * the 1-based line number, and whether the line is complete (ends with a
 * newline; only the last line may not). The buffer is reused after `visit`
 * returns. Only regular files are read (see openRegularFile).
 *
 * A line longer than {@link MAX_LINE_BYTES} is not held: `tooLong` gets its
 * first bytes (at least 1 MiB, or all of it) and its number, and returns true
 * to have it passed over (read through to its newline, not visited); without
 * `tooLong`, or when it returns false, a JsonlLineTooLongError is thrown.
 * `takeLines`, when given, is offered the complete lines of each read from
 * every line start not joined to an earlier read; the lines it takes are not
 * visited but counted.
 */
export function forEachLine(
  path: string,
  maxBytes: number | undefined,
  visit: (buffer: Buffer, start: number, end: number, lineNo: number, complete: boolean) => void,
  tooLong?: (head: Buffer, lineNo: number) => boolean,
  takeLines?: TakeLines,
): void {
  const { fd } = openRegularFile(path, maxBytes);
  const chunk = sharedChunk ?? Buffer.allocUnsafe(1 << 20);
  sharedChunk = null;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineNo = 0;
  /** Passing over a line too long to hold: its bytes are dropped until its newline. */
  let skipping = false;
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const lastNewline = takeLines ? chunk.lastIndexOf(0x0a, n - 1) : -1;
      let start = 0;
      for (let nl = chunk.indexOf(0x0a, 0); nl !== -1 && nl < n; nl = chunk.indexOf(0x0a, start)) {
        if (skipping) {
          skipping = false;
          ++lineNo;
        } else if (pending.length) {
          const line = Buffer.concat([...pending, chunk.subarray(start, nl)]);
          visit(line, 0, line.length, ++lineNo, true);
        } else {
          if (takeLines) {
            const taken = takeLines(chunk, start, lastNewline + 1);
            lineNo += taken.lines;
            start = taken.next;
            if (start > lastNewline) break;
            nl = chunk.indexOf(0x0a, start);
          }
          visit(chunk, start, nl, ++lineNo, true);
        }
        pending = [];
        pendingBytes = 0;
        start = nl + 1;
      }
      if (start < n && !skipping) {
        pending.push(Buffer.from(chunk.subarray(start, n)));
        pendingBytes += n - start;
        if (pendingBytes > MAX_LINE_BYTES) {
          if (!tooLong?.(Buffer.concat(pending.slice(0, 2)), lineNo + 1)) throw new JsonlLineTooLongError(path, lineNo + 1);
          skipping = true;
          pending = [];
          pendingBytes = 0;
        }
      }
    }
    if (pendingBytes > 0) {
      const line = Buffer.concat(pending);
      visit(line, 0, line.length, ++lineNo, false);
    }
  } finally {
    sharedChunk = chunk;
    closeSync(fd);
  }
}

/**
 * The JSON value of the line buffer[start, end) of `path` (see
 * {@link forEachLine}): `blank` for a blank line, `truncated` for a last
 * line without its newline that is not valid JSON (cut short).
 * @throws JsonlParseError for a malformed complete line
 */
export function parseJsonlLine(path: string, buffer: Buffer, start: number, end: number, lineNo: number, complete: boolean): { value: unknown } | "blank" | "truncated" {
  const line = buffer.toString("utf8", start, end).replace(/\r$/, "");
  if (line.trim() === "") return "blank";
  try {
    return { value: JSON.parse(line) as unknown };
  } catch (err) {
    if (!complete) return "truncated";
    throw new JsonlParseError(path, lineNo, parseFailure(err));
  }
}

/**
 * Reads a JSON Lines file line by line (any size up to maxBytes, without
 * holding its text at once); see {@link parseJsonl}. Only regular files are
 * read (see openRegularFile).
 */
export function readJsonl<T = unknown>(path: string, options: { maxBytes?: number } = {}): JsonlReadResult<T> {
  const records: T[] = [];
  const result: JsonlReadResult<T> = { records };
  forEachLine(path, options.maxBytes, (buffer, start, end, lineNo, complete) => {
    const r = parseJsonlLine(path, buffer, start, end, lineNo, complete);
    if (r === "truncated") result.truncatedLine = lineNo;
    else if (r !== "blank") records.push(r.value as T);
  });
  return result;
}
