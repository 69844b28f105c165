/**
 * Floating-point rounding is not data.
 *
 * Values typed as decimals or logged as float32 are rounded once when they are
 * stored, so a difference that is the same on every seed (A = 0.6, 0.7, 0.8 and
 * B = 0.7, 0.8, 0.9) comes out as 0.09999999999999998, 0.10000000000000009, …
 * A t statistic built on that spread is ~1e15 and its p ~1e-100: noise read as
 * evidence. Every verdict function therefore removes rounding first:
 *
 * - the rounding unit u of the inputs is float32's 2⁻²⁴ when every value is a
 *   float32 number and some value is not an integer (a TensorBoard scalar, a
 *   float32 tensor's item), or when some value carries float32's rounding (a
 *   float32 number whose shortest decimal needs more than float32's 9 digits:
 *   the float32 nearest to a value, not a short decimal such as 0.75 that both
 *   formats hold); else float64's 2⁻⁵³. So one run read at float32 (its
 *   metrics.jsonl damaged, its event files read instead) beside identical runs
 *   read at float64 ties with them;
 * - a value rounded once is off by at most u|x|, so b − a is off by at most
 *   u(|a| + |b| + |b − a|) ≤ 3uM (M the largest |value|) and two differences by
 *   6uM; twin allows `ROUNDING_ULPS` = 16 units, 16uM (3.6e-15 of M in float64,
 *   9.5e-7 of M in float32: one example in a million-example test set is still a
 *   real difference);
 * - values (or paired differences) whose range is within that tolerance are one
 *   constant, replaced by the shortest decimal within the tolerance of their
 *   mean (0.1, not 0.09999999999999998); a paired difference within 16u of
 *   its own pair's larger |value| (its rounding bound, 3u of that) is a tie (0).
 */
import type { Sample } from "./validate.ts";

/** Rounding units a verdict allows between values that should be equal (see the module comment). */
export const ROUNDING_ULPS = 16;

/** Rounding unit of a set of samples: 2⁻²⁴ when all are float32 numbers and some is not an integer, or when some value carries float32's rounding; else 2⁻⁵³. */
export function roundingUnit(...samples: Sample[]): number {
  let float32 = true, fractional = false;
  for (const x of samples) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (Math.fround(v) !== v) float32 = false;
      else if (!Number.isInteger(v) && Number.isFinite(v)) {
        fractional = true;
        if (carriesFloat32Rounding(v)) return 2 ** -24;
      }
    }
  }
  return float32 && fractional ? 2 ** -24 : 2 ** -53;
}

/** A short decimal that float32 holds exactly (0.75) reads back in at most this many digits; float32's rounding of a value reads back in up to 17 (0.6934 → 0.6934000253677368). */
const FLOAT32_DIGITS = 9;

/** Whether a float32 number `v` is float32's rounding of a value (its shortest decimal in float64 has more than 9 significant digits), not a short decimal both formats hold. */
function carriesFloat32Rounding(v: number): boolean {
  const mantissa = v.toExponential().split("e")[0]!;
  return mantissa.replace(/[-.]/g, "").length > FLOAT32_DIGITS;
}

/** Largest spread rounding alone can leave among values computed from these samples: 16 u max|value|. */
export function roundingTolerance(...samples: Sample[]): number {
  let big = 0;
  for (const x of samples) for (let i = 0; i < x.length; i++) big = Math.max(big, Math.abs(x[i]!));
  return ROUNDING_ULPS * roundingUnit(...samples) * big;
}

function range(x: Sample): { lo: number; hi: number; mean: number } {
  let lo = Infinity, hi = -Infinity, s = 0;
  for (let i = 0; i < x.length; i++) { lo = Math.min(lo, x[i]!); hi = Math.max(hi, x[i]!); s += x[i]!; }
  const mean = s / x.length;
  return { lo, hi, mean: Number.isFinite(mean) ? mean : lo / 2 + hi / 2 };
}

/** The shortest decimal within `tol` of `c` (0 when |c| ≤ tol): the constant the rounded values stand for. */
export function shortestWithin(c: number, tol: number): number {
  if (Math.abs(c) <= tol) return 0;
  for (let digits = 1; digits <= 17; digits++) {
    const r = Number(c.toPrecision(digits));
    if (Math.abs(r - c) <= tol) return r;
  }
  return c;
}

export interface RoundingCleaned {
  /** The values with rounding removed (a copy). */
  values: Float64Array;
  /** Their range is within the tolerance: every value is `constant`. */
  constant: boolean;
  /** The constant the values stand for (null unless `constant`). */
  value: number | null;
  /** The rounding tolerance used. */
  tolerance: number;
  /** The values varied, but only by rounding (so `constant` is true where exact equality would say false). */
  roundingOnly: boolean;
}

/**
 * One variant's runs with rounding removed: a sample whose range is rounding
 * noise (at its own scale, `roundingTolerance(x)`) becomes its constant;
 * otherwise runs equal up to their own rounding (16u × the larger |value|, the
 * rule `tiedUpToRounding` ties ranks by) become one value (`equalWithinRounding`),
 * as paired differences do: nine seeds at 0.7 logged as 0.7, 0.7000000000000001
 * and 0.6999999999999998 beside one black swan at 0.1 are nine equal runs, not
 * a spread of 1e-16 that a robust z (−3.6e15), a trimmed t (p = 1e-147) or a
 * MAD would read as evidence.
 */
export function withoutRounding(x: Sample): RoundingCleaned {
  const cleaned = constantUpToRounding(x, roundingTolerance(x));
  const relative = ROUNDING_ULPS * roundingUnit(x);
  if (!cleaned.constant && someUnequalWithinRounding(cleaned.values, relative)) equalWithinRounding(cleaned.values, cleaned.values.map(Math.abs), relative);
  return cleaned;
}

/**
 * Whether two values differ, by no more than `relative` × the larger |value|:
 * a group of `roundingGroups` that is not bit-equal holds its smallest value
 * and the next larger one, neighbours once sorted. A typed sort and one pass
 * (0.06 ms at 5,000 runs where the grouping's index sort takes 1.2 ms: a
 * verdict cleans each variant's runs a dozen times, and runs seldom tie).
 */
function someUnequalWithinRounding(values: Float64Array, relative: number): boolean {
  const sorted = values.slice().sort();
  for (let i = 1; i < sorted.length; i++) {
    const gap = sorted[i]! - sorted[i - 1]!;
    if (gap > 0 && gap <= relative * Math.max(Math.abs(sorted[i]!), Math.abs(sorted[i - 1]!))) return true;
  }
  return false;
}

/** Values whose range is within `tolerance` become their constant (a copy; left as they are otherwise). */
function constantUpToRounding(x: Sample, tolerance: number): RoundingCleaned {
  const values = Float64Array.from(x as ArrayLike<number>);
  const { lo, hi, mean } = range(values);
  if (!(hi - lo <= tolerance)) return { values, constant: false, value: null, tolerance, roundingOnly: false };
  const value = lo === hi ? lo : shortestWithin(mean, tolerance);
  values.fill(value);
  return { values, constant: true, value, tolerance, roundingOnly: lo !== hi };
}

export interface PairedRoundingCleaned extends RoundingCleaned {
  /** Seeds whose difference was rounding around 0 and became an exact tie (when not all are constant). */
  ties: number;
}

/**
 * Paired differences b − a with rounding removed, at the scale of the values a
 * and b (`roundingTolerance(a, b)`): constant up to rounding → every one is the
 * constant; otherwise each within its pair's rounding of 0 becomes 0, and
 * differences that are equal up to their pairs' rounding become one value
 * (`equalWithinRounding`): nine seeds whose difference is the same but for the
 * last bits of training arithmetic, beside one black swan, are nine equal
 * differences, not a spread of 1e-16 that a robust z or a t-test without the
 * swan would read as evidence.
 */
export function pairedDifferencesWithoutRounding(a: Sample, b: Sample): PairedRoundingCleaned {
  for (const r of recentPairs) if (sameValues(r.a, a) && sameValues(r.b, b)) return { ...r.result, values: r.result.values.slice() };
  const result = cleanPairedDifferences(a, b);
  recentPairs.unshift({ a: Float64Array.from(a as ArrayLike<number>), b: Float64Array.from(b as ArrayLike<number>), result: { ...result, values: result.values.slice() } });
  if (recentPairs.length > RECENT_PAIRS) recentPairs.pop();
  return result;
}

/**
 * The last few pairs of samples pairedDifferencesWithoutRounding cleaned
 * (copies) and what it gave: a paired comparison cleans the same pairs for
 * each of its tests and intervals (about nine times), and the sort inside
 * was most of that cost at 5,000 seeds. A pair is found again only by equal
 * values (Object.is: −0 and NaN told apart), never by identity, so an array
 * changed in place is cleaned anew; each caller gets its own copy.
 */
const recentPairs: { a: Float64Array; b: Float64Array; result: PairedRoundingCleaned }[] = [];
const RECENT_PAIRS = 4;

function sameValues(kept: Float64Array, x: Sample): boolean {
  if (kept.length !== x.length) return false;
  for (let i = 0; i < kept.length; i++) if (!Object.is(kept[i], x[i])) return false;
  return true;
}

function cleanPairedDifferences(a: Sample, b: Sample): PairedRoundingCleaned {
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = b[i]! - a[i]!;
  const tolerance = roundingTolerance(a, b);
  const cleaned = constantUpToRounding(d, tolerance);
  let ties = 0;
  if (!cleaned.constant) {
    // A tie at the pair's own scale: its b − a is off by at most 3u max(|a|, |b|). At the largest value's scale
    // (16uM), seeds whose values are orders of magnitude below another seed's (a diverging variant's 1e10
    // against 5.9e20 on one seed, in float32) would be counted as ties.
    const perPair = ROUNDING_ULPS * roundingUnit(a, b);
    const scales = new Float64Array(d.length);
    for (let i = 0; i < d.length; i++) {
      scales[i] = Math.max(Math.abs(a[i]!), Math.abs(b[i]!));
      if (cleaned.values[i] !== 0 && Math.abs(cleaned.values[i]!) <= perPair * scales[i]!) { cleaned.values[i] = 0; ties++; }
    }
    equalWithinRounding(cleaned.values, scales, perPair);
  }
  return { ...cleaned, ties };
}

/**
 * Values equal up to rounding, grouped: the indices of `values` in ascending
 * order (`order`), cut at `ends` (group g is order[ends[g − 1] ?? 0 .. ends[g])):
 * each value joins the group of the smallest value it is within `relative` ×
 * the larger of the two values' scales of (`scales[i]`: the magnitude the
 * value's rounding is a fraction of: |value|, a difference's pair, or 1 with an
 * absolute tolerance as `relative`).
 */
function roundingGroups(values: ArrayLike<number>, scales: ArrayLike<number>, relative: number): { order: number[]; ends: number[] } {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((i, j) => values[i]! - values[j]!);
  const ends: number[] = [];
  for (let start = 0; start < order.length; ) {
    const first = order[start]!;
    let end = start + 1;
    while (end < order.length && values[order[end]!]! - values[first]! <= relative * Math.max(scales[first]!, scales[order[end]!]!)) end++;
    ends.push(end);
    start = end;
  }
  return { order, ends };
}

/**
 * Values that differ only by rounding made one value, in place: each group of
 * `roundingGroups` whose values are not all equal takes the shortest decimal
 * within its tolerance (`relative` × its largest scale) of its mean (as a
 * constant sample does in `withoutRounding`). Returns how many values moved.
 */
export function equalWithinRounding(values: Float64Array, scales: ArrayLike<number>, relative: number): number {
  const { order, ends } = roundingGroups(values, scales, relative);
  let moved = 0, start = 0;
  for (const end of ends) {
    if (values[order[end - 1]!] !== values[order[start]!]) {
      let sum = 0, scale = 0;
      for (let k = start; k < end; k++) { sum += values[order[k]!]!; scale = Math.max(scale, scales[order[k]!]!); }
      const value = shortestWithin(sum / (end - start), relative * scale);
      for (let k = start; k < end; k++) { if (values[order[k]!] !== value) moved++; values[order[k]!] = value; }
    }
    start = end;
  }
  return moved;
}

/**
 * Whether b = k·a + c on every seed up to rounding (the pair's correlation is
 * ±1, or a side does not vary): the residuals of the least-squares line of b
 * on a are within 16u(max|b| + |k| max|a|), since b_i carries u|b_i| of
 * rounding and k·a_i carries |k|u|a_i| (the same allowance as for differences).
 */
export function onALineUpToRounding(a: Sample, b: Sample): boolean {
  const ca = withoutRounding(a), cb = withoutRounding(b);
  if (ca.constant || cb.constant) return true;
  const x = ca.values, y = cb.values, n = x.length;
  const rx = range(x), ry = range(y);
  // Centred and scaled by each range, so nothing overflows or underflows.
  const wx = rx.hi - rx.lo, wy = ry.hi - ry.lo;
  let sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    const u = (x[i]! - rx.mean) / wx, v = (y[i]! - ry.mean) / wy;
    sxx += u * u; sxy += u * v;
  }
  const k = sxy / sxx;
  let worst = 0;
  for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs((y[i]! - ry.mean) / wy - (k * (x[i]! - rx.mean)) / wx));
  let bigX = 0, bigY = 0;
  for (let i = 0; i < n; i++) { bigX = Math.max(bigX, Math.abs(x[i]!)); bigY = Math.max(bigY, Math.abs(y[i]!)); }
  const unit = roundingUnit(a, b);
  return worst <= ROUNDING_ULPS * unit * (bigY / wy + (Math.abs(k) * bigX) / wx);
}

/**
 * The samples with values that differ only by rounding made equal, for rank
 * tests (one mid-rank per group) and tie counts: the pooled values sorted, each
 * joins the group of the smallest value it is within `tolerance` of and takes
 * that value. Without `tolerance`, at the two values' own scale: 16u max(|v|, |w|)
 * (u the samples' rounding unit), so values far below the largest are not tied
 * by its rounding. Copies, in the samples' shapes and order.
 */
export function tiedUpToRounding(samples: readonly Sample[], tolerance?: number): Float64Array[] {
  const pooled = Float64Array.from(samples.flatMap((x) => Array.from(x as ArrayLike<number>)));
  // An absolute tolerance is `relative` with every scale 1.
  const scales = tolerance === undefined ? pooled.map(Math.abs) : new Float64Array(pooled.length).fill(1);
  const { order, ends } = roundingGroups(pooled, scales, tolerance ?? ROUNDING_ULPS * roundingUnit(...samples));
  const tied = new Float64Array(pooled.length);
  let start = 0;
  for (const end of ends) {
    for (let k = start; k < end; k++) tied[order[k]!] = pooled[order[start]!]!;
    start = end;
  }
  let at = 0;
  return samples.map((x) => tied.slice(at, (at += x.length)));
}
