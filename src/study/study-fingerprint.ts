/**
 * The fingerprint of a study session: what must not change between the
 * sessions and machines of one study for its runs to be comparable (code,
 * data, split, environment), and what may.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { fashionMnistDir } from "../data/datasets/fashion-mnist.ts";
import type { Dataset } from "../data/host/dataset.ts";
import type { SplitIndices } from "../data/split.ts";
import { collectFingerprint, type Fingerprint } from "../store/index.ts";
import { version as libtorchVersion } from "../torch/runtime.ts";
import type { StudySpec } from "./define.ts";
import { localImports, TWIN_ROOT } from "./import-graph.ts";
import { fileHash, posix, recordedPath } from "./study-file.ts";

export { STUDY_FINGERPRINT_IGNORE } from "./comparable-fingerprint.ts";
/** Besides those, what may differ between the machines of a cluster. */
export const WORKER_FINGERPRINT_IGNORE: readonly string[] = ["argv", "git", "cpu", "gpu", "os.release"];

/** Twin's own sources on the training path, hashed even when no import names them (worker threads load them by URL). */
const TRAINING_PATH = ["src/boot", "src/twin", "src/torch", "src/rng", "src/data"];

function walkTs(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walkTs(p, out);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(p);
  }
}

export function splitHash(split: SplitIndices): string {
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
export async function studyFingerprint(spec: StudySpec, studyFile: string | null, train: Dataset, cwd: string): Promise<StudyFingerprint> {
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
  const imports = studyFile === null ? [] : localImports(resolve(cwd, studyFile));
  for (const f of [...imports, ...twinSrc]) {
    // twin's own files keyed from its root, so machines with the checkout elsewhere agree.
    const key = f.startsWith(TWIN_ROOT + sep) && !f.startsWith(resolve(cwd) + sep) ? `twin/${posix(relative(TWIN_ROOT, f))}` : recordedPath(cwd, f);
    files[key] = fileHash(f);
  }
  return { ...fp, files, data: { name: spec.data.name, train: datasetHash(train) }, split: null };
}

export function withSplit(fp: StudyFingerprint, split: SplitIndices): StudyFingerprint {
  return { ...fp, split: splitHash(split) };
}
