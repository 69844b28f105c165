/**
 * Loads the native addon (build/Release/twin.node) and describes its functions.
 * Everything above this file talks to libtorch through these few calls.
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** A JS value the generic op bridge accepts as an argument. */
export type NativeArg =
  | number
  | bigint
  | boolean
  | string
  | null
  | undefined
  | readonly (number | boolean | null)[];

/** What the native op bridge hands back: tensor ids, plain values, or arrays of them. */
export type NativeResult = number | boolean | string | null | undefined | NativeResult[];

export interface SchemaArgument {
  name: string;
  /** Schema type as written in native_functions.yaml, e.g. "Tensor?", "int[]", "ScalarType?". */
  type: string;
  /** Fixed list length, as in int[2]. */
  size?: number;
  kwargOnly: boolean;
  /** The default value as the schema prints it. */
  default?: string;
  /** Alias annotation: "a" (view) or "a!" (written in place). */
  alias?: string;
}

export interface OpSchema {
  name: string;
  overload: string;
  schema: string;
  arguments: SchemaArgument[];
  returns: SchemaArgument[];
}

/** A scripted forward's result as native.jitCall encodes it: a tensor {tensor: id}, a dict {dict: [[key, value]]}, a tuple or list an array. */
export type TaggedValue = number | boolean | string | null | { tensor: number } | { dict: [string | number, TaggedValue][] } | TaggedValue[];

/** What jitLoad hands back: the scripted module's id, its tensors (ids in the table, shared with the module) and what forward needs. */
export interface ScriptedModuleInfo {
  id: number;
  /** [path, tensor id] in PyTorch's named_parameters order, each tensor once (as Python's named_parameters). */
  parameters: [string, number][];
  buffers: [string, number][];
  /** [path, first path] of a tensor held under a second path too (tied weights). */
  tied: [string, string][];
  /** [path, qualified type name]; the root ("") first, parents before children. */
  modules: [string, string][];
  /** Random ops in the inlined forward graph (e.g. "aten::dropout"). */
  randomOps: string[];
  schema: string;
  /** forward's arguments after self, types as Python writes them ("Tensor", "Optional[Tensor]", "int"). */
  arguments: { name: string; type: string; default?: string }[];
  /** forward's return type as Python writes it ("Tensor", "Dict[str, Tensor]", "Tuple[Tensor, Tensor]"). */
  returns: string;
  /** The module's other methods (@torch.jit.export'ed ones), each with its schema and random ops. */
  methods: { name: string; schema: string; arguments: { name: string; type: string; default?: string }[]; returns: string; randomOps: string[] }[];
  training: boolean;
  /** Recorded by torch.jit.trace (its control flow frozen): the tracer's source ranges, or sub-module inputs named "argument_N". */
  traced: boolean;
  /** The frame that called torch.jit.trace ("export.py(12): <module>"), when the file's debug information has it; else "". */
  tracedAt: string;
}

export interface NativeAddon {
  opHandle(name: string, overload: string): number;
  callOp(handle: number, ...args: NativeArg[]): NativeResult;
  listSchemas(): OpSchema[];
  strictRandom(enabled?: boolean): boolean;

  free(id: number): boolean;
  /** Frees ids (an array, or the first `count` entries of a Float64Array); returns how many were live. */
  freeMany(ids: number[] | Float64Array, count?: number): number;
  fromTypedArray(data: ArrayBufferView, shape: readonly number[], dtype?: string): number;
  toTypedArray(id: number): ArrayBufferView;
  view(id: number): ArrayBufferView;
  info(id: number): { shape: number[]; dtype: string; device: string; requiresGrad: boolean };
  shape(id: number): number[];
  dtype(id: number): string;
  item(id: number): number;
  liveTensors(): number;
  liveBytes(): number;
  isLive(id: number): boolean;
  sameStorage(a: number, b: number): boolean;

  generatorNew(seed: number | bigint): number;
  generatorFree(id: number): boolean;
  generatorSeed(id: number, seed: number | bigint): void;
  generatorInitialSeed(id: number): bigint;
  generatorGetState(id: number): Uint8Array;
  generatorSetState(id: number, state: Uint8Array): void;
  globalGeneratorState(): Uint8Array;
  liveGenerators(): number;

  setRequiresGrad(id: number, flag: boolean): void;
  requiresGrad(id: number): boolean;
  backward(id: number, gradient?: number | null, retainGraph?: boolean): void;
  grad(id: number): number | null;
  setGrad(id: number, gradient: number | null): void;
  gradEnabled(enabled?: boolean): boolean;

  jitLoad(path: string): ScriptedModuleInfo;
  /** Runs forward; with a generator id, the module's random ops draw from that generator. */
  jitForward(id: number, inputs: number[], generator: number | null): number;
  /**
   * Runs forward (or another method) with arguments following its schema (tensors as ids; undefined takes the default); the result
   * tagged: a tensor {tensor: id}, a dict {dict: [[key, value]]}, a tuple or list an array, None null.
   */
  jitCall(id: number, args: unknown[], generator: number | null, method?: string): TaggedValue;
  jitTrain(id: number, training: boolean): void;
  jitFree(id: number): boolean;
  /** A number, boolean, string or null attribute of a sub-module ("" for the root). */
  jitAttribute(id: number, modulePath: string, name: string): number | boolean | string | null | undefined;
  /** Defines, saves and loads a module in memory; returns its forward's sum (2). */
  jitSelfTest(): number;
  liveScriptedModules(): number;

  setNumThreads(n: number): void;
  getNumThreads(): number;
  setNumInteropThreads(n: number): void;
  version(): string;
  parallelInfo(): string;
  cudaDeviceCount(): number;
  manualSeedGlobal(seed: number): void;
  /** libm's pow/cos/sin/exp/log (what CPython's float ** and math.* use). */
  mathFn(name: "pow" | "cos" | "sin" | "exp" | "log", x: number, y?: number): number;
}

/** The repository root (where binding.gyp and build/ live). */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Path of the compiled addon; TWIN_ADDON overrides it (e.g. a build against another libtorch). */
export const addonPath = process.env.TWIN_ADDON ?? join(packageRoot, "build", "Release", "twin.node");

function load(): NativeAddon {
  if (!existsSync(addonPath)) {
    throw new Error(
      `twin's native addon is not built (${addonPath} is missing). ` +
        `Run: bash scripts/setup.sh   (it installs libtorch-dev and builds the addon)`,
    );
  }
  const require = createRequire(import.meta.url);
  try {
    return require(addonPath) as NativeAddon;
  } catch (e) {
    throw new Error(
      `could not load twin's native addon (${addonPath}): ${(e as Error).message}. ` +
        `If libtorch changed, rebuild it with: npm run build:native`,
    );
  }
}

export const native: NativeAddon = load();
