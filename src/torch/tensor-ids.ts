/** Tensor lists as the native bridge takes them: their ids (null where a list allows a missing tensor). */
import type { Tensor } from "./tensor.ts";

export function ids(ts: readonly Tensor[]): number[] {
  return ts.map((t) => t.id);
}

export function optionalIds(ts: readonly (Tensor | null)[]): (number | null)[] {
  return ts.map((t) => (t === null ? null : t.id));
}
