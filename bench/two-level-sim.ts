/**
 * Simulated studies with a known true accuracy difference, for the coverage of
 * stats.twoLevelDifference (seeds × test examples).
 *
 * Latent probit model: variant X on seed s and example e is correct when
 *   a_X + u_s^X + v_e + w_e^X + ε_se^X > 0,
 * u ~ N(0, σu²) the seed's luck (correlation ρu between the variants of one
 * twin-trained seed; independent when unpaired), v ~ N(0, σv²) how hard the
 * example is (shared), w ~ N(0, σw²) what suits one variant, ε ~ N(0, 1) per
 * cell (correlation ρε between paired variants). Test examples are drawn fresh
 * for every study. The true accuracy over the population of seeds and examples
 * is Φ(a_X / τ), τ = √(1 + σu² + σv² + σw²), so the true difference is exact.
 */
import { normalCdf, Xoshiro128, twoLevelDifference } from "../src/stats/index.ts";

export interface TwoLevelScenario {
  name: string;
  sigmaSeed: number;
  examples: number;
  sigmaExample: number;
  sigmaVariantExample: number;
  rhoSeed: number;
  rhoCell: number;
  aA: number;
  aB: number;
}

export function trueDifference(sc: TwoLevelScenario): number {
  const tau = Math.sqrt(1 + sc.sigmaSeed ** 2 + sc.sigmaExample ** 2 + sc.sigmaVariantExample ** 2);
  return normalCdf(sc.aB / tau) - normalCdf(sc.aA / tau);
}

/** One study: correctness tables [seeds][examples] of A and B. */
export function simulateStudy(sc: TwoLevelScenario, seeds: number, paired: boolean, rng: Xoshiro128): { a: Uint8Array[]; b: Uint8Array[] } {
  const E = sc.examples;
  const v = new Float64Array(E), wA = new Float64Array(E), wB = new Float64Array(E);
  for (let e = 0; e < E; e++) {
    v[e] = sc.sigmaExample * rng.nextNormal();
    wA[e] = sc.sigmaVariantExample * rng.nextNormal();
    wB[e] = sc.sigmaVariantExample * rng.nextNormal();
  }
  const rs = paired ? sc.rhoSeed : 0, rc = paired ? sc.rhoCell : 0;
  const cs = Math.sqrt(1 - rs * rs), cc = Math.sqrt(1 - rc * rc);
  const a: Uint8Array[] = [], b: Uint8Array[] = [];
  for (let s = 0; s < seeds; s++) {
    const zs = rng.nextNormal();
    const uA = sc.sigmaSeed * zs, uB = sc.sigmaSeed * (rs * zs + cs * rng.nextNormal());
    const ra = new Uint8Array(E), rb = new Uint8Array(E);
    for (let e = 0; e < E; e++) {
      const z = rng.nextNormal();
      const epsB = rc * z + cc * rng.nextNormal();
      ra[e] = sc.aA + uA + v[e]! + wA[e]! + z > 0 ? 1 : 0;
      rb[e] = sc.aB + uB + v[e]! + wB[e]! + epsB > 0 ? 1 : 0;
    }
    a.push(ra);
    b.push(rb);
  }
  return { a, b };
}

export interface CoverageCell {
  scenario: string;
  seeds: number;
  paired: boolean;
  studies: number;
  coverage: number;
  /** Mean share of the variance from the seeds (the rest: examples and interaction). */
  seedShare: number;
  meanHalfWidth: number;
  truth: number;
}

/** Coverage of the 95% two-level interval over `studies` simulated studies. */
export function coverage(sc: TwoLevelScenario, seeds: number, paired: boolean, studies: number, seed: number): CoverageCell {
  const rng = new Xoshiro128(seed);
  const truth = trueDifference(sc);
  let covered = 0, seedShare = 0, half = 0;
  for (let i = 0; i < studies; i++) {
    const { a, b } = simulateStudy(sc, seeds, paired, rng);
    const r = twoLevelDifference(a, b, { paired });
    if (r.lo <= truth && truth <= r.hi) covered++;
    seedShare += r.parts.seeds / (r.se * r.se || 1);
    half += (r.hi - r.lo) / 2;
  }
  return { scenario: sc.name, seeds, paired, studies, coverage: covered / studies, seedShare: seedShare / studies, meanHalfWidth: half / studies, truth };
}

const BASE = { sigmaExample: 1, sigmaVariantExample: 0.3, rhoSeed: 0.5, rhoCell: 0.7, aA: 1.4, aB: 1.45 };

/** Seed-dominated, balanced and example-dominated settings (sd of one seed's accuracy from its luck: about 0.86, 0.26 and 0.05 points, φ(a/τ)·σu/τ). */
export const SCENARIOS: TwoLevelScenario[] = [
  { name: "seeds dominate", sigmaSeed: 0.05, examples: 10000, ...BASE },
  { name: "balanced", sigmaSeed: 0.015, examples: 10000, ...BASE },
  { name: "examples dominate", sigmaSeed: 0.003, examples: 2000, ...BASE },
];
