/**
 * --retry-failed for a variant that failed, or was left out (skipped), inside
 * a run that finished while the other variants trained.
 *
 * The run is taken back (running, this worker, heartbeating) and trained
 * again from its record with every other variant left out (TwinConfig.skip):
 * batches come from the run's own data streams, which no variant draws from,
 * so the retrained variant sees the very batches of the twin run. That is
 * checked step by step against the stored batch checksums and data-stream
 * control sums before anything is written; a mismatch records nothing. Then,
 * in one transaction, the variant's rows replace the stored ones (metrics,
 * its dropout stream's control sums, its final weights hash), the run chain
 * is recomputed over the merged control sums (what `twin verify` recomputes),
 * and the run is finished again with its note rewritten. Log folders
 * (TensorBoard, JSON Lines) are left as they were: the store has the result.
 */
import { chain } from "../rng/derive.ts";
import type { ControlSum } from "../rng/stream.ts";
import type { RunRecord, Store } from "../store/index.ts";
import type { TwinResult } from "../twin/types.ts";
import { setupRun, trainFromRecord, type ExecuteOptions } from "./executor.ts";
import { startHeartbeat } from "./lifecycle.ts";
import { resultFromStore, resultMetrics, variantFailures, type MetricRow } from "./stored-results.ts";

/** The variants of a finished run that --retry-failed trains again: failed or skipped (a diverged one diverged: that is its result). */
export function retriableVariants(result: TwinResult): string[] {
  return Object.values(result.variants).filter((v) => v.status === "failed" || v.status === "skipped").map((v) => v.name);
}

const sumText = (s: ControlSum) => `${s.stream}:${s.draws}:${s.state}`;

/**
 * Trains `names` of the finished run again and records them in place (see the
 * file's comment). Returns the merged result, or undefined when another
 * worker holds the run. Throws when the retrain saw other batches than the run.
 */
export async function retrainVariants(store: Store, run: RunRecord, names: readonly string[], worker: string, options: ExecuteOptions): Promise<TwinResult | undefined> {
  if (!(await store.reopenRun(run.id, worker))) return undefined;
  const heartbeat = startHeartbeat(store, run.id, worker, {});
  const stored = await resultFromStore(store, run);
  try {
    const setup = await setupRun(run, options);
    const others = Object.keys(stored.variants).filter((v) => !names.includes(v));
    const trainLoss: MetricRow[] = [];
    const { result } = await trainFromRecord(run, setup, {
      ...options,
      logdir: undefined,
      skipNow: Object.fromEntries(others.map((v) => [v, `variant '${v}' not trained again: kept from the run`])),
      onProgress: (p) => {
        for (const [variant, value] of Object.entries(p.losses)) if (names.includes(variant)) trainLoss.push({ runId: run.id, variant, step: p.step, name: "train/loss", value });
        options.onProgress?.(p);
      },
    });
    if (!result.completed) throw new Error(`retraining ${names.join(", ")} of run '${run.id}' stopped before the end; the run keeps its stored result`);
    const mine = new Set(names.map((n) => `dropout@${n}`));
    // Same batches and data draws at every step, or nothing is recorded.
    for (let s = 0; s < Math.max(stored.batchChecksums.length, result.batchChecksums.length); s++) {
      const before = new Map((stored.controlSumsByStep[s] ?? []).map((c) => [c.stream, sumText(c)]));
      const data = (result.controlSumsByStep[s] ?? []).filter((c) => !c.stream.startsWith("dropout@"));
      const differs = stored.batchChecksums[s] !== result.batchChecksums[s] || data.some((c) => before.get(c.stream) !== sumText(c));
      if (differs) {
        throw new Error(
          `retraining ${names.join(", ")} of run '${run.id}' saw other batches than the run at step ${s + 1} (the study's data or code changed?); ` +
            "nothing was recorded: the run keeps its stored result (run `twin verify " + run.id + "` to see what differs)",
        );
      }
    }
    // The run's control sums with the retrained variants' dropout streams, and the run chain over them.
    const merged = result.controlSumsByStep.map((sums, s) => {
      const before = new Map((stored.controlSumsByStep[s] ?? []).map((c) => [c.stream, c]));
      return sums.map((c) => (mine.has(c.stream) || !c.stream.startsWith("dropout@") ? c : before.get(c.stream) ?? c));
    });
    let runChain = "";
    merged.forEach((sums, s) => (runChain = chain(runChain, result.batchChecksums[s] + "|" + sums.map(sumText).join(","))));
    const variants = { ...stored.variants };
    for (const n of names) variants[n] = result.variants[n]!;
    const out: TwinResult = { ...stored, variants, controlSumsByStep: merged, controlSums: merged[merged.length - 1] ?? [], runChain };
    const retrained: TwinResult = { ...result, variants: Object.fromEntries(names.map((n) => [n, result.variants[n]!])) };
    await heartbeat.stop();
    await store.transaction(async (tx) => {
      await tx.addMetrics(resultMetrics(run.id, retrained, trainLoss));
      for (let s = 0; s < merged.length; s++) {
        const rows = merged[s]!.filter((c) => mine.has(c.stream));
        if (rows.length) await tx.addControlSums(run.id, s + 1, rows.map((c) => ({ stream: c.stream, draws: c.draws, state: c.state, chain: c.chain })));
      }
      for (const n of names) {
        const hash = result.variants[n]!.weightsHash;
        if (hash) await tx.addArtifact({ runId: run.id, kind: "weights", path: `${n}/final`, sha256: hash, bytes: 0 });
      }
      await tx.addArtifact({ runId: run.id, kind: "run-chain", path: "run", sha256: runChain || "-", bytes: result.steps });
      const note = variantFailures(out);
      await tx.finishRun(run.id, { worker, ...(note ? { note } : {}) });
    });
    return out;
  } catch (e) {
    // The run goes back to finished as it was (its stored result untouched).
    await heartbeat.stop();
    await store.finishRun(run.id, { worker, ...(run.error ? { note: run.error } : {}) }).catch(() => {});
    throw e;
  } finally {
    await heartbeat.stop();
  }
}
