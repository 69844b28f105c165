/**
 * How a study lives in the store: its identity (spec hash), the fingerprint it
 * began with, one run record per planned twin run (with everything needed to
 * re-run it: study file, seeds, training length), and the results of a run
 * (metrics, control sums, batch checksums, final-weight hashes) written in
 * one transaction together with the run's `finished` status.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fashionMnistDir } from "../data/datasets/fashion-mnist.ts";
import type { Dataset } from "../data/host/dataset.ts";
import { splitTrainValidation, type Split } from "../data/split.ts";
import { resolveFactorSeeds, Streams, type SeedSpec } from "../rng/streams.ts";
import { canonicalJson, collectFingerprint, sha256, StoreError, type Fingerprint, type RunRecord, type Store } from "../store/index.ts";
import { version as libtorchVersion } from "../torch/runtime.ts";
import type { ControlSum } from "../rng/stream.ts";
import type { EvalMetrics, TwinConfig, TwinResult, VariantResult } from "../twin/types.ts";
import type { StudySpec } from "./define.ts";
import type { PlannedRun } from "./seed-plan.ts";

/** Fingerprint keys that may differ between sessions of one study without mixing results (files are hashed one by one). */
export const STUDY_FINGERPRINT_IGNORE: readonly string[] = ["argv", "git"];
/** Besides those, what may differ between the machines of a cluster. */
export const WORKER_FINGERPRINT_IGNORE: readonly string[] = ["argv", "git", "cpu", "gpu", "os.release"];

/** What a run record's `config` holds: enough to run it again anywhere the project is checked out. */
export interface RunConfig {
  kind: "twin-run";
  group: string;
  label: number;
  seed: SeedSpec;
  /** The study file, relative to the project folder (posix separators). */
  studyFile: string;
  studyFileHash: string;
  /** Effective training length (the study's, or --steps). */
  epochs: number | null;
  steps: number | null;
  batchSize: number;
  evalEvery: number | null;
  threads: number;
  data: { name: string; validation: number; stratified: boolean };
  variants: string[];
  reference: string;
}

export class StudyFileError extends Error {
  override name = "StudyFileError";
}

/** Imports a study file (its default export is defineStudy({...})); errors say which file and why. */
export async function importStudy(path: string): Promise<StudySpec> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new StudyFileError(`study file ${path} does not exist`);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(abs).href)) as { default?: unknown };
  } catch (e) {
    throw new StudyFileError(`study file ${path} failed to load: ${(e as Error).message}`);
  }
  const spec = mod.default as StudySpec | undefined;
  if (spec === undefined || typeof spec !== "object" || !spec.variants || !spec.data) {
    throw new StudyFileError(`study file ${path} must default-export defineStudy({ name, data, variants, batchSize, ... })`);
  }
  return spec;
}

export function fileHash(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function posix(p: string): string {
  return p.split(sep).join("/");
}

/** The study file's path as recorded: relative to the project folder when inside it. */
export function recordedPath(cwd: string, file: string): string {
  const rel = relative(cwd, resolve(cwd, file));
  return rel.startsWith("..") || rel === "" ? posix(resolve(cwd, file)) : posix(rel);
}

/** Hash of what makes two sessions the same study: the study file's content and the effective training length. */
export function specHash(spec: StudySpec, studyFileHash: string): string {
  return sha256(canonicalJson({ studyFile: studyFileHash, epochs: spec.epochs ?? null, steps: spec.steps ?? null }));
}

/** The resolved study as stored with it (JSON). */
export function specJson(spec: StudySpec, studyFile: string, studyFileHash: string): Record<string, unknown> {
  return {
    studyFile,
    studyFileHash,
    variants: Object.keys(spec.variants),
    reference: spec.reference ?? Object.keys(spec.variants)[0],
    batchSize: spec.batchSize,
    epochs: spec.epochs ?? null,
    steps: spec.steps ?? null,
    evalEvery: spec.evalEvery ?? null,
    threads: spec.threads ?? 1,
    data: { name: spec.data.name, validation: spec.data.validation, stratified: spec.data.stratified ?? false },
  };
}

export function runConfig(spec: StudySpec, plan: PlannedRun, studyFile: string, studyFileHash: string): RunConfig {
  const variants = Object.keys(spec.variants);
  return {
    kind: "twin-run",
    group: plan.group,
    label: plan.label,
    seed: JSON.parse(canonicalJson(plan.seed)) as SeedSpec,
    studyFile,
    studyFileHash,
    epochs: spec.epochs ?? null,
    steps: spec.steps ?? null,
    batchSize: spec.batchSize,
    evalEvery: spec.evalEvery ?? null,
    threads: spec.threads ?? 1,
    data: { name: spec.data.name, validation: spec.data.validation, stratified: spec.data.stratified ?? false },
    variants,
    reference: spec.reference ?? variants[0]!,
  };
}

/** The run's config, checked: throws for a run that was not recorded by a twin study. */
export function configOf(run: RunRecord): RunConfig {
  const c = run.config as Partial<RunConfig> | null;
  if (!c || c.kind !== "twin-run" || typeof c.studyFile !== "string" || !c.seed) {
    throw new StoreError(`run '${run.id}' was not recorded by a twin study (no study file or seeds in its config); it cannot be run again from its record`);
  }
  return c as RunConfig;
}

/** Every factor's seed of a planned run. */
export function factorSeeds(seed: SeedSpec): Record<string, bigint> {
  return resolveFactorSeeds(seed);
}

/** The run's train/validation split, drawn from its split stream. */
export function splitFor(spec: StudySpec, train: Dataset, seed: SeedSpec): Split {
  const streams = new Streams(seed);
  try {
    return splitTrainValidation(train, { validation: spec.data.validation, stream: streams.stream("split"), stratified: spec.data.stratified });
  } finally {
    streams.dispose();
  }
}

export function splitHash(split: Split): string {
  const h = createHash("sha256");
  h.update(new Uint8Array(split.trainIndices.buffer, split.trainIndices.byteOffset, split.trainIndices.byteLength));
  h.update("|");
  h.update(new Uint8Array(split.validationIndices.buffer, split.validationIndices.byteOffset, split.validationIndices.byteLength));
  return h.digest("hex");
}

/** sha256 over a dataset's arrays (what the runs actually train on, files or not). */
export function datasetHash(ds: Dataset): string {
  const h = createHash("sha256");
  for (const a of [ds.inputs, ds.targets, ds.masks]) {
    if (!a) continue;
    const d = a.data as ArrayBufferView;
    h.update(`${a.dtype}[${a.shape.join(",")}]`);
    h.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  return h.digest("hex");
}

const TWIN_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function walkTs(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walkTs(p, out);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(p);
  }
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g;

/** Twin's own sources on the training path, hashed even when no import names them (worker threads load them by URL). */
const TRAINING_PATH = ["src/twin", "src/torch", "src/rng", "src/data"];

function resolveSpecifier(from: string, spec: string): string | undefined {
  let base: string;
  if (spec === "twin") base = join(TWIN_ROOT, "src", "index.ts");
  else if (spec.startsWith("twin/")) base = join(TWIN_ROOT, spec.slice(5));
  else if (spec.startsWith(".") || spec.startsWith("/")) base = resolve(dirname(from), spec);
  else if (spec.startsWith("file://")) base = fileURLToPath(spec);
  else return undefined;
  const candidates = [base, base.replace(/\.js$/, ".ts"), base.replace(/\.mjs$/, ".mts"), `${base}.ts`, `${base}.js`, join(base, "index.ts")];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/**
 * The study file and the source files it imports, followed transitively:
 * relative and absolute specifiers and twin itself ("twin"); other packages
 * are covered by the lockfile.
 */
export function localImports(file: string): string[] {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      return;
    }
    // Comments (examples in doc comments) and type-only imports bring no code.
    text = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|\s)\/\/.*$/gm, "$1");
    text = text.replace(/\b(?:import|export)\s+type\s[^;]*?from\s*["'][^"']+["']/g, "");
    for (const m of text.matchAll(IMPORT)) {
      const hit = resolveSpecifier(path, m[1]!);
      // Other packages are covered by the lockfile; twin itself may live in node_modules.
      if (hit && (!hit.includes(`${sep}node_modules${sep}`) || hit.startsWith(TWIN_ROOT + sep))) visit(hit);
    }
  };
  visit(resolve(file));
  return [...seen];
}

/** Dataset files of a study's data, when known (a `files` list on the data spec, or Fashion-MNIST's folder). */
export function datasetFiles(spec: StudySpec): string[] {
  const files = (spec.data as { files?: unknown }).files;
  if (Array.isArray(files)) return files.map(String);
  if (spec.data.name === "fashion-mnist") {
    const dir = fashionMnistDir();
    return existsSync(dir) ? [dir] : [];
  }
  return [];
}

export type StudyFingerprint = Fingerprint & { data: { name: string; train: string }; split: string | null };

/**
 * The fingerprint of a study session: git state, the study file and the
 * source files it imports (twin's own keyed `twin/src/...` unless inside the
 * project folder) plus twin's training path, the
 * lockfile, versions, threads, machine, dataset files and a hash of the
 * training data. The split (per run) is added by withSplit.
 */
export async function studyFingerprint(spec: StudySpec, studyFile: string, train: Dataset, cwd: string): Promise<StudyFingerprint> {
  const fp = await collectFingerprint({
    cwd,
    files: [],
    datasets: datasetFiles(spec),
    libtorchVersion: libtorchVersion(),
    threads: spec.threads ?? 1,
  });
  const files: Record<string, string | null> = {};
  const twinSrc: string[] = [];
  for (const d of TRAINING_PATH) walkTs(join(TWIN_ROOT, d), twinSrc);
  for (const f of [...localImports(resolve(cwd, studyFile)), ...twinSrc]) {
    // twin's own files keyed from its root, so machines with the checkout elsewhere agree.
    const key = f.startsWith(TWIN_ROOT + sep) && !f.startsWith(resolve(cwd) + sep) ? `twin/${posix(relative(TWIN_ROOT, f))}` : recordedPath(cwd, f);
    files[key] = fileHash(f);
  }
  return { ...fp, files, data: { name: spec.data.name, train: datasetHash(train) }, split: null };
}

export function withSplit(fp: StudyFingerprint, split: Split): StudyFingerprint {
  return { ...fp, split: splitHash(split) };
}

// ------------------------------------------------------------------ results

/** Per-variant status as a stored metric (`status`): 0 finished, 1 diverged, 2 failed, 3 unfinished. */
const STATUS_CODE: Record<VariantResult["status"], number> = { finished: 0, diverged: 1, failed: 2, running: 3 };
const STATUS_OF = ["finished", "diverged", "failed", "running"] as const;

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
    rows.push({ runId, variant: name, step: result.steps, name: "status", value: STATUS_CODE[v.status] });
    if (v.divergedAtStep !== undefined) rows.push({ runId, variant: name, step: v.divergedAtStep, name: "diverged_at", value: v.divergedAtStep });
  }
  return rows;
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
    await tx.addArtifact({ runId: run.id, kind: "run-chain", path: "run", sha256: result.runChain || "-", bytes: result.steps });
    if (options.fingerprintHash) await tx.addArtifact({ runId: run.id, kind: "fingerprint", path: "executed", sha256: options.fingerprintHash, bytes: 0 });
    await tx.finishRun(run.id, { worker: options.worker });
  });
}

/** The fingerprint hash a run was executed with (where it ran), else the one it was submitted with. */
export async function executedFingerprint(store: Store, run: RunRecord): Promise<string | null> {
  const a = (await store.artifacts(run.id)).find((x) => x.kind === "fingerprint");
  return a?.sha256 ?? run.fingerprintHash;
}

/** A stored run as a TwinResult (no predictions, no initial layer hashes): what the verdict and reports need. */
export async function resultFromStore(store: Store, run: RunRecord): Promise<TwinResult> {
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
      weightsHash: artifacts.find((a) => a.kind === "weights" && a.path === `${name}/final`)?.sha256,
      divergedAtStep: diverged?.value,
      error: run.status === "failed" ? run.error ?? undefined : undefined,
    };
  }
  const steps = Math.max(0, ...checksums.map((c) => c.step));
  const byStep: ControlSum[][] = Array.from({ length: steps }, () => []);
  for (const s of sums) if (s.step >= 1 && s.step <= steps) byStep[s.step - 1]!.push({ stream: s.stream, draws: s.draws, state: s.state, chain: s.chain });
  const seeds: Record<string, string> = {};
  for (const [k, v] of Object.entries(run.seeds)) seeds[k] = v.toString();
  const chainArtifact = artifacts.find((a) => a.kind === "run-chain");
  return {
    study: run.study,
    seeds,
    steps,
    completed: run.status === "finished",
    stopped: false,
    reference: config.reference,
    schedule: "sequential",
    variants,
    validationTargets: new Int32Array(0),
    batchChecksums: checksums.map((c) => c.checksum),
    controlSums: byStep[byStep.length - 1] ?? [],
    controlSumsByStep: byStep,
    initialLayerHashes: {},
    runChain: chainArtifact?.sha256 === "-" ? "" : chainArtifact?.sha256 ?? "",
  };
}

/** What a study gives each of its twin runs: the data split, the training set-up, the seeds and the log name. */
export function studyTwinConfig(
  spec: StudySpec,
  at: { study: string; group: string; label: number; seed: SeedSpec },
  split: Split,
): Pick<TwinConfig, "study" | "variants" | "train" | "validation" | "normalize" | "augment" | "testAugment" | "batchSize" | "epochs" | "steps" | "evalEvery" | "target" | "metrics" | "seed" | "runLabel"> {
  return {
    study: at.study,
    variants: spec.variants,
    train: split.train,
    validation: split.validation,
    normalize: spec.data.normalize,
    augment: spec.augment,
    testAugment: spec.testAugment,
    batchSize: spec.batchSize,
    epochs: spec.epochs,
    steps: spec.steps,
    evalEvery: spec.evalEvery,
    target: spec.target,
    metrics: spec.metrics,
    seed: at.seed,
    runLabel: at.label,
  };
}
