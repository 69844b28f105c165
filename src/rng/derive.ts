/**
 * Seed derivation. Every random stream's seed is SHA-256 of a domain-separated,
 * length-prefixed encoding of (factor seed, stream name, further parts), read as
 * a big-endian uint64. SHA-256 mixes fully: seeds 1 and 2 give unrelated streams,
 * and changing one part changes nothing derived from other parts.
 */
import { createHash } from "node:crypto";

const DOMAIN = "twin.rng.v1";

/** A user-facing seed: a non-negative safe integer or a BigInt below 2^64. */
export type Seed = number | bigint;

export function checkSeed(seed: Seed, what = "seed"): bigint {
  if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new Error(`${what} must be a non-negative integer (got ${seed})`);
    }
    return BigInt(seed);
  }
  if (seed < 0n || seed >= 1n << 64n) throw new Error(`${what} must be in [0, 2^64) (got ${seed})`);
  return seed;
}

/** deriveSeed(seed, "order") or deriveSeed(seed, "param", "0.weight", "256x784"). */
export function deriveSeed(seed: Seed, ...parts: string[]): bigint {
  const h = createHash("sha256");
  const s = checkSeed(seed).toString();
  for (const piece of [DOMAIN, s, ...parts]) {
    const bytes = Buffer.from(piece, "utf8");
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    h.update(len);
    h.update(bytes);
  }
  return h.digest().readBigUInt64BE(0);
}

/** A short stable hex digest of bytes (control sums, batch checksums). */
export function digest(bytes: Uint8Array | string, length = 16): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, length);
}

/** Chains a running hash: H(previous || next). */
export function chain(previous: string, next: string): string {
  return digest(previous + ":" + next);
}

/** The init seed of one parameter: (init seed, parameter path, shape), so equal paths and shapes start equal. */
export function parameterSeed(initSeed: Seed, path: string, shape: readonly number[]): bigint {
  return deriveSeed(initSeed, "init", path, shape.join("x"));
}
