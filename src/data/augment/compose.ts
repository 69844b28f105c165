/**
 * Chaining augmentations (torchvision's `transforms.Compose`, for batches and
 * with an explicit generator): `compose(f, g, h)` is one `AugFn` that runs
 * f, g, h in order on the same generator, so the draws follow one another in
 * a fixed order and the whole chain is reproducible from the generator state.
 * Intermediate batches are freed; only the final batch is returned.
 *
 * `bind(randomCrop, { size: 28, padding: 2 })` turns an augmentation and its
 * options into an `AugFn` (the generator is supplied per call).
 */
import { scope } from "../../torch/scope.ts";
import type { Generator } from "../../torch/generator.ts";
import { checkGenerator, rebuild, type AugBatch, type AugFn } from "./types.ts";

/** Runs the steps in order with the same generator; no steps gives the batch back (as aliases). */
export function compose(...fns: AugFn[]): AugFn {
  for (const [i, f] of fns.entries()) {
    if (typeof f !== "function") throw new TypeError(`compose: step ${i} is not a function (use bind(randomCrop, {...}) or (batch, g) => randomCrop(batch, { ..., generator: g }))`);
  }
  return <B extends AugBatch>(batch: B, generator: Generator): B => {
    checkGenerator("compose", generator);
    return scope(() => {
      if (fns.length === 0) return rebuild(batch, {});
      let b = batch;
      for (const f of fns) b = f(b, generator);
      return b;
    });
  };
}

/** An augmentation with its options fixed, as an `AugFn`: `bind(horizontalFlip, { p: 0.5 })`. */
export function bind<O extends { generator: Generator }>(
  fn: <B extends AugBatch>(batch: B, options: O) => B,
  options: Omit<O, "generator">,
): AugFn {
  return <B extends AugBatch>(batch: B, generator: Generator): B => fn(batch, { ...options, generator } as O);
}
