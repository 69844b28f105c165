// Generated lines of metrics.jsonl for the scanners' tests (scalars-line.test.ts,
// native-scan.test.ts): numbers in every JSON spelling, tags with escapes,
// unicode, array-index names and duplicates, whitespace and broken variants,
// and what a reader that uses JSON.parse takes from a line.
import { fromJsonNumber } from "../../src/log/metrics-jsonl.ts";
import type { Xoshiro128 } from "../../src/stats/random.ts";

export interface Read {
  step: number;
  wallTime: number;
  tags: string[];
  values: number[];
}

/** What a reader that uses JSON.parse takes from the line, or undefined when it is not a scalars line of twin's form. */
export function reference(line: string): Read | undefined {
  let r: unknown;
  try {
    r = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof r !== "object" || r === null) return undefined;
  const o = r as { kind?: unknown; step?: unknown; wall_time?: unknown; values?: unknown };
  if (o.kind !== "scalars" || typeof o.step !== "number" || typeof o.wall_time !== "number" || typeof o.values !== "object" || o.values === null) return undefined;
  const values = o.values as Record<string, unknown>;
  const tags: string[] = [];
  const nums: number[] = [];
  for (const tag in values) {
    tags.push(tag);
    nums.push(fromJsonNumber(values[tag]));
  }
  return { step: o.step, wallTime: o.wall_time, tags, values: nums };
}

/** A line exactly as RunLogger would write it (JSON.stringify's spelling, keys in its order, values numbers or strings) with printable-ASCII, non-index tags: the scanner must take it. */
export function twinsOwn(line: string, want: Read | undefined): boolean {
  if (want === undefined || JSON.stringify(JSON.parse(line)) !== line) return false;
  const parsed = JSON.parse(line) as { values: object };
  if (Object.keys(parsed).join() !== "kind,step,wall_time,values") return false;
  const values = Object.values(parsed.values) as unknown[];
  return values.every((v) => typeof v === "number" || (typeof v === "string" && /^[\x20-\x7e]*$/.test(v))) && want.tags.every((t) => /^[\x20-\x7e]*$/.test(t) && !/^[0-9]*$/.test(t) && !/["\\]/.test(t));
}

export function digits(r: Xoshiro128, n: number, leadingNonZero = true): string {
  let s = "";
  for (let k = 0; k < n; k++) s += String(k === 0 && leadingNonZero ? 1 + r.nextInt(9) : r.nextInt(10));
  return s;
}

export const SPECIAL = [
  "0", "-0", "0.0", "-0.0", "0e5", "-0E-5", "0.000e+999", "-0e99999", "5e-324", "4.9e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
  "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e309", "-1e400", "1e-400", "9007199254740991", "9007199254740992",
  "9007199254740993", "-9007199254740993", "900719925474099.3", "9007199254740993e-16", "9007199254740991e22", "9007199254740991e-22", "1e22", "1e23",
  "1e-22", "1e-23", "123456789012345678901234567890", "0.1", "0.2", "0.30000000000000004", "1.00000000000000011102230246251565404236316680908203125",
  "1.0000000000000001110223024625156540423631668090820312500001", "2.2250738585072011e-308", "2.2250738585072012e-308", "1E1", "1e+1", "1e-0", "100e-2",
];

/** A JSON number in one of many spellings. */
export function jsonNumber(r: Xoshiro128): string {
  switch (r.nextInt(10)) {
    case 0:
      return JSON.stringify((r.nextFloat() - 0.5) * 10 ** (r.nextInt(60) - 30));
    case 1:
      return (r.nextInt(2) ? "-" : "") + digits(r, 1 + r.nextInt(25));
    case 2:
      return SPECIAL[r.nextInt(SPECIAL.length)]!;
    case 3:
      return (r.nextInt(2) ? "-" : "") + "0." + digits(r, 15 + r.nextInt(30), false);
    case 4: {
      const d = digits(r, 1 + r.nextInt(20));
      const at = 1 + r.nextInt(d.length);
      const mantissa = at < d.length ? `${d.slice(0, at)}.${d.slice(at)}` : d;
      return `${mantissa}${r.nextInt(2) ? "e" : "E"}${["", "+", "-"][r.nextInt(3)]}${r.nextInt(2) ? "0" : ""}${r.nextInt(400)}`;
    }
    case 5: {
      // Any finite double, from random bits, in JSON.stringify's shortest spelling.
      const view = new DataView(new ArrayBuffer(8));
      view.setUint32(0, Math.floor(r.nextFloat() * 2 ** 32));
      view.setUint32(4, Math.floor(r.nextFloat() * 2 ** 32));
      const x = view.getFloat64(0);
      return Number.isFinite(x) ? JSON.stringify(x) : "1";
    }
    case 6:
      // Around Clinger's fast-path bounds: 15–17 digit mantissas, exponents near ±22.
      return `${digits(r, 15 + r.nextInt(3))}e${r.nextInt(50) - 25 - r.nextInt(17)}`;
    case 7:
      return `${r.nextInt(2) ? "-" : ""}${digits(r, 1 + r.nextInt(3))}.${digits(r, 1 + r.nextInt(18), false)}`;
    case 8:
      return String(r.nextInt(1_000_000));
    default:
      return JSON.stringify(r.nextFloat());
  }
}

/** Not JSON numbers (JSON.parse rejects them), though Number() reads some. */
export const BAD_NUMBERS = ["01", "-01", "1.", ".5", "+1", "1e", "1e+", "-", "1.e5", "0x10", "Infinity", "NaN", "1_000", "- 1", "1 ", "١"];

export const TAGS = [
  "train/loss", "eval/accuracy", "val/acc", "a", "lr", "__proto__", "constructor", "toString", "hasOwnProperty", "1x", "x1", "-1", "1.5", "",
  "0", "17", "4294967295", "4294967294", "01", "é", "日本", "😀", "tab\there", "quote\"d", "back\\slash", "new\nline", "\u0000", "\u007f",
];

export function tag(r: Xoshiro128): string {
  if (r.nextInt(3) === 0) return TAGS[r.nextInt(TAGS.length)]!;
  return ["train", "eval", "val", "test"][r.nextInt(4)]! + "/" + ["loss", "acc", "f1", "grad_norm"][r.nextInt(4)]!;
}

/** A tag as written in the line: JSON.stringify's spelling, or with some characters escaped another way. */
export function spellTag(r: Xoshiro128, t: string): string {
  const plain = JSON.stringify(t);
  if (r.nextInt(8) !== 0 || t.length === 0) return plain;
  const k = r.nextInt(t.length);
  return plain.slice(0, 1 + k) + `\\u${t.charCodeAt(k).toString(16).padStart(4, "0")}` + plain.slice(2 + k);
}

export function value(r: Xoshiro128): string {
  switch (r.nextInt(12)) {
    case 0:
      return ['"NaN"', '"Infinity"', '"-Infinity"', '"nan"', '"inf"', '""', '"Infinity "', '"\\u0049nfinity"'][r.nextInt(8)]!;
    case 1:
      return ["null", "true", "false", "[]", "{}", "[1]", '{"a":1}'][r.nextInt(7)]!;
    case 2:
      return BAD_NUMBERS[r.nextInt(BAD_NUMBERS.length)]!;
    default:
      return jsonNumber(r);
  }
}

/** A line of twin's form, then sometimes altered: whitespace, keys moved or renamed, a broken end. */
export function line(r: Xoshiro128): string {
  const n = r.nextInt(5);
  const entries: string[] = [];
  for (let k = 0; k < n; k++) entries.push(`${spellTag(r, tag(r))}:${value(r)}`);
  const step = r.nextInt(6) === 0 ? jsonNumber(r) : String(r.nextInt(100000));
  const wall = r.nextInt(6) === 0 ? value(r) : JSON.stringify(1.7e9 + r.nextFloat() * 1e6);
  let s = `{"kind":"scalars","step":${step},"wall_time":${wall},"values":{${entries.join(",")}}}`;
  switch (r.nextInt(16)) {
    case 0: {
      const at = 1 + r.nextInt(s.length - 1);
      s = s.slice(0, at) + [" ", "\t", "\r", "  "][r.nextInt(4)] + s.slice(at);
      break;
    }
    case 1:
      s = s.replace('"step"', '"wall_time"').replace(/"wall_time":([^,]*),"values"/, '"step":$1,"values"');
      break;
    case 2:
      s = s.replace('"scalars"', ['"text"', '"Scalars"', '"scalars "', '"\\u0073calars"'][r.nextInt(4)]!);
      break;
    case 3:
      s = s.slice(0, r.nextInt(s.length));
      break;
    case 4:
      s += [",", "}", " ", "\r", "x", ',"kind":"text"}'][r.nextInt(6)]!;
      if (s.endsWith(',"kind":"text"}')) s = s.slice(0, -(',"kind":"text"}'.length + 1)) + ',"kind":"text"}';
      break;
    case 5:
      s = s.replace(',"values"', ',"extra":1,"values"');
      break;
    case 6:
      s = s.replace('"step":', '"step":"').replace(',"wall_time"', '","wall_time"');
      break;
    default:
      break;
  }
  return s;
}

/** Whether `text` is valid JSON (a generated line that does not parse is drawn again where a test needs lines that parse). */
export function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
