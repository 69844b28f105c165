/**
 * safetensors files (https://github.com/huggingface/safetensors): an 8-byte
 * little-endian header length N, N bytes of JSON header
 * ({ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": {…} },
 * padded with spaces to a multiple of 8), then the raw little-endian data.
 * Tensors are written sorted by alignment (largest element first) then name,
 * like the reference implementation, so every tensor starts aligned.
 *
 * Also: state trees (optimizer and schedule state: tensors inside JSON) in one
 * file, the JSON skeleton kept in the metadata.
 */
import { readFileSync, writeFileSync, renameSync } from "node:fs";
import { native } from "./native.ts";
import { Tensor } from "./tensor.ts";
import { scope } from "./scope.ts";
import type { DType } from "./dtype.ts";

const CODE: Partial<Record<DType, string>> = {
  float64: "F64", float32: "F32", float16: "F16", bfloat16: "BF16",
  int64: "I64", int32: "I32", int16: "I16", int8: "I8", uint8: "U8", bool: "BOOL",
};
const DTYPE: Record<string, DType> = Object.fromEntries(Object.entries(CODE).map(([k, v]) => [v, k as DType]));
const SIZE: Record<string, number> = { F64: 8, I64: 8, F32: 4, I32: 4, F16: 2, BF16: 2, I16: 2, I8: 1, U8: 1, BOOL: 1 };

type ArrayCtor = { new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): ArrayBufferView };
const VIEW: Record<string, ArrayCtor> = {
  F64: Float64Array, F32: Float32Array, F16: Uint16Array, BF16: Uint16Array, I64: BigInt64Array,
  I32: Int32Array, I16: Int16Array, I8: Int8Array, U8: Uint8Array, BOOL: Uint8Array,
};

export interface SafetensorsFile {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/** The bytes of a safetensors file holding these tensors. */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const entries: { name: string; code: string; shape: number[]; bytes: Uint8Array }[] = [];
  scope(() => {
    for (const [name, t] of Object.entries(tensors)) {
      if (!(t instanceof Tensor)) throw new TypeError(`saveSafetensors: '${name}' is not a Tensor`);
      if (name === "__metadata__") throw new Error("saveSafetensors: '__metadata__' is reserved and cannot name a tensor");
      const code = CODE[t.dtype];
      if (code === undefined) throw new Error(`saveSafetensors: '${name}' has dtype ${t.dtype}, which safetensors cannot store`);
      const src = t.device === "cpu" ? t : t.to({ device: "cpu" });
      const ta = native.toTypedArray(src.id);
      entries.push({ name, code, shape: t.shape, bytes: new Uint8Array(ta.buffer, ta.byteOffset, ta.byteLength) });
    }
  });
  entries.sort((a, b) => SIZE[b.code] - SIZE[a.code] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new TypeError(`saveSafetensors: metadata '${k}' must be a string (safetensors metadata is string → string)`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.code, shape: e.shape, data_offsets: [offset, offset + e.bytes.byteLength] };
    offset += e.bytes.byteLength;
  }
  let json = Buffer.from(JSON.stringify(header), "utf8");
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const e of entries) {
    out.set(e.bytes, at);
    at += e.bytes.byteLength;
  }
  return out;
}

/** Tensors and string metadata from the bytes of a safetensors file. */
export function decodeSafetensors(bytes: Uint8Array, source = "safetensors data"): SafetensorsFile {
  if (bytes.byteLength < 8) throw new Error(`${source}: too short to be a safetensors file`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n > bytes.byteLength - 8 || n > 100_000_000) throw new Error(`${source}: header length ${n} exceeds the file (${bytes.byteLength} bytes); not a safetensors file?`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, n).toString("utf8"));
  } catch (e) {
    throw new Error(`${source}: the header is not valid JSON (${(e as Error).message})`);
  }
  const dataStart = 8 + n;
  const dataLength = bytes.byteLength - dataStart;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const tensors: Record<string, Tensor> = {};
  try {
    for (const [name, info] of Object.entries(header)) {
      if (name === "__metadata__") continue;
      const { dtype, shape, data_offsets } = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
      const d = DTYPE[dtype];
      if (d === undefined) throw new Error(`${source}: tensor '${name}' has dtype ${dtype}, which twin cannot load`);
      const [begin, end] = data_offsets;
      const numel = shape.reduce((a, b) => a * b, 1);
      if (!(begin >= 0 && end >= begin && end <= dataLength) || end - begin !== numel * SIZE[dtype]) {
        throw new Error(`${source}: tensor '${name}' has data_offsets [${begin}, ${end}] that do not fit its ${dtype} shape [${shape.join(", ")}] or the file`);
      }
      // Copy into a fresh, aligned buffer (the file's offsets need not be aligned).
      // (new Uint8Array(view) copies; Buffer.prototype.slice would not.)
      const copy = new Uint8Array(bytes.subarray(dataStart + begin, dataStart + end));
      const view = new VIEW[dtype](copy.buffer, 0, numel);
      tensors[name] = new Tensor(native.fromTypedArray(view, shape, dtype === "BOOL" || dtype === "BF16" ? d : undefined));
    }
  } catch (e) {
    for (const t of Object.values(tensors)) t.dispose();
    throw e;
  }
  return { tensors, metadata };
}

/** Writes tensors (and optional string metadata) to path (atomically: a temporary file, then rename). */
export function saveSafetensors(path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): void {
  const bytes = encodeSafetensors(tensors, metadata);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

/** Reads a safetensors file: new tensors (in the current scope) and the metadata. */
export function loadSafetensors(path: string): SafetensorsFile {
  return decodeSafetensors(readFileSync(path), path);
}

// ---- state trees (optimizer and schedule state) -----------------------------------------

/** JSON values with tensors inside. */
export type TensorTree = Tensor | number | string | boolean | null | TensorTree[] | { [key: string]: TensorTree };

const TREE_KEY = "twin.tree";

function split(tree: TensorTree, path: string, tensors: Record<string, Tensor>): unknown {
  if (tree instanceof Tensor) {
    tensors[path] = tree;
    return { $tensor: path };
  }
  if (Array.isArray(tree)) return tree.map((v, i) => split(v, path ? `${path}.${i}` : String(i), tensors));
  if (tree !== null && typeof tree === "object") {
    return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, split(v, path ? `${path}.${k}` : k, tensors)]));
  }
  if (typeof tree === "number" && !Number.isFinite(tree)) return { $number: String(tree) };
  return tree;
}

function join(json: unknown, tensors: Record<string, Tensor>): TensorTree {
  if (Array.isArray(json)) return json.map((v) => join(v, tensors));
  if (json !== null && typeof json === "object") {
    const o = json as Record<string, unknown>;
    if (typeof o.$tensor === "string") {
      const t = tensors[o.$tensor];
      if (!t) throw new Error(`state file is missing tensor '${o.$tensor}'`);
      return t;
    }
    if (typeof o.$number === "string") return Number(o.$number);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, join(v, tensors)]));
  }
  return json as TensorTree;
}

/**
 * Saves a tree of JSON values and tensors (e.g. optimizer.stateDict()): the
 * tensors by dotted path ("state.0.exp_avg"), the rest as JSON in the
 * metadata key "twin.tree" (numbers exact, ±Infinity and NaN kept).
 */
export function saveStateTree(path: string, tree: TensorTree, metadata: Record<string, string> = {}): void {
  const tensors: Record<string, Tensor> = {};
  const skeleton = split(tree, "", tensors);
  saveSafetensors(path, tensors, { ...metadata, [TREE_KEY]: JSON.stringify(skeleton) });
}

/** Loads a tree saved by saveStateTree (its tensors are new, in the current scope). */
export function loadStateTree(path: string): { tree: TensorTree; metadata: Record<string, string> } {
  const { tensors, metadata } = loadSafetensors(path);
  const text = metadata[TREE_KEY];
  if (text === undefined) throw new Error(`${path} holds no state tree (no '${TREE_KEY}' metadata); was it written by saveStateTree?`);
  const { [TREE_KEY]: _skip, ...rest } = metadata;
  void _skip;
  return { tree: join(JSON.parse(text), tensors), metadata: rest };
}

/** Saves optimizer state (tensors + hyper-parameters and step counts). */
export function saveOptimizer(path: string, optimizer: { stateDict(): unknown }): void {
  scope(() => saveStateTree(path, optimizer.stateDict() as TensorTree, { format: "twin.optimizer" }));
}

/** Loads optimizer state saved by saveOptimizer into optimizer (tensors are copied; the loaded ones are freed). */
export function loadOptimizer(path: string, optimizer: { loadStateDict(state: unknown): void }): void {
  scope(() => optimizer.loadStateDict(loadStateTree(path).tree));
}
