/**
 * Where variants run. A host holds some variants and answers the trainer's
 * requests for them; the trainer does not care where they live:
 *
 * - InProcessHost: on the trainer's own thread (sequential schedule, or any
 *   variants given as closures);
 * - WorkerHost: in a worker thread that rebuilt the variants from their module
 *   (the parallel schedule uses one per worker; the sequential schedule uses
 *   one for all variants so the main thread prepares the next batch meanwhile).
 *
 * Batches cross threads as tensor ids: the native tensor table is process-wide,
 * so every worker reads the same memory, without a copy.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { Tensor } from "../torch/tensor.ts";
import type { ControlSum } from "../rng/stream.ts";
import type { StreamSpec } from "../rng/factors.ts";
import { BrokenVariant } from "./broken-variant.ts";
import { VariantRunner, type StepOutcome, type VariantCheckpoint } from "./variant-runner.ts";
import type { EvalMetrics, MetricAccumulator, TargetKind, TrainBatch, VariantFactory, VariantResult } from "./types.ts";

/** A batch as tensor ids in the shared native table. */
export interface SharedBatch {
  inputs: number;
  targets: number;
  masks?: number;
}

export interface HostInit {
  names: string[];
  /** The run's init and dropout streams, rebuilt by every variant (rng/streams.ts). */
  streams: StreamSpec[];
  totalSteps: number;
  validation: SharedBatch[];
  /** The held-out test set (TwinConfig.test), evaluated once at the end. */
  test?: SharedBatch[];
  /** TwinConfig.target. */
  target?: TargetKind;
  /**
   * Whether the run has a TwinConfig.metrics plug-in. A function cannot cross
   * threads: worker hosts take it from the variants module's export (its
   * `metrics` next to `variants`); in-process hosts are given it directly.
   */
  metrics?: boolean;
  /** TwinConfig.skip: variants not built in this run, with the reason. */
  skip?: Record<string, string>;
}

export interface VariantHost {
  readonly names: string[];
  step(batch: SharedBatch, snapshot: SharedBatch | undefined, step: number): Promise<Record<string, StepOutcome>>;
  evaluate(batch: SharedBatch): Promise<Record<string, EvalMetrics>>;
  evaluateEpoch(epoch: number, step: number, last: boolean, keepPredictions: boolean): Promise<Record<string, EvalMetrics>>;
  evaluateTest(keepPredictions: boolean): Promise<Record<string, EvalMetrics>>;
  dropoutSums(): Promise<Record<string, ControlSum>>;
  layerHashes(): Promise<Record<string, Record<string, string>>>;
  save(dir: string): Promise<Record<string, VariantCheckpoint>>;
  load(dir: string, saved: Record<string, VariantCheckpoint>): Promise<void>;
  finish(completed: boolean): Promise<Record<string, VariantResult>>;
  dispose(): Promise<void>;
}

export function borrowBatch(b: SharedBatch): TrainBatch {
  return { inputs: Tensor.borrow(b.inputs), targets: Tensor.borrow(b.targets), masks: b.masks === undefined ? undefined : Tensor.borrow(b.masks) };
}

/**
 * The variants themselves, with every request answered synchronously. Shared
 * by InProcessHost and by the worker thread's message loop.
 */
export class VariantGroup {
  readonly runners: VariantRunner[];
  /** Variants whose factory threw: failed from the start, while the others train. */
  readonly broken: BrokenVariant[];
  readonly #validation: TrainBatch[];
  readonly #test: TrainBatch[];

  constructor(factories: Record<string, VariantFactory>, init: HostInit, metrics?: () => MetricAccumulator) {
    if (init.metrics && metrics === undefined) throw new Error("the run has a metrics plug-in but the variants module exports no 'metrics' next to 'variants'");
    const evalOptions = { target: init.target, metrics };
    this.runners = [];
    this.broken = [];
    try {
      for (const name of init.names) {
        const factory = factories[name];
        if (factory === undefined) throw new Error(`variant '${name}' is not defined in the variants module`);
        const skip = init.skip?.[name];
        if (skip !== undefined) {
          this.broken.push(new BrokenVariant(name, init.streams, skip, "skipped"));
          continue;
        }
        try {
          this.runners.push(new VariantRunner(name, factory, init.streams, init.totalSteps, evalOptions));
        } catch (e) {
          // The variant whose factory (or model/optimizer set-up) threw is failed, named; the others go on.
          const message = e instanceof Error ? e.message : String(e);
          this.broken.push(new BrokenVariant(name, init.streams, message.startsWith(`variant '${name}'`) ? message : `variant '${name}' could not be built: ${message}`));
        }
      }
    } catch (e) {
      for (const r of this.runners) r.dispose();
      for (const b of this.broken) b.dispose();
      throw e;
    }
    this.#validation = init.validation.map(borrowBatch);
    this.#test = (init.test ?? []).map(borrowBatch);
  }

  #each<T>(fn: (r: VariantRunner) => T, onlyRunning = false): Record<string, T> {
    const out: Record<string, T> = {};
    for (const r of this.runners) if (!onlyRunning || r.running) out[r.name] = fn(r);
    return out;
  }

  step(shared: SharedBatch, snapshot: SharedBatch | undefined, step: number): Record<string, StepOutcome> {
    const batch = borrowBatch(shared);
    const reference = snapshot === undefined ? undefined : borrowBatch(snapshot);
    const outcomes = this.#each((r) => {
      if (reference && !(batch.inputs.equal(reference.inputs) && batch.targets.equal(reference.targets) && (!reference.masks || batch.masks!.equal(reference.masks)))) {
        throw new Error(`step ${step}: the batch changed before variant '${r.name}' trained on it; a model or loss modified its input in place, which breaks twin training (every variant must see the same batch)`);
      }
      return r.trainStep(batch, step);
    });
    for (const b of this.broken) outcomes[b.name] = b.trainStep();
    return outcomes;
  }

  evaluate(shared: SharedBatch): Record<string, EvalMetrics> {
    const batch = borrowBatch(shared);
    return this.#each((r) => r.evaluateBatch(batch), true);
  }

  evaluateEpoch(epoch: number, step: number, last: boolean, keepPredictions: boolean): Record<string, EvalMetrics> {
    return this.#each((r) => {
      const full = r.evaluateEpoch(this.#validation, epoch, step, last, keepPredictions);
      return { ...full.extra, loss: full.loss, accuracy: full.accuracy };
    }, true);
  }

  evaluateTest(keepPredictions: boolean): Record<string, EvalMetrics> {
    if (this.#test.length === 0) return {};
    return this.#each((r) => r.evaluateTest(this.#test, keepPredictions), true);
  }

  dropoutSums(): Record<string, ControlSum> {
    const sums = this.#each((r) => r.dropoutSum());
    for (const b of this.broken) sums[b.name] = b.dropoutSum();
    return sums;
  }

  layerHashes(): Record<string, Record<string, string>> {
    const hashes = this.#each((r) => r.layerHashes());
    for (const b of this.broken) hashes[b.name] = {};
    return hashes;
  }

  save(dir: string): Record<string, VariantCheckpoint> {
    return this.#each((r) => r.save(dir));
  }

  load(dir: string, saved: Record<string, VariantCheckpoint>): void {
    for (const r of this.runners) {
      const s = saved[r.name];
      if (s === undefined) throw new Error(`checkpoint in ${dir} has no state for variant '${r.name}'`);
      r.load(dir, s);
    }
  }

  finish(completed: boolean): Record<string, VariantResult> {
    const results = this.#each((r) => r.finish(completed));
    for (const b of this.broken) results[b.name] = b.finish();
    return results;
  }

  dispose(): void {
    for (const r of this.runners) r.dispose();
    for (const b of this.broken) b.dispose();
  }
}

/** Variants on the trainer's own thread. */
export class InProcessHost implements VariantHost {
  readonly names: string[];
  readonly #group: VariantGroup;

  constructor(factories: Record<string, VariantFactory>, init: HostInit, metrics?: () => MetricAccumulator) {
    this.names = init.names;
    this.#group = new VariantGroup(factories, init, metrics);
  }

  async step(b: SharedBatch, s: SharedBatch | undefined, step: number) { return this.#group.step(b, s, step); }
  async evaluate(b: SharedBatch) { return this.#group.evaluate(b); }
  async evaluateEpoch(epoch: number, step: number, last: boolean, keep: boolean) { return this.#group.evaluateEpoch(epoch, step, last, keep); }
  async evaluateTest(keep: boolean) { return this.#group.evaluateTest(keep); }
  async dropoutSums() { return this.#group.dropoutSums(); }
  async layerHashes() { return this.#group.layerHashes(); }
  async save(dir: string) { return this.#group.save(dir); }
  async load(dir: string, saved: Record<string, VariantCheckpoint>) { this.#group.load(dir, saved); }
  async finish(completed: boolean) { return this.#group.finish(completed); }
  async dispose() { this.#group.dispose(); }
}

/** Where worker threads find the variants: a module whose export has a `variants` record (a study file). */
export interface VariantsModule {
  /** File path or file: URL of the module. */
  path: string;
  /** Export holding `{ variants }` (default: "default"). */
  exportName?: string;
}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/**
 * A worker thread that hosts variants. It loads the variants module once; each
 * run opens a fresh group of variants in it (open) and closes it (close), so a
 * study's runs reuse the same threads.
 */
export class VariantWorker {
  readonly module: VariantsModule;
  readonly #worker: Worker;
  #next = 0;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #dead: Error | undefined;

  private constructor(module: VariantsModule, worker: Worker) {
    this.module = module;
    this.#worker = worker;
    worker.on("message", (m: Reply) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.error));
    });
    const fail = (e: Error) => {
      this.#dead = e;
      for (const p of this.#pending.values()) p.reject(e);
      this.#pending.clear();
    };
    worker.on("error", (e) => fail(new Error(`variant worker crashed: ${e.message}`)));
    worker.on("exit", (code) => fail(new Error(`variant worker exited${code ? ` with code ${code}` : ""}`)));
  }

  static async start(module: VariantsModule, threads = 1): Promise<VariantWorker> {
    // A worker thread has a module graph of its own: it runs twin's sources through tsx, also under the compiled CLI.
    const worker = new Worker(new URL("../../src/twin/worker-boot.mjs", import.meta.url), { execArgv: [], workerData: { module, threads } });
    const w = new VariantWorker(module, worker);
    try {
      await w.call("ready", []);
    } catch (e) {
      await worker.terminate();
      throw e;
    }
    return w;
  }

  call<T>(method: string, args: unknown[]): Promise<T> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#worker.postMessage({ id, method, args });
    });
  }

  get alive(): boolean {
    return this.#dead === undefined;
  }

  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }
}

/** Worker threads kept for a whole study (or one run when the trainer makes its own). */
export class WorkerPool {
  readonly workers: VariantWorker[];

  private constructor(workers: VariantWorker[]) {
    this.workers = workers;
  }

  static async start(module: VariantsModule, size: number, threadsPerWorker = 1): Promise<WorkerPool> {
    if (!Number.isInteger(size) || size < 1) throw new Error(`worker pool size must be a positive integer (got ${size})`);
    const started = await Promise.allSettled(Array.from({ length: size }, () => VariantWorker.start(module, threadsPerWorker)));
    const ok = started.filter((s): s is PromiseFulfilledResult<VariantWorker> => s.status === "fulfilled").map((s) => s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) {
      await Promise.allSettled(ok.map((w) => w.terminate()));
      throw failed.reason;
    }
    return new WorkerPool(ok);
  }

  get size(): number {
    return this.workers.length;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.terminate()));
  }
}

/** Variants of one run inside a pool worker. */
export class WorkerHost implements VariantHost {
  readonly names: string[];
  readonly #w: VariantWorker;

  private constructor(names: string[], worker: VariantWorker) {
    this.names = names;
    this.#w = worker;
  }

  static async open(worker: VariantWorker, init: HostInit): Promise<WorkerHost> {
    await worker.call("open", [init]);
    return new WorkerHost(init.names, worker);
  }

  step(b: SharedBatch, s: SharedBatch | undefined, step: number) { return this.#w.call<Record<string, StepOutcome>>("step", [b, s, step]); }
  evaluate(b: SharedBatch) { return this.#w.call<Record<string, EvalMetrics>>("evaluate", [b]); }
  evaluateEpoch(epoch: number, step: number, last: boolean, keep: boolean) { return this.#w.call<Record<string, EvalMetrics>>("evaluateEpoch", [epoch, step, last, keep]); }
  evaluateTest(keep: boolean) { return this.#w.call<Record<string, EvalMetrics>>("evaluateTest", [keep]); }
  dropoutSums() { return this.#w.call<Record<string, ControlSum>>("dropoutSums", []); }
  layerHashes() { return this.#w.call<Record<string, Record<string, string>>>("layerHashes", []); }
  save(dir: string) { return this.#w.call<Record<string, VariantCheckpoint>>("save", [dir]); }
  load(dir: string, saved: Record<string, VariantCheckpoint>) { return this.#w.call<void>("load", [dir, saved]); }
  finish(completed: boolean) { return this.#w.call<Record<string, VariantResult>>("finish", [completed]); }

  async dispose(): Promise<void> {
    if (this.#w.alive) await this.#w.call("close", []);
  }
}

/**
 * The one rule for how many worker threads a run's variants use: one with the
 * sequential schedule; with the parallel one, one per variant up to `workers`
 * (default: the machine's cores). Sizes worker pools and local job counts too.
 */
export function variantWorkers(schedule: "sequential" | "parallel", variants: number, workers?: number): number {
  return schedule === "parallel" ? Math.max(1, Math.min(workers ?? availableParallelism(), variants)) : 1;
}

/** Splits variants over workers round-robin: worker i gets variants i, i + w, i + 2w, ... */
export function assignVariants(names: string[], workers: number): string[][] {
  const groups: string[][] = Array.from({ length: Math.min(workers, names.length) }, () => []);
  names.forEach((n, i) => groups[i % groups.length].push(n));
  return groups;
}

/**
 * The hosts of one run: in this thread when the variants are closures; else
 * in worker threads (one for the sequential schedule, up to `workers` for the
 * parallel one), from the given pool or a pool of the run's own.
 */
export async function openHosts(
  variants: Record<string, VariantFactory>,
  init: (names: string[]) => HostInit,
  where: { module?: VariantsModule; workers: number; pool?: WorkerPool; metrics?: () => MetricAccumulator },
): Promise<{ hosts: VariantHost[]; close: () => Promise<void> }> {
  const names = Object.keys(variants);
  if (where.module === undefined) {
    const host = new InProcessHost(variants, init(names), where.metrics);
    return { hosts: [host], close: () => host.dispose() };
  }
  const groups = assignVariants(names, where.workers);
  const pool = where.pool ?? (await WorkerPool.start(where.module, groups.length));
  const ownPool = where.pool === undefined ? pool : undefined;
  const hosts: VariantHost[] = [];
  const close = async () => {
    await Promise.allSettled(hosts.map((h) => h.dispose()));
    await ownPool?.close();
  };
  try {
    if (pool.size < groups.length) throw new Error(`the worker pool has ${pool.size} workers; this run needs ${groups.length}`);
    const opened = await Promise.allSettled(groups.map((g, i) => WorkerHost.open(pool.workers[i]!, init(g))));
    for (const o of opened) if (o.status === "fulfilled") hosts.push(o.value);
    const failed = opened.find((o): o is PromiseRejectedResult => o.status === "rejected");
    if (failed) throw failed.reason;
  } catch (e) {
    await close();
    throw e;
  }
  return { hosts, close };
}

