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
 * Only one variant's activations exist at a time (each variant's step runs in
 * its own scope). A variant whose loss turns NaN/Inf is stopped and marked
 * diverged; the others go on. A single model is the K = 1 case.
 */
import { JsonlWriter } from "../log/jsonl.ts";
import { RunLogger } from "../log/run-logger.ts";
import type { SessionStatus } from "../log/hparams.ts";
import { Loader } from "../data/loader.ts";
import { Streams } from "../rng/streams.ts";
import { chain, digest } from "../rng/derive.ts";
import type { ControlSum, RandomStream, StreamState } from "../rng/stream.ts";
import type { LoaderState } from "../data/loader.ts";
import { globalGeneratorState, setStrictRandom } from "../torch/runtime.ts";
import { scope } from "../torch/scope.ts";
import type { Tensor } from "../torch/tensor.ts";
import { join } from "node:path";
import { batchChecksum, weightsHash } from "./checksum.ts";
import { latestCheckpoint, readCheckpoint, writeCheckpoint } from "./checkpoint.ts";
import { batchTargets, crossEntropy, evaluateAll, evaluateBatch, maskCrossEntropy, type EvalOptions } from "./evaluate.ts";
import { joinTree, splitTree } from "./state-tree.ts";
import type {
  EvalMetrics, LossFn, TrainBatch, TwinConfig, TwinModel, TwinOptimizer, TwinResult, TwinSchedule, VariantResult,
} from "./types.ts";

const DEFAULT_EVAL_EVERY = 50;
const DEFAULT_EVAL_BATCH = 500;

interface LiveVariant {
  name: string;
  model: TwinModel;
  optimizer: TwinOptimizer;
  schedule?: TwinSchedule;
  loss: LossFn;
  dropout: RandomStream;
  result: VariantResult;
  logger?: RunLogger;
  closeStatus?: SessionStatus;
}

interface SavedState {
  version: 1;
  step: number;
  streams: Record<string, Omit<StreamState, "generator"> & { generator: string }>;
  loader: LoaderState;
  evalCursor: number;
  batchChecksums: string[];
  controlSumsByStep: ControlSum[][];
  runChain: string;
  variants: Record<string, { result: VariantResult; optimizer: unknown; schedule?: unknown }>;
}

function seedLabel(config: TwinConfig): string {
  return String(config.runLabel ?? config.seed.root);
}

/** Runs one twin run (one root seed) and returns every variant's result. */
export function twinTrain(config: TwinConfig): TwinResult {
  const names = Object.keys(config.variants);
  if (names.length === 0) throw new Error(`study '${config.study}': no variants to train`);
  const reference = config.reference ?? names[0];
  if (!names.includes(reference)) throw new Error(`study '${config.study}': reference variant '${reference}' is not one of ${names.join(", ")}`);

  const previousStrict = setStrictRandom(true);
  const globalBefore = globalGeneratorState();
  const streams = new Streams(config.seed);
  const live: LiveVariant[] = [];
  const validationBatches: TrainBatch[] = [];
  let checks: JsonlWriter | undefined;
  try {
    const order = streams.stream("order");
    const augmentStream = streams.stream("augment");
    const evalStream = streams.stream("eval");
    streams.stream("init");
    const loader = new Loader(config.train, { batchSize: config.batchSize, order, dropLast: true, normalize: config.normalize });
    const total = config.steps ?? (config.epochs ?? 1) * loader.batchesPerEpoch;
    const evalEvery = config.evalEvery ?? DEFAULT_EVAL_EVERY;
    const verify = config.verifyBatches ?? true;
    const target = config.target ?? "labels";
    const evalOptions: EvalOptions = { target, metrics: config.metrics };

    // The validation set is collated once and reused by every evaluation.
    const valLoader = new Loader(config.validation, { batchSize: config.evalBatchSize ?? DEFAULT_EVAL_BATCH, dropLast: false, normalize: config.normalize });
    for (const b of valLoader.sequential()) {
      validationBatches.push({ inputs: b.inputs.keep(), targets: b.targets.keep(), masks: b.masks?.keep() });
    }
    const validationTargets = Int32Array.from(config.validation.targets.data as ArrayLike<number | bigint>, Number);

    for (const name of names) {
      const parts = config.variants[name]();
      const model = parts.model;
      model.initialize((path, shape) => streams.parameterGenerator(path, shape), { disposeGenerators: true });
      const dropout = streams.fork("dropout", name);
      model.setDropoutGenerator(dropout.take());
      const optimizer = parts.optimizer(model.parameters());
      const v: LiveVariant = {
        name, model, optimizer, dropout,
        schedule: parts.schedule?.(optimizer, total),
        loss: parts.loss ?? (target === "masks" ? maskCrossEntropy : crossEntropy),
        result: { name, status: "running", epochs: [] },
      };
      if (config.logdir) {
        v.logger = new RunLogger({ logdir: config.logdir, study: config.study, variant: name, seed: Number(seedLabel(config)) });
      }
      live.push(v);
    }

    let step = 0;
    let evalCursor = 0;
    let batchChecksums: string[] = [];
    let controlSumsByStep: ControlSum[][] = [];
    let runChain = "";
    const initialLayerHashes = Object.fromEntries(
      live.map((v) => [v.name, scope(() => Object.fromEntries(Object.entries(v.model.stateDict()).map(([k, t]) => [k, weightsHash({ [k]: t })])))]),
    );

    const ckptDir = config.checkpoint?.dir;
    const resumeFrom = ckptDir && config.resume !== false ? latestCheckpoint(ckptDir) : undefined;
    if (resumeFrom) {
      const files = readCheckpoint(resumeFrom);
      const saved = files.state as SavedState;
      step = saved.step;
      evalCursor = saved.evalCursor;
      batchChecksums = saved.batchChecksums;
      controlSumsByStep = saved.controlSumsByStep;
      runChain = saved.runChain;
      streams.setState(Object.fromEntries(Object.entries(saved.streams).map(([k, s]) => [k, { ...s, generator: Uint8Array.from(Buffer.from(s.generator, "base64")) }])));
      loader.setState(saved.loader);
      for (const v of live) {
        const s = saved.variants[v.name];
        v.model.loadStateDict(files.tensors[`model-${v.name}`] ?? {});
        v.optimizer.loadStateDict(joinTree(s.optimizer, files.tensors[`optim-${v.name}`] ?? {}));
        if (s.schedule !== undefined) v.schedule?.loadStateDict?.(joinTree(s.schedule, {}));
        v.result = s.result;
      }
      for (const ts of Object.values(files.tensors)) for (const t of Object.values(ts)) t.dispose();
    }

    if (config.logdir) {
      checks = new JsonlWriter(join(config.logdir, config.study, "_checks", `seed-${seedLabel(config)}.jsonl`));
      for (const v of live) {
        v.logger!.hparams({ study: config.study, variant: v.name, seed: seedLabel(config), batch_size: config.batchSize, steps: total }, ["val/accuracy", "val/loss"]);
      }
    }

    const running = () => live.filter((v) => v.result.status === "running");
    const save = (atStep: number) => {
      if (!ckptDir) return;
      const tensors: Record<string, Record<string, Tensor>> = {};
      const variants: SavedState["variants"] = {};
      for (const v of live) {
        tensors[`model-${v.name}`] = v.model.stateDict();
        const optTensors: Record<string, Tensor> = {};
        const optimizer = splitTree(v.optimizer.stateDict(), "optim", optTensors);
        tensors[`optim-${v.name}`] = optTensors;
        const schedState = v.schedule?.stateDict?.();
        variants[v.name] = { result: v.result, optimizer, schedule: schedState === undefined ? undefined : splitTree(schedState, "schedule", {}) };
      }
      const streamState = Object.fromEntries(Object.entries(streams.getState()).map(([k, s]) => [k, { ...s, generator: Buffer.from(s.generator).toString("base64") }]));
      const state: SavedState = { version: 1, step: atStep, streams: streamState, loader: loader.getState(), evalCursor, batchChecksums, controlSumsByStep, runChain, variants };
      scope(() => writeCheckpoint(ckptDir, atStep, { state, tensors }));
    };

    const logPaired = (atStep: number, metrics: Record<string, EvalMetrics>, prefix: string) => {
      const ref = metrics[reference];
      for (const v of live) {
        const m = metrics[v.name];
        if (m === undefined) continue;
        const record: Record<string, number> = {};
        for (const [k, value] of Object.entries(m)) record[`${prefix}/${k}`] = value;
        if (ref !== undefined && v.name !== reference) {
          for (const [k, value] of Object.entries(m)) if (ref[k] !== undefined) record[`paired/${prefix}/${k}`] = value - ref[k];
        }
        v.logger?.log(atStep, record);
      }
    };

    const stopAt = config.stopAfter === undefined ? total : Math.min(total, config.stopAfter);
    for (; step < stopAt; step++) {
      const losses: Record<string, number> = {};
      scope(() => {
        const { indices, epoch } = loader.nextIndices();
        let batch: TrainBatch = loader.collate(indices);
        if (config.augment) batch = config.augment(batch, augmentStream.take());
        const checksum = batchChecksum(indices, [batch.inputs, batch.targets, batch.masks]);
        const snapshot = verify ? { inputs: batch.inputs.clone(), targets: batch.targets.clone(), masks: batch.masks?.clone() } : undefined;
        const y = batchTargets(batch, target);
        for (const v of running()) {
          if (snapshot && !(batch.inputs.equal(snapshot.inputs) && batch.targets.equal(snapshot.targets) && (!snapshot.masks || batch.masks!.equal(snapshot.masks)))) {
            throw new Error(`step ${step}: the batch changed before variant '${v.name}' trained on it; a model or loss modified its input in place, which breaks twin training (every variant must see the same batch)`);
          }
          try {
            scope(() => {
              v.model.train();
              const out = v.model.forward(batch.inputs);
              const loss = v.loss(out, y);
              const value = loss.item();
              if (!Number.isFinite(value)) {
                v.result.status = "diverged";
                v.result.divergedAtStep = step;
                v.logger?.logText("status", `diverged at step ${step}: loss ${value}`, step);
                return;
              }
              v.optimizer.zeroGrad();
              loss.backward();
              v.optimizer.step();
              v.schedule?.step();
              losses[v.name] = value;
            });
          } catch (e) {
            v.result.status = "failed";
            v.result.error = `step ${step}: ${(e as Error).message}`;
            v.logger?.logText("status", v.result.error, step);
          }
        }
        for (const v of live) if (losses[v.name] !== undefined) v.logger?.log(step + 1, { "train/loss": losses[v.name], epoch });
        if (losses[reference] !== undefined) {
          for (const v of live) {
            if (v.name !== reference && losses[v.name] !== undefined) v.logger?.log(step + 1, { "paired/train/loss": losses[v.name] - losses[reference] });
          }
        }

        if (evalEvery > 0 && (step + 1) % evalEvery === 0 && validationBatches.length > 0) {
          let evalBatch = validationBatches[evalCursor % validationBatches.length];
          evalCursor++;
          if (config.testAugment) evalBatch = config.testAugment(evalBatch, evalStream.take());
          const metrics: Record<string, EvalMetrics> = {};
          for (const v of running()) metrics[v.name] = evaluateBatch(v.model, v.loss, evalBatch, evalOptions);
          logPaired(step + 1, metrics, "eval");
        }

        batchChecksums.push(checksum);
        const sums = streams.record();
        controlSumsByStep.push(sums);
        runChain = chain(runChain, checksum + "|" + sums.map((s) => `${s.stream}:${s.draws}:${s.state}`).join(","));
        checks?.write({ step: step + 1, batch: checksum, streams: sums.map((s) => ({ stream: s.stream, draws: s.draws, state: s.state })) });
      });

      const endOfEpoch = (step + 1) % loader.batchesPerEpoch === 0 || step + 1 === total;
      if (endOfEpoch) {
        const epoch = Math.ceil((step + 1) / loader.batchesPerEpoch);
        const last = step + 1 === total;
        const metrics: Record<string, EvalMetrics> = {};
        for (const v of running()) {
          const full = evaluateAll(v.model, v.loss, validationBatches, last && config.keepPredictions !== false && target === "labels", evalOptions);
          metrics[v.name] = { ...full.extra, loss: full.loss, accuracy: full.accuracy };
          v.result.epochs.push({ epoch, step: step + 1, ...metrics[v.name] });
          if (last) {
            v.result.final = { ...metrics[v.name] };
            v.result.predictions = full.probabilities;
            v.result.numClasses = full.numClasses;
          }
        }
        logPaired(step + 1, metrics, "val");
        const globalNow = globalGeneratorState();
        if (digest(globalNow) !== digest(globalBefore)) {
          throw new Error(`libtorch's global generator was used during epoch ${epoch}; every random op in a twin run must take a named stream's generator`);
        }
      }
      if (config.onProgress) config.onProgress({ step: step + 1, totalSteps: total, epoch: loader.epoch, losses });
      if (config.checkpoint && ((step + 1) % config.checkpoint.every === 0 || step + 1 === stopAt)) save(step + 1);
    }

    const completed = step >= total;
    for (const v of live) {
      if (completed && v.result.status === "running") v.result.status = "finished";
      v.result.weightsHash = scope(() => weightsHash(v.model.stateDict()));
      v.closeStatus = v.result.status === "finished" ? "success" : completed ? "failure" : "running";
    }
    const controlSums = streams.controlSums();
    return {
      study: config.study,
      seeds: Object.fromEntries(Object.entries(streams.seeds).map(([k, s]) => [k, s.toString()])),
      steps: step,
      completed,
      reference,
      variants: Object.fromEntries(live.map((v) => [v.name, v.result])),
      validationTargets,
      batchChecksums,
      controlSums,
      controlSumsByStep,
      initialLayerHashes,
      runChain,
    };
  } finally {
    checks?.close();
    for (const v of live) {
      v.logger?.close(v.closeStatus ?? "failure");
      v.model.dispose();
      v.optimizer.dispose?.();
    }
    for (const b of validationBatches) {
      b.inputs.dispose();
      b.targets.dispose();
      b.masks?.dispose();
    }
    streams.dispose();
    setStrictRandom(previousStrict);
  }
}
