/**
 * The examples of some classes only, relabelled 0..k−1 in the order given
 * (transfer studies: pretrain on classes 0–4, fine-tune on 5–9 with a
 * five-way head). Class names follow the new labels.
 */
import { gatherRows, hostArray } from "./array.ts";
import { datasetLength, type Dataset } from "./dataset.ts";

/** The examples whose class is in `classes`, relabelled by position in `classes` (copies). */
export function classSubset(ds: Dataset, classes: readonly number[]): Dataset {
  if (classes.length === 0) throw new Error(`classSubset(${ds.name}): give at least one class`);
  if (new Set(classes).size !== classes.length) throw new Error(`classSubset(${ds.name}): a class is listed twice in [${classes.join(", ")}]`);
  const n = datasetLength(ds);
  if (ds.targets.shape.length !== 1) throw new Error(`classSubset(${ds.name}): targets must be class ids, one per example (shape [${ds.targets.shape.join(", ")}])`);
  const label = new Map(classes.map((c, i) => [c, i]));
  const keep: number[] = [];
  const labels: bigint[] = [];
  const t = ds.targets.data;
  for (let i = 0; i < n; i++) {
    const c = Number(t[i]!);
    const l = label.get(c);
    if (l !== undefined) {
      keep.push(i);
      labels.push(BigInt(l));
    }
  }
  const missing = classes.filter((c) => !keep.some((i) => Number(t[i]!) === c));
  if (missing.length) throw new Error(`classSubset(${ds.name}): no example of class${missing.length > 1 ? "es" : ""} ${missing.join(", ")}`);
  const out: Dataset = { name: `${ds.name}[classes ${classes.join(",")}]`, inputs: gatherRows(ds.inputs, keep), targets: hostArray(BigInt64Array.from(labels), [keep.length]) };
  if (ds.masks) out.masks = gatherRows(ds.masks, keep);
  if (ds.classes) out.classes = classes.map((c) => ds.classes![c] ?? String(c));
  return out;
}
