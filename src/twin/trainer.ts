/**
 * The twin trainer: K variants train in lockstep on one stream of data.
 *
 *   for each step:
 *     batch = loader.next()                   order stream
 *     batch = augment(batch, augment stream)  once, shared by all variants
 *     for each variant: forward, backward, optimizer step, free activations
 *     every evalEvery steps: the same validation batch for every variant
 *     record control sums of every stream and the batch checksum
 *
 * Schedules: "sequential" (variants one after another: one variant's
 * activations alive at a time) and "parallel" (one worker thread per variant,
 * every worker reading the same batch memory). Both give the same numbers bit
 * for bit. When the variants come from a module (a study file), the sequential
 * schedule runs them in one worker thread so that this thread prepares the next
 * batch while they train. A variant whose loss turns NaN/Inf is stopped and
 * marked diverged; the others go on. A single model is the K = 1 case.
 */
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { JsonlWriter } from "../log/jsonl.ts";
import { RunLogger } from "../log/run-logger.ts";
import type { SessionStatus } from "../log/hparams.ts";
import { Loader, type LoaderState } from "../data/loader.ts";
import { Streams } from "../rng/streams.ts";
import { chain, digest } from "../rng/derive.ts";
import type { ControlSum, StreamState } from "../rng/stream.ts";
import { globalGeneratorState, setStrictRandom } from "../torch/runtime.ts";
import { scope } from "../torch/scope.ts";
import { batchChecksum } from "./checksum.ts";
import { latestValidCheckpoint, readCheckpoint, writeCheckpoint } from "./checkpoint.ts";
import { InProcessHost, WorkerHost, WorkerPool, type HostInit, type SharedBatch, type VariantHost } from "./hosts.ts";
import type { StepOutcome } from "./variant-runner.ts";
import type { EvalMetrics, TrainBatch, TwinConfig, TwinResult, VariantResult } from "./types.ts";

const DEFAULT_EVAL_EVERY = 50;
const DEFAULT_EVAL_BATCH = 500;
/** Streams recorded right after a batch is prepared (they draw only then). */
const DATA_STREAMS = ["order", "augment"];

/** A prepared batch: its tensors (kept until the step is over), ids, checksum and data-stream sums. */
interface Prepared {
  batch: TrainBatch;
  shared: SharedBatch;
  snapshot?: TrainBatch;
  checksum: string;
  dataSums: ControlSum[];
  epoch: number;
}

function share(b: TrainBatch): SharedBatch {
  return { inputs: b.inputs.id, targets: b.targets.id, masks: b.masks?.id };
}

function disposeBatch(b: TrainBatch | undefined): void {
  b?.inputs.dispose();
  b?.targets.dispose();
  b?.masks?.dispose();
}

/** Splits variants over workers round-robin: worker i gets variants i, i + w, i + 2w, ... */
export function assignVariants(names: string[], workers: number): string[][] {
  const groups: string[][] = Array.from({ length: Math.min(workers, names.length) }, () => []);
  names.forEach((n, i) => groups[i % groups.length].push(n));
  return groups;
}

/** Runs one twin run (one root seed) and returns every variant's result. */
export async function twinTrain(config: TwinConfig): Promise<TwinResult> {
  const names = Object.keys(config.variants);
  if (names.length === 0) throw new Error(`study '${config.study}': no variants to train`);
  const reference = config.reference ?? names[0];
  if (!names.includes(reference)) throw new Error(`study '${config.study}': reference variant '${reference}' is not one of ${names.join(", ")}`);
  const schedule = config.schedule ?? "sequential";
  if (schedule === "parallel" && config.variantsModule === undefined) {
    throw new Error(`study '${config.study}': the parallel schedule builds each variant in its own worker thread, so the variants must come from a module; pass variantsModule (the study file) or use schedule "sequential"`);
  }
  const runLabel = String(config.runLabel ?? config.seed.root);

  const previousStrict = setStrictRandom(true);
  const globalBefore = digest(globalGeneratorState());
  const streams = new Streams(config.seed);
  const validationBatches: TrainBatch[] = [];
  const hosts: VariantHost[] = [];
  const loggers = new Map<string, RunLogger>();
  const closeStatus = new Map<string, SessionStatus>();
  let checks: JsonlWriter | undefined;
  let next: Prepared | undefined;
  let ahead: { current: Prepared; pending: Promise<Record<string, StepOutcome>[]> } | undefined;
  let ownPool: WorkerPool | undefined;
  try {
    const order = streams.stream("order");
    const augmentStream = streams.stream("augment");
    const evalStream = streams.stream("eval");
    streams.stream("init");
    const loader = new Loader(config.train, { batchSize: config.batchSize, order, dropLast: true, normalize: config.normalize });
    const total = config.steps ?? (config.epochs ?? 1) * loader.batchesPerEpoch;
    const evalEvery = config.evalEvery ?? DEFAULT_EVAL_EVERY;
    const verify = config.verifyBatches ?? true;

    // The validation set is collated once and shared by every evaluation and every host.
    const valLoader = new Loader(config.validation, { batchSize: config.evalBatchSize ?? DEFAULT_EVAL_BATCH, dropLast: false, normalize: config.normalize });
    for (const b of valLoader.sequential()) validationBatches.push({ inputs: b.inputs.keep(), targets: b.targets.keep(), masks: b.masks?.keep() });
    const validationTargets = Int32Array.from(config.validation.targets.data as ArrayLike<number | bigint>, Number);

    const init = (group: string[]): HostInit => ({
      names: group,
      seeds: { init: streams.seeds.init.toString(), dropout: streams.seeds.dropout.toString() },
      totalSteps: total,
      validation: validationBatches.map(share),
      target: config.target,
      metrics: config.metrics !== undefined,
    });
    if (config.variantsModule === undefined) {
      hosts.push(new InProcessHost(config.variants, init(names), config.metrics));
    } else {
      const wanted = schedule === "parallel" ? config.workers ?? config.pool?.size ?? Math.max(1, availableParallelism()) : 1;
      const groups = assignVariants(names, wanted);
      const pool = config.pool ?? (ownPool = await WorkerPool.start(config.variantsModule, groups.length));
      if (pool.size < groups.length) throw new Error(`the worker pool has ${pool.size} workers; this run needs ${groups.length}`);
      const opened = await Promise.allSettled(groups.map((g, i) => WorkerHost.open(pool.workers[i], init(g))));
      for (const o of opened) if (o.status === "fulfilled") hosts.push(o.value);
      const failed = opened.find((o): o is PromiseRejectedResult => o.status === "rejected");
      if (failed) throw failed.reason;
    }
    const onHosts = async <T>(fn: (h: VariantHost) => Promise<Record<string, T>>): Promise<Record<string, T>> =>
      Object.assign({}, ...(await Promise.all(hosts.map(fn))));

    if (config.logdir) {
      for (const name of names) {
        const logger = new RunLogger({ logdir: config.logdir, study: config.study, variant: name, seed: Number(runLabel) });
        const seeds = Object.fromEntries(Object.entries(streams.seeds).map(([k, v]) => [k, v.toString()]));
        logger.hparams({ study: config.study, variant: name, seed: runLabel, seeds, batch_size: config.batchSize, steps: total, schedule }, ["val/accuracy", "val/loss"]);
        for (const [tag, text] of Object.entries(config.texts ?? {})) logger.logText(tag, text, 0);
        loggers.set(name, logger);
      }
    }

    let step = 0;
    let evalCursor = 0;
    let batchChecksums: string[] = [];
    let controlSumsByStep: ControlSum[][] = [];
    let runChain = "";
    const initialLayerHashes = await onHosts((h) => h.layerHashes());
    const statuses: Record<string, VariantResult["status"]> = Object.fromEntries(names.map((n) => [n, "running"]));

    const ckptDir = config.checkpoint?.dir;
    const resumeFrom = ckptDir && config.resume !== false ? latestValidCheckpoint(ckptDir, config.checkpoint) : undefined;
    if (resumeFrom) {
      const saved = readCheckpoint(resumeFrom);
      ({ step, evalCursor, batchChecksums, controlSumsByStep, runChain } = saved.state);
      streams.setState(saved.state.streams);
      loader.setState(saved.state.loader);
      await Promise.all(hosts.map((h) => h.load(resumeFrom, saved.variants)));
      for (const [n, v] of Object.entries(saved.variants)) statuses[n] = v.result.status;
      config.checkpoint?.onResume?.(step);
    }

    if (config.logdir) checks = new JsonlWriter(join(config.logdir, config.study, "_checks", `seed-${runLabel}.jsonl`));

    // Data-side state as it was before the prefetched batch was drawn: a
    // checkpoint must not include the draws of a step that has not run yet.
    let beforeNext: { loader: LoaderState; order: StreamState; augment: StreamState } | undefined;
    const save = async (atStep: number) => {
      if (!ckptDir) return;
      const current = streams.getState();
      const loaderState = next && beforeNext ? beforeNext.loader : loader.getState();
      if (next && beforeNext) Object.assign(current, { order: beforeNext.order, augment: beforeNext.augment });
      const state = { step: atStep, streams: current, loader: loaderState, evalCursor, batchChecksums, controlSumsByStep, runChain };
      const written = await writeCheckpoint(ckptDir, state, (folder) => onHosts((h) => h.save(folder)));
      await config.checkpoint?.onSaved?.(written);
    };

    const logPaired = (atStep: number, metrics: Record<string, EvalMetrics>, prefix: string) => {
      const ref = metrics[reference];
      for (const [name, m] of Object.entries(metrics)) {
        // loss, accuracy and any extra metrics (TwinConfig.metrics), each with its paired difference.
        const record: Record<string, number> = {};
        for (const [k, value] of Object.entries(m)) record[`${prefix}/${k}`] = value;
        if (ref !== undefined && name !== reference) {
          for (const [k, value] of Object.entries(m)) if (ref[k] !== undefined) record[`paired/${prefix}/${k}`] = value - ref[k];
        }
        loggers.get(name)?.log(atStep, record);
      }
    };

    // Draws the batch for one step from the order and augment streams, once for every variant.
    const prepare = (): Prepared => {
      beforeNext = { loader: loader.getState(), order: order.getState(), augment: augmentStream.getState() };
      const { batch, snapshot, checksum, epoch } = scope(() => {
        const { indices, epoch } = loader.nextIndices();
        let b: TrainBatch = loader.collate(indices);
        if (config.augment) b = config.augment(b, augmentStream.take());
        const checksum = batchChecksum(indices, [b.inputs, b.targets, b.masks]);
        const snapshot = verify ? { inputs: b.inputs.clone(), targets: b.targets.clone(), masks: b.masks?.clone() } : undefined;
        return { batch: { inputs: b.inputs, targets: b.targets, masks: b.masks }, snapshot, checksum, epoch };
      });
      for (const t of [batch.inputs, batch.targets, batch.masks, snapshot?.inputs, snapshot?.targets, snapshot?.masks]) t?.keep();
      const dataSums = DATA_STREAMS.map((s) => streams.recordStream(s));
      return { batch, shared: share(batch), snapshot, checksum, dataSums, epoch };
    };

    const stopAt = config.stopAfter === undefined ? total : Math.min(total, config.stopAfter);
    const post = (p: Prepared, at: number): Promise<Record<string, StepOutcome>[]> =>
      Promise.all(hosts.map((h) => h.step(p.shared, p.snapshot && share(p.snapshot), at)));
    // After these steps something must happen between this step and the next
    // (an evaluation, the epoch's end, a checkpoint, the end), so no step runs ahead of them.
    const syncAfter = (k: number): boolean =>
      k + 1 >= stopAt ||
      (evalEvery > 0 && (k + 1) % evalEvery === 0) ||
      (k + 1) % loader.batchesPerEpoch === 0 ||
      (config.checkpoint !== undefined && (k + 1) % config.checkpoint.every === 0);
    // Workers may start the next step before this thread has logged the current one,
    // so no worker waits for the others between evaluations (same numbers: nothing
    // a variant computes depends on that bookkeeping).
    const runAhead = hosts.every((h) => h instanceof WorkerHost);
    if (step < stopAt) next = prepare();
    let stopped = false;
    for (; step < stopAt; step++) {
      if (config.signal && ahead === undefined) {
        // Let a pending signal (Ctrl-C) be delivered even when every host answers synchronously.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (config.signal.aborted) {
          stopped = true;
          if (step > 0) await save(step);
          break;
        }
      }
      let current: Prepared;
      let pending: Promise<Record<string, StepOutcome>[]>;
      if (ahead !== undefined) {
        ({ current, pending } = ahead);
        ahead = undefined;
      } else {
        current = next!;
        next = undefined;
        pending = post(current, step);
      }
      if (runAhead && !syncAfter(step) && !config.signal?.aborted) {
        const following = next ?? prepare();
        next = undefined;
        ahead = { current: following, pending: post(following, step + 1) };
        ahead.pending.catch(() => undefined); // awaited in its own iteration (or in finally)
      }
      // While the variants train, this thread prepares the batch after the last one handed out.
      const lastPosted = ahead === undefined ? step : step + 1;
      if (next === undefined && lastPosted + 1 < stopAt) next = prepare();
      const outcomes = Object.assign({}, ...(await pending)) as Record<string, StepOutcome>;
      try {
        if (current.snapshot && !(current.batch.inputs.equal(current.snapshot.inputs) && current.batch.targets.equal(current.snapshot.targets))) {
          throw new Error(`step ${step}: a variant modified the shared batch in place, which breaks twin training (every variant must see the same batch)`);
        }
        const losses: Record<string, number> = {};
        for (const [name, o] of Object.entries(outcomes)) {
          if (o.status !== statuses[name]) {
            statuses[name] = o.status;
            loggers.get(name)?.logText("status", o.status === "diverged" ? `diverged at step ${step}: loss ${o.loss}` : `${o.status} at step ${step}: ${o.error ?? ""}`, step);
          }
          if (o.status === "running" && o.loss !== undefined) losses[name] = o.loss;
        }
        for (const [name, loss] of Object.entries(losses)) {
          const record: Record<string, number> = { "train/loss": loss, epoch: current.epoch };
          if (name !== reference && losses[reference] !== undefined) record["paired/train/loss"] = loss - losses[reference];
          loggers.get(name)?.log(step + 1, record);
        }

        if (evalEvery > 0 && (step + 1) % evalEvery === 0 && validationBatches.length > 0) {
          const evalBatch = validationBatches[evalCursor % validationBatches.length];
          evalCursor++;
          if (config.testAugment) {
            const augmented = scope(() => {
              const b = config.testAugment!(evalBatch, evalStream.take());
              return { inputs: b.inputs, targets: b.targets, masks: b.masks };
            });
            try {
              logPaired(step + 1, await onHosts((h) => h.evaluate(share(augmented))), "eval");
            } finally {
              for (const [k, t] of Object.entries(augmented)) if (t && t !== evalBatch[k as keyof TrainBatch]) t.dispose();
            }
          } else {
            logPaired(step + 1, await onHosts((h) => h.evaluate(share(evalBatch))), "eval");
          }
        }

        const dropout = Object.fromEntries(Object.entries(outcomes).map(([n, o]) => [n, o.dropout]));
        const sums = [
          ...current.dataSums,
          ...streams.recordAllBut(DATA_STREAMS),
          ...names.map((n) => ({ ...dropout[n], stream: `dropout@${n}` })),
        ];
        batchChecksums.push(current.checksum);
        controlSumsByStep.push(sums);
        runChain = chain(runChain, current.checksum + "|" + sums.map((s) => `${s.stream}:${s.draws}:${s.state}`).join(","));
        checks?.write({ step: step + 1, batch: current.checksum, streams: sums.map((s) => ({ stream: s.stream, draws: s.draws, state: s.state })) });
      } finally {
        disposeBatch(current.batch);
        disposeBatch(current.snapshot);
      }

      const endOfEpoch = (step + 1) % loader.batchesPerEpoch === 0 || step + 1 === total;
      if (endOfEpoch) {
        const epoch = Math.ceil((step + 1) / loader.batchesPerEpoch);
        const last = step + 1 === total;
        logPaired(step + 1, await onHosts((h) => h.evaluateEpoch(epoch, step + 1, last, config.keepPredictions !== false)), "val");
        if (digest(globalGeneratorState()) !== globalBefore) {
          throw new Error(`libtorch's global generator was used during epoch ${epoch}; every random op in a twin run must take a named stream's generator`);
        }
      }
      config.onProgress?.({ step: step + 1, totalSteps: total, epoch: loader.epoch, losses: Object.fromEntries(Object.entries(outcomes).filter(([, o]) => o.loss !== undefined).map(([n, o]) => [n, o.loss!])) });
      if (config.checkpoint && ((step + 1) % config.checkpoint.every === 0 || step + 1 === stopAt)) await save(step + 1);
    }

    const completed = step >= total;
    const variants = await onHosts((h) => h.finish(completed));
    for (const [name, v] of Object.entries(variants)) closeStatus.set(name, v.status === "finished" ? "success" : completed ? "failure" : "running");
    const dropoutSums = await onHosts((h) => h.dropoutSums());
    const controlSums = [...streams.controlSums(), ...names.map((n) => ({ ...dropoutSums[n], stream: `dropout@${n}` }))];
    return {
      study: config.study,
      seeds: Object.fromEntries(Object.entries(streams.seeds).map(([k, s]) => [k, s.toString()])),
      steps: step,
      completed,
      stopped,
      reference,
      schedule,
      variants: Object.fromEntries(names.map((n) => [n, variants[n]])),
      validationTargets,
      batchChecksums,
      controlSums,
      controlSumsByStep,
      initialLayerHashes,
      runChain,
    };
  } finally {
    if (ahead !== undefined) {
      await ahead.pending.catch(() => undefined);
      disposeBatch(ahead.current.batch);
      disposeBatch(ahead.current.snapshot);
    }
    disposeBatch(next?.batch);
    disposeBatch(next?.snapshot);
    checks?.close();
    for (const [name, logger] of loggers) logger.close(closeStatus.get(name) ?? "failure");
    await Promise.allSettled(hosts.map((h) => h.dispose()));
    await ownPool?.close();
    for (const b of validationBatches) disposeBatch(b);
    streams.dispose();
    setStrictRandom(previousStrict);
  }
}
