/**
 * Studies of the experiment store (native, worker and sweep runs), read
 * through its `Store` interface, never written. A twin run of K variants
 * becomes K runs sharing a seed; a study is read seed by seed.
 */
import type { RunRecord, Store } from "../../store/types.ts";
import { goneOwner } from "../../study/lifecycle.ts";
import { parseDesign } from "../../study/factorial-design-record.ts";
import { comparableFingerprintHash } from "../../study/comparable-fingerprint.ts";
import type { CheckLine, DataSource, Point, RunData, SeedGroup, Series, SourceSpec, StudyListing, StudyStream } from "../types.ts";
import { seriesOf } from "../series.ts";

/** The factorial design kept with a study's specification (run-record.ts specJson), or why it cannot be read. */
function storedDesign(spec: unknown, where: string): Pick<StudyStream, "design" | "designError"> {
  const raw = (spec as { design?: unknown } | null)?.design;
  if (raw === undefined) return {};
  try {
    return { design: parseDesign(raw, where) };
  } catch (e) {
    return { designError: (e as Error).message };
  }
}

/** Rows of a twin run's record that are not metrics (a variant's status code, the step it diverged at). */
const RECORD_ROWS = new Set(["status", "diverged_at"]);

/**
 * Each stored run's seed as the report and the dashboard name it (by run id).
 * A run whose varied factor seeds all equal its root seed (every factor
 * varied together, as `twin compare` and `twin seeds --n` make them) is its
 * root seed, as in its log folder `seed-<root>`. A run of `twin seeds --vary`
 * or a grid keeps the root seed while some factor's seed changes, so many
 * stored runs share one root: each is named by its root and the factors that
 * differ from it ("0:init=1"), so that none takes another's place. Factors
 * whose seed is the same in every run of the study (a shared split) say
 * nothing and are left out. Stored runs with the same name are one seed (a
 * sweep stores each variant's run apart).
 */
export function storedSeedNames(records: readonly RunRecord[]): Map<string, string> {
  const factors = [...new Set(records.flatMap((r) => Object.keys(r.seeds)))].sort();
  const varied = factors.filter((f) => new Set(records.map((r) => r.seeds[f]?.toString())).size > 1);
  const out = new Map<string, string>();
  for (const r of records) {
    const off = varied.filter((f) => r.seeds[f] !== undefined && r.seeds[f] !== r.rootSeed).map((f) => `${f}=${r.seeds[f]}`);
    out.set(r.id, off.length === 0 ? r.rootSeed.toString() : `${r.rootSeed}:${off.join(",")}`);
  }
  return out;
}

/** Factor seeds as one text, factors in name order. */
function seedsKey(seeds: Record<string, string>): string {
  return Object.keys(seeds).sort().map((k) => `${k}=${seeds[k]}`).join(",");
}

export class StoreSource implements DataSource {
  readonly description: string;
  private readonly store: Store;
  private readonly reopen: { url: string; readOnly: boolean } | undefined;
  private readonly runsBySeeds = new Map<string, Map<string, RunRecord>>();
  /** Each stored fingerprint's hash as a report compares runs by it (comparableFingerprintHash), by stored hash. */
  private readonly comparable = new Map<string, string>();

  /** `reopen`: how to open the same store again in another thread (its URL or path), when it can be. */
  constructor(store: Store, reopen?: { url: string; readOnly: boolean }) {
    this.store = store;
    this.reopen = reopen;
    this.description = `store ${store.location}`;
  }

  spec(): SourceSpec | undefined {
    return this.reopen && { kind: "store", ...this.reopen };
  }

  async seedStamps(name: string): Promise<Map<string, string> | undefined> {
    if (!(await this.store.getStudy(name))) return undefined;
    const out = new Map<string, string>();
    const runs = await this.store.listRuns({ study: name });
    const names = storedSeedNames(runs);
    for (const r of runs) {
      const seed = names.get(r.id)!;
      const stamp = `${r.id}:${r.status}:${r.heartbeatAt ?? ""}:${r.finishedAt ?? ""}`;
      out.set(seed, out.has(seed) ? `${out.get(seed)};${stamp}` : stamp);
    }
    return out;
  }

  async listStudies(): Promise<StudyListing[]> {
    const out: StudyListing[] = [];
    for (const s of await this.store.listStudies()) {
      const runs = await this.store.listRuns({ study: s.name });
      const variants = (await this.store.listVariants(s.name)).map((v) => v.name);
      // A running run whose worker is gone (Ctrl-C, a crash) is stopped, as `twin runs` says.
      const status: Record<string, number> = {};
      for (const r of runs) {
        const word = goneOwner(r) === undefined ? r.status : "stopped";
        status[word] = (status[word] ?? 0) + 1;
      }
      let updatedAt = s.createdAt;
      for (const r of runs) updatedAt = Math.max(updatedAt, r.finishedAt ?? r.heartbeatAt ?? r.startedAt ?? r.queuedAt);
      out.push({ name: s.name, variants, runs: runs.length, seeds: new Set(storedSeedNames(runs).values()).size, status, updatedAt });
    }
    return out;
  }

  async openStudy(name: string, seeds?: ReadonlySet<string>): Promise<StudyStream | undefined> {
    const study = await this.store.getStudy(name);
    if (!study) return undefined;
    const order = (await this.store.listVariants(name)).map((v) => v.name);
    const all = await this.store.listRuns({ study: name });
    const names = storedSeedNames(all);
    const records = seeds ? all.filter((r) => seeds.has(names.get(r.id)!)) : all;
    const sweep = (study.spec as { kind?: string } | null)?.kind === "sweep";
    return {
      name,
      source: this.description,
      variantOrder: order,
      twinTrained: !sweep && all.some((r) => r.variants.length > 1),
      ...storedDesign(study.spec, `${this.description}, study '${name}'`),
      groups: this.groups(records, names, sweep),
    };
  }

  /** Runs grouped by seed (storedSeedNames; in root seed order, then by name), each run's metrics and records read when its seed comes. */
  private async *groups(records: RunRecord[], names: ReadonlyMap<string, string>, sweep: boolean): AsyncGenerator<SeedGroup> {
    const bySeed = new Map<string, RunRecord[]>();
    for (const r of records) {
      const name = names.get(r.id)!;
      let arr = bySeed.get(name);
      if (!arr) bySeed.set(name, (arr = []));
      arr.push(r);
    }
    const root = (name: string): bigint => bySeed.get(name)![0]!.rootSeed;
    const order = [...bySeed.keys()].sort((a, b) => (root(a) < root(b) ? -1 : root(a) > root(b) ? 1 : a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)));
    for (const seed of order) {
      const group: SeedGroup = { seed, runs: [], checks: [] };
      for (const r of bySeed.get(seed)!) {
        group.runs.push(...(await this.runData(r, seed, sweep)));
        const lines = await this.checkLines(r.id);
        if (lines.length > 0) group.checks.push({ seed: group.seed, variants: [...r.variants], lines });
      }
      yield group;
    }
  }

  private async runData(r: RunRecord, seed: string, sweep: boolean): Promise<RunData[]> {
    // A twin run's record keeps each variant's status and divergence step as rows (stored-results.ts): bookkeeping, not curves.
    const metrics = (await this.store.metrics({ runId: r.id })).filter((m) => sweep || !RECORD_ROWS.has(m.name));
    const predictions = await this.store.predictions(r.id);
    const factorSeeds: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.seeds)) factorSeeds[k] = String(v);
    const fingerprint = r.fingerprintHash ? await this.comparableFingerprint(r.fingerprintHash) : undefined;
    return r.variants.map((variant) => {
      const points: Record<string, Point[]> = {};
      for (const m of metrics) if (m.variant === variant) (points[m.name] ??= []).push({ step: m.step, value: m.value });
      const scalars: Record<string, Series> = {};
      for (const [tag, pts] of Object.entries(points)) scalars[tag] = seriesOf(pts.sort((a, b) => a.step - b.step));
      const run: RunData = { variant, seed, status: r.status, scalars, factorSeeds, where: `store run ${r.id}` };
      if (fingerprint) run.fingerprint = fingerprint;
      if (r.error) run.notes = [r.error];
      for (const p of predictions) {
        if (p.variant !== variant) continue;
        (run.predictions ??= {})[p.split] = { probabilities: p.probabilities, labels: p.labels, classes: p.classes };
      }
      return run;
    });
  }

  /**
   * A run's fingerprint as the report compares runs by it: a stored run's
   * fingerprint holds its own split (each seed draws its own) and the command
   * line, so every seed's differed; without them (comparableFingerprintHash)
   * it is the hash the run's log folder carries. The stored hash when the
   * fingerprint itself is not in the store.
   */
  private async comparableFingerprint(hash: string): Promise<string> {
    let out = this.comparable.get(hash);
    if (out === undefined) {
      const record = await this.store.getFingerprint(hash);
      this.comparable.set(hash, (out = record ? comparableFingerprintHash(record.fingerprint) : hash));
    }
    return out;
  }

  /** Lists the study's runs again at the next predictionsFor (runs were added or ended). */
  forgetRuns(study: string): void {
    this.runsBySeeds.delete(study);
  }

  /** The study's runs that have not ended, and a text that changes whenever one of its runs ends (how many have ended, and the last end). */
  async runEnds(study: string): Promise<{ open: number; stamp: string }> {
    let ended = 0, last = 0, open = 0;
    for (const r of await this.store.listRuns({ study })) {
      if (r.finishedAt === null) {
        open++;
        continue;
      }
      ended++;
      last = Math.max(last, r.finishedAt);
    }
    return { open, stamp: `${ended}@${last}` };
  }

  /**
   * The predictions the store kept for a run of `study` with these factor
   * seeds (every factor's seed equal), of one variant, and whether any can
   * still come (`pending`: the run has not ended). A study's runs are listed
   * once (until forgetRuns).
   */
  async predictionsFor(study: string, variant: string, factorSeeds: Record<string, string>): Promise<{ predictions?: NonNullable<RunData["predictions"]>; pending: boolean }> {
    let byKey = this.runsBySeeds.get(study);
    if (!byKey) {
      byKey = new Map();
      for (const r of await this.store.listRuns({ study })) byKey.set(seedsKey(Object.fromEntries(Object.entries(r.seeds).map(([k, v]) => [k, String(v)]))), r);
      this.runsBySeeds.set(study, byKey);
    }
    const run = byKey.get(seedsKey(factorSeeds));
    if (!run || !run.variants.includes(variant)) return { pending: false };
    let predictions: NonNullable<RunData["predictions"]> | undefined;
    for (const p of await this.store.predictions(run.id, { variant })) (predictions ??= {})[p.split] = { probabilities: p.probabilities, labels: p.labels, classes: p.classes };
    return { ...(predictions ? { predictions } : {}), pending: !predictions && run.finishedAt === null };
  }

  private async checkLines(runId: string): Promise<CheckLine[]> {
    const bySteps = new Map<number, CheckLine>();
    for (const b of await this.store.batchChecksums(runId)) bySteps.set(b.step, { step: b.step, batch: b.checksum, streams: [] });
    for (const c of await this.store.controlSums(runId)) {
      let line = bySteps.get(c.step);
      if (!line) bySteps.set(c.step, (line = { step: c.step, streams: [] }));
      line.streams.push({ stream: c.stream, draws: c.draws, state: c.state });
    }
    return [...bySteps.values()].sort((a, b) => a.step - b.step);
  }

  /** Polls the run records every `pollMs` (status, heartbeat, end): a change calls onChange(study). */
  watch(onChange: (study: string) => void, pollMs = 1000): () => void {
    const last = new Map<string, string>();
    let busy = false;
    const look = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        for (const s of await this.store.listStudies()) {
          let beat = 0;
          const runs = await this.store.listRuns({ study: s.name });
          for (const r of runs) beat = Math.max(beat, r.heartbeatAt ?? 0, r.finishedAt ?? 0);
          const sig = `${runs.length}:${JSON.stringify(s.runs)}:${beat}`;
          if (last.has(s.name) && last.get(s.name) !== sig) onChange(s.name);
          last.set(s.name, sig);
        }
      } catch {
        // The store is busy or gone for a moment: the next poll tries again.
      } finally {
        busy = false;
      }
    };
    void look();
    const timer = setInterval(() => void look(), pollMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
