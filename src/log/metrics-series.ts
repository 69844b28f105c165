/**
 * A run's `metrics.jsonl` read into one series per tag, for `twin report` and
 * `twin stats` on a log folder: what readMetricsJsonl reads (the reference,
 * which stays the JavaScript path), grouped by tag with a step logged twice
 * keeping the value written last, but with twin's own scalars lines read a
 * stretch at a time by the native scanner (native-scan.ts; about three times
 * less CPU on a cold read) and no object made per point.
 *
 * The file is read as forEachLine reads it (1 MiB reads, the same line
 * numbers, the same cut at 64 MiB) and every line the scanner does not take
 * (the first line, notes, the end line, CRLF, blanks, whitespace, escapes,
 * duplicated tags, numbers beyond double's range, a cut-off last line, damage)
 * goes through readMetricsJsonl's own path: scanScalarsLine, then
 * parseJsonlLine, so the values, the damaged-line messages and the handling
 * of a last line without its newline are the same. A file with a scalars line
 * whose step is not a number (only a hand-written line has one) is read by
 * readMetricsJsonl itself and grouped as before. test/log/metrics-series.test.ts
 * compares the three (native, JavaScript, readMetricsJsonl grouped).
 */
import { forEachLine, parseJsonlLine } from "./jsonl.ts";
import { addMetricsLine, fromJsonNumber, keepLongTextNote, readMetricsJsonl, type MetricsFileData, type MetricsLine } from "./metrics-jsonl.ts";
import { nativeScan, type ScanScalars } from "./native-scan.ts";
import { newScalarsLine, scanScalarsLine } from "./scalars-line.ts";

/** One tag's points, sorted by step. */
export interface TagSeries {
  steps: Float64Array;
  values: Float64Array;
}

/** A metrics.jsonl read by {@link readMetricsSeries}: readMetricsJsonl's data with the scalars as one series per tag. */
export interface MetricsSeriesData extends Omit<MetricsFileData, "scalars"> {
  /** Series by tag (tags sorted), each sorted by step; a step logged more than once keeps the value written last. */
  scalars: Record<string, TagSeries>;
}

/** Options of {@link readMetricsSeries}. */
export interface ReadMetricsSeriesOptions {
  /** The native scanner (default: loaded, else null); null reads every line by the JavaScript path. */
  scan?: ScanScalars | null;
  /**
   * A step logged twice as 0 and -0 keeps the sign written last (readRunTree's
   * rule) instead of the first (the report's); the value is the last either way.
   */
  lastStep?: boolean;
}

/** One tag's points in line order while the file is read: pieces from the scanner and points read one by one. */
class TagPoints {
  private pieces: [Float64Array, Float64Array][] = [];
  private steps: number[] = [];
  private values: number[] = [];

  add(step: number, value: number): void {
    this.steps.push(step);
    this.values.push(value);
  }

  addPiece(steps: Float64Array, values: Float64Array): void {
    this.flush();
    this.pieces.push([steps, values]);
  }

  private flush(): void {
    if (this.steps.length === 0) return;
    this.pieces.push([Float64Array.from(this.steps), Float64Array.from(this.values)]);
    this.steps = [];
    this.values = [];
  }

  /** Every point in line order (a single piece as it is). */
  all(): [Float64Array, Float64Array] {
    this.flush();
    if (this.pieces.length === 1) return this.pieces[0]!;
    const n = this.pieces.reduce((a, [s]) => a + s.length, 0);
    const steps = new Float64Array(n), values = new Float64Array(n);
    let at = 0;
    for (const [s, v] of this.pieces) {
      steps.set(s, at);
      values.set(v, at);
      at += s.length;
    }
    return [steps, values];
  }
}

/**
 * The points of one tag in line order as a series sorted by step, a step
 * logged twice keeping the value written last (as the report's bySteps and
 * readRunTree's toSeries: a Map by step, then a sort by step); steps already
 * increasing are the series as they are.
 */
function lastWritten(steps: Float64Array, values: Float64Array, lastStep: boolean): TagSeries {
  let increasing = true;
  for (let i = 1; i < steps.length && increasing; i++) increasing = steps[i]! > steps[i - 1]!;
  if (increasing) return { steps, values };
  const byStep = new Map<number, number>();
  for (let i = 0; i < steps.length; i++) {
    if (lastStep) byStep.delete(steps[i]!);
    byStep.set(steps[i]!, values[i]!);
  }
  const points = [...byStep].sort((a, b) => a[0] - b[0]);
  return { steps: Float64Array.from(points, (p) => p[0]), values: Float64Array.from(points, (p) => p[1]) };
}

/** readMetricsJsonl's points grouped as the report grouped them (steps that are not numbers, from hand-written lines, kept as Map keys until then). */
function groupPoints(points: MetricsFileData["scalars"], lastStep: boolean): Record<string, TagSeries> {
  const byTag = new Map<string, Map<unknown, number>>();
  for (const p of points) {
    let m = byTag.get(p.tag);
    if (!m) byTag.set(p.tag, (m = new Map()));
    if (lastStep) m.delete(p.step);
    m.set(p.step, p.value);
  }
  const out: Record<string, TagSeries> = {};
  for (const tag of [...byTag.keys()].sort()) {
    const sorted = [...byTag.get(tag)!].sort((a, b) => (a[0] as number) - (b[0] as number));
    out[tag] = { steps: Float64Array.from(sorted, (p) => p[0] as number), values: Float64Array.from(sorted, (p) => p[1]) };
  }
  return out;
}

const scanned = newScalarsLine();

/** Thrown inside the read when a line's step is not a number: the file is then read by readMetricsJsonl. */
const STEP_NOT_A_NUMBER = Symbol("step not a number");

/**
 * Reads `path` (a run's metrics.jsonl) into series by tag: readMetricsJsonl's
 * values, texts, hparams, status and cut-off last line, with its errors
 * (JsonlParseError naming the file and line; JsonlLineTooLongError), its
 * scalars grouped as the readers group them.
 */
export function readMetricsSeries(path: string, options: ReadMetricsSeriesOptions = {}): MetricsSeriesData {
  const scan = options.scan === undefined ? nativeScan : options.scan;
  const lastStep = options.lastStep ?? false;
  const tags = new Map<string, TagPoints>();
  const out: MetricsFileData = { scalars: [], texts: [] };
  const tagPoints = (tag: string) => {
    let t = tags.get(tag);
    if (!t) tags.set(tag, (t = new TagPoints()));
    return t;
  };
  /** One line, as readMetricsJsonl's visit reads it. */
  const visit = (buffer: Buffer, start: number, end: number, lineNo: number, complete: boolean) => {
    if (scanScalarsLine(buffer, start, end, scanned)) {
      for (let k = 0; k < scanned.n; k++) tagPoints(scanned.tags[k]!).add(scanned.step, scanned.values[k]!);
      return;
    }
    const parsed = parseJsonlLine(path, buffer, start, end, lineNo, complete);
    if (parsed === "truncated") out.truncatedLine = lineNo;
    else if (parsed !== "blank") {
      const r = parsed.value as MetricsLine;
      if (typeof r === "object" && r !== null && r.kind === "scalars") {
        const entries = Object.entries(r.values ?? {});
        if (entries.length > 0 && typeof r.step !== "number") throw STEP_NOT_A_NUMBER;
        for (const [tag, v] of entries) tagPoints(tag).add(r.step, fromJsonNumber(v));
      } else addMetricsLine(out, r);
    }
  };
  /** The scanner's points of one stretch of lines. */
  const addScanned = (stretch: ReturnType<ScanScalars>) => {
    for (let k = 2; k < stretch.length; k += 4) tagPoints(stretch[k] as string).addPiece(stretch[k + 1] as Float64Array, stretch[k + 2] as Float64Array);
  };

  /** Twin's scalars lines, a stretch at a time; the line the scanner stops at is visited. */
  const takeLines = scan
    ? (buffer: Buffer, start: number, end: number) => {
        const stretch = scan(buffer, start, end);
        addScanned(stretch);
        return { next: stretch[0] as number, lines: stretch[1] as number };
      }
    : undefined;
  try {
    forEachLine(path, undefined, visit, keepLongTextNote(out), takeLines);
  } catch (e) {
    if (e !== STEP_NOT_A_NUMBER) throw e;
    const data = readMetricsJsonl(path);
    return { ...data, scalars: groupPoints(data.scalars, lastStep) };
  }
  const scalars: Record<string, TagSeries> = {};
  for (const tag of [...tags.keys()].sort()) {
    const [steps, values] = tags.get(tag)!.all();
    scalars[tag] = lastWritten(steps, values, lastStep);
  }
  // out.scalars stayed empty (every scalar went to its tag's points): replaced by the series.
  return { ...out, scalars };
}
