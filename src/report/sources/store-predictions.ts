/**
 * twin's own runs write their curves to the log folder and their per-example
 * predictions to the store only: a study read from the log folder takes each
 * run's predictions from the store's run of the same study, variant and
 * factor seeds (runs that have prediction files of their own keep them).
 */
import type { DataSource, SavedViews, SeedGroup, SourceSpec, StudyListing, StudyStream, TakenStamps } from "../types.ts";
import type { StoreSource } from "./store.ts";

/** The stream with the store's predictions filled in; `onSeed` hears whether some run of a seed may still get them (its store run has not ended). */
export function withStorePredictions(stream: StudyStream, store: StoreSource, onSeed?: (seed: string, pending: boolean) => void): StudyStream {
  const { groups, ...header } = stream;
  const fill = async function* (): AsyncGenerator<SeedGroup> {
    for await (const g of groups) {
      let pending = false;
      for (const run of g.runs) {
        if (run.predictions || !run.factorSeeds) continue;
        const p = await store.predictionsFor(stream.name, run.variant, run.factorSeeds);
        if (p.predictions) run.predictions = p.predictions;
        if (p.pending) pending = true;
      }
      onSeed?.(g.seed, pending);
      yield g;
    }
  };
  return { ...header, groups: fill() };
}

/**
 * A log folder whose runs take their predictions from the store (the
 * dashboard's view of twin's own studies). While some run of the study has
 * not ended in the store, a seed read while its store run had not ended has a
 * stamp that also changes when a run of the study ends, so that predictions
 * stored after the run's last log line are read; the others keep the log
 * folder's stamp (a study that keeps no predictions is not read again at
 * every run's end). A seed not read yet (by this process) keeps the log
 * folder's stamp too: a view that never read it reads it anyway, and a view
 * saved before a restart matches only if it had read the seed settled (one
 * saved while the seed waited had the store's part in its stamp). With no run
 * open, every stamp is the log folder's.
 */
export class LogDirWithStorePredictions implements DataSource {
  readonly description: string;
  /** Per study, the seeds read while some run's predictions could still come. */
  private readonly pending = new Map<string, Set<string>>();

  /** `ownsStore`: close the store with this source (opened for it alone). */
  constructor(private readonly logs: DataSource, private readonly store: StoreSource, private readonly ownsStore = false) {
    this.description = `${logs.description} (predictions from the ${store.description})`;
  }

  listStudies(): Promise<StudyListing[]> {
    return this.logs.listStudies();
  }

  async openStudy(name: string, seeds?: ReadonlySet<string>): Promise<StudyStream | undefined> {
    const stream = await this.logs.openStudy(name, seeds);
    if (!stream) return undefined;
    this.store.forgetRuns(name);
    const pending = this.seeds(this.pending, name);
    return withStorePredictions(stream, this.store, (seed, waiting) => {
      if (waiting) pending.add(seed);
      else pending.delete(seed);
    });
  }

  private seeds(map: Map<string, Set<string>>, study: string): Set<string> {
    let set = map.get(study);
    if (!set) map.set(study, (set = new Set()));
    return set;
  }

  async seedStamps(name: string, changed?: ReadonlySet<string>): Promise<Map<string, string> | undefined> {
    const stamps = await this.logs.seedStamps?.(name, changed);
    if (!stamps) return stamps;
    const ends = await this.store.runEnds(name);
    // Nothing running in the store: no predictions can come, and the stamps are the log folder's (a view saved before still matches).
    if (ends.open === 0) return stamps;
    const pending = this.pending.get(name);
    if (!pending?.size) return stamps;
    return new Map([...stamps].map(([seed, stamp]) => [seed, pending.has(seed) ? `${stamp};store=${ends.stamp}` : stamp]));
  }

  /** The log folder's stamps (the store's part is added per call). */
  takenStamps(): Map<string, TakenStamps> {
    return this.logs.takenStamps?.() ?? new Map();
  }

  adoptStamps(taken: ReadonlyMap<string, TakenStamps>): void {
    this.logs.adoptStamps?.(taken);
  }

  spec(): SourceSpec | undefined {
    const logs = this.logs.spec?.(), store = this.store.spec();
    return logs?.kind === "logdir" && store?.kind === "store" ? { kind: "logdir+store", root: logs.root, ...(logs.index !== undefined ? { index: logs.index } : {}), store: { url: store.url, readOnly: store.readOnly } } : undefined;
  }

  /** The log folder's saved views (their signatures include the store's part of the stamps). */
  savedViews(): SavedViews | undefined {
    return this.logs.savedViews?.();
  }

  /** Watches the log folder, and the store when this source owns it (else its owner watches it). */
  watch(onChange: (study: string, file?: string) => void, pollMs?: number): () => void {
    const stops = [this.logs.watch(onChange, pollMs), ...(this.ownsStore ? [this.store.watch(onChange, pollMs)] : [])];
    return () => stops.forEach((stop) => stop());
  }

  async close(): Promise<void> {
    await this.logs.close?.();
    if (this.ownsStore) await this.store.close();
  }
}
