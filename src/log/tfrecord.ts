/**
 * TFRecord framing, the container format of TensorBoard event files.
 *
 * Each record is:
 *
 * ```
 * uint64 length          (little endian)
 * uint32 masked_crc32c(length bytes)
 * byte   data[length]
 * uint32 masked_crc32c(data)
 * ```
 *
 * The reader verifies both CRCs. A record cut short at the end of the file
 * (a writer killed mid-write) is not an error: reading stops there and the
 * result says where. Any other inconsistency throws {@link TFRecordCorruptionError}
 * naming the file and byte offset.
 */
import { readFileSync } from "node:fs";
import { maskedCrc32c } from "./crc32c.ts";

/** Bytes of framing around each record: 8 (length) + 4 (length crc) + 4 (data crc). */
export const TFRECORD_OVERHEAD = 16;

/** Records larger than this are treated as corruption (a garbage length field). */
export const TFRECORD_MAX_LENGTH = 1 << 30;

/** Frames one record: returns header + data + footer as a new buffer. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + TFRECORD_OVERHEAD);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** Frames several records into one contiguous buffer (one write call). */
export function frameRecords(records: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const r of records) total += r.length + TFRECORD_OVERHEAD;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const r of records) {
    out.set(frameRecord(r), pos);
    pos += r.length + TFRECORD_OVERHEAD;
  }
  return out;
}

/** A damaged record in a TFRecord stream: wrong CRC or impossible length. */
export class TFRecordCorruptionError extends Error {
  /** The file (or source label) being read. */
  readonly file: string;
  /** Byte offset of the start of the damaged record. */
  readonly offset: number;
  constructor(file: string, offset: number, reason: string) {
    super(`corrupt TFRecord in ${file} at byte offset ${offset}: ${reason}`);
    this.name = "TFRecordCorruptionError";
    this.file = file;
    this.offset = offset;
  }
}

/** The records of a TFRecord stream. */
export interface TFRecordReadResult {
  /** Payloads, in file order (views into the input buffer). */
  records: Uint8Array[];
  /**
   * Byte offset of an incomplete last record that was dropped, or `undefined`
   * if the stream ended cleanly on a record boundary.
   */
  truncatedAt?: number;
  /** Byte length of the complete records read (where an appender may resume). */
  validLength: number;
}

/**
 * Parses a TFRecord stream held in memory.
 *
 * @param buf    the bytes
 * @param source a label for error messages (usually the file path)
 * @throws TFRecordCorruptionError on a CRC mismatch or an impossible length
 */
export function parseRecords(buf: Uint8Array, source = "<buffer>"): TFRecordReadResult {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const records: Uint8Array[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < 12) return { records, truncatedAt: pos, validLength: pos };
    const header = buf.subarray(pos, pos + 8);
    const lengthCrc = view.getUint32(pos + 8, true);
    if (maskedCrc32c(header) !== lengthCrc) {
      throw new TFRecordCorruptionError(source, pos, "length CRC mismatch (damaged record header)");
    }
    const len64 = view.getBigUint64(pos, true);
    if (len64 > BigInt(TFRECORD_MAX_LENGTH)) {
      throw new TFRecordCorruptionError(source, pos, `record length ${len64} is implausible`);
    }
    const len = Number(len64);
    if (buf.length - pos < 12 + len + 4) return { records, truncatedAt: pos, validLength: pos };
    const data = buf.subarray(pos + 12, pos + 12 + len);
    const dataCrc = view.getUint32(pos + 12 + len, true);
    if (maskedCrc32c(data) !== dataCrc) {
      throw new TFRecordCorruptionError(source, pos, `data CRC mismatch in a record of ${len} bytes`);
    }
    records.push(data);
    pos += 12 + len + 4;
  }
  return { records, validLength: pos };
}

/** Reads and parses a TFRecord file; see {@link parseRecords}. */
export function readRecordFile(path: string): TFRecordReadResult {
  return parseRecords(readFileSync(path), path);
}
