/**
 * A twin run's results in the store: written in one transaction with its
 * `finished` status (metrics, control sums, batch checksums, weight hashes,
 * run chain), and read back as a TwinResult for verdicts and reports.
 */
import type { ControlSum } from "../rng/stream.ts";
import type { PredictionInput, RunRecord, Store } from "../store/index.ts";
import type { EvalMetrics, TwinResult, VariantResult } from "../twin/types.ts";
import { configOf } from "./run-record.ts";

/** Per-variant status as a stored metric (`status`): 0 finished, 1 diverged, 2 failed, 3 unfinished, 4 not trained (skipped). */
const STATUS_CODE: Record<VariantResult["status"], number> = { finished: 0, diverged: 1, failed: 2, running: 3, skipped: 4 };
const STATUS_OF = ["finished", "diverged", "failed", "running", "skipped"] as const;

export interface MetricRow {
  runId: string;
  variant: string;
  step: number;
  name: string;
  value: number;
}

/** The metric rows of a finished twin run: validation metrics per epoch, final metrics, status and the train-loss curve. */
export function resultMetrics(runId: string, result: TwinResult, trainLoss: readonly MetricRow[] = []): MetricRow[] {
  const rows: MetricRow[] = [...trainLoss];
  for (const [name, v] of Object.entries(result.variants)) {
    for (const e of v.epochs) {
      for (const [k, value] of Object.entries(e)) if (k !== "epoch" && k !== "step") rows.push({ runId, variant: name, step: e.step, name: `val/${k}`, value });
      rows.push({ runId, variant: name, step: e.step, name: "epoch", value: e.epoch });
    }
    if (v.final) for (const [k, value] of Object.entries(v.final)) rows.push({ runId, variant: name, step: result.steps, name: `final/${k}`, value });
    if (v.test) for (const [k, value] of Object.entries(v.test)) rows.push({ runId, variant: name, step: result.steps, name: `test/${k}`, value });
    rows.push({ runId, variant: name, step: result.steps, name: "status", value: STATUS_CODE[v.status] });
    if (v.divergedAtStep !== undefined) rows.push({ runId, variant: name, step: v.divergedAtStep, name: "diverged_at", value: v.divergedAtStep });
  }
  return rows;
}

/** Each variant's per-example class probabilities on the validation and the test set, with the labels, as the store keeps them. */
export function runPredictions(runId: string, result: TwinResult): PredictionInput[] {
  const out: PredictionInput[] = [];
  for (const [name, v] of Object.entries(result.variants)) {
    const sets = [
      { split: "validation" as const, probabilities: v.predictions, labels: result.validationTargets },
      { split: "test" as const, probabilities: v.testPredictions, labels: result.testTargets },
    ];
    for (const { split, probabilities, labels } of sets) {
      if (!probabilities || !v.numClasses || labels.length === 0) continue;
      if (probabilities.length !== labels.length * v.numClasses) continue; // not per-example class probabilities (segmentation)
      out.push({ runId, variant: name, split, probabilities, examples: labels.length, classes: v.numClasses, labels });
    }
  }
  return out;
}

/**
 * Writes a completed run's results and marks it finished, in one transaction:
 * either everything is stored and the run is finished, or nothing changed.
 */
export async function recordResult(
  store: Store,
  run: RunRecord,
  result: TwinResult,
  options: { worker?: string; trainLoss?: readonly MetricRow[]; fingerprintHash?: string } = {},
): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.addMetrics(resultMetrics(run.id, result, options.trainLoss));
    for (let i = 0; i < result.controlSumsByStep.length; i++) {
      await tx.addControlSums(run.id, i + 1, result.controlSumsByStep[i]!.map((s) => ({ stream: s.stream, draws: s.draws, state: s.state, chain: s.chain })));
    }
    await tx.addBatchChecksums(run.id, result.batchChecksums.map((checksum, i) => ({ step: i + 1, checksum })));
    for (const [name, v] of Object.entries(result.variants)) {
      if (v.weightsHash) await tx.addArtifact({ runId: run.id, kind: "weights", path: `${name}/final`, sha256: v.weightsHash, bytes: 0 });
    }
    for (const p of runPredictions(run.id, result)) await tx.addPredictions(p);
    await tx.addArtifact({ runId: run.id, kind: "run-chain", path: "run", sha256: result.runChain || "-", bytes: result.steps });
    if (options.fingerprintHash) await tx.addArtifact({ runId: run.id, kind: "fingerprint", path: "executed", sha256: options.fingerprintHash, bytes: 0 });
    const note = variantFailures(result);
    await tx.finishRun(run.id, { worker: options.worker, ...(note ? { note } : {}) });
  });
}

/**
 * What went wrong inside a twin run that finished: one line per variant that
 * diverged or failed ("variant 'a' failed: groups.map is not a function"),
 * undefined when every variant finished. Stored as the run's error.
 */
export function variantFailures(result: TwinResult): string | undefined {
  const lines: string[] = [];
  for (const [name, v] of Object.entries(result.variants)) {
    if (v.status === "diverged") lines.push(`variant '${name}' diverged${v.divergedAtStep !== undefined ? ` at step ${v.divergedAtStep}` : ""}`);
    else if (v.status === "failed" || v.status === "skipped") {
      const first = (v.error ?? "no error message").split("\n")[0]!;
      lines.push(first.startsWith(`variant '${name}' `) ? first : `variant '${name}' ${v.status === "failed" ? "failed" : "not trained"}: ${first}`);
    }
  }
  return lines.length ? lines.join("\n") : undefined;
}

/** A variant's own line of a finished run's error (see variantFailures). */
function variantError(run: RunRecord, name: string): string | undefined {
  if (!run.error) return undefined;
  if (run.status !== "finished") return run.error;
  return run.error.split("\n").find((l) => l.startsWith(`variant '${name}' `));
}

/** The fingerprint hash a run was executed with (where it ran), else the one it was submitted with. */
export async function executedFingerprint(store: Store, run: RunRecord): Promise<string | null> {
  const a = (await store.artifacts(run.id)).find((x) => x.kind === "fingerprint");
  return a?.sha256 ?? run.fingerprintHash;
}

/** A stored run as a TwinResult (no initial layer hashes; per-example predictions only with `predictions`): what the verdict and reports need. */
export async function resultFromStore(store: Store, run: RunRecord, options: { predictions?: boolean } = {}): Promise<TwinResult> {
  const config = configOf(run);
  const [metrics, sums, checksums, artifacts] = await Promise.all([
    store.metrics({ runId: run.id }),
    store.controlSums(run.id),
    store.batchChecksums(run.id),
    store.artifacts(run.id),
  ]);
  const variants: Record<string, VariantResult> = {};
  for (const name of run.variants) {
    const mine = metrics.filter((m) => m.variant === name);
    const statusRow = mine.find((m) => m.name === "status");
    const status = run.status === "finished" && statusRow ? STATUS_OF[statusRow.value] ?? "failed" : run.status === "finished" ? "finished" : "failed";
    const final: Record<string, number> = {};
    for (const m of mine) if (m.name.startsWith("final/")) final[m.name.slice(6)] = m.value;
    const test: Record<string, number> = {};
    for (const m of mine) if (m.name.startsWith("test/")) test[m.name.slice(5)] = m.value;
    const epochSteps = [...new Set(mine.filter((m) => m.name === "epoch").map((m) => m.step))].sort((a, b) => a - b);
    const epochs = epochSteps.map((step) => {
      const e: Record<string, number> = { step, epoch: mine.find((m) => m.name === "epoch" && m.step === step)!.value };
      for (const m of mine) if (m.step === step && m.name.startsWith("val/")) e[m.name.slice(4)] = m.value;
      return e as EvalMetrics & { epoch: number; step: number };
    });
    const diverged = mine.find((m) => m.name === "diverged_at");
    variants[name] = {
      name,
      status,
      epochs,
      final: Object.keys(final).length ? (final as EvalMetrics) : undefined,
      ...(Object.keys(test).length ? { test: test as EvalMetrics } : {}),
      weightsHash: artifacts.find((a) => a.kind === "weights" && a.path === `${name}/final`)?.sha256,
      divergedAtStep: diverged?.value,
      error: status === "finished" ? undefined : variantError(run, name),
    };
  }
  const steps = Math.max(0, ...checksums.map((c) => c.step));
  const byStep: ControlSum[][] = Array.from({ length: steps }, () => []);
  for (const s of sums) if (s.step >= 1 && s.step <= steps) byStep[s.step - 1]!.push({ stream: s.stream, draws: s.draws, state: s.state, chain: s.chain });
  const seeds: Record<string, string> = {};
  for (const [k, v] of Object.entries(run.seeds)) seeds[k] = v.toString();
  const chainArtifact = artifacts.find((a) => a.kind === "run-chain");
  let validationTargets: Int32Array = new Int32Array(0), testTargets: Int32Array = new Int32Array(0);
  if (options.predictions) {
    for (const p of await store.predictions(run.id)) {
      const v = variants[p.variant];
      if (!v) continue;
      v.numClasses = p.classes;
      if (p.split === "validation") { v.predictions = p.probabilities; validationTargets = p.labels; }
      else { v.testPredictions = p.probabilities; testTargets = p.labels; }
    }
  }
  return {
    study: run.study,
    seeds,
    steps,
    completed: run.status === "finished",
    stopped: false,
    reference: config.reference,
    schedule: "sequential",
    variants,
    validationTargets,
    testTargets,
    batchChecksums: checksums.map((c) => c.checksum),
    controlSums: byStep[byStep.length - 1] ?? [],
    controlSumsByStep: byStep,
    initialLayerHashes: {},
    runChain: chainArtifact?.sha256 === "-" ? "" : chainArtifact?.sha256 ?? "",
  };
}
