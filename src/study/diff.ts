/** `twin diff`: what differs between two stored runs, by kind. */
import { diffFingerprints, type FingerprintDifference, type RunRecord, type Store } from "../store/index.ts";
import { executedFingerprint } from "./stored-results.ts";

export interface KeyDifference {
  key: string;
  a: unknown;
  b: unknown;
}

export interface RunDiff {
  a: string;
  b: string;
  config: KeyDifference[];
  seeds: KeyDifference[];
  code: KeyDifference[];
  data: KeyDifference[];
  environment: KeyDifference[];
  results: KeyDifference[];
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, value);
}

function diffObjects(a: unknown, b: unknown): KeyDifference[] {
  const fa = new Map<string, unknown>();
  const fb = new Map<string, unknown>();
  flatten(a, "", fa);
  flatten(b, "", fb);
  const out: KeyDifference[] = [];
  for (const key of [...new Set([...fa.keys(), ...fb.keys()])].sort()) {
    if (JSON.stringify(fa.get(key)) !== JSON.stringify(fb.get(key))) out.push({ key, a: fa.get(key), b: fb.get(key) });
  }
  return out;
}

function section(key: string): "code" | "data" | "environment" {
  if (/^(git|files|lockfile|versions\.twin)(\.|$)/.test(key)) return "code";
  if (/^(datasets|data|split)(\.|$)/.test(key)) return "data";
  return "environment";
}

async function fingerprintOf(store: Store, run: RunRecord): Promise<unknown> {
  const hash = await executedFingerprint(store, run);
  return hash ? (await store.getFingerprint(hash))?.fingerprint ?? {} : {};
}

async function finals(store: Store, run: RunRecord): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of await store.finalMetrics({ runIds: [run.id] })) if (m.name.startsWith("final/")) out[`${m.variant}.${m.name.slice(6)}`] = m.value;
  return out;
}

export async function diffRuns(store: Store, idA: string, idB: string): Promise<RunDiff> {
  const [a, b] = [await store.getRun(idA), await store.getRun(idB)];
  const meta = (r: RunRecord) => ({ study: r.study, specHash: r.specHash, variants: r.variants, ...(r.config as object) });
  const seedsOf = (r: RunRecord) => ({ root: r.rootSeed.toString(), ...Object.fromEntries(Object.entries(r.seeds).map(([k, v]) => [k, v.toString()])) });
  // The seed spec is listed under seeds already.
  const config = diffObjects(meta(a), meta(b)).filter((d) => !d.key.startsWith("seed."));
  const fp: FingerprintDifference[] = diffFingerprints(await fingerprintOf(store, a), await fingerprintOf(store, b));
  const out: RunDiff = { a: idA, b: idB, config, seeds: diffObjects(seedsOf(a), seedsOf(b)), code: [], data: [], environment: [], results: [] };
  for (const d of fp) out[section(d.key)].push(d);
  out.results = diffObjects(await finals(store, a), await finals(store, b));
  return out;
}

function show(v: unknown): string {
  if (v === undefined) return "(absent)";
  const t = typeof v === "string" ? v : JSON.stringify(v);
  return t.length > 40 ? `${t.slice(0, 37)}...` : t;
}

export function formatRunDiff(d: RunDiff): string {
  const lines = [`a: ${d.a}`, `b: ${d.b}`];
  const sections: [string, KeyDifference[]][] = [
    ["config", d.config],
    ["seeds", d.seeds],
    ["code", d.code],
    ["data", d.data],
    ["environment", d.environment],
    ["results (final metrics)", d.results],
  ];
  let any = false;
  for (const [name, diffs] of sections) {
    if (diffs.length === 0) {
      lines.push(`${name}: same`);
      continue;
    }
    if (name !== "results (final metrics)") any = true;
    lines.push(`${name}: ${diffs.length} difference${diffs.length === 1 ? "" : "s"}`);
    for (const x of diffs.slice(0, 40)) lines.push(`  ${x.key}: ${show(x.a)} → ${show(x.b)}`);
    if (diffs.length > 40) lines.push(`  … and ${diffs.length - 40} more`);
  }
  if (!any) lines.push("the runs have the same config, seeds, code, data and environment");
  return lines.join("\n");
}
