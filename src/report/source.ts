/**
 * Data sources of the report and the dashboard: a twin log directory
 * (`<logdir>/<study>/<variant>/seed-<n>/` with event files or metrics.jsonl,
 * `<logdir>/<study>/_checks/seed-<n>.jsonl`), or the experiment store
 * (read-only, through its `Store` interface). Neither writes anything.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { readRunTree } from "../log/event-reader.ts";
import { readJsonl } from "../log/jsonl.ts";
import { METRICS_FILE, readMetricsJsonl } from "../log/metrics-jsonl.ts";
import type { Store } from "../store/types.ts";
import type { CheckLine, DataSource, Point, RunData, SeedChecks, StudyData, StudyListing } from "./types.ts";

const SEED_DIR = /^seed-(\d+)$/;
const CHECKS_DIR = "_checks";

function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith(".") && !e.name.startsWith("_"))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** True when `dir` looks like a study directory: `<variant>/seed-<n>/` inside. */
export function isStudyDir(dir: string): boolean {
  return listDirs(dir).some((v) => listDirs(join(dir, v)).some((s) => SEED_DIR.test(s)));
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Reads `seeds.<factor>` / `seed.<factor>` hparams (flattened nested objects) as factor seeds. */
export function factorSeedsFromHParams(hp: Record<string, string | number | boolean> | undefined): Record<string, string> | undefined {
  if (!hp) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(hp)) {
    const m = /^(?:seeds?|factor_seeds)\.([A-Za-z0-9_-]+)$/.exec(k);
    if (m) out[m[1]!] = String(v);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function readChecks(studyPath: string): SeedChecks[] {
  const dir = join(studyPath, CHECKS_DIR);
  const out: SeedChecks[] = [];
  for (const name of readdirSafe(dir).sort()) {
    const m = /^seed-(\d+)\.jsonl$/.exec(name);
    if (!m) continue;
    try {
      const { records } = readJsonl<CheckLine>(join(dir, name));
      out.push({ seed: m[1]!, lines: records.filter((r) => r && typeof r.step === "number" && Array.isArray(r.streams)) });
    } catch {
      out.push({ seed: m[1]!, lines: [] });
    }
  }
  return out;
}

/** Loads one study directory `<logdir>/<study>` (throws when it holds no runs). */
export function loadStudyDir(path: string): StudyData {
  const abs = resolve(path);
  const name = basename(abs);
  const series = readRunTree(abs, { prefer: "jsonl" });
  const runs: RunData[] = series.map((r) => {
    const scalars: Record<string, Point[]> = {};
    for (const [tag, pts] of Object.entries(r.scalars)) scalars[tag] = pts.map((p) => ({ step: p.step, value: p.value }));
    const run: RunData = { variant: r.variant, seed: String(r.seed), scalars, where: r.dir };
    if (r.status) run.status = r.status;
    else run.status = "running";
    if (r.hparams) {
      run.hparams = r.hparams;
      const fs = factorSeedsFromHParams(r.hparams);
      if (fs) run.factorSeeds = fs;
      if (typeof r.hparams.fingerprint === "string") run.fingerprint = r.hparams.fingerprint;
    }
    const jsonl = join(r.dir, METRICS_FILE);
    if (existsSync(jsonl)) {
      try {
        const texts = readMetricsJsonl(jsonl).texts;
        const notes = texts.filter((t) => t.tag !== "fingerprint").map((t) => `${t.tag} (step ${t.step}): ${t.text}`);
        if (notes.length > 0) run.notes = notes;
        const fp = texts.filter((t) => t.tag === "fingerprint").pop();
        if (fp) run.fingerprint = fp.text;
      } catch {
        // A metrics.jsonl being written: its scalars were read above; the notes can wait.
      }
    }
    return run;
  });
  if (runs.length === 0) {
    throw new Error(`${path}: no runs found; expected a study directory <logdir>/<study> holding <variant>/seed-<n>/ with event files or metrics.jsonl`);
  }
  return { name, runs, checks: readChecks(abs), source: `log directory ${abs}` };
}

function signatureOf(dir: string): string {
  let files = 0, bytes = 0, newest = 0;
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        try {
          const s = statSync(p);
          files++;
          bytes += s.size;
          newest = Math.max(newest, s.mtimeMs);
        } catch {
          // Removed meanwhile.
        }
      }
    }
  };
  walk(dir);
  return `${files}:${bytes}:${newest}`;
}

function newestMtime(dir: string): number {
  const sig = signatureOf(dir);
  return Number(sig.split(":")[2]);
}

/** Studies of a log directory. `root` may also be a single study directory. */
export class LogDirSource implements DataSource {
  readonly root: string;
  readonly description: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.description = `log directory ${this.root}`;
  }

  /** name → study directory. */
  private studies(): Map<string, string> {
    const out = new Map<string, string>();
    if (isStudyDir(this.root)) {
      out.set(basename(this.root), this.root);
      return out;
    }
    for (const name of listDirs(this.root)) {
      const dir = join(this.root, name);
      if (isStudyDir(dir)) out.set(name, dir);
    }
    return out;
  }

  async listStudies(): Promise<StudyListing[]> {
    const out: StudyListing[] = [];
    for (const [name, dir] of this.studies()) {
      const variants = listDirs(dir);
      const seeds = new Set<string>();
      let runs = 0;
      const status: Record<string, number> = {};
      for (const v of variants) {
        for (const s of readdirSafe(join(dir, v))) {
          const m = SEED_DIR.exec(s);
          if (!m) continue;
          runs++;
          seeds.add(m[1]!);
          const st = runStatus(join(dir, v, s));
          status[st] = (status[st] ?? 0) + 1;
        }
      }
      out.push({ name, variants, runs, seeds: seeds.size, status, updatedAt: newestMtime(dir) });
    }
    return out;
  }

  async loadStudy(name: string): Promise<StudyData | undefined> {
    const dir = this.studies().get(name);
    if (dir === undefined) return undefined;
    return loadStudyDir(dir);
  }

  async signatures(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [name, dir] of this.studies()) out[name] = signatureOf(dir);
    return out;
  }
}

/** A run's end status from the last line of its metrics.jsonl ("running" without one). */
function runStatus(dir: string): string {
  const p = join(dir, METRICS_FILE);
  if (!existsSync(p)) return "unknown";
  try {
    const data = readMetricsJsonl(p);
    return data.status ?? "running";
  } catch {
    return "unknown";
  }
}

/** The study directory and logdir of a path given as `<logdir>/<study>`. */
export function splitStudyPath(path: string): { logdir: string; study: string } {
  const abs = resolve(path);
  return { logdir: dirname(abs), study: basename(abs) };
}

/**
 * Studies of the experiment store, read through its interface (no writes).
 * A twin run of K variants becomes K runs (one per variant) sharing a seed.
 */
export class StoreSource implements DataSource {
  readonly description: string;
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
    this.description = `store ${store.location}`;
  }

  async listStudies(): Promise<StudyListing[]> {
    const studies = await this.store.listStudies();
    const out: StudyListing[] = [];
    for (const s of studies) {
      const runs = await this.store.listRuns({ study: s.name });
      const variants = (await this.store.listVariants(s.name)).map((v) => v.name);
      const status: Record<string, number> = {};
      for (const [k, v] of Object.entries(s.runs)) if (v > 0) status[k] = v;
      const updatedAt = Math.max(s.createdAt, ...runs.map((r) => r.finishedAt ?? r.heartbeatAt ?? r.startedAt ?? r.queuedAt));
      out.push({ name: s.name, variants, runs: runs.length, seeds: new Set(runs.map((r) => String(r.rootSeed))).size, status, updatedAt });
    }
    return out;
  }

  async loadStudy(name: string): Promise<StudyData | undefined> {
    const study = await this.store.getStudy(name);
    if (!study) return undefined;
    const order = (await this.store.listVariants(name)).map((v) => v.name);
    const runs: RunData[] = [];
    const checks: SeedChecks[] = [];
    for (const r of await this.store.listRuns({ study: name })) {
      const metrics = await this.store.metrics({ runId: r.id });
      const factorSeeds: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.seeds)) factorSeeds[k] = String(v);
      for (const variant of r.variants) {
        const scalars: Record<string, Point[]> = {};
        for (const m of metrics) {
          if (m.variant !== variant) continue;
          (scalars[m.name] ??= []).push({ step: m.step, value: m.value });
        }
        for (const pts of Object.values(scalars)) pts.sort((a, b) => a.step - b.step);
        const run: RunData = { variant, seed: String(r.rootSeed), status: r.status, scalars, factorSeeds, where: `store run ${r.id}` };
        if (r.fingerprintHash) run.fingerprint = r.fingerprintHash;
        if (r.error) run.notes = [r.error];
        runs.push(run);
      }
      const sums = await this.store.controlSums(r.id);
      const batches = await this.store.batchChecksums(r.id);
      const bySteps = new Map<number, CheckLine>();
      for (const b of batches) bySteps.set(b.step, { step: b.step, batch: b.checksum, streams: [] });
      for (const c of sums) {
        let line = bySteps.get(c.step);
        if (!line) bySteps.set(c.step, (line = { step: c.step, streams: [] }));
        line.streams.push({ stream: c.stream, draws: c.draws, state: c.state });
      }
      if (bySteps.size > 0) checks.push({ seed: String(r.rootSeed), variants: [...r.variants], lines: [...bySteps.values()].sort((a, b) => a.step - b.step) });
    }
    const sweep = (study.spec as { kind?: string } | null)?.kind === "sweep";
    return { name, runs, checks, source: this.description, variantOrder: order, twinTrained: !sweep && runs.length > 0 && (await this.store.listRuns({ study: name })).some((r) => r.variants.length > 1) };
  }

  async signatures(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const s of await this.store.listStudies()) {
      const runs = await this.store.listRuns({ study: s.name });
      out[s.name] = JSON.stringify(runs.map((r) => [r.id, r.status, r.heartbeatAt, r.finishedAt]));
    }
    return out;
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

/** Several sources as one (a study found in more than one: the first wins). */
export class MultiSource implements DataSource {
  readonly description: string;
  private readonly sources: DataSource[];

  constructor(sources: DataSource[]) {
    this.sources = sources;
    this.description = sources.map((s) => s.description).join(" + ");
  }

  async listStudies(): Promise<StudyListing[]> {
    const seen = new Set<string>();
    const out: StudyListing[] = [];
    for (const s of this.sources) {
      for (const l of await s.listStudies()) {
        if (seen.has(l.name)) continue;
        seen.add(l.name);
        out.push(l);
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async loadStudy(name: string): Promise<StudyData | undefined> {
    for (const s of this.sources) {
      const d = await s.loadStudy(name);
      if (d) return d;
    }
    return undefined;
  }

  async signatures(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const s of [...this.sources].reverse()) Object.assign(out, await s.signatures());
    return out;
  }

  async close(): Promise<void> {
    for (const s of this.sources) await s.close?.();
  }
}
