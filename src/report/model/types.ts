/** The report model: every number the report and the dashboard draw, as plain data. */
import type { ExpectedMaxPoint } from "../../stats/index.ts";
import type { AuditResult } from "../../study/control-sum-audit.ts";
import type { Analysis } from "../../study/analyze.ts";
import type { DeploymentData } from "./ensembles.ts";
import type { FactorialVerdict } from "../../study/factorial-verdict.ts";
import type { SetAside } from "../../study/not-independent.ts";
import type { FingerprintRuns } from "../../study/fingerprints-note.ts";

export interface SeedPoint {
  variant: string;
  seed: string;
  step: number;
  value: number;
}

export interface CurveStat {
  variant: string;
  step: number;
  /** Runs that reach this step. */
  n: number;
  mean: number;
  /** 95% t interval of the mean (only where n ≥ MIN_BAND_RUNS). */
  lo?: number;
  hi?: number;
  /** Quantiles of the runs at this step (5, 25, 75, 95%), set when the curve is summarised. */
  q?: [number, number, number, number];
}

export interface CurveData {
  tag: string;
  /** Variants in order; for a paired curve, the variants compared with the reference. */
  variants: string[];
  reference: string;
  /** true: the values are variant − reference on the same seed and step. */
  paired: boolean;
  seeds: SeedPoint[];
  stats: CurveStat[];
  /** Runs per variant (largest count over steps). */
  runs: Record<string, number>;
  minRuns: number;
  level: number;
  /** Legend text of the band. */
  bandLabel: string;
  /** Steps were thinned to at most MAX_CURVE_STEPS. */
  thinned: boolean;
  /**
   * More than SUMMARISE_ABOVE runs in some variant: quantile bands are drawn
   * and the per-run lines are a fixed sample (`drawn` per variant).
   */
  summarised: boolean;
  /** Per-run lines drawn per variant. */
  drawn: Record<string, number>;
  /** Quantiles come from a uniform sample of at most this many runs per step. */
  quantileSample: number;
  /** Smoothing weight applied to every series before the statistics (0: none). */
  smoothing: number;
  /** The variants of a seed were twin-trained (same batches), not separate runs. */
  twinTrained: boolean;
}

export interface FinalSample {
  metric: string;
  higherIsBetter: boolean;
  reference: string;
  variants: { name: string; values: { seed: string; value: number }[] }[];
}

export interface DistributionData {
  metric: string;
  higherIsBetter: boolean;
  /** Share of normal samples in which the black-swan cut-off flags a seed (each variant's cut-off depends on its n). */
  falseAlarm: number;
  /** Some variant has more seeds than are drawn as dots: `points` holds a sample plus every black swan. */
  summarised: boolean;
  variants: {
    name: string;
    n: number;
    /** Black swans among all n seeds. */
    swans: number;
    /** |robust z| beyond which a seed of this variant is a black swan (swanThreshold(n)); null below SWAN_MIN_SEEDS (4) seeds, where none can be detected. */
    threshold: number | null;
    /** Seeds drawn: all of them, or a fixed sample plus every black swan. */
    points: { seed: string; value: number; z: number | null; blackSwan: boolean }[];
    mean: number;
    ci: [number, number] | null;
    density: { x: number; density: number }[];
  }[];
  /**
   * Runs outside the verdict's seeds, drawn apart from them: runs set aside
   * (one factor varied at a time, grid cells) with their final value (at most
   * MAX_DOTS per variant, by seed hash), and runs that diverged or failed
   * (value null: their last logged value is not a result), kept or set aside.
   */
  apart: { variant: string; seed: string; value: number | null; outcome: "set aside" | "diverged" | "failed"; setAside: boolean }[];
  /** Runs set aside with a final value, per variant (those in `apart` may be a sample). */
  setAsideCounts: Record<string, number>;
  notes: string[];
}

export interface DifferenceData {
  metric: string;
  higherIsBetter: boolean;
  /** true: the pairs are twin-trained runs (same batches); false: separate runs that share a seed; undefined: not known (results from a file). */
  twinTrained?: boolean;
  comparisons: {
    a: string;
    b: string;
    paired: boolean;
    n: number;
    /** Per-seed differences b − a (paired only): all of them, or a fixed sample of `n` when summarised. */
    points: { seed: string; diff: number }[];
    /** Seeds whose difference is a black swan among the paired differences (the verdict's `black_swans`), with their robust z; drawn even when the dots are a sample. */
    swans: { seed: string; z: number }[];
    diff: number;
    ci: [number, number];
    test: string;
    /** How the test's p was computed (exact, asymptotic, monte-carlo), as the verdict names the test. */
    method: string;
    p: number;
  }[];
  level: number;
}

export interface VarianceData {
  available: boolean;
  reason?: string;
  metric: string;
  factors: { variant: string; factor: string; n: number; variance: number; sd: number; lo: number; hi: number; share: number; shareCi: [number, number] | null; shareCiUncut: [number, number] | null }[];
  /** Per variant: the all-varied variance (or the factors' sum without all-varied runs) with its chi-square interval (null without them). */
  totals: { variant: string; total: number; lo: number | null; hi: number | null; interaction: number | null; allRuns: number }[];
  notes: string[];
}

export interface PowerData {
  available: boolean;
  reason?: string;
  metric: string;
  power: number;
  alpha: number;
  /** `curve`: 2 to min(64, max(20, 2n)) seeds; `now`: the difference detectable at the current n seeds (also when n is beyond the curve). */
  comparisons: { a: string; b: string; design: "paired" | "two-sample"; sd: number; n: number; now: number; observed: number; curve: { seeds: number; detectable: number }[] }[];
}

export interface ExpectedMaxData {
  metric: string;
  higherIsBetter: boolean;
  variants: { name: string; curve: ExpectedMaxPoint[] }[];
}

export interface ReproData extends AuditResult {
  /** Each distinct fingerprint, with how many runs carry it and their seeds. */
  fingerprints: FingerprintRuns[];
}

export interface ReportModel {
  study: string;
  source: string;
  generatedAt: string;
  variants: string[];
  reference: string;
  seeds: string[];
  /** Every run; `setAside`: one of the runs the verdict sets aside as not an independent seed (analysis.set_aside). */
  runs: { variant: string; seed: string; status: string; lastStep: number; final: number | null; where: string; notes: string[]; setAside?: true }[];
  /** Runs the verdict and the final-value views but the variance by factor leave out (not independent seeds), also when there is no verdict; null when none. */
  setAside: SetAside | null;
  metric: string;
  higherIsBetter: boolean;
  /** The metric's values are printed in percentage points, as the CLI prints them (study/metric-units.ts). */
  percent: boolean;
  /** Every tag logged by some run (the dashboard's metric picker). */
  tags: string[];
  /** The variants of a seed were twin-trained (same batches), not separate runs that share a seed. */
  twinTrained: boolean;
  /** The study's runs give final values only (a results file): it has no curves. */
  finalValuesOnly?: true;
  analysis: Analysis | null;
  analysisError?: string;
  /** A factorial study (its design recorded with it): main effects, interactions, per-setting effects, interaction means; the numbers of the CLI's factorial verdict. Null otherwise. */
  factorial: FactorialVerdict | null;
  /** Why a factorial study has no factorial analysis (a cell without runs yet, an unreadable design). */
  factorialError?: string;
  curves: CurveData[];
  pairedCurves: CurveData[];
  final: FinalSample;
  distribution: DistributionData;
  differences: DifferenceData;
  variance: VarianceData;
  power: PowerData;
  expectedMax: ExpectedMaxData;
  /**
   * Seed ensembles, validation against test, churn and what to deploy, from
   * the runs' per-example predictions: one section for a study; in a view of
   * several studies (runs with `study`), one per study, each with `study` set.
   */
  deployments: DeploymentData[];
  repro: ReproData;
  warnings: string[];
}

