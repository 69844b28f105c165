/** Named random streams, one per factor of randomness, with control sums. */
export { deriveSeed, parameterSeed, checkSeed, digest, chain, type Seed } from "./derive.ts";
export { RandomStream, type ControlSum, type StreamState } from "./stream.ts";
export { FACTORS, resolveFactorSeeds, type Factor, type SeedSpec, type StreamSpec } from "./factors.ts";
export { Streams } from "./streams.ts";
