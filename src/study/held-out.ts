/**
 * A held-out test set must not contain training examples: its scores would
 * be optimistic. Checked once per study before anything runs, and by
 * `twin ensemble` when given the examples.
 */
import type { HostArray } from "../data/host/array.ts";
import { rowOverlap } from "../data/overlap.ts";

/** Throws, naming the first overlapping rows and how many there are, when a row of `test` equals a row of `train`. */
export function checkHeldOut(train: { name: string; inputs: HostArray }, test: { name: string; inputs: HostArray }): void {
  const o = rowOverlap(train.inputs, test.inputs);
  if (!o) return;
  throw new Error(
    `the held-out test set ${test.name} is not held out: ${o.count} of its ${test.inputs.shape[0]} examples ${o.count === 1 ? "is" : "are"} also in the training data ${train.name} ` +
      `(first: test row ${o.testRow} equals training row ${o.trainRow}, 0-based). Scores on it would be optimistic; remove those examples from one of the two sets (or fix the loader that mixed them)`,
  );
}
