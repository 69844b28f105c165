/**
 * A chart's data written by columns in the page: a Vega-Lite `data.values`
 * array of rows that share their keys becomes
 * `{"$rows": n, "$columns": {key: column}}`, a column of strings
 * `{"$strings": [distinct], "$index": [position per row]}`. The keys and
 * the repeated labels ("variant":"baseline", "band":"5–95% of runs") were
 * two thirds of a 100-run report's chart specs. assets/spec-columns.js turns
 * them back into rows before Vega-Lite reads the spec; rows that do not share
 * their keys, or hold objects, stay as they are.
 */
import type { VlSpec } from "./charts/common.ts";

type Scalar = string | number | boolean | null;
type Row = Record<string, Scalar>;

const isScalar = (x: unknown): x is Scalar => x === null || ["string", "number", "boolean"].includes(typeof x);

/** The rows as columns, or undefined when they do not all have the same keys holding plain values. */
function columns(rows: readonly unknown[]): Record<string, unknown> | undefined {
  if (rows.length < 2) return undefined;
  const first = rows[0];
  if (first === null || typeof first !== "object" || Array.isArray(first)) return undefined;
  const keys = Object.keys(first);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const column: Scalar[] = [];
    for (const r of rows) {
      if (r === null || typeof r !== "object" || Array.isArray(r) || Object.keys(r).length !== keys.length || !(key in r)) return undefined;
      const v = (r as Row)[key];
      if (!isScalar(v)) return undefined;
      column.push(v);
    }
    if (column.every((v) => typeof v === "string")) {
      const strings = [...new Set(column as string[])];
      const at = new Map(strings.map((s, i) => [s, i]));
      out[key] = { $strings: strings, $index: (column as string[]).map((s) => at.get(s)!) };
    } else {
      out[key] = column;
    }
  }
  return { $rows: rows.length, $columns: out };
}

/** The spec with every `data.values` of shared-key rows written by columns (a new object; the spec is not changed). */
export function packSpecData(spec: VlSpec): VlSpec {
  const walk = (x: unknown, key: string, parent: string): unknown => {
    if (Array.isArray(x)) return key === "values" && parent === "data" ? (columns(x) ?? x) : x.map((v) => walk(v, "", key));
    if (x === null || typeof x !== "object") return x;
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v, k, key)]));
  };
  return walk(spec, "", "") as VlSpec;
}
