/**
 * A command's output, read in linear time and bounded memory whatever it
 * prints: lines are split on \n, \r\n and a lone \r (tqdm redraws its bar
 * with \r), each line handed on is at most `maxLine` characters (the rest is
 * dropped and the line marked), and the log file keeps at most `maxBytes`
 * bytes of the stream, then one line saying how much was cut.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { StringDecoder } from "node:string_decoder";

/** Characters of one line handed to the metric parser and the stderr tail. */
export const MAX_LINE_CHARS = 64 * 1024;
/** Bytes of one stream kept in its log file per run. */
export const MAX_LOG_BYTES = 256 * 1024 * 1024;

/**
 * Splits a stream of text into lines in one pass over each chunk (no
 * re-scanning of what came before), keeping at most maxLine characters of
 * the line being built.
 */
export class LineSplitter {
  #parts: string[] = [];
  #length = 0;
  #cut = 0;
  #afterCR = false;

  constructor(
    private readonly fn: (line: string) => void,
    private readonly maxLine = MAX_LINE_CHARS,
  ) {}

  push(chunk: string): void {
    const eol = /[\r\n]/g;
    let start = 0;
    for (let m = eol.exec(chunk); m !== null; m = eol.exec(chunk)) {
      const i = m.index;
      const isCR = chunk.charCodeAt(i) === 13;
      // The \n of a \r\n: the line already ended at the \r.
      if (!isCR && this.#afterCR && i === start) {
        this.#afterCR = false;
        start = i + 1;
        continue;
      }
      this.#take(chunk, start, i);
      this.#emit();
      this.#afterCR = isCR;
      start = i + 1;
    }
    if (start < chunk.length) {
      this.#afterCR = false;
      this.#take(chunk, start, chunk.length);
    }
  }

  end(): void {
    if (this.#length > 0 || this.#cut > 0) this.#emit();
  }

  #take(chunk: string, from: number, to: number): void {
    if (to <= from) return;
    const room = this.maxLine - this.#length;
    const keep = Math.min(room, to - from);
    if (keep > 0) {
      this.#parts.push(chunk.slice(from, from + keep));
      this.#length += keep;
    }
    this.#cut += to - from - Math.max(0, keep);
  }

  #emit(): void {
    let line = this.#parts.length === 1 ? this.#parts[0]! : this.#parts.join("");
    if (this.#cut > 0) line += ` [twin: line cut, ${this.#cut} more characters in the log file]`;
    this.#parts = [];
    this.#length = 0;
    this.#cut = 0;
    this.fn(line);
  }
}

/**
 * A log file that keeps the first maxBytes bytes of a stream and then one
 * line saying how many were cut. write() returns false when the caller should
 * wait for "drain" (so a fast command cannot fill twin's memory).
 */
export class CappedLog {
  readonly #file: WriteStream;
  #written = 0;
  #dropped = 0;

  constructor(
    path: string,
    private readonly maxBytes = MAX_LOG_BYTES,
  ) {
    this.#file = createWriteStream(path);
    this.#file.on("error", () => {}); // a full disk must not stop the sweep
  }

  write(chunk: Buffer): boolean {
    const room = this.maxBytes - this.#written;
    if (room <= 0) {
      this.#dropped += chunk.length;
      return true;
    }
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.#written += part.length;
    this.#dropped += chunk.length - part.length;
    return this.#file.write(part);
  }

  onDrain(fn: () => void): void {
    this.#file.once("drain", fn);
  }

  /** Bytes not kept. */
  get dropped(): number {
    return this.#dropped;
  }

  close(): Promise<void> {
    if (this.#dropped > 0) this.#file.write(`\n[twin: output cut after ${this.#written} bytes; ${this.#dropped} more bytes were not kept]\n`);
    return new Promise((resolve) => this.#file.end(() => resolve()));
  }
}

/** A decoder from bytes to text that never splits a UTF-8 character across chunks. */
export function utf8Decoder(): { write(b: Buffer): string; end(): string } {
  const d = new StringDecoder("utf8");
  return { write: (b) => d.write(b), end: () => d.end() };
}
