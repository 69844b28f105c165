/**
 * Deterministic tensor lifetime. JS garbage collection cannot see tensor
 * memory, so every tensor created inside `scope(fn)` is freed when fn returns,
 * except what fn returns (which moves to the enclosing scope) and what was
 * kept with `keep()`. A training step wrapped in a scope keeps memory flat.
 */
import type { Tensor } from "./tensor.ts";
import { native } from "./native.ts";

const frames: Tensor[][] = [];

/** Called by every new Tensor: the innermost open scope will own it. */
export function track(t: Tensor): void {
  const top = frames[frames.length - 1];
  if (top !== undefined) top.push(t);
}

/** Removes a tensor from the scope that owns it (so scope exit leaves it alive). */
export function untrack(t: Tensor): void {
  for (let i = frames.length - 1; i >= 0; i--) {
    const frame = frames[i];
    const k = frame.lastIndexOf(t);
    if (k >= 0) {
      frame[k] = frame[frame.length - 1];
      frame.pop();
      return;
    }
  }
}

function collectTensors(value: unknown, into: Set<Tensor>, isTensor: (v: unknown) => v is Tensor, depth = 0): void {
  if (value === null || typeof value !== "object" || depth > 6) return;
  if (isTensor(value)) {
    into.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collectTensors(v, into, isTensor, depth + 1);
  } else if (value instanceof Map) {
    for (const v of value.values()) collectTensors(v, into, isTensor, depth + 1);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, into, isTensor, depth + 1);
  }
}

let tensorCheck: ((v: unknown) => v is Tensor) | undefined;
/** Set by tensor.ts (avoids an import cycle at module evaluation). */
export function setTensorCheck(check: (v: unknown) => v is Tensor): void {
  tensorCheck = check;
}

/**
 * Runs fn; frees every tensor created during it that fn does not return (in
 * an array, Map or plain object) and that was not kept. fn must be synchronous.
 */
export function scope<T>(fn: () => T): T {
  const frame: Tensor[] = [];
  frames.push(frame);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    frames.pop();
    for (const t of frame) t.dispose();
    throw e;
  }
  frames.pop();
  if (result instanceof Promise) {
    for (const t of frame) t.dispose();
    throw new Error("torch.scope(fn): fn returned a Promise; scopes track synchronous code only. Use one scope per synchronous step inside your async function.");
  }
  let returned: Set<Tensor> | null = null;
  if (result !== null && typeof result === "object") {
    returned = new Set<Tensor>();
    collectTensors(result, returned, tensorCheck!);
  }
  const parent = frames[frames.length - 1];
  // Free the frame with one native call (the ids go through a reused buffer).
  if (idBuffer.length < frame.length) idBuffer = new Float64Array(Math.max(frame.length, idBuffer.length * 2));
  let n = 0;
  for (const t of frame) {
    if (returned !== null && returned.has(t)) {
      if (parent !== undefined) parent.push(t);
    } else {
      const id = t._releaseId();
      if (id >= 0) idBuffer[n++] = id;
    }
  }
  if (n > 0) native.freeMany(idBuffer, n);
  return result;
}

let idBuffer = new Float64Array(1024);

/** Number of scopes currently open (for tests and diagnostics). */
export function scopeDepth(): number {
  return frames.length;
}
