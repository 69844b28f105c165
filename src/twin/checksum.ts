/** Checksums of batches and weights: what proves every variant saw the same data. */
import { createHash } from "node:crypto";
import type { Tensor } from "../torch/tensor.ts";

function update(h: ReturnType<typeof createHash>, t: Tensor): void {
  const bytes = t.contiguous().toArray();
  h.update(t.dtype + ":" + t.shape.join("x") + ";");
  h.update(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** SHA-256 (first 16 hex digits) of a batch's indices and augmented bytes. */
export function batchChecksum(indices: Int32Array, tensors: readonly (Tensor | undefined)[]): string {
  const h = createHash("sha256");
  h.update(new Uint8Array(indices.buffer, indices.byteOffset, indices.byteLength));
  for (const t of tensors) if (t !== undefined) update(h, t);
  return h.digest("hex").slice(0, 16);
}

/** SHA-256 of a state dict, in sorted key order. */
export function weightsHash(state: Record<string, Tensor>): string {
  const h = createHash("sha256");
  for (const key of Object.keys(state).sort()) {
    h.update(key + "=");
    update(h, state[key]);
  }
  return h.digest("hex");
}
