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
  const lines = tail.split("\n").filter((l) => l.trim().length > 0);
  const last = lines[lines.length - 1];
  if (last === undefined) return "running";
  try {
    const rec = JSON.parse(last) as { kind?: string; status?: string };
    return rec.kind === "end" && typeof rec.status === "string" ? rec.status : "running";
  } catch {
    return "running"; // a line being written
  }
}

/** The last `length` bytes of a file before byte `end` (fewer when the file is shorter). */
export function bytesBefore(path: string, end: number, length: number): Buffer {
  const n = Math.min(end, length);
  const buf = Buffer.alloc(n);
  const fd = openSync(path, "r");
  try {
    readSync(fd, buf, 0, n, end - n);
  } finally {
    closeSync(fd);
  }
  return buf;
}

function readTail(path: string, size: number): string {
  return bytesBefore(path, size, TAIL_BYTES).toString("utf8");
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
    const entry = { size: s.size, mtimeMs: s.mtimeMs, status: statusFromTail(readTail(path, s.size)) };
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
