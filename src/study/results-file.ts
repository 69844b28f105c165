/**
 * Results from anywhere, in long form: one row per (variant, seed) with one
 * column per metric. Read from CSV/TSV, JSON Lines, or a TensorBoard log
 * directory in twin's layout (<study>/<variant>/seed-<n>/, last value of each tag).
 *
 * A run that diverged or failed is a result, not a row to clean away: a NaN
 * or infinite value marks it diverged, and an optional `status` column (or
 * key) says finished, diverged or failed (with an optional `error`). An empty
 * cell is kept as "missing" so that the analysis can say which row it was.
 */
import { factorSeedsFromHParams } from "../log/factor-seeds.ts";
import { NONE_INDEPENDENT, setAsideNotAllVaried, type SetAside } from "./not-independent.ts";
import { fingerprintRuns, type FingerprintRuns } from "./fingerprints-note.ts";
import { parseCsv } from "../data/host/csv.ts";
import { parseJsonl } from "../log/jsonl.ts";
import { readRunFinals, type RunFinals } from "../log/event-reader.ts";
import { referenceFromPairedTags } from "../log/twin-reference.ts";
import { FileTooLargeError, NotRegularFileError, readRegularFile } from "../log/regular-file.ts";
import { WrongInputError } from "../log/wrong-input.ts";
import { printable } from "./printable.ts";
import { isSqliteHeader } from "./sqlite-file.ts";
import { duplicateJsonKey } from "./json-duplicate-key.ts";
import { combinationName } from "./factorial-design.ts";

/** A results table is read whole as text: well under the longest string V8 holds (512 MiB). */
const MAX_RESULTS_FILE_BYTES = 256 << 20;
/**
 * Most rows (runs) a results table may hold. Reading keeps about 240 MB of
 * heap per million rows (measured on 1,000,000 rows of variant,seed,metric),
 * so the byte cap alone would let some 12 million short rows exhaust Node's
 * 4 GB heap: a native crash, not an error. Checked before parsing.
 */
export const MAX_RESULT_ROWS = 2_000_000;

/** How a run ended, as far as the results say. */
export type RunStatus = "finished" | "diverged" | "failed" | "unfinished";

export interface ResultRow {
  variant: string;
  seed: string;
  metrics: Record<string, number>;
  /** Where the row came from, for error messages ("results.csv row 4"). */
  where: string;
  /** From a status column, key or a log's session end (absent: finished unless a value is NaN/Inf). */
  status?: RunStatus;
  /** The failure's message, when the results give one. */
  error?: string;
  /** Factorial results: factor -> level of this run (the variant is then the combination, "optimizer=adam, augment=flip"). */
  levels?: Record<string, string>;
  /** Results read from a store (a sweep): the stored run the row is. */
  runId?: string;
  /** Prediction files of this run, as written in the `predictions` / `test_predictions` columns (or keys): paths relative to the results file. */
  files?: Partial<Record<PredictionColumn, string>>;
}

/** Columns naming a run's per-example prediction files (NPY or CSV [examples, classes]) on validation and on the held-out test set. */
export const PREDICTION_COLUMNS = ["predictions", "test_predictions"] as const;
export type PredictionColumn = (typeof PREDICTION_COLUMNS)[number];

export interface ResultTable {
  rows: ResultRow[];
  /** Metric names in file order. */
  metrics: string[];
  /** What the reader noticed and the analysis must mention (a truncated log file…). */
  notes?: string[];
  /** Runs of a log folder left out of `rows` because they are not independent seeds (one factor varied at a time, grid cells). */
  setAside?: SetAside;
  /** A log folder whose runs carry different fingerprints: each one with the runs that carry it. */
  fingerprints?: FingerprintRuns[];
  /** The study, when the results are a log folder of one study. */
  study?: string;
}

/**
 * A seed as the key that pairs runs: a whole number in any spelling ("7", "07",
 * "7.0", as pandas writes an integer column that has a missing cell) is that
 * number in decimal, so "7" and "7.0" pair; any other label is kept as written.
 */
export function seedKey(raw: string): string {
  const m = /^([+-]?)(\d+)(?:\.0*)?$/.exec(raw.trim());
  if (!m) return raw.trim();
  const n = BigInt(m[2]!);
  return (m[1] === "-" && n !== 0n ? "-" : "") + n.toString();
}

/** Columns that describe a row rather than measure it. */
const ROW_COLUMNS = new Set<string>(["variant", "seed", "status", "error", ...PREDICTION_COLUMNS]);

/** The prediction files a row names (empty cells: none). */
function filesAt(get: (column: PredictionColumn) => unknown, where: string): ResultRow["files"] {
  const files: Partial<Record<PredictionColumn, string>> = {};
  for (const c of PREDICTION_COLUMNS) {
    const v = get(c);
    if (v === undefined || v === null || String(v).trim() === "") continue;
    if (typeof v !== "string") throw new Error(`${where}, column "${c}": ${JSON.stringify(v)} is not a file path; give the path of that run's prediction file (NPY or CSV), relative to the results file`);
    files[c] = v.trim();
  }
  return Object.keys(files).length ? files : undefined;
}

const STATUS_WORDS: Record<string, RunStatus> = {
  finished: "finished", ok: "finished", success: "finished", done: "finished", completed: "finished",
  diverged: "diverged", nan: "diverged",
  failed: "failed", failure: "failed", error: "failed", crashed: "failed", killed: "failed", timeout: "failed",
  unfinished: "unfinished", running: "unfinished", stopped: "unfinished", queued: "unfinished",
};

/**
 * Longest name (variant, seed, metric or factor column, factor level) read
 * from a results file. Names are printed in tables, the report and the
 * dashboard: a column that holds something else (a dump, a path list) would
 * print megabytes per row, and past V8's longest string the report could not
 * be made at all.
 */
const MAX_NAME_CHARS = 1000;

/** `name` when it is a name's length; else an error saying what it is and where. */
function nameAt(name: string, what: string, where: string): string {
  if (name.length <= MAX_NAME_CHARS) return name;
  throw new Error(`${where}: the ${what} is ${name.length} characters long, more than the ${MAX_NAME_CHARS} twin takes for a name (does that column hold something else?); shorten it, or leave the column out`);
}

/** A cell's content quoted for an error: escaped, and clipped (a cell may be megabytes). */
function quoted(raw: unknown): string {
  const text = JSON.stringify(raw) ?? String(raw);
  return printable(text.length > 60 ? `${text.slice(0, 40)}…" (${text.length} characters)` : text);
}

function statusAt(raw: unknown, where: string): RunStatus | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  const s = STATUS_WORDS[String(raw).trim().toLowerCase()];
  if (s === undefined) throw new Error(`${where}, column "status": ${quoted(raw)} is not a run status; use finished, diverged, failed or unfinished`);
  return s;
}

const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, "+inf": Infinity, infinity: Infinity, "+infinity": Infinity, "-inf": -Infinity, "-infinity": -Infinity };

/**
 * A finite number written beyond a double's range (1e309) reads as ±Infinity,
 * which would count the run as diverged: an input the analysis cannot hold,
 * refused with where it is. (JSON has no infinity, so an infinite JSON number
 * was such a literal; `inf` in a CSV cell is read as written.)
 */
function overflowError(where: string, column: string, written: string): Error {
  return new Error(
    `${where}, column "${column}": ${written} is beyond the largest number a double holds (about 1.8e308), so it would read as infinity and count the run as diverged; ` +
      "if the run diverged write inf (or give it the status diverged), else rescale the metric",
  );
}

function numberAt(raw: unknown, where: string, column: string): number {
  if (typeof raw === "number") return raw;
  if (typeof raw === "string" && raw.trim() !== "") {
    const t = raw.trim().toLowerCase();
    if (t in SPECIAL) return SPECIAL[t]!;
    const v = Number(t);
    if (v === Infinity || v === -Infinity) throw overflowError(where, column, raw.trim());
    if (!Number.isNaN(v)) return v;
  }
  throw new Error(`${where}, column "${column}": ${quoted(raw)} is not a number; fix the value, leave the cell empty, or mark the run with a status column (diverged/failed)`);
}

function fromCsv(path: string, text: string, factors: readonly string[]): ResultTable {
  const table = parseCsv(text, { source: path });
  for (const required of factors.length ? ["seed", ...factors] : ["variant", "seed"]) {
    if (!table.header.includes(required)) {
      throw new Error(
        factors.includes(required)
          ? `${path}: no column "${required}" for --factors; factorial results need a seed column and one column per factor (found: ${table.header.map(printable).join(", ")})`
          : `${path}: missing column "${required}"; long-form results need columns variant, seed and one column per metric (found: ${table.header.map(printable).join(", ")})${required === "variant" ? `; factorial results, one column per factor and no variant column, are read by \`twin stats ${path} --factors <factor columns>\`` : ""}`,
      );
    }
  }
  table.header.forEach((h, i) => nameAt(h, `name of column ${i + 1}`, `${path} header`));
  const twice = table.header.find((h, i) => table.header.indexOf(h) !== i);
  if (twice !== undefined) throw new Error(`${path}: column "${printable(twice)}" appears twice in the header (columns ${table.header.indexOf(twice) + 1} and ${table.header.indexOf(twice, table.header.indexOf(twice) + 1) + 1}); rename or remove one of them`);
  const rowColumns = new Set([...ROW_COLUMNS, ...factors]);
  const metrics = table.header.filter((h) => !rowColumns.has(h));
  if (metrics.length === 0) throw new Error(`${path}: no metric columns besides variant and seed`);
  if (table.rows.length === 0) throw new Error(`${path}: a header but no rows; add one row per run (its variant, seed and metric values)`);
  const col = (name: string) => table.header.indexOf(name);
  const [vi, si, sti, ei] = [col("variant"), col("seed"), col("status"), col("error")];
  const rows = table.rows.map((r, k) => {
    const where = `${path} row ${table.rowNumbers[k]}`;
    const m: Record<string, number> = {};
    table.header.forEach((h, i) => {
      if (!rowColumns.has(h) && r[i] !== undefined && r[i].trim() !== "") m[h] = numberAt(r[i], where, h);
    });
    const levels = factors.length ? levelsAt(factors.map((f) => [f, r[col(f)]]), where) : undefined;
    if (!levels && !r[vi]) throw new Error(`${where}, column "variant": empty variant name`);
    if (r[si] === undefined || r[si].trim() === "") throw new Error(`${where}, column "seed": empty seed; every run needs its seed (it pairs the variants' runs)`);
    const row: ResultRow = { variant: levels ? combinationName(levels) : nameAt(r[vi]!, "variant name", where), seed: seedKey(nameAt(r[si], "seed", where)), metrics: m, where };
    if (levels) row.levels = levels;
    const status = sti >= 0 ? statusAt(r[sti], where) : undefined;
    if (status) row.status = status;
    if (ei >= 0 && r[ei]) row.error = r[ei];
    const files = filesAt((c) => (col(c) >= 0 ? r[col(c)] : undefined), where);
    if (files) row.files = files;
    return row;
  });
  return { rows, metrics };
}

/** Factor levels of a row; an empty level is an error naming the factor. */
function levelsAt(pairs: [string, unknown][], where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [f, v] of pairs) {
    if (v === undefined || v === null || String(v).trim() === "") throw new Error(`${where}, column "${f}": no level for factor "${f}"; every run of a factorial study needs a level of every factor`);
    out[f] = nameAt(String(v).trim(), `level of factor "${f}"`, where);
  }
  return out;
}

function fromJsonl(path: string, text: string, factors: readonly string[]): ResultTable {
  const { records, truncatedLine } = parseJsonl<Record<string, unknown>>(text, path);
  // parseJsonl skips blank lines: the k-th record is the k-th non-blank line.
  const lines = text.split("\n");
  const lineNumbers = lines.flatMap((line, i) => (line.trim() === "" ? [] : [i + 1]));
  const metrics: string[] = [];
  const rowColumns = new Set([...ROW_COLUMNS, ...factors]);
  const rows = records.map((rec, k) => {
    const lineNo = lineNumbers[k]!;
    const where = `${path} line ${lineNo}`;
    if (rec === null || typeof rec !== "object" || Array.isArray(rec)) throw new Error(`${where}: not a JSON object; each line of a results file is one run, e.g. {"variant": "a", "seed": 1, "accuracy": 0.91}`);
    const twice = duplicateJsonKey(lines[lineNo - 1]!);
    if (twice !== undefined) throw new Error(`${where}: key ${JSON.stringify(printable(twice))} appears twice in one record; keep the one value that is this run's and remove the other`);
    const levels = factors.length ? levelsAt(factors.map((f) => [f, rec[f]]), where) : undefined;
    if (!levels && typeof rec.variant !== "string") throw new Error(`${where}: missing "variant" (a string)`);
    if (rec.seed === undefined || rec.seed === null || rec.seed === "") throw new Error(`${where}: missing "seed"`);
    // Beyond 2^53 a JSON number has lost its last digits before it reaches us: distinct seeds would read as one (and pair runs of different seeds).
    if (typeof rec.seed === "number" && !Number.isSafeInteger(rec.seed) && Number.isInteger(rec.seed)) {
      const written = /"seed"\s*:\s*([-+]?\d[\d.eE+-]*)/.exec(lines[lineNo - 1]!)?.[1] ?? String(rec.seed);
      throw new Error(`${where}: seed ${written} is beyond 2^53, where a JSON number loses its last digits (it reads as ${BigInt(rec.seed)}, so distinct seeds would merge); write the seed as a string: "seed": "${written}"`);
    }
    const m: Record<string, number> = {};
    for (const [key, value] of Object.entries(rec)) {
      nameAt(key, "key", where);
      if (rowColumns.has(key)) continue;
      if (!metrics.includes(key)) metrics.push(key);
      if (value === null) continue; // JSON has no NaN: null is an empty cell
      if (value === Infinity || value === -Infinity) {
        const literal = new RegExp(`${JSON.stringify(key).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*:\\s*(-?[\\d.eE+-]+)`).exec(lines[lineNo - 1]!)?.[1];
        throw overflowError(where, key, literal ?? "a number");
      }
      m[key] = numberAt(value, where, key);
    }
    const row: ResultRow = { variant: levels ? combinationName(levels) : nameAt(rec.variant as string, "variant name", where), seed: seedKey(nameAt(String(rec.seed), "seed", where)), metrics: m, where };
    if (levels) row.levels = levels;
    const status = statusAt(rec.status, where);
    if (status) row.status = status;
    if (typeof rec.error === "string" && rec.error) row.error = rec.error;
    const files = filesAt((c) => rec[c], where);
    if (files) row.files = files;
    return row;
  });
  const notes = truncatedLine === undefined ? undefined : [`${path} line ${truncatedLine} is cut off (the file was being written?) and was not read`];
  return { rows, metrics, ...(notes ? { notes } : {}) };
}

/** The line on run folders set aside (log/run-folder.ts), which `twin stats` does not read. */
function setAsideNote(path: string, dirs: readonly string[]): string {
  const n = dirs.length;
  return (
    `${n} run folder${n === 1 ? "" : "s"} set aside and not read: ${dirs.join(", ")}. ` +
    "Each is an earlier run of its seed-<n> that a later run of the same seed replaced, or (a log folder written before each plan's runs got labels of their own) a run of other seeds that had the same label; " +
    `twin report ${path} says which, and a run of other seeds is read once its folder (every variant's, and its _checks file) is renamed to an unused seed-<m>`
  );
}

/**
 * How a run whose session ended in failure counts: diverged when its numbers
 * went NaN/Inf, else failed (undefined: it did not end in failure). Its last
 * logged values come from before the failure and are not its result. twin
 * logs the change ("diverged at step 11: loss NaN") before the run's first NaN
 * reaches a logged metric, if ever.
 */
function failureOutcome(run: RunFinals): "diverged" | "failed" | undefined {
  if (run.status !== "failure") return undefined;
  return run.nonFinite || run.statusText?.startsWith("diverged") ? "diverged" : "failed";
}

function fromLogDir(path: string): ResultTable {
  const setAsideDirs: string[] = [];
  const read = readRunFinals(path, { prefer: "jsonl", setAside: setAsideDirs });
  // The twin-trained reference first: it is the default reference of the verdict, as in `twin compare`.
  const reference = referenceFromPairedTags(read.map((r) => ({ variant: r.variant, tags: Object.keys(r.finals) })));
  const ordered = reference === undefined ? read : [...read.filter((r) => r.variant === reference), ...read.filter((r) => r.variant !== reference)];
  if (ordered.length === 0) throw new WrongInputError(`${path}: no runs found; expected twin's layout <study>/<variant>/seed-<n>/ with event files or metrics.jsonl`, path);
  // One-factor-at-a-time runs and grid cells are not independent seeds: the verdict rests on the others (not-independent.ts).
  const { kept: runs, setAside } = setAsideNotAllVaried(
    ordered.map((r) => ({ run: r, variant: r.variant, seed: String(r.seed), factorSeeds: factorSeedsFromHParams(r.hparams) })),
    "and twin report shows them as the variance by factor",
    ({ run }) => failureOutcome(run) ?? (Object.values(run.finals).some((v) => !Number.isFinite(v)) ? "diverged" : undefined),
  );
  if (runs.length === 0) throw new Error(`${path}: ${NONE_INDEPENDENT}; twin report ${path} shows the variance by factor`);
  const metrics: string[] = [];
  const notes: string[] = setAsideDirs.length ? [setAsideNote(path, setAsideDirs)] : [];
  const rows = runs.map(({ run }) => {
    const m: Record<string, number> = {};
    for (const [tag, value] of Object.entries(run.finals)) {
      m[tag] = value;
      if (!metrics.includes(tag)) metrics.push(tag);
    }
    const row: ResultRow = { variant: run.variant, seed: String(run.seed), metrics: m, where: run.dir };
    const failure = failureOutcome(run);
    if (failure) {
      row.status = failure;
      if (run.statusText) row.error = run.statusText;
    }
    // twin's metrics.jsonl ends with an end line: without one the run is still running, or was killed (kill -9) before its end,
    // and its last values are partial (as in the report); event files of other tools record no end and stay results.
    else if (run.status === "running" || (run.source === "jsonl" && run.status === undefined)) row.status = "unfinished";
    for (const t of run.truncated ?? []) notes.push(`${t.file} is cut off at ${t.at} (killed while writing?); values after that point are missing`);
    notes.push(...(run.notes ?? []));
    return row;
  });
  const studies = new Set(ordered.map((r) => r.study));
  const fingerprints = fingerprintRuns(ordered.map((r) => ({ seed: String(r.seed), fingerprint: r.fingerprint })));
  return {
    rows, metrics, ...(notes.length ? { notes } : {}), ...(setAside ? { setAside } : {}), ...(fingerprints.length > 1 ? { fingerprints } : {}),
    ...(studies.size === 1 ? { study: ordered[0]!.study } : {}),
  };
}

/**
 * The file's bytes as UTF-8 text, or an error naming the first line that is
 * not UTF-8. Decoding leniently would turn every invalid byte into U+FFFD, so
 * two variant names in Latin-1 ("café", "cafè") would read as one and their
 * runs merge into a single variant.
 */
function utf8Text(bytes: Buffer, path: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
      throw new Error(`${path}: the file is UTF-16 text; save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)`);
    }
    const lenient = bytes.toString("utf8");
    const line = lenient.slice(0, lenient.indexOf("\ufffd")).split("\n").length;
    throw new Error(`${path} line ${line}: not UTF-8 text (names and values would be garbled, and names differing only there would merge); save the file as UTF-8 (e.g. iconv -f LATIN1 -t UTF-8)`);
  }
}

/**
 * Reads long-form results from a CSV/TSV file, a JSON Lines file, or a log
 * directory. With `factors`, each run is named by its levels of those columns
 * (factorial results: no variant column needed).
 */
export function readResults(path: string, options: { factors?: readonly string[] } = {}): ResultTable {
  const factors = options.factors ?? [];
  // One open: the file's kind, size and bytes come from it (a folder is a log folder; a store is recognised by its first bytes).
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path, MAX_RESULTS_FILE_BYTES);
  } catch (e) {
    if (e instanceof NotRegularFileError && e.kind === "directory") {
      if (factors.length) throw new WrongInputError(`${path}: factors are read from a results file (CSV or JSON Lines with a seed column and one column per factor), not from a log folder`, path);
      return shownSafely(fromLogDir(path));
    }
    if (e instanceof FileTooLargeError && isSqliteHeader(e.head)) throw new StoreNotResultsError(path);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new WrongInputError(`${path}: no such file or directory; check the path (relative paths start from the folder twin runs in)`, path);
    throw e;
  }
  if (/\.(ts|mts|cts|tsx|js|mjs|cjs)$/i.test(path)) {
    throw new WrongInputError(`${path} is a study file (a module that defines a study), not results: train and compare it with \`twin compare ${path}\` (or \`twin seeds\`); twin stats reads results files (CSV, TSV, JSON Lines) and log folders`, path);
  }
  if (isSqliteHeader(bytes)) throw new StoreNotResultsError(path);
  const text = utf8Text(bytes, path);
  if (/\.html?$/i.test(path) || /^\s*<(!doctype html|html)[\s>]/i.test(text.slice(0, 1024))) {
    throw new WrongInputError(`${path} is an HTML page (a report written by twin report?), not results: twin stats and twin report read results files (CSV, TSV, JSON Lines), log folders and studies by name; open the page in a browser`, path);
  }
  let lines = 0;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) lines++;
  if (lines > MAX_RESULT_ROWS + 1) throw new Error(`${path}: ${lines} lines, more than the ${MAX_RESULT_ROWS} runs (one row each) twin stats reads; a results file has one row per run: aggregate per-example or per-step values to one value per run first`);
  if (/\.jsonl?$/i.test(path) || text.trimStart().startsWith("{")) return shownSafely(fromJsonl(path, text, factors));
  return shownSafely(fromCsv(path, text, factors));
}

/** A SQLite database (a twin store?) given where results were expected. */
export class StoreNotResultsError extends WrongInputError {
  override name = "StoreNotResultsError";
  constructor(path: string) {
    super(`${path} is a SQLite database (a twin store?), not results: \`twin runs --store ${path}\` lists its runs by study, \`twin report <study> --store ${path}\` reports one; twin stats reads results files (CSV, TSV, JSON Lines) and log folders`, path);
  }
}

/** Variant, seed and metric names and error texts with control characters made visible (they reach the terminal). */
function shownSafely(table: ResultTable): ResultTable {
  const rows = table.rows.map((r) => {
    const row: ResultRow = { ...r, variant: printable(r.variant), seed: printable(r.seed), metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [printable(k), v])) };
    if (r.error !== undefined) row.error = r.error.split("\n").map(printable).join("\n");
    if (r.levels !== undefined) row.levels = Object.fromEntries(Object.entries(r.levels).map(([f, l]) => [printable(f), printable(l)]));
    return row;
  });
  return { ...table, rows, metrics: table.metrics.map(printable) };
}

/** One (variant, seed) of a metric: its value when the run finished with a finite one, else why not. */
export interface Cell {
  /** skipped: not trained in that run (a variant left out after failing the same way on the study's first runs). */
  outcome: "finished" | "diverged" | "failed" | "unfinished" | "missing" | "skipped";
  value?: number;
  where: string;
  error?: string;
}

/**
 * metric -> variant -> seed -> cell, in file order, checking duplicates. A
 * finished row whose value is NaN/Inf is diverged; a row without a value for
 * the metric (empty cell, tag never logged) is missing; a diverged/failed row
 * carries no value even when the file gives one (it is from before the failure).
 */
export function cells(table: ResultTable, metric: string): Map<string, Map<string, Cell>> {
  if (!table.metrics.includes(metric)) {
    throw new Error(`no metric "${metric}" in the results; available: ${table.metrics.join(", ")}`);
  }
  const out = new Map<string, Map<string, Cell>>();
  for (const row of table.rows) {
    if (!out.has(row.variant)) out.set(row.variant, new Map());
    const bySeed = out.get(row.variant)!;
    if (bySeed.has(row.seed)) throw new Error(`${row.where}: variant "${row.variant}" seed ${row.seed} appears twice; keep one row per run`);
    const v = row.metrics[metric];
    let cell: Cell;
    if (row.status !== undefined && row.status !== "finished") cell = { outcome: row.status, where: row.where };
    else if (v === undefined) cell = { outcome: "missing", where: row.where };
    else if (!Number.isFinite(v)) cell = { outcome: "diverged", where: row.where };
    else cell = { outcome: "finished", value: v, where: row.where };
    if (row.error) cell.error = row.error;
    bySeed.set(row.seed, cell);
  }
  return out;
}

/** metric -> variant -> seed -> value (rows with a value for the metric, NaN included), checking duplicates. */
export function pivot(table: ResultTable, metric: string): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const [variant, bySeed] of cells(table, metric)) {
    const m = new Map<string, number>();
    for (const [seed, c] of bySeed) if (c.value !== undefined) m.set(seed, c.value);
    if (m.size > 0) out.set(variant, m);
  }
  return out;
}
