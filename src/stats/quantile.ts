/**
 * Quantiles with NumPy's default linear interpolation (`numpy.quantile(x, q)`,
 * method='linear'; Hyndman & Fan 1996 definition 7): the q-quantile of the
 * sorted sample x₀ ≤ … ≤ x_{n−1} is x_⌊h⌋ + (h − ⌊h⌋)(x_⌊h⌋+1 − x_⌊h⌋), h = (n − 1)q.
 */
import { checkSample, type Sample } from "./validate.ts";

/** Sorted copy as a Float64Array. */
export function sortedCopy(values: Sample): Float64Array {
  const out = Float64Array.from(values as ArrayLike<number>);
  out.sort();
  return out;
}

/** Internal: linear-interpolated quantile of an already sorted array (NumPy's formula, including its lerp). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  if (lo >= n - 1) return sorted[n - 1]!;
  if (lo < 0) return sorted[0]!;
  const g = h - lo;
  const a = sorted[lo]!, b = sorted[lo + 1]!;
  const diff = b - a;
  // numpy._lerp: a + diff*t, or b − diff*(1 − t) when t ≥ 0.5
  return g >= 0.5 ? b - diff * (1 - g) : a + diff * g;
}

function checkQ(fn: string, q: number): void {
  if (!(q >= 0 && q <= 1)) throw new Error(`stats.${fn}: q must be in [0, 1], got ${q}`);
}

/** The q-quantile, q in [0, 1] (`numpy.quantile(x, q)`). */
export function quantile(values: Sample, q: number): number {
  checkSample("quantile", values, 1);
  checkQ("quantile", q);
  return quantileSorted(sortedCopy(values), q);
}

/** Several quantiles at once (one sort) (`numpy.quantile(x, qs)`). */
export function quantiles(values: Sample, qs: readonly number[]): number[] {
  checkSample("quantiles", values, 1);
  for (const q of qs) checkQ("quantiles", q);
  const s = sortedCopy(values);
  return qs.map((q) => quantileSorted(s, q));
}

/** Median (`numpy.median`). */
export function median(values: Sample): number {
  checkSample("median", values, 1);
  return medianUnchecked(values);
}

/** Internal: median without validation. */
export function medianUnchecked(values: Sample): number {
  return medianSorted(sortedCopy(values));
}

/** Internal: median of an ascending sample (`numpy.median`: the middle value, or the mean of the two middle ones), for callers that sort once for several statistics. */
export function medianSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  const h = n >> 1;
  return n % 2 === 1 ? sorted[h]! : (sorted[h - 1]! + sorted[h]!) / 2;
}
