/**
 * The dashboard's index of a log folder's runs: each run's end status and
 * last change, kept per run file and re-read only when the file's size or
 * mtime changed, and then only its tail (the `end` line is the last one), so
 * listing studies never reads every log in full.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";

/** Bytes read from the end of a metrics.jsonl to find its `end` line. */
const TAIL_BYTES = 4096;

interface Entry {
  size: number;
  mtimeMs: number;
  status: string;
}

/** The status in the last complete line of a metrics.jsonl tail: the `end` line's, else "running". */
export function statusFromTail(tail: string): string {
  const bytes = Buffer.from(tail, "utf8");
  return statusFromTailBytes(bytes, bytes.length);
}

/** Whitespace that JSON allows between lines (space, tab, CR, LF). */
const isBlank = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * {@link statusFromTail} on the first `n` bytes of `buf`: only the last
 * non-blank line is decoded and parsed (a listing of 10,000 runs made a 4 KB
 * string and split it per run: most of its CPU and garbage).
 */
export function statusFromTailBytes(buf: Buffer, n: number): string {
  let end = n;
  while (end > 0 && isBlank(buf[end - 1]!)) end--;
  if (end === 0) return "running";
  let start = buf.lastIndexOf(0x0a, end - 1) + 1;
  while (isBlank(buf[start]!)) start++;
  try {
    const rec = JSON.parse(buf.toString("utf8", start, end)) as { kind?: string; status?: string };
    return rec.kind === "end" && typeof rec.status === "string" ? rec.status : "running";
  } catch {
    return "running"; // a line being written
  }
}

/**
 * The last `length` bytes of a file before byte `end` (fewer when the file is
 * shorter): a new buffer, or, given `into` (at least `length` bytes), the part
 * of it the read filled.
 */
export function bytesBefore(path: string, end: number, length: number, into?: Buffer): Buffer {
  const n = Math.min(end, length);
  const buf = into ?? Buffer.alloc(n);
  const fd = openSync(path, "r");
  try {
    const read = readSync(fd, buf, 0, n, end - n);
    return into ? into.subarray(0, read) : buf;
  } finally {
    closeSync(fd);
  }
}

/** One buffer for every tail read (reads are synchronous: never two at once in a thread). */
const tailBuffer = Buffer.allocUnsafe(TAIL_BYTES);

/** The status in the last line of the metrics file `path` of `size` bytes. */
function statusOfFile(path: string, size: number): string {
  const tail = bytesBefore(path, size, TAIL_BYTES, tailBuffer);
  return statusFromTailBytes(tail, tail.length);
}

export class RunIndex {
  private readonly entries = new Map<string, Entry>();

  /** Status and mtime of the run whose metrics file is `path` ("unknown", 0 when it has none). */
  look(path: string): { status: string; mtimeMs: number } {
    let s;
    try {
      s = statSync(path);
    } catch {
      this.entries.delete(path);
      return { status: "unknown", mtimeMs: 0 };
    }
    const hit = this.entries.get(path);
    if (hit && hit.size === s.size && hit.mtimeMs === s.mtimeMs) return hit;
    const entry = { size: s.size, mtimeMs: s.mtimeMs, status: statusOfFile(path, s.size) };
    this.entries.set(path, entry);
    return entry;
  }

  /** What an earlier reading found for `path` (the dashboard's index): used while the file's size and mtime are still these. */
  prime(path: string, seen: { size: number; mtimeMs: number; status: string }): void {
    if (!this.entries.has(path)) this.entries.set(path, { ...seen });
  }

  /** Runs whose last look found them finished (their files no longer change). */
  isFinal(path: string): boolean {
    const e = this.entries.get(path);
    return e !== undefined && e.status !== "running" && e.status !== "unknown";
  }
}
