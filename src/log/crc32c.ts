/**
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as used by TFRecord
 * framing in TensorBoard event files, and TFRecord's "masked" CRC.
 *
 * Table-driven, slicing-by-4: four 256-entry tables so that the inner loop
 * consumes four bytes per iteration. Results are unsigned 32-bit integers.
 */

const POLY = 0x82f63b78;

/** T[k][b]: CRC contribution of byte b followed by k zero bytes. */
const TABLES: readonly Uint32Array[] = buildTables();

function buildTables(): Uint32Array[] {
  const t0 = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[i] = c >>> 0;
  }
  const tables = [t0];
  for (let k = 1; k < 4; k++) {
    const prev = tables[k - 1]!;
    const t = new Uint32Array(256);
    for (let i = 0; i < 256; i++) t[i] = ((prev[i]! >>> 8) ^ t0[prev[i]! & 0xff]!) >>> 0;
    tables.push(t);
  }
  return tables;
}

/**
 * Extends a running CRC32C with `data`. Start with `crc = 0` (the default) for
 * a fresh checksum; passing the result of a previous call continues it, so
 * `crc32c(b, crc32c(a)) === crc32c(concat(a, b))`.
 */
export function crc32c(data: Uint8Array, crc = 0): number {
  const [t0, t1, t2, t3] = TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let c = ~crc >>> 0;
  let i = 0;
  const n = data.length;
  const end4 = n - (n % 4);
  for (; i < end4; i += 4) {
    c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    c = t3[c & 0xff]! ^ t2[(c >>> 8) & 0xff]! ^ t1[(c >>> 16) & 0xff]! ^ t0[c >>> 24]!;
  }
  for (; i < n; i++) c = t0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** TFRecord's mask delta, added after rotating the CRC right by 15 bits. */
export const CRC_MASK_DELTA = 0xa282ead8;

/** Masks a CRC the way TFRecord does: `((crc >>> 15) | (crc << 17)) + 0xa282ead8`, as uint32. */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + CRC_MASK_DELTA) >>> 0;
}

/** Inverse of {@link maskCrc}. */
export function unmaskCrc(masked: number): number {
  const rot = (masked - CRC_MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

/** The masked CRC32C of `data`, as stored in TFRecord framing. */
export function maskedCrc32c(data: Uint8Array): number {
  return maskCrc(crc32c(data));
}
