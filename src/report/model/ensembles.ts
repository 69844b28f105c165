/**
 * Seed ensembles and what to deploy, for the report and the dashboard (seed
 * article 002; the analysis itself is src/study/deployment.ts, as in `twin
 * compare`): per variant the ensemble-size curve on validation (when every
 * seed was validated on the same examples) and on test, validation against
 * test (one dot per seed, the full ensemble beside them), the gain of the
 * full ensemble over the average seed with its interval, churn between
 * seeds, and both deployment choices with their uncertainty.
 *
 * Memory: predictions are folded in run by run. Every run's single-seed
 * accuracies are kept (two numbers); its probabilities only while its seed is
 * among the MAX_ENSEMBLE_SEEDS of smallest seed hash of its variant (a fixed
 * sample: the same seeds for every variant, whatever order runs come in).
 * Ensembles, gain, churn and the choices use that sample, and say so.
 */
import { checkPredictions, subsetAccuracy } from "../../stats/index.ts";
import { deploymentAnalysis, type Deployment, type SeedPredictions, type VariantPredictions } from "../../study/deployment.ts";
import type { RunData, SplitPredictions } from "../types.ts";
import { MAX_DOTS } from "./finals.ts";
import { bySeedHash, firstBySeedHash } from "./sample.ts";

/**
 * Seeds per variant whose probabilities are kept for ensembles (a fixed
 * sample by seed hash beyond it), and subsets of k seeds scored per point of
 * the ensemble curve (all of them when there are at most this many). The cost
 * grows with subsets × k × examples: 10 seeds and 20 subsets took 4 s
 * per variant on 5,000 validation and 10,000 test examples of 10 classes (20 seeds and 100 subsets: 95 s).
 */
export const MAX_ENSEMBLE_SEEDS = 10;
export const ENSEMBLE_SUBSETS = 20;

export interface DeploymentVariant {
  name: string;
  /** Seeds whose predictions were read (validation or test). */
  seeds: number;
  /** Seeds whose probabilities the ensembles use (all, or the sample). */
  ensembleSeeds: number;
  /** Seeds with test predictions. */
  testSeeds: number;
}

export interface DeploymentData {
  /** In a view of several studies: the study whose runs this section is about (absent for one study). */
  study?: string;
  /** false: no run kept per-example predictions; `reason` says so in one line. */
  available: boolean;
  reason?: string;
  variants: DeploymentVariant[];
  /** Every variant's ensemble seeds were validated on the same examples (a shared split): validation ensembles exist. */
  sharedValidation: boolean;
  /** Curves, gain, churn, validation against test and the two choices (src/study/deployment.ts); null when it could not be computed (see notes). */
  analysis: Deployment | null;
  /** Single-seed accuracy on validation and test: every seed with both, or a fixed sample of MAX_DOTS per variant. */
  scatter: { variant: string; seed: string; validation: number; test: number }[];
  scatterSummarised: boolean;
  subsets: number;
  maxEnsembleSeeds: number;
  notes: string[];
}

export interface SeedEntry {
  validation?: number;
  test?: number;
  predictions?: { validation?: SplitPredictions; test?: SplitPredictions };
  /** The run's split seed, when recorded: seeds validated on the same examples share it. */
  splitSeed?: string;
}

/** Seeds sort by length, then text: "2" before "10" (as the rest of the report). */
function bySeed(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function sameLabels(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Accuracy of one run's predictions (argmax); throws naming what is wrong with them. */
function accuracy(p: SplitPredictions): number {
  const preds = [{ data: p.probabilities, shape: [p.labels.length, p.classes] as const }];
  checkPredictions("accuracy", preds, p.labels);
  return subsetAccuracy(preds, [0], p.labels);
}

/**
 * Folds runs' predictions into what the deployment section draws. A seed
 * folded in again replaces its earlier runs (the dashboard re-reads a seed
 * whose files changed).
 */
export class DeploymentAccumulator {
  private readonly byVariant = new Map<string, Map<string, SeedEntry>>();
  /** Per variant, the seeds whose probabilities are kept (at most MAX_ENSEMBLE_SEEDS). */
  private readonly kept = new Map<string, Set<string>>();
  private readonly problems = new Map<string, string[]>();
  private version = 0;
  private cached: { key: string; value: DeploymentData } | undefined;

  constructor(private readonly maxSeeds = MAX_ENSEMBLE_SEEDS, private readonly subsets = ENSEMBLE_SUBSETS) {}

  /** Takes out every run of a seed. */
  removeSeed(seed: string): void {
    let changed = this.problems.delete(seed);
    for (const [variant, entries] of this.byVariant) {
      if (entries.delete(seed)) changed = true;
      this.kept.get(variant)?.delete(seed);
    }
    if (changed) this.version++;
  }

  /** Folds in one run's predictions (a run without any is ignored). */
  add(run: RunData): void {
    const p = run.predictions;
    if (!p || (!p.validation && !p.test)) return;
    const entry: SeedEntry = {};
    const predictions: NonNullable<SeedEntry["predictions"]> = {};
    for (const set of ["validation", "test"] as const) {
      const s = p[set];
      if (!s) continue;
      try {
        entry[set] = accuracy(s);
        predictions[set] = s;
      } catch (e) {
        const list = this.problems.get(run.seed) ?? [];
        list.push(`${run.variant} seed ${run.seed}: ${set} predictions not used: ${(e as Error).message.replace(/^stats\.accuracy: /, "")}`);
        this.problems.set(run.seed, list);
      }
    }
    if (entry.validation === undefined && entry.test === undefined) return;
    if (run.factorSeeds?.split !== undefined) entry.splitSeed = run.factorSeeds.split;
    let entries = this.byVariant.get(run.variant);
    if (!entries) this.byVariant.set(run.variant, (entries = new Map()));
    entries.set(run.seed, entry);
    this.version++;
    let kept = this.kept.get(run.variant);
    if (!kept) this.kept.set(run.variant, (kept = new Set()));
    kept.add(run.seed);
    entry.predictions = predictions;
    if (kept.size > this.maxSeeds) {
      // Drop the probabilities of the largest seed hash (possibly the newcomer's): a bottom-k sample.
      let worst = "";
      for (const s of kept) if (worst === "" || bySeedHash(s, worst) > 0) worst = s;
      kept.delete(worst);
      delete entries.get(worst)!.predictions;
    }
  }

  /**
   * The deployment section's data, variants in report order (computed again only when some run's predictions changed);
   * seeds in `setAside` (not independent seeds: not-independent.ts) are left out, as from the verdict.
   */
  finish(variants: readonly string[], setAside: ReadonlySet<string> = new Set()): DeploymentData {
    const key = `${this.version}\u0000${variants.join("\u0000")}\u0001${[...setAside].join("\u0000")}`;
    if (this.cached?.key === key) return this.cached.value;
    const value = this.compute(variants, setAside);
    this.cached = { key, value };
    return value;
  }

  private compute(variants: readonly string[], setAside: ReadonlySet<string>): DeploymentData {
    const notes = [...this.problems].filter(([seed]) => !setAside.has(seed)).flatMap(([, n]) => n);
    const base = { subsets: this.subsets, maxEnsembleSeeds: this.maxSeeds };
    const counted = new Map([...this.byVariant].map(([v, entries]) => [v, setAside.size ? new Map([...entries].filter(([seed]) => !setAside.has(seed))) : entries]));
    const names = variants.filter((v) => (counted.get(v)?.size ?? 0) > 0);
    if (names.length === 0) {
      return {
        ...base, available: false, variants: [], sharedValidation: false, analysis: null, scatter: [], scatterSummarised: false, notes,
        reason: "no run of this study kept per-example predictions (runs made before twin kept them, or a sweep or log folder without predictions.npy and labels.npy), so there is no ensemble curve, validation–test scatter, churn or deployment choice",
      };
    }
    const out: DeploymentVariant[] = [];
    const inputs: VariantPredictions[] = [];
    let sharedValidation = true;
    const scatter: DeploymentData["scatter"] = [];
    let scatterSummarised = false;
    for (const name of names) {
      const entries = counted.get(name)!;
      const keptSeeds = [...(this.kept.get(name) ?? [])].filter((seed) => entries.has(seed)).sort(bySeed);
      const seeds: SeedPredictions[] = [];
      const seedValidationLabels: Int32Array[] = [];
      const tests: (SplitPredictions | undefined)[] = [];
      const splitSeeds = new Set<string>();
      for (const seed of keptSeeds) {
        const e = entries.get(seed)!;
        const v = e.predictions?.validation;
        if (!v) continue;
        seeds.push({ seed, validation: { data: v.probabilities, shape: [v.labels.length, v.classes] } });
        seedValidationLabels.push(v.labels);
        tests.push(e.predictions?.test);
        if (e.splitSeed !== undefined) splitSeeds.add(e.splitSeed);
      }
      // Test predictions count only when every seed has them on the same examples.
      const t0 = tests[0];
      const everyTest = t0 !== undefined && tests.every((t) => t !== undefined && t.classes === t0.classes && sameLabels(t.labels, t0.labels));
      if (everyTest) tests.forEach((t, i) => (seeds[i]!.test = { data: t!.probabilities, shape: [t!.labels.length, t!.classes] }));
      else if (tests.some((t) => t !== undefined)) notes.push(`${name}: test predictions left out: not every seed has them on the same test examples`);
      const shared = seedValidationLabels.length > 0 && splitSeeds.size <= 1 && seedValidationLabels.every((l) => sameLabels(l, seedValidationLabels[0]!));
      if (!shared) sharedValidation = false;
      if (seeds.length > 0) {
        inputs.push({ variant: name, seeds, seedValidationLabels, ...(shared ? { validationLabels: seedValidationLabels[0]! } : {}), ...(everyTest ? { testLabels: t0.labels } : {}) });
      } else notes.push(`${name}: no validation predictions among the seeds kept for ensembles: left out of the ensembles`);
      const both = [...entries].filter(([, e]) => e.validation !== undefined && e.test !== undefined).map(([seed]) => seed);
      const drawn = both.length > MAX_DOTS ? new Set(firstBySeedHash(both, MAX_DOTS)) : undefined;
      if (drawn) scatterSummarised = true;
      for (const seed of both.sort(bySeed)) {
        if (drawn && !drawn.has(seed)) continue;
        const e = entries.get(seed)!;
        scatter.push({ variant: name, seed, validation: e.validation!, test: e.test! });
      }
      out.push({ name, seeds: entries.size, ensembleSeeds: seeds.length, testSeeds: [...entries.values()].filter((e) => e.test !== undefined).length });
    }
    let analysis: Deployment | null = null;
    try {
      analysis = inputs.length > 0 ? deploymentAnalysis(inputs, { subsets: this.subsets }) : null;
    } catch (e) {
      notes.push(`the deployment analysis failed: ${(e as Error).message}`);
    }
    if (analysis) notes.push(...analysis.notes);
    return { ...base, available: true, variants: out, sharedValidation: sharedValidation && inputs.length > 0, analysis, scatter, scatterSummarised, notes };
  }

  /** What has been folded in, as plain data (structured-cloneable; predictions not copied), for {@link DeploymentAccumulator.restore}. */
  snapshot(): DeploymentSnapshot {
    return { maxSeeds: this.maxSeeds, subsets: this.subsets, byVariant: this.byVariant, kept: this.kept, problems: this.problems };
  }

  static restore(s: DeploymentSnapshot): DeploymentAccumulator {
    const d = new DeploymentAccumulator(s.maxSeeds, s.subsets);
    for (const [variant, entries] of s.byVariant) d.byVariant.set(variant, entries);
    for (const [variant, seeds] of s.kept) d.kept.set(variant, seeds);
    for (const [seed, problems] of s.problems) d.problems.set(seed, problems);
    return d;
  }
}

/** A deployment accumulator's runs as plain data. */
export interface DeploymentSnapshot {
  maxSeeds: number;
  subsets: number;
  byVariant: ReadonlyMap<string, Map<string, SeedEntry>>;
  kept: ReadonlyMap<string, Set<string>>;
  problems: ReadonlyMap<string, string[]>;
}
