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
 *
 * The pieces: batch-pipeline.ts (prepare, run ahead, hand over), hosts.ts
 * (where variants live), variant-runner.ts (one variant's step),
 * run-recorder.ts (logs, control sums, run chain, paired evaluation),
 * checkpoint.ts, defaults.ts.
 */
import { Loader } from "../data/loader.ts";
import { Streams } from "../rng/streams.ts";
import { digest } from "../rng/derive.ts";
import { globalGeneratorState, setStrictRandom } from "../torch/runtime.ts";
import { BatchPipeline, disposeBatch, share } from "./batch-pipeline.ts";
import { latestValidCheckpoint, readCheckpoint, writeCheckpoint } from "./checkpoint.ts";
import { EVAL_BATCH, EVAL_EVERY, TRAINER_STREAMS } from "./defaults.ts";
import { openHosts, variantWorkers, WorkerHost, type HostInit, type VariantHost, type WorkerPool } from "./hosts.ts";
import { onHosts, RunRecorder } from "./run-recorder.ts";
import type { TrainBatch, TwinConfig, TwinResult } from "./types.ts";

/** What a run may borrow from its caller: worker threads kept for a whole study (by default each run starts its own). */
export interface TwinRuntime {
  pool?: WorkerPool;
}

/** Runs one twin run (one root seed) and returns every variant's result. */
export async function twinTrain(config: TwinConfig, runtime: TwinRuntime = {}): Promise<TwinResult> {
  const { names, reference, schedule, runLabel } = checkConfig(config);
  const previousStrict = setStrictRandom(true);
  const globalBefore = digest(globalGeneratorState());
  const streams = new Streams(config.seed);
  for (const s of TRAINER_STREAMS) streams.stream(s);
  const cleanup: (() => unknown)[] = [() => streams.dispose(), () => setStrictRandom(previousStrict)];
  try {
    const loader = new Loader(config.train, { batchSize: config.batchSize, order: streams.stream("order"), dropLast: true, normalize: config.normalize });
    const total = config.steps ?? (config.epochs ?? 1) * loader.batchesPerEpoch;
    const stopAt = Math.min(total, config.stopAfter ?? total);
    const evalEvery = config.evalEvery ?? EVAL_EVERY;
    const validation = collateValidation(config, config.validation);
    cleanup.unshift(() => validation.forEach(disposeBatch));
    const test = config.test ? collateValidation(config, config.test) : [];
    cleanup.unshift(() => test.forEach(disposeBatch));
    const workers = variantWorkers(schedule, names.length, config.workers ?? runtime.pool?.size);
    const { hosts, close } = await openHosts(config.variants, hostInit(config, streams, total, validation, test), { module: config.variantsModule, workers, pool: runtime.pool, metrics: config.metrics });
    cleanup.unshift(close);
    const recorder = new RunRecorder(config, { names, reference, streams, runLabel, totalSteps: total, schedule });
    cleanup.unshift(() => recorder.close());
    const pipeline = new BatchPipeline({ loader, streams, augment: config.augment, verify: config.verifyBatches ?? true, runAhead: hosts.every((h) => h instanceof WorkerHost),
      post: (b, s, at) => onHosts(hosts, (h) => h.step(b, s, at)) });
    cleanup.unshift(() => pipeline.dispose());
    const initialLayerHashes = await onHosts(hosts, (h) => h.layerHashes());
    let step = await resume(config, streams, loader, hosts, recorder);
    recorder.openChecks(runLabel);
    // After these steps something must happen before the next one (an evaluation, the epoch's end, a checkpoint, the end), so no step runs ahead of them.
    const syncAfter = (k: number) => k + 1 >= stopAt || (evalEvery > 0 && (k + 1) % evalEvery === 0) || (k + 1) % loader.batchesPerEpoch === 0 || (config.checkpoint !== undefined && (k + 1) % config.checkpoint.every === 0);
    pipeline.start(step, stopAt);
    let stopped = false;
    for (; step < stopAt; step++) {
      if (config.signal && pipeline.idle) {
        await new Promise<void>((resolve) => setImmediate(resolve)); // lets a pending Ctrl-C arrive even when every host answers synchronously
        if ((stopped = config.signal.aborted)) {
          if (step > 0) await saveCheckpoint(config, step, streams, pipeline, recorder, hosts);
          break;
        }
      }
      const { current, pending } = pipeline.hand(step, stopAt, !syncAfter(step) && !config.signal?.aborted);
      const outcomes = await pending;
      try {
        pipeline.checkUnchanged(current, step);
        recorder.logStep(step, current.epoch, outcomes);
        await recorder.evaluate(step, hosts, validation, evalEvery);
        recorder.seal(step, current, outcomes);
      } finally {
        pipeline.release(current);
      }
      if ((step + 1) % loader.batchesPerEpoch === 0 || step + 1 === total) {
        const epoch = Math.ceil((step + 1) / loader.batchesPerEpoch);
        recorder.logPaired(step + 1, await onHosts(hosts, (h) => h.evaluateEpoch(epoch, step + 1, step + 1 === total, config.keepPredictions !== false)), "val");
        if (digest(globalGeneratorState()) !== globalBefore) throw new Error(`libtorch's global generator was used during epoch ${epoch}; every random op in a twin run must take a named stream's generator`);
      }
      config.onProgress?.({ step: step + 1, totalSteps: total, epoch: loader.epoch, losses: Object.fromEntries(Object.entries(outcomes).filter(([, o]) => o.loss !== undefined).map(([n, o]) => [n, o.loss!])) });
      if (config.checkpoint && ((step + 1) % config.checkpoint.every === 0 || step + 1 === stopAt)) await saveCheckpoint(config, step + 1, streams, pipeline, recorder, hosts);
    }
    return await finish(config, { names, reference, schedule, streams, hosts, recorder, initialLayerHashes }, step, total, stopped);
  } finally {
    for (const fn of cleanup) await fn();
  }
}

/** Every variant's result and the run's records, once the loop is over (completed or stopped). */
async function finish(
  config: TwinConfig,
  run: { names: string[]; reference: string; schedule: "sequential" | "parallel"; streams: Streams; hosts: VariantHost[]; recorder: RunRecorder; initialLayerHashes: Record<string, Record<string, string>> },
  step: number,
  total: number,
  stopped: boolean,
): Promise<TwinResult> {
  const { names, streams, hosts } = run;
  const completed = step >= total;
  // The held-out test set: once, after the last step of a completed run, never before (nothing is chosen by it).
  if (completed && config.test) run.recorder.logPaired(step, await onHosts(hosts, (h) => h.evaluateTest(config.keepPredictions !== false)), "test");
  const variants = await onHosts(hosts, (h) => h.finish(completed));
  run.recorder.setOutcome(variants, completed);
  const dropoutSums = await onHosts(hosts, (h) => h.dropoutSums());
  const { batchChecksums, controlSumsByStep, runChain } = run.recorder.state;
  return {
    study: config.study,
    seeds: Object.fromEntries(Object.entries(streams.seeds).map(([k, s]) => [k, s.toString()])),
    steps: step,
    completed,
    stopped,
    reference: run.reference,
    schedule: run.schedule,
    variants: Object.fromEntries(names.map((n) => [n, variants[n]!])),
    validationTargets: Int32Array.from(config.validation.targets.data as ArrayLike<number | bigint>, Number),
    testTargets: config.test && completed ? Int32Array.from(config.test.targets.data as ArrayLike<number | bigint>, Number) : new Int32Array(0),
    batchChecksums,
    controlSums: [...streams.controlSums(), ...names.map((n) => ({ ...dropoutSums[n]!, stream: `dropout@${n}` }))],
    controlSumsByStep,
    initialLayerHashes: run.initialLayerHashes,
    runChain,
  };
}

/** What every host is given to build its variants: their names, the init and dropout streams as specs, the shared validation set. */
function hostInit(config: TwinConfig, streams: Streams, totalSteps: number, validation: readonly TrainBatch[], test: readonly TrainBatch[]): (names: string[]) => HostInit {
  return (names) => ({
    names,
    streams: [streams.spec("init"), streams.spec("dropout")],
    totalSteps,
    validation: validation.map(share),
    ...(test.length > 0 ? { test: test.map(share) } : {}),
    target: config.target,
    metrics: config.metrics !== undefined,
    ...(config.skip ? { skip: config.skip } : {}),
  });
}

/** Writes a checkpoint at `step`: the data side as it was before any prefetched batch, the recorder, every variant. */
async function saveCheckpoint(config: TwinConfig, step: number, streams: Streams, pipeline: BatchPipeline, recorder: RunRecorder, hosts: readonly VariantHost[]): Promise<void> {
  if (!config.checkpoint) return;
  const data = pipeline.dataState();
  const state = { step, streams: { ...streams.getState(), ...data.streams }, loader: data.loader, ...recorder.state };
  const written = await writeCheckpoint(config.checkpoint.dir, state, (folder) => onHosts(hosts, (h) => h.save(folder)));
  await config.checkpoint.onSaved?.(written);
}

/** The run's variant names, reference, schedule and log label, checked. */
function checkConfig(config: TwinConfig): { names: string[]; reference: string; schedule: "sequential" | "parallel"; runLabel: string } {
  const names = Object.keys(config.variants);
  if (names.length === 0) throw new Error(`study '${config.study}': no variants to train`);
  const reference = config.reference ?? names[0]!;
  if (!names.includes(reference)) throw new Error(`study '${config.study}': reference variant '${reference}' is not one of ${names.join(", ")}`);
  const schedule = config.schedule ?? "sequential";
  if (schedule === "parallel" && config.variantsModule === undefined) {
    throw new Error(`study '${config.study}': the parallel schedule builds each variant in its own worker thread, so the variants must come from a module; pass variantsModule (the study file) or use schedule "sequential"`);
  }
  return { names, reference, schedule, runLabel: String(config.runLabel ?? config.seed.root) };
}

/** The validation (or test) set, collated once and shared by every evaluation and every host. */
function collateValidation(config: TwinConfig, dataset: TwinConfig["validation"]): TrainBatch[] {
  const loader = new Loader(dataset, { batchSize: config.evalBatchSize ?? EVAL_BATCH, dropLast: false, normalize: config.normalize });
  return [...loader.sequential()].map((b) => ({ inputs: b.inputs.keep(), targets: b.targets.keep(), masks: b.masks?.keep() }));
}

/** Continues from the newest checkpoint when there is one (and resume is not off); returns the step to start at. */
async function resume(config: TwinConfig, streams: Streams, loader: Loader, hosts: readonly VariantHost[], recorder: RunRecorder): Promise<number> {
  const from = config.checkpoint && config.resume !== false ? latestValidCheckpoint(config.checkpoint.dir, config.checkpoint) : undefined;
  if (from === undefined) return 0;
  const { state, variants } = readCheckpoint(from);
  streams.setState(state.streams);
  loader.setState(state.loader);
  await Promise.all(hosts.map((h) => h.load(from, variants)));
  const { step, streams: _streams, loader: _loader, ...recorded } = state;
  recorder.restore(recorded, Object.fromEntries(Object.entries(variants).map(([n, v]) => [n, v.result.status])));
  config.checkpoint?.onResume?.(step);
  return step;
}
