/**
 * Metrics of an external command: JSON lines it prints on stdout
 * (`{"step": 100, "val_accuracy": 0.87}`), and files it writes under its run
 * folder (TensorBoard event files anywhere below it, `metrics.jsonl` in twin's
 * format or as flat JSON objects). The final value of each metric (the one at
 * the largest step, the last written on ties) is the run's result.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fromJsonNumber, METRICS_FILE } from "../log/metrics-jsonl.ts";
import { isEventFileName, readEventDir } from "../log/event-reader.ts";

export interface MetricPoint {
  step: number;
  value: number;
}

/** metric name → points in the order they were reported. */
export type MetricSeries = Map<string, MetricPoint[]>;

/** Keys that say where a record is, not what was measured. */
const INDEX_KEYS = new Set(["step", "global_step", "epoch", "wall_time", "walltime", "timestamp"]);

function isNumberLike(v: unknown): boolean {
  return typeof v === "number" || v === "NaN" || v === "Infinity" || v === "-Infinity";
}

function flatten(obj: Record<string, unknown>, prefix: string, out: Record<string, number>): void {
  for (const [key, value] of Object.entries(obj)) {
    const name = prefix ? `${prefix}/${key}` : key;
    if (!prefix && INDEX_KEYS.has(key)) continue;
    if (isNumberLike(value)) out[name] = fromJsonNumber(value);
    else if (typeof value === "boolean") continue;
    else if (value !== null && typeof value === "object" && !Array.isArray(value)) flatten(value as Record<string, unknown>, name, out);
  }
}

/**
 * One stdout line as a metrics record: a JSON object with at least one numeric
 * field (besides step/epoch), or undefined. Python's `json.dumps` writes NaN
 * and Infinity bare; they are accepted. Nested objects become `a/b` names.
 */
export function parseMetricLine(line: string): { step?: number; values: Record<string, number> } | undefined {
  const text = line.trim();
  if (!text.startsWith("{") || !text.endsWith("}")) return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    try {
      obj = JSON.parse(text.replace(/([:\[,]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g, '$1"$2"'));
    } catch {
      return undefined;
    }
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return undefined;
  const rec = obj as Record<string, unknown>;
  // twin's own metrics.jsonl lines: {"kind":"scalars","step":..,"values":{..}}
  if (rec.kind === "scalars" && rec.values && typeof rec.values === "object") {
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(rec.values as Record<string, unknown>)) if (isNumberLike(v)) values[k] = fromJsonNumber(v);
    return Object.keys(values).length ? { step: typeof rec.step === "number" ? rec.step : undefined, values } : undefined;
  }
  if (typeof rec.kind === "string") return undefined; // other twin record kinds (text, hparams, end)
  const values: Record<string, number> = {};
  flatten(rec, "", values);
  if (Object.keys(values).length === 0) return undefined;
  const step = [rec.step, rec.global_step, rec.epoch].find((s) => typeof s === "number" && Number.isFinite(s)) as number | undefined;
  return { step, values };
}

/** Collects metric lines in order; records without a step get a running counter. */
export class MetricCollector {
  readonly series: MetricSeries = new Map();
  #counter = 0;

  /** Adds a line; true when it was a metrics record. */
  addLine(line: string): boolean {
    const rec = parseMetricLine(line);
    if (!rec) return false;
    this.addRecord(rec.values, rec.step);
    return true;
  }

  addRecord(values: Record<string, number>, step?: number): void {
    const s = step ?? this.#counter;
    this.#counter = Math.max(this.#counter, Math.floor(s) + 1);
    for (const [name, value] of Object.entries(values)) {
      let points = this.series.get(name);
      if (!points) this.series.set(name, (points = []));
      points.push({ step: s, value });
    }
  }
}

function findEventDirs(dir: string, depth: number, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  if (entries.some((e) => e.isFile() && isEventFileName(e.name))) out.push(dir);
  if (depth <= 0) return;
  for (const e of entries) if (e.isDirectory()) findEventDirs(join(dir, e.name), depth - 1, out);
}

/**
 * Metrics written under a run folder: `metrics.jsonl` (twin's format or flat
 * JSON objects) and TensorBoard event files in the folder or below it (tags
 * from a sub-folder `sub` become `sub/tag` when the folder itself has the same
 * tag, as PyTorch's add_scalars writes them).
 */
export function readRunDirMetrics(runDir: string): MetricSeries {
  const collector = new MetricCollector();
  const jsonl = join(runDir, METRICS_FILE);
  if (existsSync(jsonl)) {
    for (const line of readFileSync(jsonl, "utf8").split("\n")) collector.addLine(line);
  }
  const dirs: string[] = [];
  findEventDirs(runDir, 4, dirs);
  const seen = new Set<string>(collector.series.keys());
  for (const dir of dirs) {
    const rel = relative(runDir, dir).split(/[\\/]/).filter(Boolean).join("/");
    const { scalars } = readEventDir(dir);
    const local: MetricSeries = new Map();
    for (const p of scalars) {
      let points = local.get(p.tag);
      if (!points) local.set(p.tag, (points = []));
      points.push({ step: p.step, value: p.value });
    }
    for (const [tag, points] of local) {
      const name = rel && seen.has(tag) ? `${rel}/${tag}` : tag;
      seen.add(name);
      const existing = collector.series.get(name);
      if (existing) existing.push(...points);
      else collector.series.set(name, points);
    }
  }
  return collector.series;
}

/** Series from several sources in one (later sources append to earlier ones). */
export function mergeSeries(...sources: MetricSeries[]): MetricSeries {
  const out: MetricSeries = new Map();
  for (const src of sources) {
    for (const [name, points] of src) {
      const existing = out.get(name);
      if (existing) existing.push(...points);
      else out.set(name, [...points]);
    }
  }
  return out;
}

/** The value at the largest step of each metric (the last written on ties). */
export function finalValues(series: MetricSeries): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, points] of series) {
    let best: MetricPoint | undefined;
    for (const p of points) if (best === undefined || p.step >= best.step) best = p;
    if (best) out[name] = best.value;
  }
  return out;
}

/** One point per (metric, step), the last written winning: rows for the store. */
export function dedupeSteps(series: MetricSeries): { name: string; step: number; value: number }[] {
  const rows: { name: string; step: number; value: number }[] = [];
  for (const [name, points] of series) {
    const byStep = new Map<number, number>();
    for (const p of points) byStep.set(Math.floor(p.step), p.value);
    for (const [step, value] of [...byStep.entries()].sort((a, b) => a[0] - b[0])) rows.push({ name, step, value });
  }
  return rows;
}
