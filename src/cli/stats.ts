/** `twin stats FILE`: the verdict for results from anywhere (CSV/TSV, JSON Lines, a TensorBoard log directory). */
import type { Command } from "commander";
import { addMetricOptions } from "./metric-options.ts";
import { analyzeResults, type Analysis, type TestChoice } from "../study/analyze.ts";
import { readResults, type ResultTable } from "../study/results-file.ts";
import { sweepResults } from "../study/sweep-results.ts";
import { sweepFolderStudy } from "./sweep-folder.ts";
import { defaultMetric, isBookkeeping, lowerIsBetterOption } from "../study/metric-direction.ts";
import { formatVerdict } from "../study/verdict.ts";
import { showsPercentPoints } from "../study/metric-units.ts";
import { flagFailedRuns, UsageError } from "./exit-codes.ts";
import { existsSync } from "node:fs";
import { WrongInputError } from "../log/wrong-input.ts";
import { join } from "node:path";
import { priorAnalyses, recordAnalysis, repeatedAnalysisWarning } from "../study/analysis-log.ts";
import { testMetricFor, withTestSet } from "../study/test-set-verdict.ts";
import { hasPredictionFiles, resultsPredictions } from "../study/results-predictions.ts";
import { deploymentAnalysis, formatDeployment } from "../study/deployment.ts";
import { fingerprintsNote } from "../study/fingerprints-note.ts";

interface StatsOptions {
  metric?: string;
  lowerIsBetter?: boolean;
  higherIsBetter?: boolean;
  reference?: string;
  paired?: boolean;
  unpaired?: boolean;
  test: string;
  alpha: string;
  json?: boolean;
  plot?: string;
  smallestDifference?: string;
  store?: string;
  factors?: string;
  testMetric?: string;
  labels?: string;
  testLabels?: string;
}

const TESTS = ["auto", "t", "welch", "wilcoxon", "mannwhitney", "permutation"];

/** The analysis as text, an accuracy of fractions in percentage points as every command prints it (study/metric-units.ts). */
export function formatAnalysis(a: Analysis): string {
  const values = a.variants.filter((v) => v.n > 0).flatMap((v) => [v.min, v.max]);
  return formatVerdict("", a, showsPercentPoints(a.metric, values));
}

/** True when any run of the analysis diverged or failed (the command then exits with EXIT.runsFailed). */
export function anyRunFailed(a: Analysis): boolean {
  return a.variants.some((v) => v.diverged + v.failed > 0);
}

/**
 * For a log folder of a study that is also in a store: records this analysis
 * and warns when the study was analysed at other sizes. No store, or the study
 * not in it: nothing (stats never creates a store).
 */
async function storedStudyWarning(url: string | undefined, study: string, seeds: number): Promise<string | undefined> {
  const { defaultStorePath, openStore } = await import("../store/open.ts"); // the database drivers: loaded only for a log folder
  if (!url && !existsSync(defaultStorePath())) return undefined;
  const store = await openStore(url);
  try {
    if (!(await store.getStudy(study))) return undefined;
    const prior = await priorAnalyses(store, study);
    await recordAnalysis(store, study, seeds);
    return repeatedAnalysisWarning(prior, seeds);
  } finally {
    await store.close();
  }
}

/** Reads --smallest-difference: a positive number in the metric's units. */
export function parseSmallestDifference(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const d = Number(raw);
  if (!(Number.isFinite(d) && d > 0)) throw new UsageError(`--smallest-difference must be a positive number in the metric's units (got '${raw}')`);
  return d;
}

/**
 * A sweep's results by its name, from the store (`url`, else .twin/twin.db when
 * it exists), as `twin sweep` analyses them; undefined when there is no store
 * or no study of that name. A study of twin's own runs there is named with the
 * command that reads it.
 */
async function storedSweepResults(name: string, url: string | undefined): Promise<ResultTable | undefined> {
  const { defaultStorePath, openStore } = await import("../store/open.ts"); // the database drivers: loaded only for a name
  if (!url && !existsSync(defaultStorePath())) return undefined;
  const store = await openStore(url, { existing: true, readOnly: true });
  try {
    const study = await store.getStudy(name);
    if (!study) return undefined;
    if ((study.spec as { kind?: string } | null)?.kind !== "sweep") {
      throw new WrongInputError(`${name}: no such file or directory; ${name} is a study in the store ${store.location} (twin's own runs, without a log folder here): \`twin report ${name}\` gives its verdict and charts; twin stats reads results files, log folders (runs/${name} where it was trained) and sweeps by name`, name);
    }
    return { ...(await sweepResults(store, name)), study: name };
  } finally {
    await store.close();
  }
}

/** The results in `file`; a study's name points to its log folder under runs/, a sweep's name to its results in the store, a sweep's folder without metrics files to its store (its metrics came on the commands' stdout). */
async function readStatsInput(file: string, storeUrl: string | undefined): Promise<ResultTable> {
  try {
    return readResults(file);
  } catch (e) {
    const isName = !existsSync(file) && !/[\\/]/.test(file);
    // A study's name where its log folder was meant.
    const logFolder = join("runs", file);
    if (isName && existsSync(logFolder)) {
      throw new WrongInputError(`${file}: no such file or directory; ${logFolder} is the log folder of study ${file}: \`twin stats ${logFolder}\``, file);
    }
    const stored = isName ? await storedSweepResults(file, storeUrl) : undefined;
    if (stored) return stored;
    const sweep = existsSync(file) ? sweepFolderStudy(file) : undefined;
    if (!sweep) throw e;
    throw new WrongInputError(`${file}: a folder of sweep ${sweep.study}, which holds only what its commands wrote: its metrics are in the store ${sweep.store}; \`twin report ${sweep.study}\` reports them, and the same \`twin sweep --name ${sweep.study} …\` command again prints its verdict (finished runs are kept)`, file);
  }
}

export function registerStats(program: Command): void {
  const cmd = program
    .command("stats <file|logdir>")
    .description("compare variants from a results file (CSV/TSV or JSON Lines in long form: variant, seed, metrics, optional status) or a TensorBoard log directory");
  addMetricOptions(cmd, "metric column or tag (default: a validation accuracy or score, never epoch/step/lr)")
    .option("--reference <name>", "variant the others are compared with (default: the first)")
    .option("--paired", "pair runs by seed (default when every variant has the same seeds)")
    .option("--unpaired", "treat runs as independent")
    .option("--test <name>", `test: ${TESTS.join("|")}`, "auto")
    .option("--alpha <a>", "significance level; intervals are 1 − alpha", "0.05")
    .option("--smallest-difference <d>", "the smallest difference that matters (metric units): advice plans for it; 'equivalent' is said only within it")
    .option("--store <url>", "the store of a sweep named by its name, or of a log folder's study (to warn when the study was analysed at several sizes) (default: .twin/twin.db when it exists)")
    .option("--factors <names>", "factorial results: the factor columns (comma-separated); every combination of their levels on every seed gives main effects, interactions and per-setting effects")
    .option("--test-metric <name>", "the held-out test set's column, shown beside the metric and never used to choose (default: test_X for a metric val_X, val/X, validation_X when that column exists)")
    .option("--labels <file>", "true classes of the examples in the rows' `predictions` files (one per example, NPY or CSV): gives the deployment choice")
    .option("--test-labels <file>", "true classes of the examples in the rows' `test_predictions` files")
    .option("--json", "print the analysis as JSON (fields: docs/verdict-json.md)")
    .option("--plot <out.png>", "also write the seed distributions and the differences as a PNG chart")
    .addHelpText(
      "after",
      "\nRuns that diverged or failed count: a NaN/Inf value or a `status` column (finished, diverged, failed) marks them; empty cells are reported by row." +
        "\nExit status: 0; 3 when some runs diverged or failed (the analysis is printed); 2 for a bad command line (an option, or a path that does not exist or is not results); 1 for other errors." +
        "\nPer-seed prediction files: `predictions` and `test_predictions` columns (paths relative to the results file) with --labels/--test-labels add what to deploy (best ensemble; best worst seed)." +
        "\n\nExamples:\n  $ twin stats results.csv --metric accuracy\n  $ twin stats results.csv --metric val_accuracy --labels val_labels.npy --test-labels test_labels.npy\n  $ twin stats runs/fmnist-demo --metric val/loss --json\n  $ twin stats my-sweep                 a twin sweep by its name: its results from the store\n  $ twin stats results.jsonl --unpaired --test mannwhitney\n  $ twin stats results.csv --plot stats.png\n  $ twin stats grid.csv --factors optimizer,dropout --metric accuracy",
    )
    .action(async (file: string, opts: StatsOptions) => {
      if (opts.paired && opts.unpaired) throw new UsageError("--paired and --unpaired contradict each other; pass one");
      if (!TESTS.includes(opts.test)) throw new UsageError(`--test must be one of ${TESTS.join(", ")} (got '${opts.test}')`);
      const alpha = Number(opts.alpha);
      if (!(alpha > 0 && alpha < 1)) throw new UsageError(`--alpha must be a number between 0 and 1, e.g. 0.05 (got '${opts.alpha}')`);
      const direction = lowerIsBetterOption(opts);
      if (opts.factors !== undefined) {
        const ignored = (["reference", "paired", "unpaired", "smallestDifference", "testMetric", "labels", "testLabels"] as const).filter((k) => opts[k] !== undefined).concat(opts.test !== "auto" ? ["test" as never] : []);
        if (ignored.length) throw new UsageError(`--factors analyses every effect with per-seed contrasts; ${ignored.map((k) => `--${String(k).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")} do${ignored.length === 1 ? "es" : ""} not apply to it`);
        const { statsFactors } = await import("./stats-factors.ts");
        return statsFactors(file, { ...opts, factors: opts.factors }, direction);
      }
      const smallest = parseSmallestDifference(opts.smallestDifference);
      const table = await readStatsInput(file, opts.store);
      if (opts.metric !== undefined && !table.metrics.includes(opts.metric)) {
        throw new UsageError(`--metric ${opts.metric}: ${file} has no such metric; available: ${table.metrics.join(", ")}`);
      }
      const metric = opts.metric ?? defaultMetric(table.metrics);
      if (metric === undefined && table.metrics.length === 0) {
        const failed = table.rows.filter((r) => r.status === "failed" || r.status === "diverged").length;
        throw new Error(`${file}: no run reported a metric (${failed} of ${table.rows.length} runs failed or diverged${table.rows[0]?.error ? `; the first: ${table.rows[0].error}` : ""}), so there is nothing to compare`);
      }
      if (metric === undefined) {
        throw new Error(`${file}: no result metric found (only bookkeeping scalars: ${table.metrics.filter(isBookkeeping).join(", ") || "none"}); name one with --metric`);
      }
      const settings = {
        ...direction,
        reference: opts.reference,
        paired: opts.paired ? true : opts.unpaired ? false : undefined,
        test: opts.test as TestChoice,
        alpha,
      };
      if (opts.testMetric !== undefined && !table.metrics.includes(opts.testMetric)) {
        throw new UsageError(`--test-metric ${opts.testMetric}: ${file} has no such column (metrics: ${table.metrics.join(", ")})`);
      }
      const testMetric = opts.testMetric ?? testMetricFor(metric, table.metrics);
      const percent = showsPercentPoints(metric, table.rows.map((r) => r.metrics[metric] ?? NaN));
      const validation = analyzeResults(table, { metric, ...settings, percent, ...(smallest !== undefined ? { smallestDifference: smallest } : {}) });
      const analysis = testMetric === undefined ? validation : withTestSet(validation, analyzeResults(table, { metric: testMetric, ...settings }), `column ${testMetric}, the held-out test set: reported beside ${metric}, never used to choose`);
      const deployment = hasPredictionFiles(table) || opts.labels !== undefined ? deploymentAnalysis(resultsPredictions(table, file, { labels: opts.labels, testLabels: opts.testLabels })) : undefined;
      const warning = table.study === undefined ? undefined : await storedStudyWarning(opts.store, table.study, analysis.seeds);
      if (opts.json) process.stdout.write(JSON.stringify({ ...analysis, metric_source: opts.metric ? "--metric" : "default", ...(deployment ? { deployment } : {}), repeated_analysis: warning ?? null, fingerprints: table.fingerprints ?? null }, null, 2) + "\n");
      else {
        if (!opts.metric) process.stdout.write(`metric: ${metric} (chosen by default from ${table.metrics.length} metric(s); --metric to pick another)\n`);
        process.stdout.write(formatAnalysis(analysis) + "\n");
        if (analysis.variants.length === 1) {
          const only = analysis.variants[0]!.name;
          process.stdout.write(`note: one variant (${only}), so nothing is compared: a verdict needs a second variant over the same seeds (${table.study !== undefined ? "a second <variant>/ folder" : "rows with another name in the variant column"})\n`);
        }
        const deploymentText = deployment ? formatDeployment(deployment) : "";
        if (deploymentText) process.stdout.write(deploymentText + "\n");
        if (table.fingerprints) process.stdout.write(`warning: ${fingerprintsNote(table.fingerprints)}\n`);
        if (warning) process.stdout.write(`warning: ${warning}\n`);
      }
      if (opts.plot !== undefined) {
        const { writeStatsPlot } = await import("../report/stats-plot.ts"); // Vega: loaded only for --plot
        const path = await writeStatsPlot(table, analysis, opts.plot);
        if (!opts.json) process.stdout.write(`wrote ${path}\n`);
      }
      if (anyRunFailed(analysis)) flagFailedRuns();
    });
}
