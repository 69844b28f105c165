/**
 * twin's own runs write their curves to the log folder and their per-example
 * predictions to the store only: a study read from the log folder takes each
 * run's predictions from the store's run of the same study, variant and
 * factor seeds (runs that have prediction files of their own keep them).
 */
import type { RunData, SeedGroup, StudyStream } from "../types.ts";
import type { StoreSource } from "./store.ts";

export function withStorePredictions(stream: StudyStream, store: StoreSource): StudyStream {
  const { groups, ...header } = stream;
  const fill = async function* (): AsyncGenerator<SeedGroup> {
    for await (const g of groups) {
      for (const run of g.runs as RunData[]) {
        if (run.predictions || !run.factorSeeds) continue;
        const p = await store.predictionsFor(stream.name, run.variant, run.factorSeeds);
        if (p) run.predictions = p;
      }
      yield g;
    }
  };
  return { ...header, groups: fill() };
}
