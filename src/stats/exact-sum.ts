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
 * s itself. The plain sum runs as four sums of every fourth value, added up
 * at the end (their additions' errors counted too): each addition waits for
 * the one before it in its own sum only, and the answer, the exact sum
 * rounded, is the same in any order. Where the bound cannot decide (a sum
 * on or next to a half-way point between doubles), the errors are summed
 * again with their own errors (exactWhereErrorsAdd); otherwise (cancellation,
 * overflow, sums below 2⁻⁹⁰⁰, non-finite values) Shewchuk's partials.
 */
export function exactSum(values: ArrayLike<number>): number {
  sumPass(values);
  const h = decided(pass.s, pass.e, pass.a, values.length);
  if (h === h) return h;
  const exact = exactWhereErrorsAdd(values);
  return exact === exact ? exact : shewchukSum(values);
}

/**
 * exactSum of the squared deviations (x − center)², each rounded once: the
 * sum of squares of a two-pass variance, independent of the values' order;
 * the squares are summed as they are made (no array of them but where the
 * fast path does not decide).
 */
export function exactSumOfSquares(values: Float64Array, center: number): number {
  squaresPass(values, center);
  const h = decided(pass.s, pass.e, pass.a, values.length);
  if (h === h) return h;
  const squares = values.map((x) => (x - center) * (x - center));
  const exact = exactWhereErrorsAdd(squares);
  return exact === exact ? exact : shewchukSum(squares);
}

/** What the last pass found: the plain sum `s`, its additions' errors summed to `e` and their magnitudes to `a`. */
const pass = { s: 0, e: 0, a: 0 };

/** The plain sum of `values` with its additions' errors (TwoSum) into {@link pass}: four sums of every fourth value, then theirs. */
function sumPass(values: ArrayLike<number>): void {
  const count = values.length;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, e0 = 0, e1 = 0, e2 = 0, e3 = 0, a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  let k = 0;
  for (; k + 3 < count; k += 4) {
    const x0 = values[k]!, x1 = values[k + 1]!, x2 = values[k + 2]!, x3 = values[k + 3]!;
    const t0 = s0 + x0, t1 = s1 + x1, t2 = s2 + x2, t3 = s3 + x3;
    const z0 = t0 - s0, z1 = t1 - s1, z2 = t2 - s2, z3 = t3 - s3;
    const r0 = s0 - (t0 - z0) + (x0 - z0), r1 = s1 - (t1 - z1) + (x1 - z1), r2 = s2 - (t2 - z2) + (x2 - z2), r3 = s3 - (t3 - z3) + (x3 - z3);
    e0 += r0; e1 += r1; e2 += r2; e3 += r3;
    a0 += Math.abs(r0); a1 += Math.abs(r1); a2 += Math.abs(r2); a3 += Math.abs(r3);
    s0 = t0; s1 = t1; s2 = t2; s3 = t3;
  }
  for (; k < count; k++) {
    const x = values[k]!;
    const t = s0 + x, z = t - s0, r = s0 - (t - z) + (x - z);
    e0 += r;
    a0 += Math.abs(r);
    s0 = t;
  }
  joinSums(s0, s1, s2, s3, e0 + e1 + (e2 + e3), a0 + a1 + (a2 + a3));
}

/** sumPass of the squares (x − center)², each rounded once, made as they are added. */
function squaresPass(values: Float64Array, center: number): void {
  const count = values.length;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, e0 = 0, e1 = 0, e2 = 0, e3 = 0, a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  let k = 0;
  for (; k + 3 < count; k += 4) {
    const d0 = values[k]! - center, d1 = values[k + 1]! - center, d2 = values[k + 2]! - center, d3 = values[k + 3]! - center;
    const x0 = d0 * d0, x1 = d1 * d1, x2 = d2 * d2, x3 = d3 * d3;
    const t0 = s0 + x0, t1 = s1 + x1, t2 = s2 + x2, t3 = s3 + x3;
    const z0 = t0 - s0, z1 = t1 - s1, z2 = t2 - s2, z3 = t3 - s3;
    const r0 = s0 - (t0 - z0) + (x0 - z0), r1 = s1 - (t1 - z1) + (x1 - z1), r2 = s2 - (t2 - z2) + (x2 - z2), r3 = s3 - (t3 - z3) + (x3 - z3);
    e0 += r0; e1 += r1; e2 += r2; e3 += r3;
    a0 += Math.abs(r0); a1 += Math.abs(r1); a2 += Math.abs(r2); a3 += Math.abs(r3);
    s0 = t0; s1 = t1; s2 = t2; s3 = t3;
  }
  for (; k < count; k++) {
    const d = values[k]! - center;
    const x = d * d;
    const t = s0 + x, z = t - s0, r = s0 - (t - z) + (x - z);
    e0 += r;
    a0 += Math.abs(r);
    s0 = t;
  }
  joinSums(s0, s1, s2, s3, e0 + e1 + (e2 + e3), a0 + a1 + (a2 + a3));
}

/** The four sums added up, (s0 + s1) + (s2 + s3), their three additions' errors joined to the others' (`e`, `a`), into {@link pass}. */
function joinSums(s0: number, s1: number, s2: number, s3: number, e: number, a: number): void {
  const t = s0 + s1, z = t - s0, r = s0 - (t - z) + (s1 - z);
  const u = s2 + s3, y = u - s2, q = s2 - (u - y) + (s3 - y);
  const s = t + u, w = s - t, p = t - (s - w) + (u - w);
  pass.s = s;
  pass.e = e + (r + q + p);
  pass.a = a + (Math.abs(r) + Math.abs(q) + Math.abs(p));
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

/**
 * The exact sum rounded once where the plain sum's errors add up without
 * error: s + Σ errᵢ is the exact sum (TwoSum), so when the errors' own sum e
 * is exact (each of its additions' errors, taken by TwoSum too, is 0), the
 * one rounding of s + e is the correctly rounded sum, half-way points
 * included (to even, as fsum). NaN where an addition of the errors erred,
 * or anything overflowed: Shewchuk's partials decide.
 */
function exactWhereErrorsAdd(values: ArrayLike<number>): number {
  let s = 0, e = 0, inexact = 0;
  for (let k = 0; k < values.length; k++) {
    const x = values[k]!;
    const t = s + x, z = t - s, r = s - (t - z) + (x - z);
    const f = e + r, y = f - e;
    inexact += Math.abs(e - (f - y) + (r - y));
    e = f;
    s = t;
  }
  const h = s + e;
  return inexact === 0 && Number.isFinite(h) ? h : NaN;
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
