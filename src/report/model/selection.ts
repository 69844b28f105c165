/**
 * Order statistics of a curve step's values without sorting them: Hoare's
 * FIND (selectKth), several ranks by one multiple selection (selectKths),
 * and, for long columns, a sample's order statistics bracketing the ranks
 * wanted so that one pass over the column leaves a few short stretches to
 * select in (orderStatistics). Every path gives the k-th smallest value
 * itself, so the same numbers as a sort.
 */
import { quantileSorted } from "../../stats/index.ts";

/**
 * Moves the k-th smallest of `a[lo..hi]` to `a[k]`, smaller ones before it
 * and larger ones after (Hoare's FIND, 1961, median-of-three pivot): linear
 * time on average, where sorting a step's values for four quantiles was most
 * of a dashboard update at 10,000 runs.
 */
export function selectKth(a: Float64Array, k: number, lo = 0, hi = a.length - 1): void {
  while (hi > lo) {
    partition(a, lo, hi);
    const { i, j } = bounds;
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** Where the last {@link partition} left its two sides (one object reused: partitioning is the selection's inner loop). */
const bounds = { i: 0, j: 0 };

/**
 * One partition step of Hoare's FIND on a[lo..hi] about the median of three:
 * afterwards a[lo..j] ≤ pivot, a[j+1..i-1] = pivot and a[i..hi] ≥ pivot, with
 * i and j in {@link bounds}.
 */
function partition(a: Float64Array, lo: number, hi: number): void {
  const mid = (lo + hi) >>> 1;
  if (a[mid]! < a[lo]!) swap(a, mid, lo);
  if (a[hi]! < a[lo]!) swap(a, hi, lo);
  if (a[hi]! < a[mid]!) swap(a, hi, mid);
  const pivot = a[mid]!;
  let i = lo, j = hi;
  while (i <= j) {
    while (a[i]! < pivot) i++;
    while (a[j]! > pivot) j--;
    if (i <= j) swap(a, i++, j--);
  }
  bounds.i = i;
  bounds.j = j;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/**
 * Puts the order statistics `ks` (ascending indices) of `a[lo..hi]` in their
 * places at once: one partition (selectKth's) serves every index on each
 * side, and a side with a single index left is finished by selectKth. Four
 * quantiles of a step took four selections and four scans for the next value
 * up, each over most of the column; this partitions the column about as often
 * as one selection does (Hoare's FIND on several ranks: "multiple selection",
 * Chambers 1971, ACM Algorithm 410).
 */
export function selectKths(a: Float64Array, ks: readonly number[], lo = 0, hi = a.length - 1, from = 0, to = ks.length): void {
  while (to - from > 1 && hi > lo) {
    partition(a, lo, hi);
    const { i, j } = bounds;
    // Indices between j and i are placed (equal to the pivot).
    let left = from;
    while (left < to && ks[left]! <= j) left++;
    let right = left;
    while (right < to && ks[right]! < i) right++;
    // The smaller side by recursion, the other by the loop.
    if (left - from <= to - right) {
      selectKths(a, ks, lo, j, from, left);
      lo = i;
      from = right;
    } else {
      selectKths(a, ks, i, hi, right, to);
      hi = j;
      to = left;
    }
  }
  if (to - from === 1) selectKth(a, ks[from]!, lo, hi);
}

/** Columns shorter than this are selected in directly: the bracketing pass would save little. */
export const BRACKET_FROM = 1024;
/** Values of the column's sample that the brackets are read from: the middle one of each of SAMPLE equal stretches. */
export const SAMPLE = 512;
/** A bracket reaches this many standard deviations of a rank's place in the sample either side of it (then 1 more). */
const REACH = 2.5;
/** Brackets one pass sorts the values into (four band quantiles need four: each interpolates between two neighbouring ranks). */
const BRACKETS = 4;
/** Ranks one bracketing pass serves at most. */
const MAX_RANKS = 2 * BRACKETS;

// Scratch space, kept for the next column (plain numbers in typed arrays: the pass runs once per step of every curve).
const sample = new Float64Array(SAMPLE);
const rankLow = new Float64Array(MAX_RANKS), rankHigh = new Float64Array(MAX_RANKS);
const rankFirst = new Int32Array(MAX_RANKS), rankLast = new Int32Array(MAX_RANKS);
const byLow = new Int32Array(MAX_RANKS), bracketOf = new Int32Array(MAX_RANKS);
const lows = new Float64Array(BRACKETS), highs = new Float64Array(BRACKETS);
/** Values per region of the pass: region 2j + 1 is inside bracket j, region 2j the gap below it, region 2·BRACKETS above every bracket. */
const regions = new Int32Array(2 * BRACKETS + 1);
/** The pass's values by region r, from r·n on ((2·BRACKETS + 1)·n numbers). */
let gathered = new Float64Array(0);

/**
 * The order statistics `ranks` (0-based, ascending, distinct) of `values`
 * (no NaN; −0 and 0 count as equal, either may be given), which may be
 * reordered: by brackets (bracketedOrderStatistics) beyond BRACKET_FROM
 * values, else (or where the brackets miss) by selectKths over the whole
 * column. Either way the k-th smallest value itself.
 */
export function orderStatistics(values: Float64Array, ranks: readonly number[]): Float64Array {
  const bracketed = values.length >= BRACKET_FROM ? bracketedOrderStatistics(values, ranks) : undefined;
  if (bracketed) return bracketed;
  selectKths(values, ranks);
  return Float64Array.from(ranks, (k) => values[k]!);
}

/**
 * The order statistics `ranks` (0-based, ascending, distinct; at most
 * MAX_RANKS) of `values` (no NaN; left as they are), as Floyd and Rivest's
 * SELECT (1975, ACM Algorithm 489) finds one rank: the order statistics of an
 * evenly spread sample of SAMPLE values bracket where each rank's value must
 * lie (its expected place in the sample ± REACH standard deviations of that
 * place); one pass counts the values below each bracket and gathers the
 * values inside it; each rank is then selected (selectKths) among its
 * bracket's values alone. Whether every rank lies in its bracket is checked
 * by the counts (no more values below the bracket than the rank, more with
 * those inside), so an answer is always the k-th smallest values; undefined
 * where a rank is not in its bracket (an unlucky sample, such as values that
 * repeat with the sample's stride: about 1.6% of columns of normal values),
 * or more than BRACKETS brackets or MAX_RANKS ranks would be needed.
 */
export function bracketedOrderStatistics(values: Float64Array, ranks: readonly number[]): Float64Array | undefined {
  const n = values.length;
  if (ranks.length > MAX_RANKS) return undefined;
  for (let i = 0; i < SAMPLE; i++) sample[i] = values[Math.floor(((2 * i + 1) * n) / (2 * SAMPLE))]!;
  const count = bracket(ranks, n);
  if (count > BRACKETS) return undefined;
  gather(values, count);
  return selectInBrackets(ranks, n, count);
}

/**
 * Each rank's bracket of values from the sample (`lows`, `highs`), brackets
 * that meet joined so that none overlap (`bracketOf` each rank's); returns
 * how many (BRACKETS + 1: too many).
 */
function bracket(ranks: readonly number[], n: number): number {
  const r = ranks.length;
  if (!samePlan(ranks, n)) planBrackets(ranks, n);
  // The sample's order statistics the brackets are made of, by one multiple selection (the rest of the sample is not sorted).
  selectKths(sample, plan.needed);
  for (let x = 0; x < r; x++) {
    rankLow[x] = rankFirst[x]! < 0 ? -Infinity : sample[rankFirst[x]!]!;
    rankHigh[x] = rankLast[x]! >= SAMPLE ? Infinity : sample[rankLast[x]!]!;
    // By insertion, in order of their lower ends.
    let t = x;
    while (t > 0 && rankLow[byLow[t - 1]!]! > rankLow[x]!) {
      byLow[t] = byLow[t - 1]!;
      t--;
    }
    byLow[t] = x;
  }
  let count = 0;
  for (let t = 0; t < r; t++) {
    const x = byLow[t]!;
    if (count > 0 && rankLow[x]! <= highs[count - 1]!) highs[count - 1] = Math.max(highs[count - 1]!, rankHigh[x]!);
    else {
      if (count === BRACKETS) return BRACKETS + 1;
      lows[count] = rankLow[x]!;
      highs[count] = rankHigh[x]!;
      count++;
    }
    bracketOf[x] = count - 1;
  }
  return count;
}

/**
 * Where each rank's bracket ends in the sample (`rankFirst`, `rankLast`) and
 * the sample's order statistics needed for them (`plan.needed`, ascending,
 * distinct): they depend on the ranks and n alone, so every step of a curve
 * (the same band ranks of as many runs) uses the last call's.
 */
const plan = { n: -1, ranks: [] as number[], needed: [] as number[] };

function samePlan(ranks: readonly number[], n: number): boolean {
  if (plan.n !== n || plan.ranks.length !== ranks.length) return false;
  for (let x = 0; x < ranks.length; x++) if (plan.ranks[x] !== ranks[x]) return false;
  return true;
}

function planBrackets(ranks: readonly number[], n: number): void {
  const needed: number[] = [];
  for (let x = 0; x < ranks.length; x++) {
    const q = (ranks[x]! + 0.5) / n, at = q * SAMPLE - 0.5, reach = REACH * Math.sqrt(SAMPLE * q * (1 - q)) + 1;
    const first = Math.floor(at - reach), last = Math.ceil(at + reach);
    rankFirst[x] = first;
    rankLast[x] = last;
    if (first >= 0) needed.push(first);
    if (last < SAMPLE) needed.push(last);
  }
  needed.sort((a, b) => a - b);
  let distinct = 0;
  for (let i = 0; i < needed.length; i++) if (i === 0 || needed[i] !== needed[i - 1]) needed[distinct++] = needed[i]!;
  needed.length = distinct;
  plan.n = n;
  plan.ranks = [...ranks];
  plan.needed = needed;
}

/**
 * The pass of {@link bracketedOrderStatistics}: each value's region is the
 * number of bounds it lies above (x ≥ low, x > high; a bracket not used has
 * NaN bounds, which no value lies above), added without a branch, and every
 * value is stored in its region's stretch of `gathered` (from r·n on; only
 * the brackets' are read), also without a branch: which region a value falls
 * in cannot be predicted, and finding it by comparisons and storing only the
 * brackets' values took more than twice as long.
 */
function gather(values: Float64Array, count: number): void {
  const n = values.length;
  if (gathered.length < (2 * BRACKETS + 1) * n) gathered = new Float64Array((2 * BRACKETS + 1) * n);
  const into = gathered, counts = regions;
  const lo0 = count > 0 ? lows[0]! : NaN, hi0 = count > 0 ? highs[0]! : NaN;
  const lo1 = count > 1 ? lows[1]! : NaN, hi1 = count > 1 ? highs[1]! : NaN;
  const lo2 = count > 2 ? lows[2]! : NaN, hi2 = count > 2 ? highs[2]! : NaN;
  const lo3 = count > 3 ? lows[3]! : NaN, hi3 = count > 3 ? highs[3]! : NaN;
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    const r = Number(x >= lo0) + Number(x > hi0) + Number(x >= lo1) + Number(x > hi1) + Number(x >= lo2) + Number(x > hi2) + Number(x >= lo3) + Number(x > hi3);
    into[r * n + counts[r]!++] = x;
  }
}

/** Each rank among its bracket's values, after {@link gather}; undefined where a rank is not in its bracket. */
function selectInBrackets(ranks: readonly number[], n: number, count: number): Float64Array | undefined {
  const out = new Float64Array(ranks.length);
  let below = 0;
  for (let j = 0; j < count; j++) {
    below += regions[2 * j]!;
    const size = regions[2 * j + 1]!;
    // Ranks ascending, so their places in the bracket are too.
    const local: number[] = [];
    for (let x = 0; x < ranks.length; x++) {
      if (bracketOf[x] !== j) continue;
      const k = ranks[x]! - below;
      if (k < 0 || k >= size) return undefined;
      local.push(k);
    }
    const part = gathered.subarray((2 * j + 1) * n, (2 * j + 1) * n + size);
    if (lows[j] === highs[j]) {
      // A bracket of one value holds nothing else: any of its values is every rank's.
      for (let x = 0; x < ranks.length; x++) if (bracketOf[x] === j) out[x] = part[0]!;
    } else if (local.length === 2 && local[1] === local[0]! + 1) {
      // A band quantile's two neighbouring ranks (the usual bracket).
      const { kth, next } = selectPair(part, local[0]!);
      for (let x = 0; x < ranks.length; x++) if (bracketOf[x] === j) out[x] = ranks[x]! - below === local[0] ? kth : next;
    } else {
      selectKths(part, local);
      for (let x = 0; x < ranks.length; x++) if (bracketOf[x] === j) out[x] = part[ranks[x]! - below]!;
    }
    below += size;
  }
  return out;
}

/** What {@link selectPair} found (one object reused: read it before the next call). */
const pair = { kth: 0, next: 0 };
/** The other half of selectPair's ping-pong (grown as needed). */
let pingPong = new Float64Array(0);

/**
 * The k-th and (k+1)-th smallest values of `a` (no NaN; reordered), as
 * `kth` and `next` of one object reused by every call (`next` is +∞ for
 * k = a.length − 1): Hoare's FIND with Lomuto's
 * partition written without a branch, each value stored at both ends of the
 * other buffer and the end it belongs to advanced (which side a value falls
 * on cannot be predicted, and the mispredicted branches of Hoare's partition
 * were most of a bracket's selection: 3 times as long). Each partition keeps
 * the side holding rank k; the values given up above it are all ≥ the pivot,
 * which is one of them, so the smallest value above rank k is the least such
 * pivot or a value still in range. A pivot that is its range's minimum (no
 * value below it: ties) splits off the values equal to it instead, so every
 * pass shrinks the range.
 */
export function selectPair(a: Float64Array, k: number): Readonly<typeof pair> {
  if (pingPong.length < a.length) pingPong = new Float64Array(a.length);
  let src: Float64Array = a, dst: Float64Array = pingPong, lo = 0, hi = a.length - 1, above = Infinity;
  while (hi > lo) {
    // Median of three (first, middle, last).
    const x0 = src[lo]!, x1 = src[(lo + hi) >>> 1]!, x2 = src[hi]!;
    const pivot = Math.max(Math.min(x0, x1), Math.min(Math.max(x0, x1), x2));
    const less = splitBelow(src, dst, lo, hi, pivot, false);
    if (k < less) {
      above = Math.min(above, pivot);
      hi = less - 1;
    } else if (less > lo) lo = less;
    else {
      // Nothing below the pivot: the values equal to it go first, back into src.
      const equal = splitBelow(dst, src, lo, hi, pivot, true);
      if (k < equal) {
        pair.kth = pivot;
        pair.next = k + 1 < equal ? pivot : Math.min(above, smallest(src, equal, hi));
        return pair;
      }
      lo = equal;
      continue;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  pair.kth = src[lo]!;
  pair.next = above;
  return pair;
}

/**
 * Writes from[lo..hi] into to[lo..hi], the values below `pivot` (or ≤ it,
 * `orEqual`) first and the rest after them, without a branch; returns where
 * the rest begin.
 */
function splitBelow(from: Float64Array, to: Float64Array, lo: number, hi: number, pivot: number, orEqual: boolean): number {
  let l = lo, h = hi;
  if (orEqual) {
    for (let i = lo; i <= hi; i++) {
      const x = from[i]!;
      to[l] = x;
      to[h] = x;
      const below = +(x <= pivot);
      l += below;
      h -= 1 - below;
    }
  } else {
    for (let i = lo; i <= hi; i++) {
      const x = from[i]!;
      to[l] = x;
      to[h] = x;
      const below = +(x < pivot);
      l += below;
      h -= 1 - below;
    }
  }
  return l;
}

function smallest(a: Float64Array, lo: number, hi: number): number {
  let m = Infinity;
  for (let i = lo; i <= hi; i++) m = Math.min(m, a[i]!);
  return m;
}

/**
 * numpy's default (linear) quantiles of `values` (reordered) from the order
 * statistics each interpolates between (orderStatistics), instead of sorting
 * (which was most of a dashboard update at 10,000 runs): the same order
 * statistics, so the same numbers, as a sort.
 */
export function quantilesBySelection(values: Float64Array, qs: readonly number[]): number[] {
  const n = values.length;
  const wanted = new Set<number>();
  for (const q of qs) {
    const lo = Math.floor((n - 1) * q);
    wanted.add(lo);
    if (lo < n - 1) wanted.add(lo + 1);
  }
  const ranks = [...wanted].sort((a, b) => a - b);
  const stats = orderStatistics(values, ranks);
  const at = (k: number): number => stats[ranks.indexOf(k)]!;
  return qs.map((q) => {
    const h = (n - 1) * q;
    const lo = Math.floor(h);
    if (lo >= n - 1) return at(lo);
    // quantileSorted on the two neighbours (numpy's _lerp).
    return quantileSorted([at(lo), at(lo + 1)], h - lo);
  });
}
