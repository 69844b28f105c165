/**
 * A named random stream: one libtorch Generator owned by one factor of
 * randomness, with a control sum (draw count and a running hash of the
 * generator's state after every step) so that a disturbed stream is caught at
 * the step where it happened.
 */
import { Generator } from "../torch/generator.ts";
import { chain, deriveSeed, digest, type Seed } from "./derive.ts";

export interface ControlSum {
  stream: string;
  /** Times the generator was handed to a random op through take(). */
  draws: number;
  /** Hash of the generator state now. */
  state: string;
  /** Running hash over every recorded step's state. */
  chain: string;
}

export interface StreamState {
  name: string;
  factorSeed: string;
  draws: number;
  chain: string;
  generator: Uint8Array;
}

export class RandomStream {
  readonly name: string;
  /** The factor seed the user sees (stream seed = deriveSeed(factorSeed, name)). */
  readonly factorSeed: bigint;
  #generator: Generator;
  #draws = 0;
  #chain = "";

  constructor(name: string, factorSeed: Seed) {
    this.name = name;
    this.factorSeed = BigInt(factorSeed);
    this.#generator = new Generator(deriveSeed(factorSeed, name));
  }

  /** The generator, for one random op (counts a draw). */
  take(): Generator {
    this.#draws++;
    return this.#generator;
  }

  get draws(): number {
    return this.#draws;
  }

  /** Hash of the generator state now. */
  stateHash(): string {
    return digest(this.#generator.getState());
  }

  /** Records the end of a step: folds the state hash into the running chain. */
  record(): ControlSum {
    const state = this.stateHash();
    this.#chain = chain(this.#chain, `${this.#draws}:${state}`);
    return { stream: this.name, draws: this.#draws, state, chain: this.#chain };
  }

  controlSum(): ControlSum {
    return { stream: this.name, draws: this.#draws, state: this.stateHash(), chain: this.#chain };
  }

  getState(): StreamState {
    return { name: this.name, factorSeed: this.factorSeed.toString(), draws: this.#draws, chain: this.#chain, generator: this.#generator.getState() };
  }

  setState(s: StreamState): void {
    if (s.name !== this.name || s.factorSeed !== this.factorSeed.toString()) {
      throw new Error(`cannot restore stream '${s.name}' (seed ${s.factorSeed}) into stream '${this.name}' (seed ${this.factorSeed})`);
    }
    this.#draws = s.draws;
    this.#chain = s.chain;
    this.#generator.setState(s.generator);
  }

  dispose(): void {
    this.#generator.dispose();
  }
}
