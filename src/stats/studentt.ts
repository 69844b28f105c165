/**
 * Student t distribution with real degrees of freedom ν > 0.
 *
 * CDF through the regularized incomplete beta:
 * P(T > t) = ½ I_{ν/(ν+t²)}(ν/2, ½) (Abramowitz & Stegun 26.7.1);
 * quantile by G. W. Hill's approximation (CACM Algorithm 396, 1970) refined by
 * Newton steps on the log tail probability. Matches `scipy.stats.t.cdf`,
 * `t.sf`, `t.ppf` to ~1e-12.
 */
import { betaIncReg, logGammaDifference } from "./special.ts";
import { normalCdf, normalQuantile } from "./normal.ts";

function checkDf(fn: string, df: number): void {
  if (!(df > 0)) throw new Error(`stats.${fn}: degrees of freedom must be > 0, got ${df}`);
}

/** Upper tail P(T > t) for t ≥ 0. */
function upperTail(t: number, df: number): number {
  if (t === Infinity) return 0;
  const t2 = t * t;
  const x = df / (df + t2);
  const y = t2 / (df + t2);
  return 0.5 * betaIncReg(df / 2, 0.5, x, y);
}

/** Density of Student t (`scipy.stats.t.pdf`). */
export function tPdf(t: number, df: number): number {
  checkDf("tPdf", df);
  if (df === Infinity) return Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);
  return Math.exp(
    -logGammaDifference(df / 2, 0.5) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log1p((t * t) / df),
  );
}

/** CDF of Student t (`scipy.stats.t.cdf`). */
export function tCdf(t: number, df: number): number {
  checkDf("tCdf", df);
  if (Number.isNaN(t)) return NaN;
  if (df === Infinity || df > 1e10) return normalCdf(t);
  return t < 0 ? upperTail(-t, df) : 1 - upperTail(t, df);
}

/** Survival function 1 − CDF of Student t (`scipy.stats.t.sf`). */
export function tSf(t: number, df: number): number {
  return tCdf(-t, df);
}

function hillStart(P: number, n: number): number {
  // P: two-tailed probability. Hill (1970), as in R's qt().
  const a = 1 / (n - 0.5);
  const b = 48 / (a * a);
  let c = (((20700 * a) / b - 98) * a - 16) * a + 96.36;
  const d = ((94.5 / (b + c) - 3) / b + 1) * Math.sqrt((a * Math.PI) / 2) * n;
  let y = Math.pow(d * P, 2 / n);
  if (y > 0.05 + a) {
    const x = normalQuantile(0.5 * P);
    y = x * x;
    if (n < 5) c += 0.3 * (n - 4.5) * (x + 0.6);
    c = (((0.05 * d * x - 5) * x - 7) * x - 2) * x + b + c;
    y = (((((0.4 * y + 6.3) * y + 36) * y + 94.5) / c - y - 3) / b + 1) * x;
    y = Math.expm1(a * y * y);
  } else {
    y = ((1 / (((n + 6) / (n * y) - 0.089 * d - 0.822) * (n + 2) * 3) + 0.5 / (n + 4)) * y - 1) * ((n + 1) / (n + 2)) + 1 / y;
  }
  return Math.sqrt(n * y);
}

/** t > 0 with P(T > t) = q, q in (0, 0.5). */
function upperInverse(q: number, df: number): number {
  if (df === 1) return Math.tan(Math.PI * (0.5 - q));
  if (df === 2) return Math.sqrt(2 / (2 * q * (2 - 2 * q)) - 2);
  let t = df >= 1 ? hillStart(2 * q, df) : NaN;
  if (!(t > 0 && Number.isFinite(t))) t = Math.max(1e-3, -normalQuantile(q));
  for (let i = 0; i < 100; i++) {
    const tail = upperTail(t, df);
    if (tail === 0) { t /= 2; continue; }
    const step = ((Math.log(tail) - Math.log(q)) * tail) / tPdf(t, df);
    let nt = t + step;
    if (!(nt > 0)) nt = t / 2;
    if (Math.abs(nt - t) <= 4e-16 * nt) return nt;
    t = nt;
  }
  return t;
}

/** Quantile (inverse CDF) of Student t (`scipy.stats.t.ppf`). */
export function tQuantile(p: number, df: number): number {
  checkDf("tQuantile", df);
  if (Number.isNaN(p) || p < 0 || p > 1) throw new Error(`stats.tQuantile: p must be in [0, 1], got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (df === Infinity || df > 1e10) return normalQuantile(p);
  return p < 0.5 ? -upperInverse(p, df) : upperInverse(1 - p, df);
}
