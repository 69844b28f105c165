/**
 * Results from anywhere, in long form: one row per (variant, seed) with one
 * column per metric. Read from CSV/TSV, JSON Lines, or a TensorBoard log
 * directory in twin's layout (<study>/<variant>/seed-<n>/, last value of each tag).
 */
import { statSync } from "node:fs";
import { parseCsv } from "../data/host/csv.ts";
import { parseJsonl } from "../log/jsonl.ts";
import { readRunTree } from "../log/event-reader.ts";
import { readRegularFile } from "../log/regular-file.ts";

/** A results table is read whole as text: well under the longest string V8 holds (512 MiB). */
const MAX_RESULTS_FILE_BYTES = 256 << 20;

export interface ResultRow {
  variant: string;
  seed: string;
  metrics: Record<string, number>;
  /** Where the row came from, for error messages ("results.csv row 4"). */
  where: string;
}

export interface ResultTable {
  rows: ResultRow[];
  /** Metric names in file order. */
  metrics: string[];
}

function numberAt(raw: unknown, where: string, column: string): number {
  if (typeof raw === "number") return raw;
  if (typeof raw === "string" && raw.trim() !== "") {
    const v = Number(raw);
    if (!Number.isNaN(v) || raw.trim().toLowerCase() === "nan") return v;
  }
  throw new Error(`${where}, column "${column}": ${JSON.stringify(raw)} is not a number; fix the value or drop the row`);
}

function fromCsv(path: string, text: string): ResultTable {
  const table = parseCsv(text, { source: path });
  for (const required of ["variant", "seed"]) {
    if (!table.header.includes(required)) {
      throw new Error(`${path}: missing column "${required}"; long-form results need columns variant, seed and one column per metric (found: ${table.header.join(", ")})`);
    }
  }
  const metrics = table.header.filter((h) => h !== "variant" && h !== "seed");
  if (metrics.length === 0) throw new Error(`${path}: no metric columns besides variant and seed`);
  const vi = table.header.indexOf("variant");
  const si = table.header.indexOf("seed");
  const rows = table.rows.map((r, k) => {
    const where = `${path} row ${table.rowNumbers[k]}`;
    const m: Record<string, number> = {};
    table.header.forEach((h, i) => {
      if (i !== vi && i !== si && r[i] !== undefined && r[i] !== "") m[h] = numberAt(r[i], where, h);
    });
    if (!r[vi]) throw new Error(`${where}, column "variant": empty variant name`);
    return { variant: r[vi], seed: r[si], metrics: m, where };
  });
  return { rows, metrics };
}

function fromJsonl(path: string, text: string): ResultTable {
  const { records } = parseJsonl<Record<string, unknown>>(text, path);
  const metrics: string[] = [];
  const rows = records.map((rec, k) => {
    const where = `${path} line ${k + 1}`;
    if (typeof rec.variant !== "string") throw new Error(`${where}: missing "variant" (a string)`);
    if (rec.seed === undefined) throw new Error(`${where}: missing "seed"`);
    const m: Record<string, number> = {};
    for (const [key, value] of Object.entries(rec)) {
      if (key === "variant" || key === "seed") continue;
      m[key] = numberAt(value, where, key);
      if (!metrics.includes(key)) metrics.push(key);
    }
    return { variant: rec.variant, seed: String(rec.seed), metrics: m, where };
  });
  return { rows, metrics };
}

function fromLogDir(path: string): ResultTable {
  const runs = readRunTree(path, { prefer: "jsonl" });
  if (runs.length === 0) throw new Error(`${path}: no runs found; expected twin's layout <study>/<variant>/seed-<n>/ with event files or metrics.jsonl`);
  const metrics: string[] = [];
  const rows = runs.map((run) => {
    const m: Record<string, number> = {};
    for (const [tag, points] of Object.entries(run.scalars)) {
      if (points.length === 0) continue;
      m[tag] = points[points.length - 1].value;
      if (!metrics.includes(tag)) metrics.push(tag);
    }
    return { variant: run.variant, seed: String(run.seed), metrics: m, where: run.dir };
  });
  return { rows, metrics };
}

/** Reads long-form results from a CSV/TSV file, a JSON Lines file, or a log directory. */
export function readResults(path: string): ResultTable {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new Error(`${path}: no such file or directory`);
  }
  if (isDir) return fromLogDir(path);
  const text = readRegularFile(path, MAX_RESULTS_FILE_BYTES).toString("utf8");
  if (/\.jsonl?$/i.test(path) || text.trimStart().startsWith("{")) return fromJsonl(path, text);
  return fromCsv(path, text);
}

/** metric -> variant -> seed -> value, checking duplicates. */
export function pivot(table: ResultTable, metric: string): Map<string, Map<string, number>> {
  if (!table.metrics.includes(metric)) {
    throw new Error(`no metric "${metric}" in the results; available: ${table.metrics.join(", ")}`);
  }
  const out = new Map<string, Map<string, number>>();
  for (const row of table.rows) {
    const v = row.metrics[metric];
    if (v === undefined) continue;
    if (!out.has(row.variant)) out.set(row.variant, new Map());
    const bySeed = out.get(row.variant)!;
    if (bySeed.has(row.seed)) throw new Error(`${row.where}: variant "${row.variant}" seed ${row.seed} appears twice`);
    bySeed.set(row.seed, v);
  }
  return out;
}
