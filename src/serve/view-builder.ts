/**
 * The dashboard's views of studies, kept up to date run by run: per study a
 * model accumulator in "replace" mode and each seed's change stamp; a view
 * request re-reads only the seeds whose stamp changed (an appended line, a
 * new run), replaces their runs in the accumulator, and remakes only the
 * charts whose runs changed. The charts go to the page as specs, each with a
 * key (a digest of its spec): the page draws them (dashboard.js) and keeps the
 * drawing of a chart whose key did not change. One build at a time (builds
 * share accumulators).
 *
 * Where the source has a place for saved views (a log folder's index), the
 * last view built of each study is saved there with the signature of its
 * seeds' stamps: after a restart, a study whose data did not change is shown
 * from it at once, and its accumulator is built behind it for the next update.
 */
import { createHash } from "node:crypto";
import { renderStudyBody, seedCountText, type RenderedChart } from "../report/html.ts";
import { StudyAccumulator, streamReportModel, type ReportModel, type ReportOptions } from "../report/model/index.ts";
import type { DataSource, SavedViews, SeedGroup, StampedStudy, StudyStream } from "../report/types.ts";
import type { VlSpec } from "../report/charts/common.ts";
import { decodeAccumulator, encodeAccumulator } from "./saved-accumulator.ts";
import { parseSavedViewKey, savedViewKey, stampSignature } from "./saved-view.ts";

/** What the dashboard's API answers for a study view (plain data: it crosses from the worker thread). */
export interface ViewBody {
  name: string;
  metric?: string;
  tags?: string[];
  smoothing?: number;
  variants?: string[];
  seeds?: number;
  /** The seeds as the header says them: "5 seeds", or "4 seeds finished, 1 unfinished". */
  seedsText?: string;
  runs: number;
  twinTrained?: boolean;
  /** `key`: a digest of the chart's spec (its drawing is the same while it is): a page that holds it is sent the view without the spec (kept-charts.ts). */
  charts: { id: string; series: number; points: number; marks: unknown; key?: string }[];
  warnings?: string[];
  html: string;
  error?: string;
  updatedAt: number;
  /** Seeds read again for this view (the others came from the accumulator). */
  seedsRead?: number;
  /** Charts whose spec is not that of a recent view (the page draws these; it keeps its drawing of the others). */
  chartsChanged?: number;
}

/** How far the build of a study's view has read its logs (while it reads more than one seed). */
export interface BuildProgress {
  /** Seeds to read for this build, and read so far. */
  seeds: number;
  seedsRead: number;
  /** Runs read so far. */
  runsRead: number;
}

/** Builds views; implemented in this thread ({@link ViewBuilder}) or in a worker thread (view-worker.ts). */
export interface Views {
  /** `changed`: the study's files changed since the last view asked of it, where all are known (see DataSource.seedStamps). */
  view(name: string, options: ReportOptions, changed?: ReadonlySet<string>): Promise<ViewBody | undefined>;
  /** How far the build now reading the study's logs has come (undefined: none is reading). */
  progress(name: string): BuildProgress | undefined;
  compare(a: string, b: string, options: ReportOptions): Promise<ViewBody | undefined>;
  /** Starts building views ahead of the first request that needs them (a worker thread, which makes the studies viewed last ready for their next update). */
  start?(): void;
  close(): Promise<void>;
}

/** Studies whose accumulators are kept (each holds every run's curve values). */
const KEPT_STUDIES = 2;
/** Views kept per accumulator (one per metric asked for) while its data does not change. */
const KEPT_VIEWS = 4;
/** Keys of recent views' charts remembered, to count the charts a view changed. */
const KEPT_KEYS = 24;
/** Seed groups folded between two turns of the event loop. */
const GROUPS_PER_TURN = 25;
/** A view is saved at most this often per study (and when the dashboard closes): it is only needed after a restart. */
const SAVE_EVERY_MS = 10_000;


interface LiveStudy {
  acc: StudyAccumulator;
  stamps: Map<string, string>;
  /** The views last built of this accumulator as it is now, by view key: asked again before anything changed, they are answered as they are. */
  views: Map<string, ViewBody>;
}

function sameStamps(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [seed, stamp] of a) if (b.get(seed) !== stamp) return false;
  return true;
}

/** Accumulators are kept per study and smoothing (the metric is chosen when the model is finished). */
function accumulatorKey(name: string, opts: ReportOptions): string {
  return `${name}\u0000${opts.smoothing ?? 0}`;
}

/**
 * Two studies as one stream: variants as `<study>:<variant>`, seeds as
 * `<study>/<seed>` (their seeds are not shared runs: compared unpaired), and
 * each run marked with its study (one deployment section per study).
 */
export function studiesSideBySide(a: StudyStream, b: StudyStream, source: string): StudyStream {
  const relabel = async function* (s: StudyStream): AsyncGenerator<SeedGroup> {
    for await (const g of s.groups) {
      yield {
        seed: `${s.name}/${g.seed}`,
        runs: g.runs.map((r) => ({ ...r, variant: `${s.name}:${r.variant}`, seed: `${s.name}/${r.seed}`, study: s.name })),
        checks: [],
      };
    }
  };
  const groups = (async function* () {
    yield* relabel(a);
    yield* relabel(b);
  })();
  return { name: `${a.name} vs ${b.name}`, source, twinTrained: false, groups };
}

export class ViewBuilder implements Views {
  private readonly studies = new Map<string, LiveStudy>();
  /** Keys of the charts of recent views, the most recent last. */
  private readonly recentKeys = new Set<string>();
  /** Each chart's key, by spec object (a curve's chart is made once while its runs do not change: charts/index.ts). */
  private readonly specKeys = new WeakMap<VlSpec, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly saved: SavedViews | undefined;
  /** Views built but not saved yet (saved at most every SAVE_EVERY_MS), and when each key was last saved. */
  private readonly unsaved = new Map<string, { stamps: ReadonlyMap<string, string>; body: ViewBody }>();
  private readonly savedAt = new Map<string, number>();
  private readonly reading = new Map<string, BuildProgress>();
  /** Accumulators restored by {@link restoreAhead}, by accumulator key, until a build takes them. */
  private readonly restoredAhead = new Map<string, { live: LiveStudy; header: string; options: string }>();

  /** `onProgress` hears each study's progress while a build reads its logs (undefined when it is done). */
  constructor(private readonly source: DataSource, private readonly base: ReportOptions = {}, private readonly onProgress?: (name: string, p: BuildProgress | undefined) => void) {
    this.saved = source.savedViews?.();
  }

  progress(name: string): BuildProgress | undefined {
    return this.reading.get(name);
  }

  private report(name: string, p: BuildProgress | undefined): void {
    if (p) this.reading.set(name, p);
    else this.reading.delete(name);
    this.onProgress?.(name, p);
  }

  /** Runs builds one after another (they share accumulators). */
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const next = this.queue.then(f, f);
    this.queue = next.catch(() => undefined);
    return next;
  }

  view(name: string, options: ReportOptions, changed?: ReadonlySet<string>): Promise<ViewBody | undefined> {
    return this.serial(async () => {
      try {
        const opts = { ...this.base, ...options };
        const key = savedViewKey(name, opts);
        // Nothing kept, restored or saved of the study (a cold first view): read while its seeds are stamped.
        const cold = this.coldStart(name, opts) ? await this.source.openStudyStamped?.(name) : undefined;
        if (cold) return this.keep(name, options, key, await this.foldStamped(name, options, cold));
        const stamps = await this.source.seedStamps?.(name, changed);
        const live = this.studies.get(accumulatorKey(name, opts));
        // Nothing changed since the last view of these options (a notification of a write already read): that view.
        const same = live && stamps && sameStamps(live.stamps, stamps) ? live.views.get(key) : undefined;
        if (same) return { ...same, seedsRead: 0, chartsChanged: 0 };
        // No accumulator yet (a restart), or one of this very data (built at start-up by warm()): the saved view, where it is of this data.
        if (stamps && this.saved && (!live || sameStamps(live.stamps, stamps))) {
          const hit = this.saved.view(key);
          if (hit?.signature === stampSignature(stamps)) {
            // Shown at once; after a restart the accumulator and charts are built next, for the next update.
            if (!live) void this.serial(() => this.warmStudy(name, options, stamps));
            return { ...(JSON.parse(hit.body) as ViewBody), seedsRead: 0 };
          }
        }
        const built = await this.model(name, options, stamps);
        return this.keep(name, options, key, built && { ...built, stamps });
      } catch (e) {
        return { name, error: (e as Error).message, html: "", charts: [], runs: 0, updatedAt: Date.now() };
      }
    });
  }

  /** The view of a model built, kept with its accumulator's views and saved (where it has stamps). */
  private keep(name: string, options: ReportOptions, key: string, built: { model: ReportModel; seedsRead: number; stamps: Map<string, string> | undefined } | undefined): ViewBody | undefined {
    const body = built && this.body(name, built.model, options, built.seedsRead);
    const views = built?.stamps && this.studies.get(accumulatorKey(name, { ...this.base, ...options }))?.views;
    if (body && views) {
      views.set(key, body);
      while (views.size > KEPT_VIEWS) views.delete(views.keys().next().value!);
    }
    if (body && built.stamps && this.saved) this.save(key, built.stamps, body);
    return body;
  }

  /** Whether a view of the study would read every seed: no accumulator kept, restored ahead or saved, and no view saved. */
  private coldStart(name: string, opts: ReportOptions): boolean {
    const key = accumulatorKey(name, opts);
    if (this.studies.has(key) || this.restoredAhead.has(key) || !this.source.openStudyStamped) return false;
    return !this.saved || (this.saved.view(savedViewKey(name, opts)) === undefined && this.saved.accumulator?.(key) === undefined);
  }

  /** A cold first view's model: every seed read (DataSource.openStudyStamped) into a new accumulator, which then holds the stamps taken meanwhile. */
  private async foldStamped(name: string, options: ReportOptions, opened: StampedStudy): Promise<{ model: ReportModel; seedsRead: number; stamps: Map<string, string> }> {
    const opts = { ...this.base, ...options };
    const key = accumulatorKey(name, opts);
    const { groups: _groups, ...header } = opened.stream;
    const acc = new StudyAccumulator(header, { ...opts, metric: undefined }, "replace", opened.seeds);
    await this.fold(name, acc, opened.stream, opened.seeds);
    // Kept once read whole: a read that failed midway leaves nothing half folded.
    const live: LiveStudy = { acc, stamps: opened.stamps(), views: new Map() };
    this.studies.delete(key);
    this.studies.set(key, live);
    while (this.studies.size > KEPT_STUDIES) this.studies.delete(this.studies.keys().next().value!);
    return { model: live.acc.finish(opts.metric), seedsRead: live.stamps.size, stamps: live.stamps };
  }

  /** Folds the stream's seed groups into `acc` (`seeds`: how many it has, for the progress told); returns the seeds read. */
  private async fold(name: string, acc: StudyAccumulator, stream: StudyStream, seeds: number): Promise<Set<string>> {
    const read = new Set<string>();
    let n = 0;
    const progress: BuildProgress = { seeds, seedsRead: 0, runsRead: 0 };
    try {
      for await (const g of stream.groups) {
        acc.addGroup(g);
        read.add(g.seed);
        progress.seedsRead++;
        progress.runsRead += g.runs.length;
        if (++n % GROUPS_PER_TURN === 0) {
          this.report(name, { ...progress });
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    } finally {
      if (n >= GROUPS_PER_TURN) this.report(name, undefined);
    }
    return read;
  }

  /**
   * Makes ready, behind any request, the accumulators of the studies whose
   * views were saved last (at most KEPT_STUDIES): restored where one was saved
   * when the dashboard stopped, else folded in again from the index, so that
   * after a restart the first update of a study does not wait for that.
   * Called once when the view worker starts. `adopted`: studies whose stamps
   * the source adopted from the server's (DataSource.adoptStamps), used as
   * they are (the next view's `changed` tells what changed since).
   */
  warm(adopted: ReadonlySet<string> = new Set()): Promise<void> {
    // The least recent first: the study saved last ends as the last kept.
    return Promise.all([...this.warmed().values()].reverse().map(({ name, options }) => this.serial(() => this.warmStudy(name, options, undefined, adopted.has(name))))).then(() => undefined);
  }

  /** The studies {@link warm} makes ready: those of the views saved last, by accumulator key. */
  private warmed(): Map<string, { name: string; options: ReportOptions }> {
    const wanted = new Map<string, { name: string; options: ReportOptions }>();
    for (const key of this.saved?.keys() ?? []) {
      if (wanted.size === KEPT_STUDIES) break;
      try {
        const { name, options } = parseSavedViewKey(key);
        const accKey = accumulatorKey(name, { ...this.base, ...options });
        if (!wanted.has(accKey)) wanted.set(accKey, { name, options });
      } catch {
        // A key not made by savedViewKey: nothing to warm.
      }
    }
    return wanted;
  }

  /**
   * Restores the accumulators {@link warm} will use, ahead of it: that needs
   * no stamps, so the view worker does it while the server's thread stamps
   * the seeds it then hands over (about 0.5 s each at 10,000 runs: reading
   * the row, its digest, deserialising).
   */
  restoreAhead(): void {
    for (const [key, { options }] of this.warmed()) {
      if (this.studies.has(key) || this.restoredAhead.has(key)) continue;
      const accOptions = { ...this.base, ...options, metric: undefined };
      const restored = this.restore(key, accOptions);
      if (restored) this.restoredAhead.set(key, { ...restored, options: JSON.stringify(accOptions) });
    }
  }

  /**
   * Brings the study's accumulator up to date (restored, or built from the
   * index) with `stamps` (the ones a view just took), else the source's:
   * as adopted (`adopted`), or every seed stamped. Errors are left to the view that is asked for.
   */
  private async warmStudy(name: string, options: ReportOptions, stamps?: Map<string, string>, adopted = false): Promise<void> {
    try {
      if (this.studies.has(accumulatorKey(name, { ...this.base, ...options }))) return;
      // The accumulator only, not the model: the view shown is the saved one, and the next update finishes the model with its own changes.
      const taken = stamps ?? (await this.source.seedStamps?.(name, adopted ? new Set() : undefined));
      if (taken) await this.refold(name, options, taken);
    } catch {
      // The view asked for says what went wrong.
    }
  }

  /** Saves a view for the next start (at most every SAVE_EVERY_MS per key; the last one at close). */
  private save(key: string, stamps: ReadonlyMap<string, string>, body: ViewBody, now = Date.now()): void {
    if (now - (this.savedAt.get(key) ?? 0) < SAVE_EVERY_MS) {
      this.unsaved.set(key, { stamps, body });
      return;
    }
    this.unsaved.delete(key);
    this.savedAt.set(key, now);
    try {
      this.saved!.saveView(key, stampSignature(stamps), JSON.stringify(body));
    } catch {
      // A view not saved is built again after a restart.
    }
  }

  /** Two studies side by side: their variants as `<study>:<variant>`, compared unpaired (their seeds are not shared runs). */
  compare(a: string, b: string, options: ReportOptions): Promise<ViewBody | undefined> {
    return this.serial(async () => {
      const title = `${a} vs ${b}`;
      const [sa, sb] = [await this.source.openStudy(a), await this.source.openStudy(b)];
      if (!sa || !sb) return undefined;
      try {
        const model = await streamReportModel(studiesSideBySide(sa, sb, this.source.description), { ...this.base, ...options });
        const body = this.body(title, model, options);
        // The side-by-side seeds are `<study>/<seed>`: counted per study ("a: 4 seeds · b: 3 seeds"), not summed into one number of seeds neither study has.
        const studyOf = (variant: string): string => ([a, b].filter((s) => variant.startsWith(`${s}:`)).sort((x, y) => y.length - x.length)[0] ?? "");
        body.seedsText = [a, b].map((s) => `${s}: ${seedCountText(model.runs.filter((r) => studyOf(r.variant) === s))}`).join(" · ");
        return body;
      } catch (e) {
        return { name: title, error: (e as Error).message, html: "", charts: [], runs: 0, updatedAt: Date.now() };
      }
    });
  }

  /** The study's model, its accumulator brought up to date with the seeds whose stamp changed. */
  private async model(name: string, options: ReportOptions, stamps: Map<string, string> | undefined): Promise<{ model: ReportModel; seedsRead: number } | undefined> {
    const opts = { ...this.base, ...options };
    if (!stamps) {
      // A source without stamps: the whole study, streamed.
      const stream = await this.source.openStudy(name);
      return stream && { model: await streamReportModel(stream, opts), seedsRead: NaN };
    }
    const refolded = await this.refold(name, options, stamps);
    return refolded && { model: refolded.acc.finish(opts.metric), seedsRead: refolded.seedsRead };
  }

  /** Brings the study's accumulator (kept, restored, else made) up to date with the seeds whose stamp changed. */
  private async refold(name: string, options: ReportOptions, stamps: Map<string, string>): Promise<{ acc: StudyAccumulator; seedsRead: number } | undefined> {
    const opts = { ...this.base, ...options };
    const key = accumulatorKey(name, opts);
    const accOptions = { ...opts, metric: undefined };
    // After a restart, the accumulator saved when the dashboard stopped: only the seeds changed since are read.
    const ahead = this.restoredAhead.get(key);
    this.restoredAhead.delete(key);
    const restored = this.studies.has(key) ? undefined : ahead?.options === JSON.stringify(accOptions) ? ahead : this.restore(key, accOptions);
    let live = this.studies.get(key) ?? restored?.live;
    const changedFrom = (known: ReadonlyMap<string, string> | undefined): Set<string> => new Set([...stamps].filter(([seed, stamp]) => known?.get(seed) !== stamp).map(([seed]) => seed));
    let changed = changedFrom(live?.stamps);
    let stream = await this.source.openStudy(name, changed);
    if (!stream) return undefined;
    const { groups: _groups, ...header } = stream;
    if (restored && JSON.stringify(header) !== restored.header) {
      // The study's header (design, variant order) is not the one the saved accumulator was made with: every seed is read.
      live = undefined;
      changed = changedFrom(undefined);
      stream = await this.source.openStudy(name, changed);
      if (!stream) return undefined;
    }
    live ??= { acc: new StudyAccumulator(header, accOptions, "replace", stamps.size), stamps: new Map(), views: new Map() };
    this.studies.delete(key);
    this.studies.set(key, live);
    while (this.studies.size > KEPT_STUDIES) this.studies.delete(this.studies.keys().next().value!);
    for (const seed of live.stamps.keys()) if (!stamps.has(seed)) live.acc.removeSeed(seed);
    if (changed.size > 0 || live.stamps.size !== stamps.size) live.views.clear();
    const read = await this.fold(name, live.acc, stream, changed.size);
    // A seed whose runs have no data any more (its files were removed).
    for (const seed of changed) if (!read.has(seed)) live.acc.removeSeed(seed);
    live.stamps = stamps;
    return { acc: live.acc, seedsRead: changed.size };
  }

  /** The accumulator saved under `key` when the dashboard last stopped, where it is whole, of this format and made with these options. */
  private restore(key: string, options: ReportOptions): { live: LiveStudy; header: string } | undefined {
    try {
      const bytes = this.saved?.accumulator?.(key);
      const saved = bytes && decodeAccumulator(bytes);
      if (!saved || JSON.stringify(saved.snapshot.options) !== JSON.stringify(options)) return undefined;
      for (const k of saved.chartKeys) if (this.recentKeys.size < KEPT_KEYS) this.recentKeys.add(k);
      return { live: { acc: StudyAccumulator.restore(saved.snapshot), stamps: saved.stamps, views: new Map() }, header: JSON.stringify(saved.snapshot.header) };
    } catch {
      // Not readable as a snapshot: built from the index instead.
      return undefined;
    }
  }

  /** Saves the accumulators kept (in place of those saved before), for the next start. */
  private saveAccumulators(): void {
    if (!this.saved?.saveAccumulators) return;
    try {
      this.saved.saveAccumulators(new Map([...this.studies].map(([key, live]) => [key, encodeAccumulator(live.stamps, live.acc, this.recentKeys)])));
    } catch {
      // Not saved: the next start builds the accumulators from the index.
    }
  }

  /** A chart's key: a digest of its spec's text (hashed once per spec object: a curve's chart is the same object while its runs do not change). */
  private key(c: RenderedChart): string {
    let key = this.specKeys.get(c.chart.spec);
    if (key === undefined) this.specKeys.set(c.chart.spec, (key = createHash("sha256").update(c.specText).digest("hex").slice(0, 16)));
    return key;
  }

  private body(title: string, model: ReportModel, options: ReportOptions, seedsRead?: number): ViewBody {
    const view = renderStudyBody(model);
    const keys = view.charts.map((c) => this.key(c));
    const changed = keys.filter((k) => !this.recentKeys.has(k)).length;
    for (const k of keys) {
      this.recentKeys.delete(k);
      this.recentKeys.add(k);
    }
    while (this.recentKeys.size > KEPT_KEYS) this.recentKeys.delete(this.recentKeys.keys().next().value!);
    return {
      name: title,
      metric: model.metric,
      tags: model.tags.filter((t) => !t.startsWith("paired/")),
      smoothing: options.smoothing ?? 0,
      variants: model.variants,
      seeds: model.seeds.length,
      seedsText: seedCountText(model.runs),
      runs: model.runs.length,
      twinTrained: model.twinTrained,
      charts: view.charts.map((c, i) => ({ id: c.chart.id, series: c.chart.series, points: c.chart.points, marks: c.chart.marks, key: keys[i]! })),
      warnings: model.warnings,
      html: view.html,
      updatedAt: Date.now(),
      ...(seedsRead !== undefined && Number.isFinite(seedsRead) ? { seedsRead } : {}),
      chartsChanged: changed,
    };
  }

  async close(): Promise<void> {
    await this.queue;
    for (const [key, { stamps, body }] of this.unsaved) this.save(key, stamps, body, Infinity);
    this.saveAccumulators();
    this.studies.clear();
    this.recentKeys.clear();
  }
}
