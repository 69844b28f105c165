/** A data source opened again from its {@link SourceSpec} (in the dashboard's worker thread). */
import { LogDirSource, LogDirWithStorePredictions, MultiSource, StoreSource } from "../report/source.ts";
import type { DataSource, SourceSpec } from "../report/types.ts";
import { openStore } from "../store/index.ts";

export async function openSourceSpec(spec: SourceSpec): Promise<DataSource> {
  switch (spec.kind) {
    case "logdir":
      return new LogDirSource(spec.root, spec.index !== undefined ? { index: spec.index } : {});
    case "store":
      return new StoreSource(await openStore(spec.url, { existing: true, readOnly: spec.readOnly }), { url: spec.url, readOnly: spec.readOnly });
    case "logdir+store":
      return new LogDirWithStorePredictions(new LogDirSource(spec.root, spec.index !== undefined ? { index: spec.index } : {}), (await openSourceSpec({ kind: "store", ...spec.store })) as StoreSource, true);
    case "multi": {
      // One after another: two connections opening the same SQLite store at once can meet it locked.
      const sources: DataSource[] = [];
      for (const s of spec.sources) sources.push(await openSourceSpec(s));
      return new MultiSource(sources);
    }
  }
}
