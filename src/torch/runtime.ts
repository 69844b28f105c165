/** Process-level engine settings: grad mode, threads, strict randomness, memory counters. */
import { native } from "./native.ts";

/** Runs fn with autograd recording off (like torch.no_grad()). */
export function noGrad<T>(fn: () => T): T {
  const previous = native.gradEnabled(false);
  try {
    return fn();
  } finally {
    native.gradEnabled(previous);
  }
}

/** Runs fn with autograd recording on. */
export function enableGrad<T>(fn: () => T): T {
  const previous = native.gradEnabled(true);
  try {
    return fn();
  } finally {
    native.gradEnabled(previous);
  }
}

export function isGradEnabled(): boolean {
  const current = native.gradEnabled();
  return current;
}

/** Intra-op threads for this process (libtorch's at::set_num_threads). */
export function setNumThreads(n: number): void {
  native.setNumThreads(n);
}

export function getNumThreads(): number {
  return native.getNumThreads();
}

/**
 * When on, any op that would draw from libtorch's global generator throws
 * (twin turns it on inside runs). Returns the previous setting.
 */
export function setStrictRandom(enabled: boolean): boolean {
  return native.strictRandom(enabled);
}

export function isStrictRandom(): boolean {
  const previous = native.strictRandom();
  return previous;
}

/** A copy of libtorch's global CPU generator state, to prove nothing drew from it. */
export function globalGeneratorState(): Uint8Array {
  return native.globalGeneratorState();
}

export interface MemoryCounters {
  /** Live tensor handles in the native table. */
  tensors: number;
  /** Bytes of distinct storages those tensors hold. */
  bytes: number;
  generators: number;
}

export function memory(): MemoryCounters {
  return { tensors: native.liveTensors(), bytes: native.liveBytes(), generators: native.liveGenerators() };
}

/** libtorch's version, e.g. "1.13.0". */
export function version(): string {
  return native.version();
}

export function cudaDeviceCount(): number {
  return native.cudaDeviceCount();
}
