/**
 * Per-example class predictions from any framework, read from files: NPY
 * (float16/float32/float64 [examples, classes], either byte order) or CSV/TSV (one row per example, one
 * column per class, header optional), and the matching labels (NPY of
 * integers, or CSV/text with one label per line). Rows are probabilities or
 * logits: logits are recognised (some value outside [0, 1]) and softmaxed,
 * with a note saying so; anything else is refused naming the file and row.
 */
import { parseCsv } from "../data/host/csv.ts";
import { parseNpy, parseNpyHeader } from "../data/host/npy.ts";
import { fromFloat16Bits } from "../store/prediction-codec.ts";
import { readRegularFile } from "../log/regular-file.ts";
import type { Predictions } from "../stats/ensemble.ts";

/** How the rows of a prediction file are read. */
export type PredictionKind = "auto" | "probabilities" | "logits";

/** How far a probability row's sum may be from 1 (half-precision probabilities of 10 classes stay within 0.005). */
export const PROBABILITY_SUM_TOLERANCE = 0.01;

export interface PredictionFile extends Predictions {
  file: string;
  /** What the rows held; logits have been softmaxed into `data`. */
  read: "probabilities" | "logits";
  /** Set when something was done to the values (logits softmaxed). */
  note?: string;
}

/** A table of numbers read from a file, with the name of each row for errors ("row 3" in NPY, "line 5" in CSV). */
interface NumberTable {
  data: Float32Array | Float64Array;
  rows: number;
  cols: number;
  rowName: (i: number) => string;
}

function isCsv(path: string): boolean {
  return /\.(csv|tsv|txt)$/i.test(path);
}

/**
 * A float16 NPY array ("<f2", ">f2"), widened to float32 (exactly: every
 * half-precision value is a float32); the data layer's NPY reader refuses
 * float16, but predictions are often saved in it.
 */
function parseFloat16Npy(bytes: Uint8Array, path: string): { data: Float32Array; shape: number[]; dtype: string } | undefined {
  const h = parseNpyHeader(bytes, path);
  const m = /^([<>=|]?)f2$/.exec(h.descr);
  if (!m) return undefined;
  const n = h.shape.reduce((a, b) => a * b, 1);
  if (bytes.length - h.dataOffset < 2 * n) throw new Error(`${path}: truncated NPY data: shape [${h.shape.join(", ")}] of float16 needs ${2 * n} bytes, the file has ${bytes.length - h.dataOffset}; the file is incomplete`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + h.dataOffset, 2 * n);
  const little = m[1] !== ">";
  const data = new Float32Array(n);
  const [rows, cols] = h.shape.length === 2 ? [h.shape[0]!, h.shape[1]!] : [n, 1];
  for (let i = 0; i < n; i++) {
    const v = fromFloat16Bits(view.getUint16(2 * i, little));
    // Fortran order stores column after column: element i is (i % rows, i / rows).
    data[h.fortranOrder && h.shape.length === 2 ? (i % rows) * cols + Math.floor(i / rows) : i] = v;
  }
  return { data, shape: h.shape, dtype: "float16" };
}

function readNpyTable(path: string): NumberTable {
  const bytes = readRegularFile(path);
  const a = parseFloat16Npy(bytes, path) ?? parseNpy(bytes, path);
  if (a.shape.length !== 2) {
    const hint = a.shape.length === 1 ? " (a 1-D array holds labels or predicted classes, not per-class probabilities)" : "";
    throw new Error(`${path}: expected a 2-D array [examples, classes], got shape [${a.shape.join(", ")}]${hint}`);
  }
  if (!(a.data instanceof Float32Array || a.data instanceof Float64Array)) {
    throw new Error(`${path}: predictions must be float16, float32 or float64, got ${a.dtype}; save them with np.save(path, probs.astype(np.float32))`);
  }
  return { data: a.data, rows: a.shape[0]!, cols: a.shape[1]!, rowName: (i) => `row ${i} (0-based)` };
}

function readCsvTable(path: string): NumberTable {
  const text = readRegularFile(path).toString("utf8");
  const table = parseCsv(text, { source: path });
  const headerIsData = table.header.every((h) => h.trim() !== "" && Number.isFinite(Number(h)));
  const rows = headerIsData ? [table.header, ...table.rows] : table.rows;
  const lines = headerIsData ? [1, ...table.rowNumbers] : table.rowNumbers;
  const cols = table.header.length;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => {
    r.forEach((cell, j) => {
      const v = cell.trim() === "" ? NaN : Number(cell);
      if (Number.isNaN(v) && !/^\s*nan\s*$/i.test(cell)) {
        throw new Error(`${path} line ${lines[i]}, column ${j + 1}: '${cell.slice(0, 40)}' is not a number`);
      }
      data[i * cols + j] = v;
    });
  });
  return { data, rows: rows.length, cols, rowName: (i) => `line ${lines[i]}` };
}

function readTable(path: string): NumberTable {
  return isCsv(path) ? readCsvTable(path) : readNpyTable(path);
}

/** True when row `i` is a probability vector: values in [0, 1], sum 1 within the tolerance. */
function isProbabilityRow(t: NumberTable, i: number): { ok: boolean; sum: number } {
  let sum = 0;
  let inRange = true;
  for (let j = 0; j < t.cols; j++) {
    const v = t.data[i * t.cols + j]!;
    if (v < -1e-6 || v > 1 + 1e-6) inRange = false;
    sum += v;
  }
  return { ok: inRange && Math.abs(sum - 1) <= PROBABILITY_SUM_TOLERANCE, sum };
}

/** Row-wise softmax (max subtracted first: logits of any size are safe). */
function softmaxRows(t: NumberTable): Float64Array {
  const out = new Float64Array(t.rows * t.cols);
  for (let i = 0; i < t.rows; i++) {
    const off = i * t.cols;
    let max = -Infinity;
    for (let j = 0; j < t.cols; j++) max = Math.max(max, t.data[off + j]!);
    let sum = 0;
    for (let j = 0; j < t.cols; j++) {
      const e = Math.exp(t.data[off + j]! - max);
      out[off + j] = e;
      sum += e;
    }
    for (let j = 0; j < t.cols; j++) out[off + j] = out[off + j]! / sum;
  }
  return out;
}

/**
 * Reads one prediction file. `kind` "auto" takes the rows as probabilities
 * when every row is one, as logits when some value lies outside [0, 1], and
 * refuses values in [0, 1] whose rows do not sum to 1 (neither).
 */
export function readPredictionFile(path: string, kind: PredictionKind = "auto"): PredictionFile {
  const t = readTable(path);
  if (t.rows === 0) throw new Error(`${path}: no examples (0 rows)`);
  if (t.cols < 2) throw new Error(`${path}: ${t.cols} column(s); predictions need one column per class (at least 2), shape [examples, classes]`);
  for (let i = 0; i < t.rows; i++) {
    for (let j = 0; j < t.cols; j++) {
      const v = t.data[i * t.cols + j]!;
      if (!Number.isFinite(v)) throw new Error(`${path} ${t.rowName(i)}, class ${j}: ${v} is neither a probability nor a logit; fix or drop that model's predictions`);
    }
  }
  const shape: [number, number] = [t.rows, t.cols];
  if (kind === "logits") return { file: path, data: softmaxRows(t), shape, read: "logits", note: `${path}: read as logits (--logits) and softmaxed` };
  let firstOutside = -1;
  let firstBadSum = -1;
  let badSum = 0;
  for (let i = 0; i < t.rows && firstOutside < 0; i++) {
    const { ok, sum } = isProbabilityRow(t, i);
    if (ok) continue;
    const off = i * t.cols;
    const outside = Array.from(t.data.subarray(off, off + t.cols)).some((v) => v < -1e-6 || v > 1 + 1e-6);
    if (outside) firstOutside = i;
    else if (firstBadSum < 0) {
      firstBadSum = i;
      badSum = sum;
    }
  }
  if (kind === "probabilities" && (firstOutside >= 0 || firstBadSum >= 0)) {
    const i = firstOutside >= 0 ? firstOutside : firstBadSum;
    throw new Error(`${path} ${t.rowName(i)}: not a probability vector (sum ${isProbabilityRow(t, i).sum.toPrecision(6)}, values must lie in [0, 1] and sum to 1 ± ${PROBABILITY_SUM_TOLERANCE}); drop --probabilities to let twin detect logits`);
  }
  if (firstOutside >= 0) {
    return { file: path, data: softmaxRows(t), shape, read: "logits", note: `${path}: values outside [0, 1] (first in ${t.rowName(firstOutside)}): read as logits and softmaxed` };
  }
  if (firstBadSum >= 0) {
    throw new Error(
      `${path} ${t.rowName(firstBadSum)}: values in [0, 1] that sum to ${badSum.toPrecision(6)}: neither probabilities (rows sum to 1 ± ${PROBABILITY_SUM_TOLERANCE}) nor recognisably logits. ` +
        `Pass --logits if they are logits or scores, or normalise each row (e.g. sigmoid outputs) before ensembling`,
    );
  }
  return { file: path, data: t.data, shape, read: "probabilities" };
}

/** Reads class labels: a 1-D NPY of integers (or integer-valued floats), or CSV/text with one label per line (header optional). */
export function readLabelsFile(path: string): { labels: Int32Array; rowName: (i: number) => string } {
  let values: ArrayLike<number>;
  let rowName: (i: number) => string;
  if (isCsv(path)) {
    const t = readCsvTable(path);
    if (t.cols !== 1) throw new Error(`${path}: ${t.cols} columns; labels need one column (one integer class per line)`);
    values = t.data;
    rowName = t.rowName;
  } else {
    const a = parseNpy(readRegularFile(path), path);
    const flat = a.shape.length === 1 || (a.shape.length === 2 && a.shape[1] === 1);
    if (!flat) throw new Error(`${path}: labels must be a 1-D array [examples], got shape [${a.shape.join(", ")}]`);
    values = a.data instanceof BigInt64Array ? Array.from(a.data, Number) : (a.data as ArrayLike<number>);
    rowName = (i) => `row ${i} (0-based)`;
  }
  const labels = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (!Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1) throw new Error(`${path} ${rowName(i)}: label ${v} is not a class index (a non-negative integer)`);
    labels[i] = v;
  }
  return { labels, rowName };
}

/**
 * Checks prediction files against each other and the labels: the same number
 * of examples and classes everywhere, every label a class the predictions have.
 */
export function checkPredictionSet(files: readonly PredictionFile[], labelsPath: string, labels: { labels: Int32Array; rowName: (i: number) => string }): void {
  const first = files[0]!;
  for (const f of files.slice(1)) {
    if (f.shape[0] !== first.shape[0]) {
      throw new Error(`${f.file}: ${f.shape[0]} examples but ${first.file} has ${first.shape[0]}; every prediction file must cover the same examples in the same order`);
    }
    if (f.shape[1] !== first.shape[1]) throw new Error(`${f.file}: ${f.shape[1]} classes but ${first.file} has ${first.shape[1]}`);
  }
  const [nEx, nCls] = first.shape;
  if (labels.labels.length !== nEx) throw new Error(`${labelsPath}: ${labels.labels.length} labels but the predictions have ${nEx} examples (${first.file})`);
  for (let i = 0; i < nEx; i++) {
    if (labels.labels[i]! >= nCls) {
      throw new Error(`${labelsPath} ${labels.rowName(i)}: label ${labels.labels[i]} is out of range: the predictions have ${nCls} classes (0..${nCls - 1})`);
    }
  }
}
