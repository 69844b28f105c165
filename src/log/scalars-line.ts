/**
 * A fast path for reading twin's own scalar lines of metrics.jsonl, exactly as
 * RunLogger writes them (JSON.stringify, no whitespace, keys in this order):
 *
 * ```
 * {"kind":"scalars","step":100,"wall_time":1712345678.25,"values":{"train/loss":0.31,"val/acc":"NaN"}}
 * ```
 *
 * {@link scanScalarsLine} accepts a line only when it is in exactly this form
 * and then gives exactly what JSON.parse followed by reading `step`,
 * `wall_time` and `values` (in `for…in` order, each through fromJsonNumber,
 * whose reading of a string is repeated here) would give. On anything else
 * (whitespace, escapes in a string, another key order, a duplicated tag, an
 * array-index tag, which `for…in` would move to the front, a tag with a byte
 * outside printable ASCII, a value that is neither a number nor a plain
 * string) it returns false and the caller parses the line with JSON.parse.
 * Numbers are checked against JSON's grammar and converted as described at
 * {@link readNumber}; test/log/scalars-line.test.ts compares the scanner with
 * JSON.parse over generated lines. Reading these lines is most of a cold read
 * of a log folder: the scanner works on the file's bytes (no decoding of the
 * text) and builds no object per line.
 */
/** What {@link scanScalarsLine} read; its arrays are reused from line to line (`n` entries used). */
export interface ScalarsLine {
  step: number;
  wallTime: number;
  tags: string[];
  values: number[];
  n: number;
  /** Tags seen before (their bytes and strings), reused instead of a new string per line. */
  known: { bytes: Uint8Array; tag: string }[];
}

export function newScalarsLine(): ScalarsLine {
  return { step: 0, wallTime: 0, tags: [], values: [], n: 0, known: [] };
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const PREFIX = ascii('{"kind":"scalars","step":');
const WALL_TIME = ascii(',"wall_time":');
const VALUES = ascii(',"values":{');
const INFINITY = ascii("Infinity");
const MINUS_INFINITY = ascii("-Infinity");
const QUOTE = 0x22, COLON = 0x3a, COMMA = 0x2c, CLOSE = 0x7d, BACKSLASH = 0x5c;
/** Tags remembered by a ScalarsLine. */
const MAX_KNOWN = 64;

/** True when bytes[i, i + s.length) is `s`. */
function matches(bytes: Buffer, i: number, s: Uint8Array): boolean {
  if (i + s.length > bytes.length) return false;
  for (let k = 0; k < s.length; k++) if (bytes[i + k] !== s[k]) return false;
  return true;
}

function isDigit(c: number | undefined): c is number {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** 10^0 … 10^22, exact doubles (5^22 < 2^53), each an exact product of the one before and 10. */
const POW10 = [1];
for (let k = 1; k <= 22; k++) POW10.push(POW10[k - 1]! * 10);
/** Mantissas below this are exact integers in a double. */
const EXACT = 2 ** 53;

/** Number() of bytes[i, j) (ASCII). */
function numberOfText(bytes: Buffer, i: number, j: number): number {
  return Number((bytes as Buffer & { latin1Slice(start: number, end: number): string }).latin1Slice(i, j));
}

/** Where the number read last by {@link readNumber} ends; -1 when there was none. */
let numberEnd = -1;

/**
 * Reads the JSON number (RFC 8259 §6: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?)
 * starting at `i`, setting {@link numberEnd} (-1 when the bytes there are
 * not one), and returns its value, correctly rounded as JSON.parse rounds it.
 * Clinger's fast path (W. D. Clinger, "How to read floating point numbers
 * accurately", PLDI 1990): when the decimal digits without the point form an
 * integer m < 2^53 and the decimal exponent e has |e| <= 22, m and 10^|e| are
 * exact doubles, so the one IEEE 754 division m / 10^-e or multiplication
 * m * 10^e is the correctly rounded value. A zero mantissa is ±0 whatever the
 * exponent. Anything else goes through Number().
 */
function readNumber(bytes: Buffer, i: number): number {
  const start = i;
  let c = bytes[i];
  const negative = c === 0x2d;
  if (negative) c = bytes[++i];
  // Past 2^53 the sum is no longer exact but stays >= 2^53 (rounding is monotone): the test below sends it to Number().
  let m = 0;
  let scale = 0;
  if (c === 0x30) c = bytes[++i];
  else if (isDigit(c)) {
    do {
      m = m * 10 + (c - 0x30);
      c = bytes[++i];
    } while (isDigit(c));
  } else {
    numberEnd = -1;
    return 0;
  }
  if (c === 0x2e) {
    c = bytes[++i];
    if (!isDigit(c)) {
      numberEnd = -1;
      return 0;
    }
    do {
      m = m * 10 + (c - 0x30);
      scale++;
      c = bytes[++i];
    } while (isDigit(c));
  }
  let exponent = 0;
  let exponentDigits = 0;
  if (c === 0x65 || c === 0x45) {
    c = bytes[++i];
    const minus = c === 0x2d;
    if (minus || c === 0x2b) c = bytes[++i];
    if (!isDigit(c)) {
      numberEnd = -1;
      return 0;
    }
    do {
      exponent = exponent * 10 + (c - 0x30);
      exponentDigits++;
      c = bytes[++i];
    } while (isDigit(c));
    if (minus) exponent = -exponent;
  }
  numberEnd = i;
  if (m === 0) return negative ? -0 : 0;
  if (m < EXACT && exponentDigits <= 4) {
    const e = exponent - scale;
    if (e >= 0 && e <= 22) return negative ? -(m * POW10[e]!) : m * POW10[e]!;
    if (e < 0 && e >= -22) return negative ? -(m / POW10[-e]!) : m / POW10[-e]!;
  }
  return numberOfText(bytes, start, i);
}

/** Index of the quote closing the string whose contents start at `i`, or -1 for an escape, a byte outside printable ASCII, or no quote before `end`. */
function stringEnd(bytes: Buffer, i: number, end: number): number {
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c < 0x20 || c > 0x7e) return -1;
  }
  return -1;
}

/** fromJsonNumber (metrics-jsonl.ts) of the string bytes[i, j): "Infinity" and "-Infinity" are infinite, any other string NaN. */
function stringNumber(bytes: Buffer, i: number, j: number): number {
  if (j - i === INFINITY.length && matches(bytes, i, INFINITY)) return Infinity;
  if (j - i === MINUS_INFINITY.length && matches(bytes, i, MINUS_INFINITY)) return -Infinity;
  return NaN;
}

/** True for a name that is an array index ("0", "17"; "" too, to be safe): `for…in` lists those first, out of the line's order. */
function isIndexLike(bytes: Buffer, i: number, j: number): boolean {
  for (let k = i; k < j; k++) if (!isDigit(bytes[k])) return false;
  return true;
}

/** The tag bytes[i, j) (printable ASCII) as a string: one seen before when it is the same, else a new one (remembered). */
function tagAt(bytes: Buffer, i: number, j: number, known: ScalarsLine["known"]): string {
  const length = j - i;
  for (const k of known) if (k.bytes.length === length && matches(bytes, i, k.bytes)) return k.tag;
  const tag = (bytes as Buffer & { latin1Slice(start: number, end: number): string }).latin1Slice(i, j);
  if (known.length < MAX_KNOWN) known.push({ bytes: Uint8Array.from(bytes.subarray(i, j)), tag });
  return tag;
}

/**
 * Reads the line bytes[start, end) (without its newline) into `out` when it is
 * a scalars line in twin's exact form; returns false otherwise (`out` is then
 * unspecified and the line must be parsed with JSON.parse).
 */
export function scanScalarsLine(bytes: Buffer, start: number, end: number, out: ScalarsLine): boolean {
  if (!matches(bytes, start, PREFIX)) return false;
  let i = start + PREFIX.length;
  out.step = readNumber(bytes, i);
  let j = numberEnd;
  if (j < 0 || j > end) return false;
  if (!matches(bytes, j, WALL_TIME)) return false;
  i = j + WALL_TIME.length;
  out.wallTime = readNumber(bytes, i);
  j = numberEnd;
  if (j < 0 || j > end) return false;
  if (!matches(bytes, j, VALUES)) return false;
  i = j + VALUES.length;
  let n = 0;
  if (bytes[i] === CLOSE) i++;
  else {
    for (;;) {
      if (i >= end || bytes[i] !== QUOTE) return false;
      j = stringEnd(bytes, i + 1, end);
      if (j < 0 || isIndexLike(bytes, i + 1, j)) return false;
      const tag = tagAt(bytes, i + 1, j, out.known);
      for (let k = 0; k < n; k++) if (out.tags[k] === tag) return false;
      i = j + 1;
      if (bytes[i] !== COLON) return false;
      i++;
      let value: number;
      if (bytes[i] === QUOTE) {
        j = stringEnd(bytes, i + 1, end);
        if (j < 0) return false;
        value = stringNumber(bytes, i + 1, j);
        i = j + 1;
      } else {
        value = readNumber(bytes, i);
        if (numberEnd < 0 || numberEnd > end) return false;
        i = numberEnd;
      }
      out.tags[n] = tag;
      out.values[n] = value;
      n++;
      const c = bytes[i];
      if (c === COMMA) i++;
      else if (c === CLOSE) {
        i++;
        break;
      } else return false;
    }
  }
  if (i + 1 !== end || bytes[i] !== CLOSE) return false;
  out.n = n;
  return true;
}
