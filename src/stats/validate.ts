/**
 * Input validation shared by every function in `src/stats`.
 *
 * Every public function checks its inputs and throws an `Error` whose message
 * starts with the function name (`stats.mean: ...`) and says what to do.
 */

/** A sample of numbers: a plain array or any typed array of numbers. */
export type Sample = ArrayLike<number>;

/** Alternative hypothesis of a test, as in SciPy. */
export type Alternative = "two-sided" | "less" | "greater";

function describeBad(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  return String(v);
}

/**
 * Throws when a value is not finite. The message names the 0-based index:
 * `stats.mean: value 3 is NaN; remove or fix non-finite results before analysing`.
 */
export function checkFinite(fn: string, values: Sample, label = "value"): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(
        `stats.${fn}: ${label} ${i} is ${typeof v !== "number" ? typeof v : describeBad(v)}; remove or fix non-finite results before analysing`,
      );
    }
  }
}

/** Throws unless `values` holds at least `min` finite numbers. */
export function checkSample(fn: string, values: Sample, min: number, why = "", label = "value"): void {
  if (values == null || typeof values.length !== "number") {
    throw new Error(`stats.${fn}: expected an array of numbers, got ${values === null ? "null" : typeof values}`);
  }
  if (values.length < min) {
    throw new Error(
      `stats.${fn}: needs at least ${min} value${min === 1 ? "" : "s"}${why ? ` (${why})` : ""}, got n = ${values.length}`,
    );
  }
  checkFinite(fn, values, label);
}

/** Throws unless two paired samples have the same length. */
export function checkPaired(fn: string, a: Sample, b: Sample): void {
  if (a.length !== b.length) {
    throw new Error(
      `stats.${fn}: paired samples must have the same length (one value per seed), got ${a.length} and ${b.length}`,
    );
  }
}

/**
 * Throws unless `a` and `b` are paired samples (one value per seed, same
 * length) of at least `min` finite numbers each. `label` names the values in
 * messages ("a value 3 is NaN"; "pilot a value 3 …").
 */
export function checkPairs(fn: string, a: Sample, b: Sample, min: number, why = "", label = ""): void {
  checkPaired(fn, a, b);
  const prefix = label ? `${label} ` : "";
  checkSample(fn, a, min, why, `${prefix}a value`);
  checkSample(fn, b, min, why, `${prefix}b value`);
}

/** Throws unless `p` is a probability strictly between 0 and 1. */
export function checkProbability(fn: string, name: string, p: number): void {
  if (!(typeof p === "number" && p > 0 && p < 1)) {
    throw new Error(`stats.${fn}: ${name} must be strictly between 0 and 1, got ${p}`);
  }
}

/** Throws unless `level` is a confidence level in (0, 1). */
export function checkLevel(fn: string, level: number): void {
  checkProbability(fn, "confidence level", level);
}

export function checkAlternative(fn: string, alt: string): asserts alt is Alternative {
  if (alt !== "two-sided" && alt !== "less" && alt !== "greater") {
    throw new Error(`stats.${fn}: alternative must be 'two-sided', 'less' or 'greater', got '${alt}'`);
  }
}

/** Throws unless `n` is an integer >= min. */
export function checkInteger(fn: string, name: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`stats.${fn}: ${name} must be an integer >= ${min}, got ${n}`);
  }
}

/** Copy of a sample as a Float64Array. */
export function toFloat64(values: Sample): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]!;
  return out;
}

/** Paired differences b[i] − a[i]. */
export function differences(a: Sample, b: Sample): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = b[i]! - a[i]!;
  return out;
}
