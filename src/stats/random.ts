/**
 * Small deterministic pseudo-random number generator for resampling.
 *
 * xoshiro128** 1.1 (Blackman & Vigna, "Scrambled linear pseudorandom number
 * generators", ACM TOMS 2021), seeded through SplitMix32 so that any integer
 * seed (including 0) gives a well-mixed state. 32-bit output, period 2^128 − 1.
 * Statistics in twin never draw from Math.random: every resampling function
 * takes a `seed` and is reproducible bit for bit.
 */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal = NaN;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`stats.random: seed must be a finite number, got ${seed}`);
    // SplitMix32 over the low and high 32 bits of the seed.
    let x = (Math.floor(seed) >>> 0) ^ Math.imul(Math.floor(seed / 4294967296) | 0, 0x9e3779b9);
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.s1 = s1 ^ n2;
    this.s0 = s0 ^ n3;
    this.s2 = n2 ^ t;
    this.s3 = (n3 << 11) | (n3 >>> 21);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * Uniform integer in [0, n) for 1 ≤ n ≤ 2^21: Lemire's multiply-shift with
   * rejection of the biased zone (unbiased); larger n use modulo with rejection.
   */
  nextInt(n: number): number {
    if (n <= 2097152) {
      const threshold = 4294967296 % n;
      for (;;) {
        const m = this.nextUint32() * n; // < 2^53, exact
        const hi = Math.floor(m * 2.3283064365386963e-10);
        if (m - hi * 4294967296 >= threshold) return hi;
      }
    }
    const threshold = 4294967296 % n;
    for (;;) {
      const r = this.nextUint32();
      if (r >= threshold) return r % n;
    }
  }

  /**
   * Σ x[j] over x.length indices j drawn uniformly with replacement: the hot
   * loop of the bootstrap of a mean. Same draws as calling nextInt(x.length)
   * x.length times.
   */
  sumOfResample(x: Float64Array): number {
    return this.resample(x, x.length);
  }

  /** Fills dst with values of src drawn uniformly with replacement (same draws as nextInt(src.length)). */
  resampleInto(src: Float64Array, dst: Float64Array): void {
    this.resample(src, dst.length, dst);
  }

  /**
   * Draws `count` values of src uniformly with replacement (the draws of
   * nextInt(src.length), inlined with the generator state in locals: the
   * bootstrap's hot loop), stores them in dst when given, returns their sum.
   */
  private resample(src: Float64Array, count: number, dst?: Float64Array): number {
    const n = src.length;
    let sum = 0;
    if (n > 2097152) {
      for (let i = 0; i < count; i++) {
        const v = src[this.nextInt(n)]!;
        sum += v;
        if (dst !== undefined) dst[i] = v;
      }
      return sum;
    }
    let s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    const threshold = 4294967296 % n;
    for (let i = 0; i < count; i++) {
      for (;;) {
        const m = Math.imul(s1, 5);
        const r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
        const t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        const prod = r * n;
        const hi = Math.floor(prod * 2.3283064365386963e-10);
        if (prod - hi * 4294967296 >= threshold) {
          const v = src[hi]!;
          sum += v;
          if (dst !== undefined) dst[i] = v;
          break;
        }
      }
    }
    this.s0 = s0; this.s1 = s1; this.s2 = s2; this.s3 = s3;
    return sum;
  }

  /** Standard normal deviate (Marsaglia polar method). */
  nextNormal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const v = this.spareNormal;
      this.spareNormal = NaN;
      return v;
    }
    for (;;) {
      const u = 2 * this.nextFloat() - 1;
      const v = 2 * this.nextFloat() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.spareNormal = v * f;
        return u * f;
      }
    }
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(arr: { length: number; [i: number]: T }): void {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = arr[i]!;
      arr[i] = arr[j]!;
      arr[j] = t;
    }
  }
}

/** Creates a seeded generator (xoshiro128**). */
export function rng(seed: number): Xoshiro128 {
  return new Xoshiro128(seed);
}
