/**
 * A variant whose factory (or model/optimizer set-up) threw, or that the run
 * leaves out (TwinConfig.skip). It stays in the run as *failed* with that
 * error (or *skipped* with the reason), never trains, and keeps an untouched
 * dropout stream so the run's control sums still list every variant; the
 * other variants go on.
 */
import type { ControlSum, RandomStream } from "../rng/stream.ts";
import { Streams } from "../rng/streams.ts";
import type { StreamSpec } from "../rng/factors.ts";
import type { StepOutcome } from "./variant-runner.ts";
import type { VariantResult } from "./types.ts";

export class BrokenVariant {
  readonly name: string;
  readonly streams: Streams;
  readonly dropout: RandomStream;
  readonly result: VariantResult;
  #reported = false;

  constructor(name: string, streams: readonly StreamSpec[], error: string, status: "failed" | "skipped" = "failed") {
    this.name = name;
    this.streams = new Streams(streams);
    this.dropout = this.streams.stream("dropout");
    this.result = { name, status, error, epochs: [] };
  }

  /** Reports the failure (with its error the first time) and draws nothing. */
  trainStep(): StepOutcome {
    const first = !this.#reported;
    this.#reported = true;
    return { status: this.result.status, ...(first ? { error: this.result.error } : {}), dropout: this.dropout.record() };
  }

  dropoutSum(): ControlSum {
    return this.dropout.controlSum();
  }

  finish(): VariantResult {
    return this.result;
  }

  dispose(): void {
    this.streams.dispose();
  }
}
