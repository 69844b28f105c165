/**
 * An append-only file with buffered synchronous writes, shared by the event
 * and JSON Lines writers: chunks are written (one write call per flush) every
 * `flushEvery` chunks, when the oldest buffered chunk is `flushMs` old (checked
 * on every append and by an unref'd timer), on flush(), on close and at process
 * exit. Bytes written are never rewritten, so a crash loses at most the buffer.
 */
import { closeSync, fsyncSync, writeSync } from "node:fs";

export interface BufferedFileOptions {
  flushEvery: number;
  /** 0 = flush on every append. */
  flushMs: number;
  /** fsync on every flush, not only on close. */
  fsyncOnFlush?: boolean;
  /** Names the writer in errors ("event writer", "JSONL writer"). */
  label: string;
}

/** Open files, flushed and closed if the process exits without closing them. */
const openFiles = new Set<BufferedFile>();
let exitHookInstalled = false;
function track(f: BufferedFile): void {
  openFiles.add(f);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const file of [...openFiles]) {
      try {
        file.close();
      } catch {
        // Nothing can be reported at exit; the flushed part of the file stays valid.
      }
    }
  });
}

export class BufferedFile {
  readonly path: string;
  #fd: number | undefined;
  readonly #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #oldestPendingMs = 0;
  readonly #options: BufferedFileOptions;
  #timer: NodeJS.Timeout | undefined;
  #deferredError: unknown;

  /** Takes ownership of an open file descriptor. */
  constructor(path: string, fd: number, options: BufferedFileOptions) {
    this.path = path;
    this.#fd = fd;
    this.#options = { ...options, flushEvery: Math.max(1, options.flushEvery), flushMs: Math.max(0, options.flushMs) };
    track(this);
    if (this.#options.flushMs > 0) {
      this.#timer = setInterval(() => {
        try {
          this.flush();
        } catch (err) {
          this.#deferredError ??= err;
        }
      }, this.#options.flushMs);
      this.#timer.unref();
    }
  }

  get closed(): boolean {
    return this.#fd === undefined;
  }

  /** Throws an error a timer flush met, or when the file is closed. */
  #check(): number {
    if (this.#deferredError !== undefined) {
      const err = this.#deferredError;
      this.#deferredError = undefined;
      throw err;
    }
    if (this.#fd === undefined) throw new Error(`${this.#options.label} for ${this.path} is closed`);
    return this.#fd;
  }

  /** Buffers one chunk; flushes when enough are buffered or the oldest is old enough. */
  append(chunk: Uint8Array): void {
    this.#check();
    if (this.#pending.length === 0) this.#oldestPendingMs = Date.now();
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#pending.length >= this.#options.flushEvery || Date.now() - this.#oldestPendingMs >= this.#options.flushMs) this.flush();
  }

  /** Writes the buffered chunks in one write call. */
  flush(): void {
    const fd = this.#check();
    if (this.#pending.length === 0) return;
    const out = new Uint8Array(this.#pendingBytes);
    let pos = 0;
    for (const c of this.#pending) {
      out.set(c, pos);
      pos += c.length;
    }
    this.#pending.length = 0;
    this.#pendingBytes = 0;
    let off = 0;
    while (off < out.length) off += writeSync(fd, out, off, out.length - off);
    if (this.#options.fsyncOnFlush) fsyncSync(fd);
  }

  /** Flushes, fsyncs and closes. Idempotent. */
  close(): void {
    if (this.#fd === undefined) return;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    openFiles.delete(this);
    try {
      this.flush();
      fsyncSync(this.#fd);
    } finally {
      closeSync(this.#fd);
      this.#fd = undefined;
    }
  }
}

/**
 * What the event and JSON Lines writers share over their BufferedFile: the
 * path, `closed`, flush(), close() and `using`.
 */
export abstract class BufferedWriter {
  /** The file's path, as created. */
  readonly path: string;
  protected readonly file: BufferedFile;

  protected constructor(file: BufferedFile) {
    this.path = file.path;
    this.file = file;
  }

  /** True once {@link close} has run. */
  get closed(): boolean {
    return this.file.closed;
  }

  /** Writes what is buffered to the file (one write call). */
  flush(): void {
    this.file.flush();
  }

  /** Flushes, fsyncs and closes the file. Idempotent. */
  close(): void {
    this.file.close();
  }

  /** `using w = new …Writer(…)` closes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }
}
