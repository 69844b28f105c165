/** The shapes of a sweep: what it is asked to run, what each run gave, what the sweep reports. */
import type { Analysis, TestChoice } from "./analyze.ts";
import type { ResultTable } from "./results-file.ts";
import type { MetricSummary } from "./sweep-results.ts";
import type { Deployment } from "./deployment.ts";
import type { SplitMode } from "./split-mode.ts";

export interface SweepVariant {
  name: string;
  /** argv: run as is, no shell. */
  command: string[];
  /** Extra environment variables for this variant. */
  env?: Record<string, string>;
}

export interface SweepOptions {
  /** Study name in the store (default: from the command, e.g. `train` for `python train.py`). */
  name?: string;
  variants: SweepVariant[];
  /** Number of seeds (default 5). */
  seeds?: number;
  /** First seed (default 0). */
  first?: number;
  /** Vary only this factor's seed; the root seed stays at `first`. */
  vary?: string;
  /**
   * "shared": every run gets the first planned run's TWIN_SEED_SPLIT, so a command that draws its validation split
   * from it validates every seed on the same examples (seed ensembles on validation); "per-seed" (default): each seed's own.
   */
  split?: SplitMode;
  /** Seconds per run (none by default). */
  timeout?: number;
  /** Seconds between SIGTERM and SIGKILL (default 10). */
  killAfter?: number;
  /** Commands at once (default 1). */
  jobs?: number;
  storeUrl?: string;
  cwd?: string;
  /** Run failed runs again (a new record; the failed one stays for the audit trail). */
  retryFailed?: boolean;
  /** Accept a variant whose command or files changed since its first runs. */
  allowChanged?: boolean;
  /** Stops the sweep: running commands are ended and recorded as interrupted (the abort reason, e.g. "SIGTERM", says why). */
  signal?: AbortSignal;
  /** Bytes of each output stream kept in a run's log files (default 256 MiB). */
  maxLogBytes?: number;
  /** Analysis of the chosen metric (default: an accuracy, else a validation metric, else the first). */
  metric?: string;
  lowerIsBetter?: boolean;
  reference?: string;
  test?: TestChoice;
  alpha?: number;
  /** This verdict is a planned look of a sequential design: recorded as such and never warned about as a repeated analysis. */
  plannedLook?: boolean;
  onRunStart?: (run: SweepRunInfo) => void;
  onRunEnd?: (outcome: SweepOutcome, done: number, total: number) => void;
  onOutput?: (run: SweepRunInfo, line: string, stream: "stdout" | "stderr") => void;
  onWarning?: (message: string) => void;
}

export interface SweepRunInfo {
  id: string;
  variant: string;
  label: number;
  rootSeed: string;
  seeds: Record<string, string>;
  runDir: string;
}

export interface SweepOutcome extends SweepRunInfo {
  status: "finished" | "failed" | "skipped";
  /** true when the run was already in the store (finished or failed earlier) and not run now. */
  reused: boolean;
  error?: string;
  /** Final value of each metric. */
  metrics: Record<string, number>;
  seconds?: number;
}

export interface SweepResult {
  name: string;
  store: string;
  vary: string | null;
  /** The runs this sweep asked for, in plan order. */
  runs: SweepOutcome[];
  stopped: boolean;
  /** Final values of every finished run of the study's variants (their current commands). */
  table: ResultTable;
  summaries: MetricSummary[];
  /** The verdict on the chosen metric when the study has two or more variants. */
  analysis?: Analysis;
  /** Why there is no verdict (one variant, no finished runs…). */
  analysisNote?: string;
  /** Set when this study's verdict was also printed, unplanned, at other numbers of seeds (re-testing inflates false positives). */
  repeatedAnalysis?: string;
  /** What to deploy, from the prediction files the runs wrote (absent when none did). */
  deployment?: Deployment;
}
