/** `twin sweep -- <command…>`: any training command over seeds, its metrics stored and analysed. */
import type { Command } from "commander";
import { addMetricOptions } from "./metric-options.ts";
import { FACTORS } from "../rng/factors.ts";
import type { TestChoice } from "../study/analyze.ts";
import { checkFactor, checkVariantName, parseCount, parseSeconds, parseSeed } from "../study/sweep-input.ts";
import { readVariantsFile } from "../study/sweep-variants-file.ts";
import { runSweep, type SweepOptions, type SweepOutcome, type SweepResult, type SweepRunInfo, type SweepVariant } from "../study/sweep.ts";
import { lowerIsBetterOption } from "../study/metric-direction.ts";
import { formatAnalysis } from "./stats.ts";
import { interruptSignal } from "./interrupt.ts";
import { EXIT, UsageError } from "./exit-codes.ts";
import { splitOption } from "./study-options.ts";
import { parseLooks, parseSpending, sequentialSummary, SEQUENTIAL_HELP } from "./sequential-options.ts";
import { runSequentialSweep, type SequentialSweepOptions } from "../study/sweep-sequential.ts";
import { formatLook, sequentialJson, type SequentialPlan } from "../study/sequential-compare.ts";
import { formatDeployment } from "../study/deployment.ts";
import { metricValueText, showsPercentPoints } from "../study/metric-units.ts";
import { textTable } from "../study/text-table.ts";

interface SweepFlags {
  seeds: string;
  first: string;
  vary?: string;
  variant?: string;
  variantsFile?: string;
  name?: string;
  timeout?: string;
  killAfter: string;
  jobs: string;
  metric?: string;
  lowerIsBetter?: boolean;
  higherIsBetter?: boolean;
  reference?: string;
  test: string;
  alpha: string;
  store?: string;
  retryFailed?: boolean;
  allowChanged?: boolean;
  verbose?: boolean;
  json?: boolean;
  sequential?: boolean;
  looks?: string;
  spending: string;
  split?: string;
}

const TESTS = ["auto", "t", "welch", "wilcoxon", "mannwhitney", "permutation"];

/** A run's logged value as the verdict prints values, but NaN and ±Infinity named: a run's line says it diverged. */
function runValueText(x: number): string {
  return Number.isFinite(x) ? metricValueText(x, false) : String(x);
}

function seedText(o: { label: number; seeds: Record<string, string>; rootSeed: string }): string {
  const varied = Object.entries(o.seeds).filter(([, s]) => s !== o.rootSeed);
  return varied.length ? `seed ${o.rootSeed} (${varied.map(([f, s]) => `${f} ${s}`).join(", ")})` : `seed ${o.rootSeed}`;
}

function outcomeLine(o: SweepOutcome, done: number, total: number): string {
  const head = `[${done}/${total}] ${o.variant} ${seedText(o)}`;
  if (o.status === "skipped") return `${head}: not run`;
  const metrics = Object.entries(o.metrics).slice(0, 4).map(([k, v]) => `${k} ${runValueText(v)}`).join("  ");
  if (o.status === "finished") return `${head}: ${o.reused ? "finished earlier (kept)" : `finished in ${o.seconds?.toFixed(1)} s`}  ${metrics}`;
  const [first, ...rest] = (o.error ?? "failed").split("\n");
  const earlier = o.reused ? " earlier (kept; --retry-failed runs it again)" : "";
  return `${head}: FAILED${earlier}: ${first}${rest.length && !o.reused ? "\n" + rest.map((l) => `    ${l}`).join("\n") : ""}`;
}

/** The human-readable end of a sweep: distributions per metric, the verdict, failures. */
export function formatSweep(r: SweepResult): string {
  const lines: string[] = [];
  const finished = r.runs.filter((o) => o?.status === "finished").length;
  const interrupted = r.runs.filter((o) => o?.status === "failed" && o.error?.startsWith("interrupted")).length;
  const failed = r.runs.filter((o) => o?.status === "failed").length - interrupted;
  const kept = r.runs.filter((o) => o?.reused).length;
  lines.push(`sweep ${r.name}${r.vary ? ` · varying ${r.vary} only` : ""} · ${finished} finished, ${failed} failed of ${r.runs.length} runs${kept ? ` (${kept} kept from an earlier sweep, not run again)` : ""} · store ${r.store}`);
  for (const s of r.summaries) {
    // An accuracy of fractions in pp, as the verdict below prints it (metric-units.ts).
    const pp = showsPercentPoints(s.metric, s.variants.flatMap((v) => [v.min, v.max]));
    const num = (x: number) => metricValueText(x, pp);
    lines.push("", s.metric);
    const header = ["variant", "n", `mean ± sd${pp ? " (pp)" : ""}`, "min", "max", ""];
    const rows = s.variants.map((v) => [v.name, String(v.n), `${num(v.mean)} ± ${num(v.sd)}`, num(v.min), num(v.max), v.nonFinite ? `(${v.nonFinite} NaN/Inf left out)` : ""]);
    // Widths from the printed strings, so values near 1e300 do not run the columns together (text-table.ts).
    const table = textTable([header, ...rows], [{ align: "left", min: 7 }, { align: "right", min: 3 }, { align: "right", min: 21 }, { align: "right", min: 10 }, { align: "right", min: 10 }, { align: "left" }]);
    lines.push(...table.map((l) => `  ${l}`));
  }
  if (r.analysis) lines.push("", formatAnalysis(r.analysis));
  const deployment = r.deployment ? formatDeployment(r.deployment) : "";
  if (deployment) lines.push(deployment);
  if (r.repeatedAnalysis) lines.push(`warning: ${r.repeatedAnalysis}`);
  else if (r.analysisNote) lines.push("", r.analysisNote);
  if (failed) lines.push("", `${failed} run(s) failed; their errors (with the tail of stderr) are stored: twin runs --study ${r.name}`);
  if (r.stopped || interrupted) lines.push("", `${interrupted ? `${interrupted} run(s) interrupted; ` : ""}stopped early; run the same command again to finish the sweep (finished runs are kept)`);
  return lines.join("\n");
}

/**
 * twin's exit codes (exit-codes.ts): 0 when every run finished; EXIT.runsFailed
 * when one or more failed, every run included (what finished is analysed and
 * printed); 128 + the signal's number when stopped by one (130 for Ctrl-C,
 * 143 for SIGTERM, 129 for SIGHUP).
 */
export function sweepExitCode(r: SweepResult, signalCode: number | undefined): number {
  if (r.stopped) return signalCode ?? EXIT.interrupted;
  return r.runs.some((o) => o?.status === "failed") ? EXIT.runsFailed : EXIT.ok;
}

export function registerSweep(program: Command): void {
  const cmd = program
    .command("sweep")
    .argument("[command...]", "the training command, after --")
    .description("run any training command once per seed (per-factor seeds in TWIN_SEED_<FACTOR>), collect, store and analyse its metrics")
    .option("--seeds <n>", "number of seeds", "5")
    .option("--first <s>", "first seed", "0")
    .option("--vary <factor>", `vary only this factor's seed (the root stays at --first): ${FACTORS.join(", ")}`)
    .option("--variant <name>", "variant name of this command (sweep several into one --name for a paired comparison)", "default")
    .option("--variants-file <file.json>", 'several variants at once: {"base": ["python", "train.py"], "wide": "python train.py --width 512"}')
    .option("--name <sweep>", "sweep (study) name in the store (default: from the command, e.g. train for python train.py)")
    .option("--timeout <s>", "stop a run after this many seconds (SIGTERM, then SIGKILL)")
    .option("--kill-after <s>", "seconds between SIGTERM and SIGKILL", "10")
    .option("--jobs <j>", "commands at once", "1")
    .option("--split <mode>", "per-seed: each run's TWIN_SEED_SPLIT follows its seed (the default); shared: every run gets the first run's, so a command that draws its validation split from it validates every seed on the same examples and seed ensembles are chosen on validation");
  addMetricOptions(cmd, "metric of the paired verdict (default: an accuracy, else a validation metric, else the first)")
    .option("--reference <variant>", "variant the others are compared with (default: the first swept)")
    .option("--test <name>", `test: ${TESTS.join("|")}`, "auto")
    .option("--alpha <a>", "significance level", "0.05")
    .option("--store <url>", "store: postgres://… or a SQLite path (default .twin/twin.db)")
    .option("--retry-failed", "run failed runs again (the failed records stay in the store)")
    .option("--allow-changed", "continue a variant whose command or files changed since its first runs")
    .option("--sequential", SEQUENTIAL_HELP.sequential + " (two or more variants: --variants-file)")
    .option("--looks <list>", SEQUENTIAL_HELP.looks)
    .option("--spending <f>", SEQUENTIAL_HELP.spending, "obrien-fleming")
    .option("--verbose", "pass the command's output through (prefixed with variant and seed)")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Each run gets TWIN_SEED, TWIN_SEED_INIT/ORDER/AUGMENT/DROPOUT/SPLIT/EVAL, TWIN_RUN_DIR (a fresh
folder, .twin/sweeps/<name>/<variant>/seed-<n>/) and TWIN_VARIANT. Metrics: JSON lines on stdout
({"step": 100, "val_accuracy": 0.87}), or metrics.jsonl / TensorBoard event files under TWIN_RUN_DIR.
Per-example predictions: predictions.npy [examples, classes] + labels.npy, test_predictions.npy +
test_labels.npy in TWIN_RUN_DIR are kept in the store with the run.

Exit codes: 0 every run finished; 1 twin could not run the sweep (store, files); 2 a wrong
option, or a missing path named on the command line; 3 one or more runs failed, every run included (what finished is analysed); 130/143/129
stopped by Ctrl-C/SIGTERM/SIGHUP (the commands are ended too; run the same command again to finish).

Examples:
  $ twin sweep --seeds 5 -- python3 examples/pytorch_train.py
  $ twin sweep --name mlp --variant base --seeds 8 -- python3 examples/pytorch_train.py
  $ twin sweep --name mlp --variant dropout --seeds 8 -- python3 examples/pytorch_train.py --dropout 0.3
  $ twin sweep --vary order --seeds 10 -- python3 train.py
  $ twin sweep --variants-file variants.json --seeds 8 --jobs 4 --timeout 600
  $ twin sweep --variants-file variants.json --sequential --looks 5,10,15,20   # stop once decided; rerun to resume`,
    )
    .action(async (command: string[], opts: SweepFlags, cmd: Command) => {
      const seeds = parseCount(opts.seeds, "--seeds");
      const first = parseSeed(opts.first, "--first");
      const jobs = parseCount(opts.jobs, "--jobs");
      const split = splitOption(opts);
      const vary = opts.vary === undefined ? undefined : checkFactor(opts.vary);
      const timeout = opts.timeout === undefined ? undefined : parseSeconds(opts.timeout, "--timeout");
      const killAfter = parseSeconds(opts.killAfter, "--kill-after", true);
      if (!TESTS.includes(opts.test)) throw new Error(`--test must be one of ${TESTS.join(", ")} (got '${opts.test}')`);
      const alpha = Number(opts.alpha);
      if (!(alpha > 0 && alpha < 1)) throw new Error(`--alpha must be in (0, 1) (got '${opts.alpha}')`);
      const direction = lowerIsBetterOption(opts);
      const spending = parseSpending(opts);
      const looks = opts.sequential ? parseLooks(opts.looks, cmd.getOptionValueSource("seeds") === "cli" ? seeds : undefined) : undefined;
      if (looks && opts.vary !== undefined) throw new UsageError("--sequential adds seeds of every factor at once; it cannot be combined with --vary");
      let variants: SweepVariant[];
      if (opts.variantsFile !== undefined) {
        if (command.length) throw new UsageError("give either --variants-file or a command after --, not both");
        if (cmd.getOptionValueSource("variant") === "cli") throw new Error("--variant names the command after --; with --variants-file the file names the variants");
        variants = readVariantsFile(opts.variantsFile);
      } else {
        if (command.length === 0) {
          throw new UsageError("no command to run: put the training command after --, e.g. twin sweep --seeds 5 -- python3 train.py");
        }
        variants = [{ name: checkVariantName(opts.variant ?? "default"), command }];
      }
      const interrupt = interruptSignal();
      let result: SweepResult;
      let plan: SequentialPlan | undefined;
      try {
        const sweepOptions = {
          name: opts.name,
          variants,
          seeds,
          first,
          vary,
          ...(split ? { split } : {}),
          timeout,
          killAfter,
          jobs,
          storeUrl: opts.store,
          retryFailed: opts.retryFailed,
          allowChanged: opts.allowChanged,
          signal: interrupt.signal,
          metric: opts.metric,
          ...direction,
          reference: opts.reference,
          test: opts.test as TestChoice,
          alpha,
          onRunStart: (run) => {
            if (!opts.json || opts.verbose) process.stderr.write(`running ${run.variant} ${seedText(run)} → ${run.runDir}\n`);
          },
          onRunEnd: (o, done, total) => process.stderr.write(outcomeLine(o, done, total) + "\n"),
          onOutput: opts.verbose ? (run: SweepRunInfo, line: string) => process.stderr.write(`[${run.variant} seed-${run.label}] ${line}\n`) : undefined,
        } satisfies SweepOptions;
        if (looks) {
          if (variants.length < 2) throw new UsageError("--sequential compares variants look by look: give two or more in one command with --variants-file, so that each look runs every variant's seeds");
          const onLook: SequentialSweepOptions["onLook"] = (p, b, l, percent) => process.stderr.write(formatLook(p, p.comparisons.find((c) => c.b === b)!, l, percent) + "\n");
          ({ result, plan } = await runSequentialSweep({ ...sweepOptions, looks, spending, onLook }));
        } else result = await runSweep(sweepOptions);
      } finally {
        interrupt.release();
      }
      if (opts.json) process.stdout.write(JSON.stringify(plan ? { ...result, sequential: sequentialJson(plan) } : result, null, 2) + "\n");
      else process.stdout.write(formatSweep(result) + (plan ? `\n\n${sequentialSummary(plan)}` : "") + "\n");
      process.exitCode = sweepExitCode(result, interrupt.exitCode());
    });
}
