/**
 * The random streams of one run. A run has a root seed; each factor of
 * randomness has its own factor seed (the root seed unless overridden) and its
 * own stream, so changing one factor's seed changes nothing else.
 */
import { Generator } from "../torch/generator.ts";
import { checkSeed, parameterSeed } from "./derive.ts";
import { resolveFactorSeeds, type SeedSpec, type StreamSpec } from "./factors.ts";
import { RandomStream, type ControlSum, type StreamState } from "./stream.ts";

function isStreamSpecs(spec: SeedSpec | readonly StreamSpec[]): spec is readonly StreamSpec[] {
  return Array.isArray(spec);
}

/**
 * The only factory from a seed to a generator: a factor's stream, and the
 * init generator of one parameter.
 */
export class Streams {
  /** The root seed; undefined for streams rebuilt from specs (they know only their factors). */
  readonly root: bigint | undefined;
  readonly seeds: Record<string, bigint>;
  readonly #streams = new Map<string, RandomStream>();

  /** From a run's seed spec, or from stream specs (a variant host's init and dropout: only those factors). */
  constructor(spec: SeedSpec | readonly StreamSpec[]) {
    if (isStreamSpecs(spec)) {
      this.root = undefined;
      this.seeds = Object.fromEntries(spec.map((x) => [x.factor, checkSeed(x.seed, `seed of factor '${x.factor}'`)]));
    } else {
      this.root = checkSeed(spec.root, "root seed");
      this.seeds = resolveFactorSeeds(spec);
    }
  }

  /** A factor's stream as data, to be rebuilt elsewhere (new Streams([spec, ...])). */
  spec(factor: string): StreamSpec {
    const seed = this.seeds[factor] ?? this.root;
    if (seed === undefined) throw new Error(`no seed for factor '${factor}' in these streams`);
    return { factor, seed };
  }

  /** The stream of a factor (created on first use; user-named factors default to the root seed). */
  stream(name: string): RandomStream {
    let s = this.#streams.get(name);
    if (s === undefined) {
      const { seed } = this.spec(name);
      this.seeds[name] = seed;
      s = new RandomStream(name, seed);
      this.#streams.set(name, s);
    }
    return s;
  }

  /**
   * The init generator of one parameter: derived from (init seed, parameter path,
   * shape), so parameters that match across variants start identical.
   */
  parameterGenerator(path: string, shape: readonly number[]): Generator {
    return new Generator(parameterSeed(this.seeds.init, path, shape));
  }

  /** Records the end of a step on every stream; returns their control sums. */
  record(): ControlSum[] {
    return this.recordAllBut([]);
  }

  /** Records one stream (data streams are recorded when their batch is drawn). */
  recordStream(name: string): ControlSum {
    return this.stream(name).record();
  }

  /** Records every stream except the given ones. */
  recordAllBut(names: readonly string[]): ControlSum[] {
    return [...this.#streams.values()].filter((s) => !names.includes(s.name)).map((s) => s.record());
  }

  controlSums(): ControlSum[] {
    return [...this.#streams.values()].map((s) => s.controlSum());
  }

  getState(): Record<string, StreamState> {
    return Object.fromEntries([...this.#streams.entries()].map(([name, s]) => [name, s.getState()]));
  }

  setState(state: Record<string, StreamState>): void {
    for (const [name, s] of Object.entries(state)) this.stream(name).setState(s);
  }

  dispose(): void {
    for (const s of this.#streams.values()) s.dispose();
    this.#streams.clear();
  }
}
