/** A sweep study's results: the latest finished run of each variant and seed, as a table, summarised per metric. */
import { describe } from "../stats/index.ts";
import { canonicalJson } from "../store/index.ts";
import type { RunRecord, Store } from "../store/types.ts";
import type { ResultRow, ResultTable } from "./results-file.ts";

export interface MetricSummary {
  metric: string;
  variants: { name: string; n: number; mean: number; sd: number; min: number; max: number; nonFinite: number }[];
}

/** The label that pairs runs across variants: the root seed, plus the factors that differ from it. */
export function pairLabel(root: bigint | string, seeds: Record<string, bigint | string>): string {
  const r = root.toString();
  const other = Object.entries(seeds)
    .filter(([, s]) => s.toString() !== r)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([f, s]) => `${f}=${s}`);
  return other.length ? `${r}:${other.join(",")}` : r;
}

/**
 * The study's results as a ResultTable: per variant (its current command),
 * per pairing label, the latest finished run's final metrics; a label whose
 * runs all failed (or diverged) is a row with that status, so the verdict
 * counts it (interrupted runs are not results: they are run again).
 */
export async function sweepResults(store: Store, study: string): Promise<ResultTable> {
  const variants = await store.listVariants(study);
  const runs = await store.listRuns({ study, status: ["finished", "failed", "diverged"] });
  const metricNames: string[] = [];
  const rows: ResultRow[] = [];
  for (const v of variants) {
    const cfg = v.config as { command?: string[]; env?: Record<string, string> } | null;
    const chosen = new Map<string, RunRecord>();
    const ended = new Map<string, RunRecord>();
    for (const r of runs) {
      const rc = r.config as { kind?: string; command?: string[]; env?: Record<string, string> } | null;
      if (r.variants.length !== 1 || r.variants[0] !== v.name || rc?.kind !== "sweep") continue;
      if (canonicalJson({ c: rc.command, e: rc.env ?? {} }) !== canonicalJson({ c: cfg?.command, e: cfg?.env ?? {} })) continue;
      const label = pairLabel(r.rootSeed, r.seeds);
      if (r.status !== "finished") {
        if (r.error?.startsWith("interrupted")) continue;
        const prev = ended.get(label);
        if (!prev || (r.finishedAt ?? 0) >= (prev.finishedAt ?? 0)) ended.set(label, r);
        continue;
      }
      const prev = chosen.get(label);
      if (!prev || (r.finishedAt ?? 0) >= (prev.finishedAt ?? 0)) chosen.set(label, r);
    }
    for (const [label, r] of ended) {
      if (chosen.has(label)) continue;
      rows.push({ variant: v.name, seed: label, metrics: {}, where: `run ${r.id}`, status: r.status === "diverged" ? "diverged" : "failed", ...(r.error ? { error: r.error.split("\n")[0]! } : {}) });
    }
    if (chosen.size === 0) continue;
    const finals = await store.finalMetrics({ study, runIds: [...chosen.values()].map((r) => r.id) });
    for (const [label, r] of chosen) {
      const m: Record<string, number> = {};
      for (const f of finals) {
        if (f.runId !== r.id) continue;
        m[f.name] = f.value;
        if (!metricNames.includes(f.name)) metricNames.push(f.name);
      }
      rows.push({ variant: v.name, seed: label, metrics: m, where: `run ${r.id}`, runId: r.id });
    }
  }
  return { rows, metrics: metricNames };
}

/** n, mean ± sd, min, max per variant for every metric. */
export function summarize(table: ResultTable): MetricSummary[] {
  const variants = [...new Set(table.rows.map((r) => r.variant))];
  return table.metrics.map((metric) => ({
    metric,
    variants: variants.flatMap((name) => {
      const all = table.rows.filter((r) => r.variant === name && r.metrics[metric] !== undefined).map((r) => r.metrics[metric]!);
      if (all.length === 0) return [];
      const finite = all.filter(Number.isFinite);
      const d = finite.length ? describe(finite) : undefined;
      return [{ name, n: finite.length, mean: d?.mean ?? NaN, sd: d?.sd ?? NaN, min: d?.min ?? NaN, max: d?.max ?? NaN, nonFinite: all.length - finite.length }];
    }),
  }));
}
