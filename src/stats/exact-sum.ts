/**
 * The correctly rounded sum of floating-point numbers: the exact sum of the
 * values, rounded once (round half to even). It depends only on the multiset
 * of values, never on their order, which a plain or compensated sum does in
 * its last bits. Shewchuk's algorithm (J. R. Shewchuk, "Adaptive precision
 * floating-point arithmetic and fast robust geometric predicates", Discrete &
 * Computational Geometry 18, 1997) as Python's `math.fsum` implements it
 * (msum: non-overlapping partials, then the half-way correction of the final
 * rounding).
 */

/** Non-overlapping partials of a sum: at most ~40 for doubles (2,098 bits of exponent range / 53). */
const partials = new Float64Array(64);

/**
 * `math.fsum(values)`: the exact sum rounded once. First a fast path: the
 * plain sum s with each addition's rounding error taken exactly (Knuth's
 * TwoSum) and the errors summed to e, with a bound B on that sum's own error
 * (|e − Σ errᵢ| ≤ γ_{n−1} Σ|errᵢ|: N. J. Higham, "Accuracy and Stability of
 * Numerical Algorithms", 2nd ed. 2002, §4.2; B = 2nu·Σ|errᵢ| as computed).
 * With h + l = s + e exactly (TwoSum), the exact sum lies within |l| + B of
 * h; when that is below half the gap from h to its nearer neighbour (1% left
 * for the rounding of |l| + B), h is the correctly rounded sum, fsum's answer
 * (the common case: no heavy cancellation); where no addition erred at all,
 * s itself. Otherwise (cancellation, ties, overflow, sums below 2⁻⁹⁰⁰,
 * non-finite values) Shewchuk's partials.
 */
export function exactSum(values: ArrayLike<number>): number {
  const count = values.length;
  let s = 0, e = 0, a = 0;
  for (let k = 0; k < count; k++) {
    const x = values[k]!;
    const t = s + x;
    const z = t - s;
    const err = s - (t - z) + (x - z);
    e += err;
    a += Math.abs(err);
    s = t;
  }
  const h = decided(s, e, a, count);
  return h === h ? h : shewchukSum(values);
}

/**
 * exactSum of the squared deviations (x − center)², each rounded once: the
 * sum of squares of a two-pass variance, independent of the values' order;
 * the squares are summed as they are made (no array of them but where the
 * fast path does not decide).
 */
export function exactSumOfSquares(values: Float64Array, center: number): number {
  const count = values.length;
  let s = 0, e = 0, a = 0;
  for (let k = 0; k < count; k++) {
    const d = values[k]! - center;
    const x = d * d;
    const t = s + x;
    const z = t - s;
    const err = s - (t - z) + (x - z);
    e += err;
    a += Math.abs(err);
    s = t;
  }
  const h = decided(s, e, a, count);
  return h === h ? h : shewchukSum(values.map((x) => (x - center) * (x - center)));
}

/**
 * The fast path's answer from the plain sum `s`, its additions' errors summed
 * to `e` and their magnitudes to `a` (`count` values), or NaN where it cannot
 * decide (see exactSum). No error at all (a = 0: zeros, integers, a column of
 * one value's differences) and no overflow: every addition was exact, so `s`
 * is the exact sum itself (+0 for a sum of zeros, as fsum's partials give).
 */
function decided(s: number, e: number, a: number, count: number): number {
  if (a === 0 && Number.isFinite(s)) return s;
  const h = s + e;
  const z = h - s;
  const l = s - (h - z) + (e - z);
  const bound = 2 * count * 2 ** -53 * a;
  // Far from the subnormals, where the bound's own rounding could matter.
  return Math.abs(h) >= 2 ** -900 && Number.isFinite(h) && Math.abs(l) + bound < 0.99 * halfGap(h) ? h : NaN;
}

const bits = new DataView(new ArrayBuffer(8));

/** Half the distance from a normal `h` to its nearer neighbour: ulp(h)/2, or ulp(h)/4 where |h| is a power of two (the gap below is half the one above). */
function halfGap(h: number): number {
  const magnitude = Math.abs(h);
  bits.setFloat64(0, magnitude);
  bits.setUint32(0, bits.getUint32(0) & 0x7ff00000);
  bits.setUint32(4, 0);
  const power = bits.getFloat64(0); // 2^⌊log₂|h|⌋
  return power * (magnitude === power ? 2 ** -54 : 2 ** -53);
}

/**
 * `math.fsum(values)` by Shewchuk's non-overlapping partials. Non-finite
 * values: NaN if any is NaN or both infinities are present, else the
 * infinity (Python raises on these; a NaN says the same here). Where a partial
 * sum overflows though the total may not (values near ±1.8e308), the values
 * are halved and the sum doubled: still independent of the order, exact but
 * for the lowest bit of subnormal values then.
 */
function shewchukSum(values: ArrayLike<number>): number {
  const p = partials;
  let n = 0;
  let special = 0;
  for (let k = 0; k < values.length; k++) {
    const given = values[k]!;
    let x = given;
    let i = 0;
    for (let j = 0; j < n; j++) {
      let y = p[j]!;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    n = i;
    if (x === 0) continue;
    if (Number.isFinite(x)) {
      p[n++] = x;
      continue;
    }
    if (Number.isFinite(given)) return 2 * shewchukSum(Array.from(values, (v) => v / 2));
    special += given;
    n = 0;
  }
  if (special !== 0) return special; // NaN too
  // The partials from the largest down, added until one is lost to rounding; then Python's half-way correction.
  let hi = 0;
  let lo = 0;
  if (n > 0) {
    hi = p[--n]!;
    while (n > 0) {
      const x = hi;
      const y = p[--n]!;
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    if (n > 0 && ((lo < 0 && p[n - 1]! < 0) || (lo > 0 && p[n - 1]! > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
  }
  return hi;
}
