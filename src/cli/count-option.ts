/** Whole-number options (counts, seeds, steps): plain digits within bounds, or a usage error saying what was wrong. */
import { UsageError } from "./exit-codes.ts";

export interface WholeBounds {
  min?: number;
  max?: number;
  /** Why the upper bound is what it is (shown with the error). */
  why?: string;
}

/**
 * The value of `flag` as a whole number. Only digits are accepted: "1e9", "8.0",
 * "0x10" and "" are refused instead of read as numbers nobody meant.
 */
export function parseWhole(text: string | undefined, flag: string, bounds: WholeBounds = {}): number {
  const min = bounds.min ?? 0;
  const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
  const trimmed = (text ?? "").trim();
  if (!/^\d+$/.test(trimmed)) throw new UsageError(`${flag} must be a whole number written in digits, like ${Math.max(min, 8)} (got '${text ?? ""}')`);
  const n = Number(trimmed);
  if (n < min) throw new UsageError(`${flag} must be at least ${min} (got ${trimmed})`);
  if (n > max || !Number.isSafeInteger(n)) throw new UsageError(`${flag} ${trimmed} is too large: at most ${max}${bounds.why ? ` (${bounds.why})` : ""}`);
  return n;
}
