/**
 * The audit: `verify` re-runs a finished run from its record (same study
 * file, seeds and training length) and compares, step by step, the control
 * sums of every random stream, the batch checksums, then every stored metric
 * and the final weights' hashes; it names the first divergence or says
 * "bit-identical". `diff` says what differs between two runs: config keys,
 * seeds, code, data, environment, and their final metrics.
 */
import type { RunRecord, Store } from "../store/index.ts";
import { diffFingerprints, StoreError, type FingerprintDifference } from "../store/index.ts";
import type { Progress } from "../twin/types.ts";
import { setupRun, trainFromRecord } from "./executor.ts";
import { configOf } from "./run-record.ts";
import { executedFingerprint, resultFromStore, resultMetrics, type MetricRow } from "./stored-results.ts";
import { studyFingerprint, withSplit } from "./study-fingerprint.ts";

export interface Divergence {
  kind: "control-sum" | "batch" | "metric" | "weights" | "steps";
  step?: number;
  stream?: string;
  variant?: string;
  metric?: string;
  stored: unknown;
  now: unknown;
}

export interface VerifyReport {
  runId: string;
  identical: boolean;
  steps: number;
  /** The first divergence (earliest step; within a step: streams, then the batch), and every one found at that step. */
  first?: Divergence;
  atFirstStep: Divergence[];
  /** How many of each kind differ. */
  counts: Record<Divergence["kind"], number>;
  compared: { controlSums: number; batchChecksums: number; metrics: number; weights: number };
  studyFileChanged: boolean;
  /** What differs between the fingerprint the run was made with and this machine's now. */
  fingerprint: FingerprintDifference[];
}

const same = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));

/** Re-runs a finished run and compares it with its record. Throws for an unknown or unfinished run. */
export async function verifyRun(
  store: Store,
  runId: string,
  options: { cwd: string; onProgress?: (p: Progress) => void; schedule?: "sequential" | "parallel" },
): Promise<VerifyReport> {
  const run: RunRecord = await store.getRun(runId);
  configOf(run);
  if (run.status !== "finished") {
    throw new StoreError(`run '${runId}' is ${run.status}${run.error ? ` (${run.error})` : ""}; only finished runs can be verified (list them with \`twin runs --study ${run.study}\`)`);
  }
  const stored = await resultFromStore(store, run);
  const storedMetrics = await store.metrics({ runId });
  const setup = await setupRun(run, { cwd: options.cwd, allowChangedFile: true, specs: new Map(), data: new Map() });
  const trainLoss: MetricRow[] = [];
  const { result, split } = await trainFromRecord(run, setup, {
    cwd: options.cwd,
    schedule: options.schedule,
    // A variant the run left out (skipped) is left out again.
    skipNow: Object.fromEntries(Object.values(stored.variants).filter((v) => v.status === "skipped").map((v) => [v.name, v.error ?? `variant '${v.name}' not trained`])),
    onProgress: (p) => {
      for (const [variant, value] of Object.entries(p.losses)) trainLoss.push({ runId, variant, step: p.step, name: "train/loss", value });
      options.onProgress?.(p);
    },
  });

  const divergences: Divergence[] = [];
  const steps = Math.max(stored.batchChecksums.length, result.batchChecksums.length);
  let controlSums = 0;
  for (let s = 1; s <= steps; s++) {
    const a = new Map((stored.controlSumsByStep[s - 1] ?? []).map((c) => [c.stream, c]));
    const b = new Map((result.controlSumsByStep[s - 1] ?? []).map((c) => [c.stream, c]));
    // Streams in the order the trainer records them (data streams first).
    const streams = [...new Set([...(result.controlSumsByStep[s - 1] ?? []).map((c) => c.stream), ...a.keys()])];
    for (const stream of streams) {
      controlSums++;
      const x = a.get(stream);
      const y = b.get(stream);
      if (!x || !y || x.draws !== y.draws || x.state !== y.state) {
        divergences.push({ kind: "control-sum", step: s, stream, stored: x ? { draws: x.draws, state: x.state } : null, now: y ? { draws: y.draws, state: y.state } : null });
      }
    }
    const bx = stored.batchChecksums[s - 1];
    const by = result.batchChecksums[s - 1];
    if (bx !== by) divergences.push({ kind: "batch", step: s, stored: bx ?? null, now: by ?? null });
  }
  if (stored.steps !== result.steps) divergences.push({ kind: "steps", stored: stored.steps, now: result.steps });

  const nowMetrics = new Map(resultMetrics(runId, result, trainLoss).map((m) => [`${m.variant}\u0000${m.name}\u0000${m.step}`, m]));
  for (const m of storedMetrics) {
    const n = nowMetrics.get(`${m.variant}\u0000${m.name}\u0000${m.step}`);
    if (!n || !same(n.value, m.value)) divergences.push({ kind: "metric", step: m.step, variant: m.variant, metric: m.name, stored: m.value, now: n?.value ?? null });
  }
  let weights = 0;
  for (const name of run.variants) {
    weights++;
    const x = stored.variants[name]?.weightsHash ?? null;
    const y = result.variants[name]?.weightsHash ?? null;
    if (x !== y) divergences.push({ kind: "weights", variant: name, stored: x, now: y });
  }

  const rank: Record<Divergence["kind"], number> = { "control-sum": 0, batch: 1, metric: 2, steps: 3, weights: 4 };
  const sorted = [...divergences].sort((p, q) => (p.step ?? Infinity) - (q.step ?? Infinity) || rank[p.kind] - rank[q.kind]);
  const first = sorted[0];
  const counts = { "control-sum": 0, batch: 0, metric: 0, weights: 0, steps: 0 };
  for (const d of divergences) counts[d.kind]++;

  const executed = await executedFingerprint(store, run);
  const before = executed ? (await store.getFingerprint(executed))?.fingerprint : undefined;
  const current = withSplit(await studyFingerprint(setup.spec, setup.config.studyFile, setup.train, options.cwd), split);
  const fingerprint = before ? diffFingerprints(before, current, { ignore: ["argv"] }) : [];

  return {
    runId,
    identical: divergences.length === 0,
    steps: result.steps,
    first,
    atFirstStep: first ? sorted.filter((d) => d.step === first.step && (first.step !== undefined || d === first)) : [],
    counts,
    compared: { controlSums, batchChecksums: steps, metrics: storedMetrics.length, weights },
    studyFileChanged: setup.fileChanged,
    fingerprint,
  };
}

function short(v: unknown): string {
  if (typeof v === "string") return v.length > 16 ? `${v.slice(0, 16)}…` : v;
  if (v && typeof v === "object") return Object.entries(v).map(([k, x]) => `${k} ${short(x)}`).join(", ");
  return String(v);
}

export function describeDivergence(d: Divergence): string {
  switch (d.kind) {
    case "control-sum":
      return `step ${d.step}, stream ${d.stream}: control sum differs (stored ${short(d.stored)}; now ${short(d.now)})`;
    case "batch":
      return `step ${d.step}: batch checksum differs (stored ${short(d.stored)}, now ${short(d.now)})`;
    case "metric":
      return `step ${d.step}, variant ${d.variant}, metric ${d.metric}: stored ${d.stored}, now ${d.now}`;
    case "weights":
      return `variant ${d.variant}: final weights differ (stored ${short(d.stored)}, now ${short(d.now)})`;
    case "steps":
      return `the run had ${d.stored} steps, now ${d.now}`;
  }
}

export function formatVerify(r: VerifyReport): string {
  const lines: string[] = [];
  if (r.identical) {
    lines.push(
      `run ${r.runId}: bit-identical (${r.steps} steps: ${r.compared.controlSums} control sums, ${r.compared.batchChecksums} batch checksums, ${r.compared.metrics} metrics, ${r.compared.weights} final weight hashes)`,
    );
  } else {
    lines.push(`run ${r.runId}: diverges`);
    lines.push(`first divergence: ${describeDivergence(r.first!)}`);
    for (const d of r.atFirstStep.slice(1, 8)) lines.push(`  also at that step: ${describeDivergence(d)}`);
    const counts = Object.entries(r.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
    lines.push(`differences in all: ${counts.join(", ")}`);
  }
  if (r.studyFileChanged) lines.push("note: the study file changed since the run (its hash differs from the recorded one)");
  if (r.fingerprint.length) {
    lines.push("what differs from the fingerprint the run was made with:");
    for (const d of r.fingerprint.slice(0, 12)) lines.push(`  ${d.key}: ${short(d.a)} → ${short(d.b)}`);
    if (r.fingerprint.length > 12) lines.push(`  … and ${r.fingerprint.length - 12} more`);
  }
  return lines.join("\n");
}
