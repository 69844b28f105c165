/**
 * CSV / TSV tables.
 *
 * `parseCsv` is a generic RFC 4180 parser (header row, quoted fields with
 * embedded delimiters, quotes `""` and newlines, CRLF or LF line ends, a UTF-8
 * BOM dropped, delimiter detected among comma, tab and semicolon). Other layers
 * use it for long-form result files.
 *
 * `csvDataset` / `readCsvDataset` turn a numeric feature table into a Dataset:
 * feature columns → float32 [N, F], a target column → int64 class indices (with
 * `classes`) or float32 regression values. Row numbers in errors are 1-based as
 * a spreadsheet shows them: the header is row 1, the first data row is row 2.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { HostArray } from "./array.ts";
import type { Dataset } from "./dataset.ts";

/** Delimiters that `parseCsv` detects automatically. */
export const CSV_DELIMITERS = [",", "\t", ";"] as const;

export interface ParseCsvOptions {
  /** Field delimiter; detected from the header line when omitted (comma, tab or semicolon). */
  delimiter?: string;
  /** Name of the source, used in error messages (a file path). */
  source?: string;
}

/** A parsed table: header and data rows as strings. */
export interface CsvTable {
  header: string[];
  rows: string[][];
  /** 1-based spreadsheet row number of each data row (header = row 1); blank lines are skipped but counted. */
  rowNumbers: number[];
  /** The delimiter that was used. */
  delimiter: string;
}

/**
 * Guesses the delimiter from the first line: the one among comma, tab and
 * semicolon that occurs most often outside quotes (comma on a tie or none).
 */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>(CSV_DELIMITERS.map((d) => [d, 0]));
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (c === "\n" || c === "\r")) break;
    else if (!inQuotes && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = ",";
  let bestCount = 0;
  for (const [d, n] of counts) {
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/**
 * Parses CSV text into a header and string rows (RFC 4180). Every data row must
 * have as many fields as the header; entirely blank lines are skipped.
 */
export function parseCsv(text: string, options: ParseCsvOptions = {}): CsvTable {
  const source = options.source ?? "CSV";
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const delimiter = options.delimiter ?? detectDelimiter(text);
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
    throw new Error(`${source}: invalid delimiter ${JSON.stringify(delimiter)}; use a single character such as "," or "\\t"`);
  }
  const records: { fields: string[]; row: number }[] = [];
  let fields: string[] = [];
  let field = "";
  let row = 1; // spreadsheet row of the record being read
  let i = 0;
  const n = text.length;
  let fieldStarted = false; // the current record has content (to skip blank lines)
  const endRecord = () => {
    fields.push(field);
    if (fieldStarted || fields.length > 1) records.push({ fields, row });
    fields = [];
    field = "";
    fieldStarted = false;
    row++;
  };
  while (i < n) {
    const c = text[i]!;
    if (c === '"' && field === "") {
      // Quoted field: runs to the next lone quote; "" is an escaped quote.
      const startRow = row;
      i++;
      let closed = false;
      while (i < n) {
        const q = text.indexOf('"', i);
        if (q < 0) break;
        field += text.slice(i, q);
        if (text[q + 1] === '"') {
          field += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        closed = true;
        break;
      }
      if (!closed) {
        throw new Error(`${source}: row ${startRow}: a quoted field is never closed (missing '"'); check the quoting of that row`);
      }
      fieldStarted = true;
      const next = text[i];
      if (next !== undefined && next !== delimiter && next !== "\n" && next !== "\r") {
        throw new Error(
          `${source}: row ${startRow}, column ${fields.length + 1}: unexpected ${JSON.stringify(next)} after a closing quote; inside a quoted field write a quote as ""`,
        );
      }
      continue;
    }
    if (c === delimiter) {
      fields.push(field);
      field = "";
      fieldStarted = true;
      i++;
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      i++;
      endRecord();
    } else {
      // Unquoted run: up to the next delimiter or line end, in one slice.
      let k = i + 1;
      while (k < n) {
        const d = text[k]!;
        if (d === delimiter || d === "\n" || d === "\r") break;
        k++;
      }
      field += text.slice(i, k);
      fieldStarted = true;
      i = k;
    }
  }
  if (fieldStarted || fields.length > 0 || field !== "") endRecord();
  if (records.length === 0) throw new Error(`${source}: the file is empty; expected a header row`);
  const header = records[0]!.fields;
  const rows: string[][] = [];
  const rowNumbers: number[] = [];
  for (let r = 1; r < records.length; r++) {
    const rec = records[r]!;
    if (rec.fields.length !== header.length) {
      throw new Error(
        `${source}: row ${rec.row} has ${rec.fields.length} fields but the header has ${header.length}; check for a stray ${delimiter === "\t" ? "tab" : JSON.stringify(delimiter)} or an unquoted field`,
      );
    }
    rows.push(rec.fields);
    rowNumbers.push(rec.row);
  }
  return { header, rows, rowNumbers, delimiter };
}

/** Spreadsheet letter of a 0-based column index (0 → A, 26 → AA). */
export function columnLetter(index: number): string {
  let s = "";
  let n = index + 1;
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses a decimal number strictly (no empty, NaN, hex or trailing text); undefined otherwise. */
export function parseNumberStrict(s: string): number | undefined {
  const t = s.trim();
  if (!NUMBER_RE.test(t)) return undefined;
  return Number(t);
}

/** A column given by header name or 0-based index. */
export type CsvColumn = string | number;

export interface CsvDatasetOptions extends ParseCsvOptions {
  /** The target column (header name or 0-based index). */
  target: CsvColumn;
  /** Feature columns in order; default: every column except the target and `ignore`. */
  features?: CsvColumn[];
  /** Columns to leave out of the default feature set (ids, free text). */
  ignore?: CsvColumn[];
  /**
   * How to read the target: "class" → int64 class indices, "regression" →
   * float32 values, "auto" (default) → regression if any value is a non-integer
   * number, else class.
   *
   * Class labels: string labels map to indices in sorted order (like
   * torchvision's ImageFolder); non-negative integer labels are kept as they are
   * (so 0..9 stays 0..9 even if a class is absent from this file), with
   * `classes` = ["0", ..., String(max)]. Give `classes` to fix the order.
   */
  targetKind?: "auto" | "class" | "regression";
  /** Class names in index order; labels not in this list are an error. */
  classes?: string[];
  /** Dataset name (defaults to the file name or "csv"). */
  name?: string;
}

/** Builds a Dataset from CSV text: float32 [N, F] features and a target column. */
export function csvDataset(text: string, options: CsvDatasetOptions): Dataset {
  const source = options.source ?? "CSV";
  const table = parseCsv(text, options);
  const { header, rows, rowNumbers } = table;
  const col = (c: CsvColumn, what: string): number => resolveColumn(header, c, what, source);
  const targetCol = col(options.target, "target");
  const ignored = new Set((options.ignore ?? []).map((c) => col(c, "ignore")));
  const featureCols = options.features
    ? options.features.map((c) => col(c, "feature"))
    : header.map((_, i) => i).filter((i) => i !== targetCol && !ignored.has(i));
  if (featureCols.includes(targetCol)) {
    throw new Error(`${source}: column ${describeColumn(header, targetCol)} is both the target and a feature; remove it from features`);
  }
  if (featureCols.length === 0) throw new Error(`${source}: no feature columns left besides the target; the table needs at least one more column`);

  const N = rows.length;
  const F = featureCols.length;
  const x = new Float32Array(N * F);
  for (let r = 0; r < N; r++) {
    const fields = rows[r]!;
    for (let j = 0; j < F; j++) {
      const c = featureCols[j]!;
      const v = parseNumberStrict(fields[c]!);
      if (v === undefined) throw badValue(source, rowNumbers[r]!, header, c, fields[c]!);
      x[r * F + j] = v;
    }
  }
  const inputs: HostArray = { data: x, shape: [N, F], dtype: "float32" };
  const labels = rows.map((f) => f[targetCol]!);
  const { targets, classes } = readTarget(labels, rowNumbers, header, targetCol, options, source);
  const ds: Dataset = { name: options.name ?? "csv", inputs, targets };
  if (classes) ds.classes = classes;
  return ds;
}

/** Reads a CSV/TSV file into a Dataset; see {@link csvDataset}. */
export function readCsvDataset(path: string, options: CsvDatasetOptions): Dataset {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`cannot read CSV file ${path}: ${(e as Error).message}`);
  }
  return csvDataset(text, { ...options, source: options.source ?? path, name: options.name ?? basename(path).replace(/\.[^.]+$/, "") });
}

/** Reads a CSV/TSV file into a header and string rows; see {@link parseCsv}. */
export function readCsv(path: string, options: Omit<ParseCsvOptions, "source"> = {}): CsvTable {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`cannot read CSV file ${path}: ${(e as Error).message}`);
  }
  return parseCsv(text, { ...options, source: path });
}

function readTarget(
  labels: string[],
  rowNumbers: number[],
  header: string[],
  col: number,
  options: CsvDatasetOptions,
  source: string,
): { targets: HostArray; classes?: string[] } {
  const N = labels.length;
  const kind = options.targetKind ?? "auto";
  if (options.classes) {
    if (kind === "regression") throw new Error(`${source}: targetKind "regression" cannot be combined with classes`);
    const index = new Map(options.classes.map((c, i) => [c, i]));
    const out = new BigInt64Array(N);
    for (let r = 0; r < N; r++) {
      const k = index.get(labels[r]!.trim());
      if (k === undefined) {
        throw new Error(
          `${source}: row ${rowNumbers[r]}, column ${describeColumn(header, col)}: label ${JSON.stringify(labels[r])} is not one of the given classes (${options.classes.join(", ")})`,
        );
      }
      out[r] = BigInt(k);
    }
    return { targets: { data: out, shape: [N], dtype: "int64" }, classes: [...options.classes] };
  }
  const nums = labels.map(parseNumberStrict);
  const allNumeric = nums.every((v) => v !== undefined);
  if (kind === "regression" || (kind === "auto" && allNumeric && nums.some((v) => !Number.isInteger(v)))) {
    const out = new Float32Array(N);
    for (let r = 0; r < N; r++) {
      const v = nums[r];
      if (v === undefined) throw badValue(source, rowNumbers[r]!, header, col, labels[r]!);
      out[r] = v;
    }
    return { targets: { data: out, shape: [N], dtype: "float32" } };
  }
  if (allNumeric) {
    const out = new BigInt64Array(N);
    let max = -1;
    for (let r = 0; r < N; r++) {
      const v = nums[r]!;
      if (!Number.isInteger(v) || v < 0) {
        throw new Error(
          `${source}: row ${rowNumbers[r]}, column ${describeColumn(header, col)}: class label ${JSON.stringify(labels[r])} must be a non-negative integer (or pass classes, or targetKind "regression")`,
        );
      }
      out[r] = BigInt(v);
      if (v > max) max = v;
    }
    return {
      targets: { data: out, shape: [N], dtype: "int64" },
      classes: Array.from({ length: max + 1 }, (_, i) => String(i)),
    };
  }
  // String class labels: sorted unique names → indices.
  for (let r = 0; r < N; r++) {
    if (labels[r]!.trim() === "") {
      throw new Error(`${source}: row ${rowNumbers[r]}, column ${describeColumn(header, col)}: the class label is empty; fill or drop that row`);
    }
  }
  const classes = [...new Set(labels.map((l) => l.trim()))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(classes.map((c, i) => [c, i]));
  const out = new BigInt64Array(N);
  for (let r = 0; r < N; r++) out[r] = BigInt(index.get(labels[r]!.trim())!);
  return { targets: { data: out, shape: [N], dtype: "int64" }, classes };
}

function resolveColumn(header: string[], c: CsvColumn, what: string, source: string): number {
  if (typeof c === "number") {
    if (!Number.isInteger(c) || c < 0 || c >= header.length) {
      throw new Error(`${source}: ${what} column index ${c} is out of range; the table has ${header.length} columns (0-based)`);
    }
    return c;
  }
  const matches = header.flatMap((h, i) => (h.trim() === c ? [i] : []));
  if (matches.length === 0) {
    throw new Error(`${source}: ${what} column "${c}" not found; the header has: ${header.map((h) => JSON.stringify(h)).join(", ")}`);
  }
  if (matches.length > 1) {
    throw new Error(`${source}: ${what} column "${c}" appears ${matches.length} times in the header; rename it or give a 0-based index`);
  }
  return matches[0]!;
}

function describeColumn(header: string[], c: number): string {
  return `"${header[c]}" (${columnLetter(c)})`;
}

function badValue(source: string, row: number, header: string[], c: number, value: string): Error {
  const what = value.trim() === "" ? "the value is missing" : `${JSON.stringify(value)} is not a number`;
  return new Error(
    `${source}: row ${row}, column ${describeColumn(header, c)}: ${what}; fill or drop missing values, or list only numeric columns in features`,
  );
}
