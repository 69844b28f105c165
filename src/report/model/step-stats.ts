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

  /** A copy that shares nothing with this one. */
  clone(): StepStats {
    const c = new StepStats();
    c.n = this.n;
    c.mean = this.mean;
    c.m2 = this.m2;
    c.sample = [...this.sample];
    return c;
  }

  /**
   * Folds in the runs another StepStats counted (runs of other seeds). A
   * reservoir that holds every value it was given is folded in value by
   * value (Algorithm R, as if its runs had come after); otherwise the moments
   * are pooled (Chan, Golub and LeVeque 1979) and the reservoirs drawn from
   * without replacement, each draw from either side in proportion to the runs
   * it has left (a hypergeometric split of a uniform sample of the union).
   */
  merge(other: StepStats, rng: Xoshiro128, capacity = RESERVOIR): void {
    if (other.n === 0) return;
    if (other.sample.length === other.n) {
      for (const x of other.sample) this.add(x, rng, capacity);
      return;
    }
    if (this.sample.length === this.n) {
      const mine = this.sample;
      this.n = other.n;
      this.mean = other.mean;
      this.m2 = other.m2;
      this.sample = [...other.sample];
      this.shrink(capacity, rng);
      for (const x of mine) this.add(x, rng, capacity);
      return;
    }
    const n = this.n + other.n;
    const delta = other.mean - this.mean;
    const m2 = this.m2 + other.m2 + (delta * delta * this.n * other.n) / n;
    const mean = this.mean + (delta * other.n) / n;
    const a = [...this.sample], b = [...other.sample];
    let leftA = this.n, leftB = other.n;
    const sample: number[] = [];
    const k = Math.min(capacity, a.length + b.length);
    const take = (from: number[]): number => {
      const j = Math.floor(rng.nextFloat() * from.length);
      const x = from[j]!;
      from[j] = from[from.length - 1]!;
      from.pop();
      return x;
    };
    while (sample.length < k) {
      const fromA = b.length === 0 || (a.length > 0 && rng.nextFloat() * (leftA + leftB) < leftA);
      sample.push(take(fromA ? a : b));
      if (fromA) leftA--;
      else leftB--;
    }
    this.n = n;
    this.mean = mean;
    this.m2 = m2;
    this.sample = sample;
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
