/** A data source opened again from its {@link SourceSpec} (in the dashboard's worker thread). */
import { LogDirSource, MultiSource, StoreSource } from "../report/source.ts";
import type { DataSource, SourceSpec } from "../report/types.ts";
import { openStore } from "../store/index.ts";

export async function openSourceSpec(spec: SourceSpec): Promise<DataSource> {
  switch (spec.kind) {
    case "logdir":
      return new LogDirSource(spec.root, spec.index !== undefined ? { index: spec.index } : {});
    case "store":
      return new StoreSource(await openStore(spec.url, { existing: true, readOnly: spec.readOnly }), { url: spec.url, readOnly: spec.readOnly });
    case "multi":
      return new MultiSource(await Promise.all(spec.sources.map(openSourceSpec)));
  }
}
