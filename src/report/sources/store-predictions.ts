/**
 * twin's own runs write their curves to the log folder and their per-example
 * predictions to the store only: a study read from the log folder takes each
 * run's predictions from the store's run of the same study, variant and
 * factor seeds (runs that have prediction files of their own keep them).
 */
import type { DataSource, SavedViews, SeedGroup, SourceSpec, StudyListing, StudyStream } from "../types.ts";
import type { StoreSource } from "./store.ts";

/** The stream with the store's predictions filled in; `onSeed` hears whether every run of a seed got some. */
export function withStorePredictions(stream: StudyStream, store: StoreSource, onSeed?: (seed: string, everyRun: boolean) => void): StudyStream {
  const { groups, ...header } = stream;
  const fill = async function* (): AsyncGenerator<SeedGroup> {
    for await (const g of groups) {
      for (const run of g.runs) {
        if (run.predictions || !run.factorSeeds) continue;
        const p = await store.predictionsFor(stream.name, run.variant, run.factorSeeds);
        if (p) run.predictions = p;
      }
      onSeed?.(g.seed, g.runs.length > 0 && g.runs.every((r) => r.predictions !== undefined));
      yield g;
    }
  };
  return { ...header, groups: fill() };
}

/**
 * A log folder whose runs take their predictions from the store (the
 * dashboard's view of twin's own studies). A seed whose runs all have
 * predictions keeps the log folder's change stamp; the others' stamps also
 * change when a run of the study ends in the store, so that predictions
 * stored after the run's last log line are read.
 */
export class LogDirWithStorePredictions implements DataSource {
  readonly description: string;
  /** Per study, the seeds whose every run has predictions. */
  private readonly covered = new Map<string, Set<string>>();

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
    let covered = this.covered.get(name);
    if (!covered) this.covered.set(name, (covered = new Set()));
    const seen = covered;
    return withStorePredictions(stream, this.store, (seed, everyRun) => (everyRun ? seen.add(seed) : seen.delete(seed)));
  }

  async seedStamps(name: string): Promise<Map<string, string> | undefined> {
    const stamps = await this.logs.seedStamps?.(name);
    if (!stamps) return stamps;
    const ended = await this.store.endedRunsStamp(name);
    const covered = this.covered.get(name);
    return new Map([...stamps].map(([seed, stamp]) => [seed, covered?.has(seed) ? stamp : `${stamp};store=${ended}`]));
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
  watch(onChange: (study: string) => void, pollMs?: number): () => void {
    const stops = [this.logs.watch(onChange, pollMs), ...(this.ownsStore ? [this.store.watch(onChange, pollMs)] : [])];
    return () => stops.forEach((stop) => stop());
  }

  async close(): Promise<void> {
    await this.logs.close?.();
    if (this.ownsStore) await this.store.close();
  }
}
