/**
 * Running statistics of one series at one step over runs, in memory bounded
 * by RESERVOIR values: count, mean and sum of squares (Welford 1962) for the
 * mean and its t interval, and a uniform reservoir sample of the values
 * (Vitter 1985, Algorithm R) for the quantile bands: exact while at most
 * RESERVOIR runs reach the step, a uniform sample beyond.
 */
import { quantiles, tQuantile, Xoshiro128 } from "../../stats/index.ts";

/** Values kept per step for quantiles. */
export const RESERVOIR = 512;

export class StepStats {
  n = 0;
  mean = 0;
  private m2 = 0;
  readonly sample: number[] = [];

  /** Adds one run's value (finite values only; callers skip the rest). */
  add(x: number, rng: Xoshiro128): void {
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
    if (this.sample.length < RESERVOIR) this.sample.push(x);
    else {
      const j = Math.floor(rng.nextFloat() * this.n);
      if (j < RESERVOIR) this.sample[j] = x;
    }
  }

  /** t interval of the mean at `level` (n ≥ 2): mean ± t_{(1+level)/2, n−1} · sd/√n. */
  interval(level: number): [number, number] {
    const se = Math.sqrt(this.m2 / (this.n - 1) / this.n);
    const q = tQuantile(0.5 + level / 2, this.n - 1);
    return [this.mean - q * se, this.mean + q * se];
  }

  /** Quantiles of the runs' values (linear interpolation, numpy's default), from the reservoir. */
  quantiles(qs: readonly number[]): number[] {
    return quantiles(this.sample, qs);
  }
}
