/**
 * Packed series (types.ts {@link Series}) made from and read as points: for
 * sources that get points one at a time (the store, event files) and for the
 * few places that draw a handful of them (a curve's sampled lines).
 */
import type { Point, Series } from "./types.ts";

/** The series of `points` (in their order: sort them by step first). */
export function seriesOf(points: readonly Point[]): Series {
  const steps = new Float64Array(points.length), values = new Float64Array(points.length);
  for (let i = 0; i < points.length; i++) {
    steps[i] = points[i]!.step;
    values[i] = points[i]!.value;
  }
  return { steps, values };
}

/** The points of a series, in its order. */
export function pointsOf(s: Series): Point[] {
  return Array.from(s.steps, (step, i) => ({ step, value: s.values[i]! }));
}

/** A series' last value (undefined: it has none). */
export function lastValue(s: Series): number | undefined {
  return s.values.length > 0 ? s.values[s.values.length - 1] : undefined;
}

/** A series' last step (undefined: it has none). */
export function lastStep(s: Series): number | undefined {
  return s.steps.length > 0 ? s.steps[s.steps.length - 1] : undefined;
}
