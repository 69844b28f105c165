/**
 * The factors of randomness and a run's seed spec as data. Free of libtorch,
 * so commands that only name factors (sweep, seeds' options) load no engine.
 */
import { checkSeed, type Seed } from "./derive.ts";

/** The standard factors of randomness in a training run. */
export const FACTORS = ["init", "order", "augment", "dropout", "split", "eval"] as const;
export type Factor = (typeof FACTORS)[number];

/** Root seed plus optional per-factor overrides (user-named factors allowed). */
export interface SeedSpec {
  root: Seed;
  factors?: Partial<Record<Factor, Seed>> & Record<string, Seed>;
}

/** A factor's stream as data (what crosses to worker threads): its name and its factor seed. */
export interface StreamSpec {
  factor: string;
  seed: bigint;
}

/** Every standard factor's seed (and every overridden one's): the root seed unless overridden. */
export function resolveFactorSeeds(spec: SeedSpec): Record<string, bigint> {
  const root = checkSeed(spec.root, "root seed");
  const out: Record<string, bigint> = {};
  for (const name of [...FACTORS, ...Object.keys(spec.factors ?? {})]) {
    const override = spec.factors?.[name];
    out[name] = override === undefined ? root : checkSeed(override, `seed of factor '${name}'`);
  }
  return out;
}
