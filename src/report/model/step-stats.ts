/**
 * Running statistics of one series at one step over runs, in memory bounded
 * by a reservoir of at most RESERVOIR values: count, mean and sum of squares
 * (Welford 1962) for the mean and its t interval, and a uniform reservoir
 * sample of the values (Vitter 1985, Algorithm R) for the quantile bands:
 * exact while at most `capacity` runs reach the step, a uniform sample beyond.
 * A curve with many distinct steps shrinks every step's reservoir (a uniform
 * subset of a uniform sample is one; Algorithm R then goes on with the
 * smaller size), so that a curve's memory stays within RESERVOIR_BUDGET values.
 */
import { quantiles, tQuantile, Xoshiro128 } from "../../stats/index.ts";

/** Values kept per step for quantiles, at most. */
export const RESERVOIR = 512;
/** Values kept for quantiles over all steps of one variant's curve (8 bytes each). */
export const RESERVOIR_BUDGET = 1 << 17;
/** A step's reservoir never shrinks below this many values. */
export const MIN_RESERVOIR = 16;

const tCriticals = new Map<string, number>();

/** t_{(1+level)/2, df}, remembered: a curve asks for the same few (level, df) at every step, and each costs an incomplete-beta inversion. */
export function tCritical(level: number, df: number): number {
  const key = `${level}:${df}`;
  let q = tCriticals.get(key);
  if (q === undefined) {
    q = tQuantile(0.5 + level / 2, df);
    if (tCriticals.size > 4096) tCriticals.clear();
    tCriticals.set(key, q);
  }
  return q;
}

/** The reservoir size for a curve of `steps` distinct steps: a power of two in [MIN_RESERVOIR, RESERVOIR] within the budget. */
export function reservoirSize(steps: number): number {
  let k = RESERVOIR;
  while (k > MIN_RESERVOIR && k * steps > RESERVOIR_BUDGET) k /= 2;
  return k;
}

export class StepStats {
  n = 0;
  mean = 0;
  private m2 = 0;
  sample: number[] = [];

  /** Adds one run's value (finite values only; callers skip the rest), keeping at most `capacity` for quantiles. */
  add(x: number, rng: Xoshiro128, capacity = RESERVOIR): void {
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
    if (this.sample.length < capacity) this.sample.push(x);
    else {
      const j = Math.floor(rng.nextFloat() * this.n);
      if (j < capacity) this.sample[j] = x;
    }
  }

  /** Keeps a uniform random subset of `capacity` values of the reservoir (partial Fisher–Yates shuffle). */
  shrink(capacity: number, rng: Xoshiro128): void {
    const s = this.sample;
    if (s.length <= capacity) return;
    for (let i = 0; i < capacity; i++) {
      const j = i + Math.floor(rng.nextFloat() * (s.length - i));
      [s[i], s[j]] = [s[j]!, s[i]!];
    }
    this.sample = s.slice(0, capacity);
  }

  /** t interval of the mean at `level` (n ≥ 2): mean ± t_{(1+level)/2, n−1} · sd/√n. */
  interval(level: number): [number, number] {
    const se = Math.sqrt(this.m2 / (this.n - 1) / this.n);
    const q = tCritical(level, this.n - 1);
    return [this.mean - q * se, this.mean + q * se];
  }

  /** Quantiles of the runs' values (linear interpolation, numpy's default), from the reservoir. */
  quantiles(qs: readonly number[]): number[] {
    return quantiles(this.sample, qs);
  }
}
