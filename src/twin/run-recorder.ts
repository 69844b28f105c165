/**
 * What a twin run leaves behind besides weights: TensorBoard and JSON Lines
 * logs per variant (train loss, paired evaluations, status changes), the
 * control sums of every stream and the batch checksum at every step, the run
 * chain over both, and the `_checks` file that `twin verify` reads.
 */
import { join } from "node:path";
import { JsonlWriter } from "../log/jsonl.ts";
import { RunLogger } from "../log/run-logger.ts";
import type { SessionStatus } from "../log/hparams.ts";
import { chain } from "../rng/derive.ts";
import type { Streams } from "../rng/streams.ts";
import type { ControlSum } from "../rng/stream.ts";
import { scope } from "../torch/scope.ts";
import type { Prepared } from "./batch-pipeline.ts";
import { share } from "./batch-pipeline.ts";
import { DATA_STREAMS } from "./defaults.ts";
import type { VariantHost } from "./hosts.ts";
import type { StepOutcome } from "./variant-runner.ts";
import type { EvalMetrics, TrainBatch, TwinConfig, VariantResult } from "./types.ts";

/** The recorder's part of a checkpoint. */
export interface RecorderState {
  evalCursor: number;
  batchChecksums: string[];
  controlSumsByStep: ControlSum[][];
  runChain: string;
}

/** Asks every host and merges their per-variant answers. */
export async function onHosts<T>(hosts: readonly VariantHost[], fn: (h: VariantHost) => Promise<Record<string, T>>): Promise<Record<string, T>> {
  return Object.assign({}, ...(await Promise.all(hosts.map(fn))));
}

export class RunRecorder {
  readonly #config: TwinConfig;
  readonly #names: string[];
  readonly #reference: string;
  readonly #streams: Streams;
  readonly #loggers = new Map<string, RunLogger>();
  readonly #statuses: Record<string, VariantResult["status"]>;
  readonly #closeStatus = new Map<string, SessionStatus>();
  #checks: JsonlWriter | undefined;
  state: RecorderState = { evalCursor: 0, batchChecksums: [], controlSumsByStep: [], runChain: "" };

  constructor(config: TwinConfig, run: { names: string[]; reference: string; streams: Streams; runLabel: string; totalSteps: number; schedule: string }) {
    this.#config = config;
    this.#names = run.names;
    this.#reference = run.reference;
    this.#streams = run.streams;
    this.#statuses = Object.fromEntries(run.names.map((n) => [n, "running"]));
    if (!config.logdir) return;
    const seeds = Object.fromEntries(Object.entries(run.streams.seeds).map(([k, v]) => [k, v.toString()]));
    for (const name of run.names) {
      const logger = new RunLogger({ logdir: config.logdir, study: config.study, variant: name, seed: Number(run.runLabel) });
      logger.hparams(
        { study: config.study, variant: name, seed: run.runLabel, seeds, batch_size: config.batchSize, steps: run.totalSteps, schedule: run.schedule },
        ["val/accuracy", "val/loss"],
      );
      for (const [tag, text] of Object.entries(config.texts ?? {})) logger.logText(tag, text, 0);
      this.#loggers.set(name, logger);
    }
  }

  /** Continues from a checkpoint: the recorded state and each variant's status then. */
  restore(state: RecorderState, statuses: Record<string, VariantResult["status"]>): void {
    this.state = state;
    Object.assign(this.#statuses, statuses);
  }

  /** Opens the per-step checks file (after a resume, so it continues the recorded steps). */
  openChecks(runLabel: string): void {
    if (this.#config.logdir) this.#checks = new JsonlWriter(join(this.#config.logdir, this.#config.study, "_checks", `seed-${runLabel}.jsonl`));
  }

  /** Status changes (as text) and the train loss of every running variant, with its paired difference. */
  logStep(step: number, epoch: number, outcomes: Record<string, StepOutcome>): void {
    const losses: Record<string, number> = {};
    for (const [name, o] of Object.entries(outcomes)) {
      if (o.status !== this.#statuses[name]) {
        this.#statuses[name] = o.status;
        const text = o.status === "diverged" ? `diverged at step ${step}: loss ${o.loss}` : `${o.status} at step ${step}: ${o.error ?? ""}`;
        this.#loggers.get(name)?.logText("status", text, step);
      }
      if (o.status === "running" && o.loss !== undefined) losses[name] = o.loss;
    }
    const ref = losses[this.#reference];
    for (const [name, loss] of Object.entries(losses)) {
      const record: Record<string, number> = { "train/loss": loss, epoch };
      if (name !== this.#reference && ref !== undefined) record["paired/train/loss"] = loss - ref;
      this.#loggers.get(name)?.log(step + 1, record);
    }
  }

  /** Every variant's metrics at one step under `prefix`, each with its paired difference from the reference. */
  logPaired(atStep: number, metrics: Record<string, EvalMetrics>, prefix: string): void {
    const ref = metrics[this.#reference];
    for (const [name, m] of Object.entries(metrics)) {
      const record: Record<string, number> = {};
      for (const [k, value] of Object.entries(m)) record[`${prefix}/${k}`] = value;
      if (ref !== undefined && name !== this.#reference) {
        for (const [k, value] of Object.entries(m)) if (ref[k] !== undefined) record[`paired/${prefix}/${k}`] = value - ref[k];
      }
      this.#loggers.get(name)?.log(atStep, record);
    }
  }

  /**
   * The paired evaluation after `step` when one is due: every variant on the
   * same validation batch (the next in turn), test-time augmented from the
   * eval stream when the run has testAugment.
   */
  async evaluate(step: number, hosts: readonly VariantHost[], validation: readonly TrainBatch[], evalEvery: number): Promise<void> {
    if (!(evalEvery > 0 && (step + 1) % evalEvery === 0 && validation.length > 0)) return;
    const evalBatch = validation[this.state.evalCursor % validation.length]!;
    this.state.evalCursor++;
    const testAugment = this.#config.testAugment;
    if (!testAugment) {
      this.logPaired(step + 1, await onHosts(hosts, (h) => h.evaluate(share(evalBatch))), "eval");
      return;
    }
    const augmented = scope(() => {
      const b = testAugment(evalBatch, this.#streams.stream("eval").take());
      return { inputs: b.inputs, targets: b.targets, masks: b.masks };
    });
    try {
      this.logPaired(step + 1, await onHosts(hosts, (h) => h.evaluate(share(augmented))), "eval");
    } finally {
      for (const [k, t] of Object.entries(augmented)) if (t && t !== evalBatch[k as keyof TrainBatch]) t.dispose();
    }
  }

  /** Seals a step: every stream's control sum (each variant's dropout too), the batch checksum, the run chain. */
  seal(step: number, p: Prepared, outcomes: Record<string, StepOutcome>): void {
    const sums = [
      ...p.dataSums,
      ...this.#streams.recordAllBut(DATA_STREAMS),
      ...this.#names.map((n) => ({ ...outcomes[n]!.dropout, stream: `dropout@${n}` })),
    ];
    this.state.batchChecksums.push(p.checksum);
    this.state.controlSumsByStep.push(sums);
    this.state.runChain = chain(this.state.runChain, p.checksum + "|" + sums.map((s) => `${s.stream}:${s.draws}:${s.state}`).join(","));
    this.#checks?.write({ step: step + 1, batch: p.checksum, streams: sums.map((s) => ({ stream: s.stream, draws: s.draws, state: s.state })) });
  }

  /** How each variant's logs will close: finished runs as success, the rest as failure, or still running when the run was stopped. */
  setOutcome(variants: Record<string, VariantResult>, completed: boolean): void {
    for (const [name, v] of Object.entries(variants)) this.#closeStatus.set(name, v.status === "finished" ? "success" : completed ? "failure" : "running");
  }

  /** Closes the logs (a variant without an outcome, when the run threw, as failure). */
  close(): void {
    this.#checks?.close();
    for (const [name, logger] of this.#loggers) logger.close(this.#closeStatus.get(name) ?? "failure");
  }
}
