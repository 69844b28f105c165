/**
 * An explicit libtorch random generator (CPU, Mersenne Twister like
 * torch.Generator). Every random op in twin takes one; none uses the global.
 */
import { native } from "./native.ts";

/** Hands out a generator for each random op (a named stream does, counting its draws). */
export interface GeneratorSource {
  take(): Generator;
}

export class Generator {
  readonly id: number;
  #disposed = false;

  constructor(seed: number | bigint) {
    this.id = native.generatorNew(seed);
  }

  /** Re-seeds (like torch.Generator.manual_seed). */
  manualSeed(seed: number | bigint): this {
    native.generatorSeed(this.id, seed);
    return this;
  }

  get initialSeed(): bigint {
    return native.generatorInitialSeed(this.id);
  }

  /** A copy of the full generator state (5056 bytes for the CPU generator). */
  getState(): Uint8Array {
    return native.generatorGetState(this.id);
  }

  setState(state: Uint8Array): void {
    native.generatorSetState(this.id, state);
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    native.generatorFree(this.id);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
