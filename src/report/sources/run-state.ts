/**
 * A run's metrics.jsonl as the dashboard's index keeps it: every tag's series
 * packed as numbers, the run's status, hyper-parameters and notes, and how far
 * the file was read (`offset`, just after its last complete line), so that
 * lines appended later are read and folded in without reading the file again.
 * Same meaning as readMetricsJsonl + readRunDir: a step logged twice keeps the
 * value written last; the status is the last `end` line's, else "running".
 * Two differences: a last line without its newline is left until its newline
 * is written (twin's writer writes whole lines; a fragment is a line being
 * written); a note's text longer than {@link NOTE_HEAD_CHARS} is kept as its
 * head and its length (boundedNote: a 50 MB log written as a note would
 * otherwise stay in the dashboard's memory and index). A line over
 * MAX_LINE_BYTES is read as readMetricsJsonl reads it: a text note passed
 * over with its tag and step, any other line an error (JsonlLineTooLongError).
 */
import { closeSync, openSync, readSync } from "node:fs";
import { JsonlLineTooLongError, JsonlParseError, MAX_LINE_BYTES } from "../../log/jsonl.ts";
import { fromJsonNumber, longTextNote, type MetricsLine } from "../../log/metrics-jsonl.ts";
import { newScalarsLine, scanScalarsLine, type ScalarsLine } from "../../log/scalars-line.ts";
import { nativeScan, type ScanScalars } from "../../log/native-scan.ts";
import type { HParams } from "../../log/hparams.ts";
import type { RunData, Series } from "../types.ts";
import { factorSeedsFromHParams } from "../../log/factor-seeds.ts";

/** One tag's points, sorted by step, in growable packed arrays (`n` used). */
export interface PackedSeries {
  steps: Float64Array;
  values: Float64Array;
  n: number;
}

export interface RunState {
  /** Bytes read: the file up to and including its last complete line. */
  offset: number;
  /** Lines read (for error messages: the line number of the next one is lines + 1). */
  lines: number;
  status?: string;
  hparams?: HParams;
  fingerprint?: string;
  notes: string[];
  series: Map<string, PackedSeries>;
}

export function emptyRunState(): RunState {
  return { offset: 0, lines: 0, notes: [], series: new Map() };
}

/** Adds (step, value) to a series: appended when past the last step, else set in place (a step logged again) or inserted. */
export function addPoint(s: PackedSeries, step: number, value: number): void {
  const n = s.n;
  if (n === 0 || step > s.steps[n - 1]!) {
    if (n === s.steps.length) grow(s, Math.max(16, n * 2));
    s.steps[n] = step;
    s.values[n] = value;
    s.n = n + 1;
    return;
  }
  // Binary search for the step (a resumed run logs steps again).
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s.steps[mid]! < step) lo = mid + 1;
    else hi = mid;
  }
  if (s.steps[lo] === step) {
    s.values[lo] = value;
    return;
  }
  if (n === s.steps.length) grow(s, n * 2);
  s.steps.copyWithin(lo + 1, lo, n);
  s.values.copyWithin(lo + 1, lo, n);
  s.steps[lo] = step;
  s.values[lo] = value;
  s.n = n + 1;
}

function grow(s: PackedSeries, size: number): void {
  const steps = new Float64Array(size), values = new Float64Array(size);
  steps.set(s.steps.subarray(0, s.n));
  values.set(s.values.subarray(0, s.n));
  s.steps = steps;
  s.values = values;
}

/** Longest note text the dashboard keeps, in characters; a longer one keeps this many and says how long it was. */
export const NOTE_HEAD_CHARS = 4096;

/**
 * A note's text as the dashboard keeps it: whole up to NOTE_HEAD_CHARS, else
 * its head (copied: a slice of the string would keep the whole of it alive)
 * and what was left out, with the line that holds the rest.
 */
export function boundedNote(text: string, line: number): string {
  if (text.length <= NOTE_HEAD_CHARS) return text;
  const head = Buffer.from(text.slice(0, NOTE_HEAD_CHARS), "utf16le").toString("utf16le");
  return `${head}… [clipped: the text has ${text.length.toLocaleString("en-US")} characters, the first ${NOTE_HEAD_CHARS.toLocaleString("en-US")} are kept; the whole text is line ${line} of the run's metrics.jsonl]`;
}

function apply(state: RunState, r: MetricsLine): void {
  if (typeof r !== "object" || r === null) return;
  switch (r.kind) {
    case "scalars": {
      const values = r.values ?? {};
      for (const tag in values) {
        let s = state.series.get(tag);
        if (!s) state.series.set(tag, (s = { steps: new Float64Array(capacity), values: new Float64Array(capacity), n: 0 }));
        addPoint(s, r.step, fromJsonNumber(values[tag]));
      }
      break;
    }
    case "text":
      if (r.tag === "fingerprint") state.fingerprint = r.text;
      else state.notes.push(`${r.tag} (step ${r.step}): ${typeof r.text === "string" ? boundedNote(r.text, state.lines) : r.text}`);
      break;
    case "hparams":
      state.hparams = r.hparams;
      break;
    case "end":
      state.status = r.status;
      break;
  }
}

/** Bytes read per call (more for a longer line, up to MAX_LINE_BYTES + 1: a line of MAX_LINE_BYTES and its newline). */
const CHUNK = 1 << 22;
/** Bytes of a line too long to read from which a text note's tag and step are taken (longTextNote reads 4096). */
const LONG_LINE_HEAD = 4096;

let buffer = Buffer.allocUnsafe(CHUNK);
const scanned = newScalarsLine();

/** Position of the first newline of `fd` in [from, size), read through `buffer`; −1: none yet (the line is still being written). */
function newlineAfter(fd: number, buffer: Buffer, from: number, size: number): number {
  for (let pos = from; pos < size; ) {
    const got = readSync(fd, buffer, 0, Math.min(buffer.length, size - pos), pos);
    if (got === 0) return -1;
    const nl = buffer.subarray(0, got).indexOf(0x0a);
    if (nl >= 0) return pos + nl;
    pos += got;
  }
  return -1;
}

/**
 * Reads the complete lines of `path` from `state.offset` to `size` into
 * `state` (which it changes). A malformed complete line throws
 * JsonlParseError naming the file and line. Returns the `tail` bytes before
 * the new offset (fewer at the start of the file; the index's check that a
 * file was only appended to), taken from what was read where it holds them.
 * `scan`: the native scanner for twin's scalars lines (native-scan.ts; null:
 * every line read by the JavaScript path, the reference).
 */
export function readAppended(path: string, state: RunState, size: number, tail = 0, scan: ScanScalars | null = nativeScan): Buffer {
  if (size <= state.offset && tail === 0) return Buffer.alloc(0);
  const fd = openSync(path, "r");
  try {
    let pos = state.offset;
    /** The tail, copied from the last stretch parsed (the next read overwrites the buffer); undefined: not in it. */
    let tailBytes: Buffer | undefined;
    // A series made while reading a long stretch of the file is made for its lines at once (a twin scalars line has 60 bytes or more), not grown from 16.
    capacity = Math.min(MAX_CAPACITY, Math.max(MIN_CAPACITY, Math.floor((size - pos) / 64)));
    while (pos < size) {
      const want = Math.min(buffer.length, size - pos);
      const got = readSync(fd, buffer, 0, want, pos);
      if (got === 0) break;
      const nl = buffer.lastIndexOf(0x0a, got - 1);
      if (nl < 0) {
        // The fragment at the end (left until its newline is written; or the file shrank), or a line longer than the buffer.
        if (got < want || pos + got >= size) break;
        if (buffer.length <= MAX_LINE_BYTES) {
          buffer = Buffer.allocUnsafe(Math.min(buffer.length * 2, MAX_LINE_BYTES + 1));
          continue;
        }
        // Longer than any line read as one record: passed over as readMetricsJsonl passes it (a text note's head kept), else an error.
        const note = longTextNote(buffer.subarray(0, LONG_LINE_HEAD));
        if (!note) throw new JsonlLineTooLongError(path, state.lines + 1);
        const end = newlineAfter(fd, buffer, pos + got, size);
        if (end < 0) break;
        state.lines++;
        state.notes.push(`${note.tag} (step ${note.step}): ${note.text}`);
        pos = state.offset = end + 1;
        tailBytes = undefined;
        continue;
      }
      parseLines(path, state, buffer, nl + 1, scan);
      pos += nl + 1;
      state.offset = pos;
      tailBytes = undefined;
      if (nl + 1 >= tail) {
        // Buffer.alloc, not a slice of a shared pool: a tail posted to another thread carries only its own bytes.
        tailBytes = Buffer.alloc(tail);
        buffer.copy(tailBytes, 0, nl + 1 - tail, nl + 1);
      }
    }
    // A line longer than CHUNK made the buffer grow: it is not kept that long.
    if (buffer.length > CHUNK) buffer = Buffer.allocUnsafe(CHUNK);
    if (tailBytes) return tailBytes;
    const n = Math.min(tail, state.offset);
    const out = Buffer.alloc(n);
    readSync(fd, out, 0, n, state.offset - n);
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Length of a series made while reading (see readAppended), within [MIN_CAPACITY, MAX_CAPACITY]. */
let capacity = 16;
const MIN_CAPACITY = 16, MAX_CAPACITY = 4096;

/** Adds a scalars line read by scanScalarsLine, as `apply` adds the same line parsed. */
function applyScalars(state: RunState, line: ScalarsLine): void {
  for (let k = 0; k < line.n; k++) {
    const tag = line.tags[k]!;
    let s = state.series.get(tag);
    if (!s) state.series.set(tag, (s = { steps: new Float64Array(capacity), values: new Float64Array(capacity), n: 0 }));
    addPoint(s, line.step, line.values[k]!);
  }
}

/**
 * Adds the points of a native scan (native-scan.ts: per tag, its points in
 * line order) to `state` as addPoint adds them one by one, but at once where
 * that would only append (steps increasing past the series' last): a new
 * tag's arrays are then taken as they are.
 */
function applyScanned(state: RunState, scanned: ReturnType<ScanScalars>): void {
  for (let k = 2; k < scanned.length; k += 4) {
    const tag = scanned[k] as string, steps = scanned[k + 1] as Float64Array, values = scanned[k + 2] as Float64Array;
    let s = state.series.get(tag);
    const m = steps.length;
    if (!s && scanned[k + 3] === true) {
      state.series.set(tag, { steps, values, n: m });
      continue;
    }
    if (!s) state.series.set(tag, (s = { steps: new Float64Array(capacity), values: new Float64Array(capacity), n: 0 }));
    if (scanned[k + 3] !== true || (s.n > 0 && !(steps[0]! > s.steps[s.n - 1]!))) {
      for (let j = 0; j < m; j++) addPoint(s, steps[j]!, values[j]!);
      continue;
    }
    if (s.n + m > s.steps.length) grow(s, Math.max(s.n + m, 2 * s.n));
    s.steps.set(steps, s.n);
    s.values.set(values, s.n);
    s.n += m;
  }
}

/**
 * Folds the complete lines of bytes[0, length) (ending with a newline) into
 * `state`: twin's scalars lines through the native scanner while it reads
 * them (`scan`), any line it stops at through the JavaScript scanner, else JSON.parse.
 */
function parseLines(path: string, state: RunState, bytes: Buffer, length: number, scan: ScanScalars | null): void {
  for (let start = 0; start < length; ) {
    if (scan) {
      const stretch = scan(bytes, start, length);
      state.lines += stretch[1] as number;
      applyScanned(state, stretch);
      start = stretch[0] as number;
      if (start >= length) break;
    }
    const end = bytes.indexOf(0x0a, start);
    state.lines++;
    if (scanScalarsLine(bytes, start, end, scanned)) applyScalars(state, scanned);
    else {
      const line = bytes.toString("utf8", start, end).replace(/\r$/, "");
      if (line.trim() !== "") {
        let r: MetricsLine;
        try {
          r = JSON.parse(line) as MetricsLine;
        } catch {
          throw new JsonlParseError(path, state.lines, "not valid JSON");
        }
        apply(state, r);
      }
    }
    start = end + 1;
  }
}

/**
 * A run's data for the report model, from its state. An ended run's series
 * are views on the state's arrays where those are exactly as long as the
 * series (decodeRunState's views on an index row or a reader thread's bytes:
 * nothing copied; an ended state is not read on). A running run's series are
 * copies, since its state grows and changes in place as lines are appended,
 * and so are series in arrays made longer than they are (a run just read:
 * a view would keep the whole array alive while the run waits to be folded).
 */
export function runDataOf(state: RunState, variant: string, seed: string, where: string): RunData {
  const scalars: Record<string, Series> = {};
  const running = state.status === undefined;
  for (const tag of [...state.series.keys()].sort()) {
    const s = state.series.get(tag)!;
    scalars[tag] = running || s.steps.length !== s.n ? { steps: s.steps.slice(0, s.n), values: s.values.slice(0, s.n) } : { steps: s.steps, values: s.values };
  }
  const run: RunData = { variant, seed, status: state.status ?? "running", scalars, where };
  if (state.hparams) {
    run.hparams = state.hparams;
    const fs = factorSeedsFromHParams(state.hparams);
    if (fs) run.factorSeeds = fs;
  }
  if (state.notes.length > 0) run.notes = [...state.notes];
  const fingerprint = state.fingerprint ?? (typeof state.hparams?.fingerprint === "string" ? state.hparams.fingerprint : undefined);
  if (fingerprint !== undefined) run.fingerprint = fingerprint;
  return run;
}

/** The state of a run read otherwise (from event files): its series, status, hyper-parameters, fingerprint and notes. */
export function runStateOf(run: RunData): RunState {
  const state = emptyRunState();
  for (const [tag, pts] of Object.entries(run.scalars)) {
    const n = pts.steps.length;
    const s: PackedSeries = { steps: new Float64Array(Math.max(1, n)), values: new Float64Array(Math.max(1, n)), n };
    s.steps.set(pts.steps);
    s.values.set(pts.values);
    state.series.set(tag, s);
  }
  state.status = run.status;
  if (run.hparams) state.hparams = run.hparams;
  if (run.fingerprint !== undefined) state.fingerprint = run.fingerprint;
  if (run.notes) state.notes = [...run.notes];
  return state;
}

/**
 * The state as bytes for the index: a JSON header (offset, lines, status,
 * hparams, fingerprint, notes, tags with their lengths), then each tag's steps
 * and values as float64.
 */
export function encodeRunState(state: RunState): Buffer {
  const tags = [...state.series].map(([tag, s]) => [tag, s.n] as const);
  const head = Buffer.from(JSON.stringify({ offset: state.offset, lines: state.lines, status: state.status, hparams: state.hparams, fingerprint: state.fingerprint, notes: state.notes, tags }), "utf8");
  const headBytes = Math.ceil((4 + head.length) / 8) * 8;
  const total = headBytes + tags.reduce((a, [, n]) => a + 16 * n, 0);
  const out = Buffer.alloc(total);
  out.writeUInt32LE(head.length, 0);
  head.copy(out, 4);
  let at = headBytes;
  for (const [tag, n] of tags) {
    const s = state.series.get(tag)!;
    Buffer.from(s.steps.buffer, s.steps.byteOffset, n * 8).copy(out, at);
    Buffer.from(s.values.buffer, s.values.byteOffset, n * 8).copy(out, at + n * 8);
    at += 16 * n;
  }
  return out;
}

/**
 * The state from its bytes (encodeRunState). The series are copied into
 * arrays of their own unless `shared` (the state is only read, never grown or
 * changed in place, and the bytes stay as they are): then, where the bytes
 * are 8-byte aligned, they are views on the same memory.
 */
export function decodeRunState(bytes: Uint8Array, shared = false): RunState {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLength = buf.readUInt32LE(0);
  const head = JSON.parse(buf.toString("utf8", 4, 4 + headLength)) as { offset: number; lines: number; status?: string; hparams?: HParams; fingerprint?: string; notes: string[]; tags: [string, number][] };
  let at = Math.ceil((4 + headLength) / 8) * 8;
  const series = new Map<string, PackedSeries>();
  for (const [tag, n] of head.tags) {
    const start = bytes.byteOffset + at;
    if (shared && start % 8 === 0 && n > 0) {
      series.set(tag, { steps: new Float64Array(bytes.buffer, start, n), values: new Float64Array(bytes.buffer, start + 8 * n, n), n });
    } else {
      // Copied into fresh arrays: the bytes may not be 8-byte aligned, and the series may grow.
      const steps = new Float64Array(Math.max(n, 1)), values = new Float64Array(Math.max(n, 1));
      new Uint8Array(steps.buffer).set(buf.subarray(at, at + 8 * n));
      new Uint8Array(values.buffer).set(buf.subarray(at + 8 * n, at + 16 * n));
      series.set(tag, { steps, values, n });
    }
    at += 16 * n;
  }
  const state: RunState = { offset: head.offset, lines: head.lines, notes: head.notes, series };
  if (head.status !== undefined && head.status !== null) state.status = head.status;
  if (head.hparams) state.hparams = head.hparams;
  if (head.fingerprint !== undefined && head.fingerprint !== null) state.fingerprint = head.fingerprint;
  return state;
}
