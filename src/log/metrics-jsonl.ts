/**
 * The `metrics.jsonl` format that {@link RunLogger} writes beside the event
 * file: one JSON object per line, discriminated by `kind`.
 *
 * ```
 * {"kind":"scalars","step":100,"wall_time":1712345678.25,"values":{"train/loss":0.31,"val/acc":"NaN"}}
 * {"kind":"text","step":0,"wall_time":…,"tag":"fingerprint","text":"sha256:…"}
 * {"kind":"hparams","wall_time":…,"hparams":{"lr":0.001,"opt":"adam"},"metrics":["val/acc"],"group":"study/variant"}
 * {"kind":"end","wall_time":…,"status":"success"}
 * ```
 *
 * Numbers are written as full-precision doubles (the event file holds
 * float32); NaN and ±Infinity, which JSON lacks, are written as the strings
 * `"NaN"`, `"Infinity"`, `"-Infinity"` and decoded back.
 */
import { type HParams, type SessionStatus } from "./hparams.ts";
import { forEachLine, MAX_LINE_BYTES, parseJsonlLine, type JsonlParseError } from "./jsonl.ts";
import { newScalarsLine, scanScalarsLine } from "./scalars-line.ts";

/** Name of the metrics file in a run directory. */
export const METRICS_FILE = "metrics.jsonl";

/** A scalar, or its JSON-safe stand-in for NaN / ±Infinity. */
export type JsonNumber = number | "NaN" | "Infinity" | "-Infinity";

/** One line of `metrics.jsonl`. */
export type MetricsLine =
  | { kind: "scalars"; step: number; wall_time: number; values: Record<string, JsonNumber> }
  | { kind: "text"; step: number; wall_time: number; tag: string; text: string }
  | { kind: "hparams"; wall_time: number; hparams: HParams; metrics: string[]; group?: string }
  | { kind: "end"; wall_time: number; status: SessionStatus };

/** Encodes a number so that JSON keeps NaN and infinities. */
export function toJsonNumber(x: number): JsonNumber {
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
}

/** Inverse of {@link toJsonNumber}; anything else that is not a number gives NaN. */
export function fromJsonNumber(x: unknown): number {
  if (typeof x === "number") return x;
  if (x === "Infinity") return Infinity;
  if (x === "-Infinity") return -Infinity;
  return NaN;
}

/** The contents of a `metrics.jsonl`, decoded. */
export interface MetricsFileData {
  /** Scalars in file order, values decoded to numbers. */
  scalars: { tag: string; step: number; value: number; wallTime: number }[];
  texts: { tag: string; step: number; text: string; wallTime: number }[];
  /** The last `hparams` line, if any. */
  hparams?: { hparams: HParams; metrics: string[]; group?: string };
  /** The last `end` status, if any. */
  status?: SessionStatus;
  /** 1-based number of a skipped truncated last line. */
  truncatedLine?: number;
}

/** The start of a text line as RunLogger writes it: kind, step, wall time and tag come before the text. */
const TEXT_LINE_HEAD = /^\{"kind":"text","step":(-?\d+),"wall_time":(-?[\d.eE+-]+),"tag":("(?:[^"\\]|\\.)*"),"text":"/;

/** forEachLine's `tooLong` for a metrics.jsonl: a text note's head is kept in `out.texts` (longTextNote); any other line too long is an error. */
export function keepLongTextNote(out: MetricsFileData): (head: Buffer) => boolean {
  return (head) => {
    const note = longTextNote(head);
    if (note) out.texts.push(note);
    return note !== undefined;
  };
}

/**
 * A text line too long to read (over 64 MiB: a log or a blob written as a
 * note), from its first bytes: its tag and step, with a text saying it was
 * left out; undefined for any other line.
 */
export function longTextNote(head: Buffer): MetricsFileData["texts"][number] | undefined {
  const m = TEXT_LINE_HEAD.exec(head.toString("utf8", 0, Math.min(head.length, 4096)));
  if (!m) return undefined;
  const text = `(a text of more than 64 MiB, left out: twin reads lines of up to ${MAX_LINE_BYTES} bytes)`;
  return { tag: JSON.parse(m[3]!) as string, step: Number(m[1]), text, wallTime: Number(m[2]) };
}

/**
 * Reads and decodes a `metrics.jsonl` file. Lines of unknown kind are ignored.
 * Twin's own scalars lines are read by scanScalarsLine (the same values,
 * without an object per line), every other line by JSON.parse. A text line
 * over 64 MiB is passed over (its tag and step kept, its text replaced by a
 * note saying so), so the run's metrics are read; any other line that long is
 * an error (JsonlLineTooLongError).
 */
export function readMetricsJsonl(path: string): MetricsFileData {
  const out: MetricsFileData = { scalars: [], texts: [] };
  const scanned = newScalarsLine();
  const visit = (buffer: Buffer, start: number, end: number, lineNo: number, complete: boolean) => {
    if (scanScalarsLine(buffer, start, end, scanned)) {
      for (let k = 0; k < scanned.n; k++) out.scalars.push({ tag: scanned.tags[k]!, step: scanned.step, value: scanned.values[k]!, wallTime: scanned.wallTime });
      return;
    }
    const parsed = parseJsonlLine(path, buffer, start, end, lineNo, complete);
    if (parsed === "truncated") out.truncatedLine = lineNo;
    else if (parsed !== "blank") addMetricsLine(out, parsed.value as MetricsLine);
  };
  forEachLine(path, undefined, visit, keepLongTextNote(out));
  return out;
}

/** Adds one parsed line to `out` (readMetricsJsonl's reading of every line its scanner does not take). */
export function addMetricsLine(out: MetricsFileData, r: MetricsLine): void {
  if (typeof r !== "object" || r === null) return;
  switch (r.kind) {
    case "scalars":
      for (const [tag, v] of Object.entries(r.values ?? {})) {
        out.scalars.push({ tag, step: r.step, value: fromJsonNumber(v), wallTime: r.wall_time });
      }
      break;
    case "text":
      out.texts.push({ tag: r.tag, step: r.step, text: r.text, wallTime: r.wall_time });
      break;
    case "hparams":
      out.hparams = { hparams: r.hparams, metrics: r.metrics ?? [], ...(r.group !== undefined ? { group: r.group } : {}) };
      break;
    case "end":
      out.status = r.status;
      break;
  }
}

/**
 * What a reader says of a metrics.jsonl with a damaged line in its middle
 * (twin writes whole lines, so the file was edited or its storage damaged):
 * the line, and that the run's event files were read instead when it has any.
 */
export function damagedMetricsNote(err: JsonlParseError, readEventsInstead: boolean): string {
  return readEventsInstead
    ? `${err.message}; the file was not read: the run's values come from its TensorBoard event files (the same numbers, in float32)`
    : `${err.message}: the run's values after it cannot be trusted and it has no event files to read instead. Repair or delete that line, or move the run's folder out of the log folder`;
}
