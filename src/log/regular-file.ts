/**
 * Opening files that readers were pointed at (metrics.jsonl, event files,
 * results files): only regular files are read, never devices (/dev/zero would
 * be read forever), FIFOs (a read would block) or directories, and never more
 * than a size cap, so a wrong path gives an error instead of a hang or an
 * out-of-memory abort. Opened non-blocking, so opening a FIFO cannot block,
 * and checked on the open descriptor (no race between check and read).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

/** Default cap for one log or results file (1 GiB). */
export const MAX_LOG_FILE_BYTES = 1 << 30;

/** What a path is when it is not a regular file. */
export type FileKind = "directory" | "FIFO" | "character device" | "block device" | "socket" | "other";

export class NotRegularFileError extends Error {
  override name = "NotRegularFileError";
  constructor(
    message: string,
    /** The path as given. */
    readonly path: string,
    readonly kind: FileKind,
  ) {
    super(message);
  }
}

/**
 * A regular file over the size cap. Carries its first bytes (up to
 * {@link HEAD_BYTES}), so that a caller can still say what the file is (a
 * SQLite store handed as results) without opening it again.
 */
export class FileTooLargeError extends Error {
  override name = "FileTooLargeError";
  constructor(
    message: string,
    readonly size: number,
    readonly head: Buffer,
  ) {
    super(message);
  }
}

/** How many leading bytes a FileTooLargeError carries. */
export const HEAD_BYTES = 64;

function kindOf(stat: ReturnType<typeof fstatSync>): FileKind {
  if (stat.isDirectory()) return "directory";
  if (stat.isFIFO()) return "FIFO";
  if (stat.isCharacterDevice()) return "character device";
  if (stat.isBlockDevice()) return "block device";
  if (stat.isSocket()) return "socket";
  return "other";
}

const KIND_TEXT: Record<FileKind, string> = {
  directory: "a directory",
  FIFO: "a FIFO (named pipe)",
  "character device": "a character device",
  "block device": "a block device",
  socket: "a socket",
  other: "not a regular file",
};

/**
 * Opens `path` for reading if it is a regular file of at most maxBytes (links
 * followed); returns the descriptor and size. The caller closes it.
 */
export function openRegularFile(path: string, maxBytes = MAX_LOG_FILE_BYTES): { fd: number; size: number } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      const kind = kindOf(stat);
      throw new NotRegularFileError(`${path} is ${KIND_TEXT[kind]}, not a regular file; point twin at the log or results file itself`, path, kind);
    }
    if (stat.size > maxBytes) {
      const head = Buffer.alloc(HEAD_BYTES);
      const read = readSync(fd, head, 0, HEAD_BYTES, 0);
      throw new FileTooLargeError(`${path} is ${stat.size} bytes, more than the ${maxBytes} bytes twin reads from one file; split it, or keep only the rows you analyse`, stat.size, head.subarray(0, read));
    }
    return { fd, size: stat.size };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** The whole content of a regular file of at most maxBytes (see openRegularFile). */
export function readRegularFile(path: string, maxBytes = MAX_LOG_FILE_BYTES): Buffer {
  const { fd, size } = openRegularFile(path, maxBytes);
  try {
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break; // shrank while reading
      off += n;
    }
    return off === size ? buf : buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}
