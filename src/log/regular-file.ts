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

export class NotRegularFileError extends Error {
  override name = "NotRegularFileError";
}

function kindOf(stat: ReturnType<typeof fstatSync>): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a FIFO (named pipe)";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  if (stat.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Opens `path` for reading if it is a regular file of at most maxBytes (links
 * followed); returns the descriptor and size. The caller closes it.
 */
export function openRegularFile(path: string, maxBytes = MAX_LOG_FILE_BYTES): { fd: number; size: number } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new NotRegularFileError(`${path} is ${kindOf(stat)}, not a regular file; point twin at the log or results file itself`);
    if (stat.size > maxBytes) {
      throw new NotRegularFileError(`${path} is ${stat.size} bytes, more than the ${maxBytes} bytes twin reads from one file; split it, or keep only the rows you analyse`);
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
