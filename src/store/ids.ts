/** Stable run ids and the canonical forms of seeds. */
import { canonicalJson, sha256 } from "./hash.ts";
import type { RunJson, RunRecord, SeedValue } from "./types.ts";

/** A seed as a bigint; throws for anything but a non-negative integer below 2^64. */
export function toSeed(seed: SeedValue, what = "seed"): bigint {
  let s: bigint;
  try {
    if (typeof seed === "number" && !Number.isSafeInteger(seed)) throw new Error();
    if (typeof seed === "string" && !/^\d+$/.test(seed.trim())) throw new Error();
    s = BigInt(typeof seed === "string" ? seed.trim() : seed);
  } catch {
    throw new TypeError(`${what} must be a non-negative integer below 2^64 (got ${String(seed)})`);
  }
  if (s < 0n || s >= 1n << 64n) throw new TypeError(`${what} must be a non-negative integer below 2^64 (got ${s})`);
  return s;
}

/** Factor seeds as {factor: "decimal"} with keys sorted. */
export function seedsToJson(seeds: Readonly<Record<string, SeedValue>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(seeds).sort()) out[key] = toSeed(seeds[key]!, `seed of factor '${key}'`).toString();
  return out;
}

/** The text that identifies a run's randomness: root seed and every factor seed. */
export function seedsKey(rootSeed: SeedValue, seeds: Readonly<Record<string, SeedValue>>): string {
  return canonicalJson({ root: toSeed(rootSeed, "root seed").toString(), seeds: seedsToJson(seeds) });
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._]+/g, "_").replace(/^_+|_+$/g, "") || "_";
}

/**
 * `<study>-<variant or twin>-s<root seed>-<8 hex>`: the hash covers the study,
 * its spec hash, the variants and every seed, so the same run always gets the
 * same id and different runs never share one.
 */
export function makeRunId(run: {
  study: string;
  variants: string | readonly string[];
  specHash: string;
  rootSeed: SeedValue;
  seeds: Readonly<Record<string, SeedValue>>;
}): string {
  const variants = typeof run.variants === "string" ? [run.variants] : [...run.variants];
  const key = canonicalJson({
    study: run.study,
    specHash: run.specHash,
    variants,
    seeds: JSON.parse(seedsKey(run.rootSeed, run.seeds)),
  });
  const who = variants.length === 1 ? slug(variants[0]!) : "twin";
  return `${slug(run.study)}-${who}-s${toSeed(run.rootSeed, "root seed")}-${sha256(key).slice(0, 8)}`;
}

/** The run with its seeds as decimal strings, ready for JSON.stringify. */
export function runToJson(run: RunRecord): RunJson {
  const seeds: Record<string, string> = {};
  for (const [k, v] of Object.entries(run.seeds)) seeds[k] = v.toString();
  return { ...run, rootSeed: run.rootSeed.toString(), seeds };
}
