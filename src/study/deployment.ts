/**
 * What to deploy (seed article 002): from every variant's per-example
 * predictions over seeds, the best variant if you deploy an ensemble of its
 * seeds, and the best if you deploy a single seed (best worst case, then
 * smallest range), each with its uncertainty; validation and held-out test
 * side by side. Choices are made on validation only; the test set confirms.
 */
import {
  churn, ensembleCurve, ensembleGain, ensembleValidationTest, mcnemarModels, predictedClasses, subsetAccuracy, twoLevelDifference,
  validationTestAgreement, type Churn, type EnsembleCurvePoint, type EnsembleGain, type EnsembleValidationTest, type ModelMcNemar,
  type Predictions, type TwoLevelDifference, type ValidationTestAgreement,
} from "../stats/index.ts";
import type { TwinResult } from "../twin/types.ts";
import { pValueClause } from "../stats/p-value-text.ts";
import { metricValueText, signedMetricValueText } from "./metric-units.ts";

/** One seed's predictions of one variant. */
export interface SeedPredictions {
  seed: string;
  validation: Predictions;
  test?: Predictions;
}

export interface VariantPredictions {
  variant: string;
  seeds: SeedPredictions[];
  /** The validation labels, when every seed was validated on the same examples (one split seed); else undefined: no validation ensembles. */
  validationLabels?: ArrayLike<number>;
  /** Each seed's own validation labels (the split may differ per seed). */
  seedValidationLabels: ArrayLike<number>[];
  testLabels?: ArrayLike<number>;
}

interface SetSummary {
  /** Single seeds: mean, min, max, range of accuracy. */
  mean: number;
  min: number;
  max: number;
  range: number;
  /** The ensemble of every seed (NaN when the seeds were validated on different splits). */
  ensemble: number;
  curve: EnsembleCurvePoint[];
}

export interface VariantDeployment {
  variant: string;
  seeds: number;
  validation: SetSummary;
  test?: SetSummary;
  /** Gain of the full ensemble over one seed, on test when there is one, else on validation. */
  gain?: EnsembleGain & { set: "test" | "validation" };
  churn?: Churn & { set: "test" | "validation" };
  /** Validation against test across seeds and across k-seed ensembles (with a test set and ≥ 3 seeds). */
  validationVsTest?: { seeds: ValidationTestAgreement; ensembles: EnsembleValidationTest[]; points: { seed: string; validation: number; test: number }[] };
}

export interface DeploymentChoice {
  /** "ensemble": the best ensemble of all seeds; "single seed": the best worst case (ties: the smallest range). */
  kind: "ensemble" | "single seed";
  variant: string;
  /** What the choice was made on (validation) and what the test set says. */
  validation: number;
  test?: number;
  runnerUp?: string;
  /** ensemble: exact McNemar of the two ensembles' per-example correctness (the set below); single seed: the two-level difference of single-seed accuracy. */
  versusRunnerUp?: { set: "test" | "validation"; mcnemar?: ModelMcNemar; twoLevel?: TwoLevelDifference };
  note: string;
}

export interface Deployment {
  variants: VariantDeployment[];
  ensemble?: DeploymentChoice;
  singleSeed?: DeploymentChoice;
  notes: string[];
}

/** Subsets of k seeds scored per point of an ensemble curve, by default (all of them when there are at most this many). */
export const DEFAULT_ENSEMBLE_SUBSETS = 100;

function summarize(preds: Predictions[], labels: ArrayLike<number> | undefined, seedLabels: ArrayLike<number>[], subsets: number): SetSummary {
  const accs = preds.map((p, i) => subsetAccuracy([p], [0], seedLabels[i]!));
  const min = Math.min(...accs), max = Math.max(...accs);
  return {
    mean: accs.reduce((s, v) => s + v, 0) / accs.length, min, max, range: max - min,
    ensemble: labels ? subsetAccuracy(preds, preds.map((_, i) => i), labels) : NaN,
    curve: labels ? ensembleCurve(preds, labels, { subsets, seed: 0 }) : [],
  };
}

/** Per example: 1 when the ensemble of `preds` (one seed: a single model) predicts the label. */
function correct(preds: Predictions[], labels: ArrayLike<number>): Uint8Array {
  return Uint8Array.from(predictedClasses(preds), (c, e) => (c === labels[e] ? 1 : 0));
}

/** Per variant: single seeds, the ensemble, its curve, gain, churn and validation against test; then both deployment choices. */
export function deploymentAnalysis(variants: readonly VariantPredictions[], opts: { subsets?: number } = {}): Deployment {
  const subsets = opts.subsets ?? DEFAULT_ENSEMBLE_SUBSETS;
  const notes: string[] = [];
  const usable = variants.filter((v) => v.seeds.length >= 1);
  const out: VariantDeployment[] = usable.map((v) => {
    const val = v.seeds.map((s) => s.validation);
    const test = v.testLabels && v.seeds.every((s) => s.test) ? v.seeds.map((s) => s.test!) : undefined;
    const d: VariantDeployment = { variant: v.variant, seeds: v.seeds.length, validation: summarize(val, v.validationLabels, v.seedValidationLabels, subsets) };
    if (test) d.test = summarize(test, v.testLabels!, test.map(() => v.testLabels!), subsets);
    const ensembleSet = test ? { set: "test" as const, preds: test, labels: v.testLabels! } : v.validationLabels ? { set: "validation" as const, preds: val, labels: v.validationLabels } : undefined;
    if (ensembleSet && ensembleSet.preds.length >= 2) {
      d.gain = { ...ensembleGain(ensembleSet.preds, ensembleSet.labels), set: ensembleSet.set };
      d.churn = { ...churn(ensembleSet.preds.map((p) => predictedClasses([p]))), set: ensembleSet.set };
    }
    if (test && v.seeds.length >= 3) {
      const va = val.map((p, i) => subsetAccuracy([p], [0], v.seedValidationLabels[i]!));
      const ta = test.map((p) => subsetAccuracy([p], [0], v.testLabels!));
      d.validationVsTest = {
        seeds: validationTestAgreement(va, ta),
        ensembles: v.validationLabels ? ensembleValidationTest(val, v.validationLabels, test, v.testLabels!, { subsets }) : [],
        points: v.seeds.map((s, i) => ({ seed: s.seed, validation: va[i]!, test: ta[i]! })),
      };
    }
    return d;
  });
  const deployment: Deployment = { variants: out, notes };
  if (out.length === 0) return deployment;
  const byName = new Map(usable.map((v) => [v.variant, v]));
  const hasTest = out.every((d) => d.test);
  const compareSet = hasTest ? "test" : "validation";
  const sameExamples = hasTest || out.every((d) => !Number.isNaN(d.validation.ensemble));

  // Ensemble: the best ensemble of all seeds on validation (on test only when the seeds' validation splits differ: said in a note).
  const onValidation = out.every((d) => !Number.isNaN(d.validation.ensemble));
  const ensembleScore = (d: VariantDeployment) => (onValidation ? d.validation.ensemble : d.test?.ensemble ?? NaN);
  const ens = out.filter((d) => !Number.isNaN(ensembleScore(d))).sort((a, b) => ensembleScore(b) - ensembleScore(a));
  const e0 = ens[0], e1 = ens[1];
  if (e0) {
    const ensembleChoice: DeploymentChoice = {
      kind: "ensemble", variant: e0.variant, validation: e0.validation.ensemble, ...(e0.test ? { test: e0.test.ensemble } : {}),
      note: e1 && ensembleScore(e1) === ensembleScore(e0)
        ? `Its ensemble of ${e0.seeds} seeds ties with ${e1.variant}'s for the best on ${onValidation ? "validation" : "test"} (equal scores: the one listed first is named).`
        : `Its ensemble of ${e0.seeds} seeds is the best on ${onValidation ? "validation" : "test"}.`,
    };
    if (!onValidation) {
      notes.push(
        "the seeds were validated on different splits (the split factor varies), so their ensembles exist on the test set only: the ensemble choice above uses the test set, which makes its test score optimistic; " +
          "to choose on validation, give the study one split for every seed (split: \"shared\" in the study file, or --split shared)",
      );
    }
    if (e1) {
      ensembleChoice.runnerUp = e1.variant;
      const a = byName.get(e1.variant)!, b = byName.get(e0.variant)!;
      const set = hasTest ? "test" : "validation";
      const pick = (v: VariantPredictions) => (hasTest ? v.seeds.map((s) => s.test!) : v.seeds.map((s) => s.validation));
      const labels = hasTest ? b.testLabels! : b.validationLabels!;
      ensembleChoice.versusRunnerUp = { set, mcnemar: mcnemarModels(correct(pick(a), labels), correct(pick(b), labels)) };
    }
    deployment.ensemble = ensembleChoice;
  }

  // One seed: the best worst case on validation, then the smallest range.
  const single = [...out].sort((a, b) => b.validation.min - a.validation.min || a.validation.range - b.validation.range);
  const s0 = single[0]!, s1 = single[1];
  const singleChoice: DeploymentChoice = {
    kind: "single seed", variant: s0.variant, validation: s0.validation.min, ...(s0.test ? { test: s0.test.min } : {}),
    note: s1 && s1.validation.min === s0.validation.min && s1.validation.range === s0.validation.range
      ? `The worst of its ${s0.seeds} seeds ties with ${s1.variant}'s for the best worst case on validation, with the same span of ${(100 * s0.validation.range).toFixed(2)} pp (the one listed first is named).`
      : `The worst of its ${s0.seeds} seeds is the best worst case on validation, and its seeds span ${(100 * s0.validation.range).toFixed(2)} pp there.`,
  };
  if (s1) {
    singleChoice.runnerUp = s1.variant;
    const a = byName.get(s1.variant)!, b = byName.get(s0.variant)!;
    const rows = (v: VariantPredictions) => v.seeds.map((s, i) => (hasTest ? correct([s.test!], v.testLabels!) : correct([s.validation], v.seedValidationLabels[i]!)));
    if (a.seeds.length >= 2 && b.seeds.length >= 2 && sameExamples) {
      const paired = a.seeds.length === b.seeds.length && a.seeds.every((s, i) => s.seed === b.seeds[i]!.seed);
      singleChoice.versusRunnerUp = { set: compareSet, twoLevel: twoLevelDifference(rows(a), rows(b), { paired }) };
    }
  }
  deployment.singleSeed = singleChoice;
  if (!hasTest) notes.push("no held-out test set: the choices and their uncertainty rest on the validation split they were chosen on (optimistic)");
  return deployment;
}

// Accuracies in pp, signed and formatted as the verdict prints them (metric-units.ts).
const pct = (x: number) => metricValueText(x, true);
const signed = (x: number) => signedMetricValueText(x, true);

function setCells(s: SetSummary | undefined): string[] {
  if (!s) return ["-", "-", "-"];
  return [pct(s.mean), `${pct(s.min)}–${pct(s.max)} (${pct(s.range)})`, Number.isNaN(s.ensemble) ? "-" : pct(s.ensemble)];
}

/**
 * Where the variance of a two-level difference comes from, in words: the seed part, the
 * example part and their interaction (each seed's own errors on each example), as shares
 * that add up to 100%. Said in full because "seeds dominate" alone misleads when the
 * interaction, which more seeds also shrink, is most of it.
 */
function varianceSharesText(parts: { seeds: number; examples: number; interaction: number }, set: string): string {
  const total = parts.seeds + parts.examples + parts.interaction;
  const share = (x: number) => `${Math.round((100 * x) / total)}%`;
  return `${share(parts.seeds)} of its variance comes from seeds, ${share(parts.examples)} from the ${set} examples and ${share(parts.interaction)} from each seed's own errors on each example`;
}

/**
 * The one-seed choice explained in plain sentences (CLI, report, dashboard),
 * after the variant's name: why it, its worst seed's scores, then the difference from the
 * runner-up with its interval and what the interval is made of.
 */
export function singleSeedSentences(c: DeploymentChoice): string[] {
  const worst = [Number.isNaN(c.validation) ? "" : `${pct(c.validation)} pp on validation`, c.test !== undefined ? `${pct(c.test)} pp on test` : ""].filter(Boolean).join(" and ");
  const out = [c.note, `Its worst seed scores ${worst}.`];
  const t = c.versusRunnerUp?.twoLevel;
  if (t && c.runnerUp) {
    const set = c.versusRunnerUp!.set;
    const total = t.parts.seeds + t.parts.examples + t.parts.interaction;
    out.push(
      `Against ${c.runnerUp} on ${set}, the mean single-seed accuracy differs by ${signed(t.estimate)} pp, ${Math.round(100 * t.level)}% CI [${signed(t.lo)}, ${signed(t.hi)}].`,
      total > 0
        ? `That interval counts both seeds and ${set} examples: ${varianceSharesText(t.parts, set)}; ${t.narrowsMore === "more seeds" ? "more seeds" : `more ${set} examples`} would narrow it more.`
        : `That interval has no width: ${t.estimate === 0 ? `on every seed the two variants get exactly the same ${set} examples right` : `the difference is the same on every seed and every ${set} example`}, so neither more seeds nor more ${set} examples would change it.`,
    );
  }
  return out;
}

/**
 * The ensemble choice explained in plain sentences (CLI, report, dashboard),
 * after the variant's name: why it with its scores, then how its ensemble
 * differs from the runner-up's on the same examples.
 */
export function ensembleSentences(c: DeploymentChoice): string[] {
  const scores = [Number.isNaN(c.validation) ? "" : `${pct(c.validation)} pp on validation`, c.test !== undefined ? `${pct(c.test)} pp on test` : ""].filter(Boolean).join(", ");
  const out = [scores ? `${c.note.replace(/\.$/, "")}: ${scores}.` : c.note];
  const m = c.versusRunnerUp?.mcnemar;
  if (m && c.runnerUp) {
    out.push(
      `Against ${c.runnerUp}'s ensemble on ${c.versusRunnerUp!.set}: ${m.onlyB} examples only ${c.variant}'s gets right, ${m.onlyA} only ${c.runnerUp}'s; ` +
        `exact McNemar ${pValueClause(m.p)} (these seeds fixed: the uncertainty of the examples only).`,
    );
  }
  return out;
}

/** The deployment section of a verdict, as text (accuracies in percentage points, as the verdict prints them; churn in % of examples). */
export function formatDeployment(d: Deployment): string {
  if (d.variants.length === 0) return "";
  const lines = ["", "what to deploy (accuracies in pp, churn in % of examples; chosen on validation, the held-out test set beside it, never used to choose)"];
  const header = ["variant", "seeds", "val mean", "val min–max (range)", "val ensemble", "test mean", "test min–max (range)", "test ensemble", "ensemble gain, 95% CI", "churn"];
  const rows = d.variants.map((v) => [
    v.variant, String(v.seeds), ...setCells(v.validation), ...setCells(v.test),
    v.gain ? `${signed(v.gain.estimate)}${Number.isNaN(v.gain.lo) ? "" : ` [${signed(v.gain.lo)}, ${signed(v.gain.hi)}]`} (${v.gain.set})` : "-",
    v.churn ? `${pct(v.churn.mean)}% (${v.churn.set})` : "-",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows]) lines.push(r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd());
  if (d.ensemble) lines.push(`as an ensemble: ${d.ensemble.variant}. ${ensembleSentences(d.ensemble).join(" ")}`);
  if (d.singleSeed) lines.push(`as one seed: ${d.singleSeed.variant}. ${singleSeedSentences(d.singleSeed).join(" ")}`);
  for (const v of d.variants) {
    const vt = v.validationVsTest;
    if (!vt) continue;
    const k = vt.ensembles.filter((x) => x.k > 1 && !Number.isNaN(x.spearman));
    const ensembles = k.length ? `; across ${k[0]!.k}-seed ensembles ρ = ${k[0]!.spearman.toFixed(2)} (${k[0]!.n})` : "";
    lines.push(
      `validation vs test, ${v.variant} (${v.seeds} seeds): Spearman ρ = ${Number.isNaN(vt.seeds.spearman) ? "n/a" : vt.seeds.spearman.toFixed(2)}; ` +
        `the best seed on validation is ${vt.seeds.bestOnValidationIsBestOnTest ? "also best on test" : `rank ${vt.seeds.testRankOfBestOnValidation} of ${vt.seeds.n} on test (${pct(vt.seeds.testRegret)} pp below the best)`}${ensembles}`,
    );
  }
  for (const n of d.notes) lines.push(`note: ${n}`);
  return lines.join("\n");
}

/**
 * The predictions a study's runs kept, per variant (finished variants of
 * finished runs only). Validation ensembles need every seed validated on the
 * same examples: true when all runs share one split seed.
 */
export function studyPredictions(runs: readonly { plan: { label: number }; result: TwinResult }[], variants: readonly string[]): VariantPredictions[] {
  const splitSeeds = new Set(runs.map((r) => r.result.seeds.split));
  const sameSplit = splitSeeds.size === 1;
  return variants.map((variant) => {
    const seeds: SeedPredictions[] = [];
    const seedValidationLabels: ArrayLike<number>[] = [];
    let testLabels: ArrayLike<number> | undefined;
    for (const { plan, result } of runs) {
      const v = result.variants[variant];
      if (!v || v.status !== "finished" || !v.predictions || !v.numClasses) continue;
      const C = v.numClasses;
      if (v.predictions.length !== result.validationTargets.length * C) continue;
      const s: SeedPredictions = { seed: String(plan.label), validation: { data: v.predictions, shape: [result.validationTargets.length, C] } };
      if (v.testPredictions && result.testTargets.length * C === v.testPredictions.length) {
        s.test = { data: v.testPredictions, shape: [result.testTargets.length, C] };
        testLabels = result.testTargets;
      }
      seeds.push(s);
      seedValidationLabels.push(result.validationTargets);
    }
    const everyTest = seeds.length > 0 && seeds.every((s) => s.test);
    return {
      variant, seeds, seedValidationLabels,
      ...(sameSplit && seedValidationLabels.length ? { validationLabels: seedValidationLabels[0]! } : {}),
      ...(everyTest && testLabels ? { testLabels } : {}),
    };
  });
}

/** The deployment section of a study's results (its runs' kept predictions). */
export function studyDeployment(results: { runs: readonly { plan: { label: number }; result: TwinResult }[]; variants: readonly string[] }): Deployment {
  return deploymentAnalysis(studyPredictions(results.runs, results.variants));
}
