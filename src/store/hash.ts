/** Canonical JSON and hashes shared by the store and fingerprints. */
import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every level, bigints as decimal strings and
 * typed arrays as plain arrays, so equal data always gives equal text.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value, new Set()));
}

function normalize(value: unknown, seen: Set<object>): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) return String(value);
    return value;
  }
  if (seen.has(value)) throw new TypeError("canonicalJson: circular structure");
  seen.add(value);
  try {
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      return Array.from(value as unknown as ArrayLike<number | bigint>, (x) => normalize(x, seen));
    }
    if (Array.isArray(value)) return value.map((x) => (x === undefined ? null : normalize(x, seen)));
    if (value instanceof Date) return value.toISOString();
    if (value instanceof Map) return normalize(Object.fromEntries(value), seen);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined && typeof v !== "function") out[key] = normalize(v, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
