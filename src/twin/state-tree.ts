/**
 * Splits a state tree (optimizer or schedule state) into its tensors and a
 * JSON skeleton, and joins them back: how checkpoints store arbitrary state.
 */
import { Tensor } from "../torch/tensor.ts";
import type { StateTree } from "./types.ts";

type Json = number | string | boolean | null | Json[] | { [k: string]: Json };

export function splitTree(tree: StateTree, prefix: string, tensors: Record<string, Tensor>): Json {
  if (tree instanceof Tensor) {
    tensors[prefix] = tree;
    return { $tensor: prefix };
  }
  if (Array.isArray(tree)) return tree.map((v, i) => splitTree(v, `${prefix}.${i}`, tensors));
  if (tree !== null && typeof tree === "object") {
    return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, splitTree(v, `${prefix}.${k}`, tensors)]));
  }
  if (typeof tree === "number" && !Number.isFinite(tree)) return { $number: String(tree) };
  return tree;
}

export function joinTree(json: unknown, tensors: Record<string, Tensor>): StateTree {
  if (Array.isArray(json)) return json.map((v) => joinTree(v, tensors));
  if (json !== null && typeof json === "object") {
    const o = json as Record<string, unknown>;
    if (typeof o.$tensor === "string") {
      const t = tensors[o.$tensor];
      if (t === undefined) throw new Error(`checkpoint is missing tensor '${o.$tensor}'`);
      return t;
    }
    if (typeof o.$number === "string") return Number(o.$number);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, joinTree(v, tensors)]));
  }
  return json as StateTree;
}
