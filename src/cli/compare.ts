/** `twin compare <study>`: twin-train the study's variants over seeds and print the paired verdict. */
import type { Command } from "commander";
import { resolve } from "node:path";
import { formatVerdict, studySeedResults, studyVerdict } from "../study/verdict.ts";
import { flagFailedRuns } from "./exit-codes.ts";
import { anyRunFailed, parseSmallestDifference } from "./stats.ts";
import { loadStudy, withSteps } from "./load-study.ts";
import { MAX_PLANNED_RUNS } from "../study/seed-plan.ts";
import { parseWhole } from "./count-option.ts";
import { addStudyRunOptions, finalMetric, runStudyCommand, type StudyRunFlags } from "./study-options.ts";
import { decided, defaultLooks, formatLook, sequentialJson, sequentialLook, startSequential, type SequentialPlan } from "../study/sequential-compare.ts";
import type { StudyResults } from "../study/run-study.ts";
import { UsageError } from "./exit-codes.ts";
import { openStore } from "../store/index.ts";
import { priorAnalyses, recordAnalysis, repeatedAnalysisWarning } from "../study/analysis-log.ts";

interface CompareOptions extends StudyRunFlags {
  seeds?: string;
  smallestDifference?: string;
  sequential?: boolean;
  looks?: string;
  spending: string;
}

/** Reads --looks "5,10,15,20" (or the default from --seeds as the maximum). */
function parseLooks(raw: string | undefined, max: number | undefined): number[] {
  if (raw === undefined) return defaultLooks(max ?? 20);
  const looks = raw.split(",").map((x) => parseWhole(x, "--looks", { min: 2, max: MAX_PLANNED_RUNS, why: "each look is a number of seeds" }));
  if (looks.some((x, i) => i > 0 && x <= looks[i - 1]!)) throw new UsageError(`--looks must increase (got ${raw})`);
  if (max !== undefined && looks[looks.length - 1] !== max) throw new UsageError(`--looks ends at ${looks[looks.length - 1]} seeds but --seeds is ${max}; the last look is the maximum (drop --seeds or make them agree)`);
  return looks;
}

/** Records this verdict's size in the store and returns the warning when the study was looked at, unplanned, at other sizes. */
async function noteAnalysis(url: string | undefined, study: string, seeds: number, planned: boolean): Promise<string | undefined> {
  const store = await openStore(url);
  try {
    const prior = await priorAnalyses(store, study);
    await recordAnalysis(store, study, seeds, planned);
    return planned ? undefined : repeatedAnalysisWarning(prior, seeds);
  } finally {
    await store.close();
  }
}

/** The sequential decision per comparison, under the fixed-n verdict (whose p-values do not account for the looks). */
function sequentialSummary(plan: SequentialPlan): string {
  const lines = [`sequential design (${plan.spending}, looks at ${plan.looks.join(", ")} seeds): the decision below is the one to report; the p-values above do not account for the looks`];
  for (const c of plan.comparisons) {
    const last = c.state.history[c.state.history.length - 1];
    const at = last ? ` at ${last.n} seeds (look ${last.look + 1})` : "";
    const what = c.halted !== undefined ? `halted: ${c.halted}`
      : c.state.status === "rejected" ? `significant${at}, alpha ${c.alpha}`
        : c.state.status === "stopped" ? `not significant${at}: the maximum was reached`
          : `undecided${at}; run the same command again to continue to ${c.state.nextN} seeds`;
    lines.push(`  ${c.b} − ${c.a}: ${what}`);
  }
  return lines.join("\n");
}

export function registerCompare(program: Command): void {
  const cmd = program
    .command("compare <study>")
    .description("twin-train a study's variants over seeds (each seed one twin run) and print the paired verdict")
    .option("--seeds <n>", "number of seeds (default: the study's plan, else 5)");
  addStudyRunOptions(cmd)
    .option("--smallest-difference <d>", "the smallest difference that matters (accuracy as a fraction, e.g. 0.005): advice plans for it; 'equivalent' is said only within it")
    .option("--sequential", "group-sequential study: add seeds look by look until the difference is decided or --seeds (the maximum) is reached")
    .option("--looks <list>", "with --sequential: seeds at each look, e.g. 5,10,15,20 (default: four equal steps up to --seeds, else 20)")
    .option("--spending <f>", "with --sequential: obrien-fleming (strict early looks) or pocock", "obrien-fleming")
    .option("--json", "print the verdict as JSON (fields: docs/verdict-json.md)")
    .addHelpText("after", "\nExit status: 0; 3 when some runs failed or diverged (the verdict of the others is printed); 2 for a bad command line; 1 for other errors.\n\nExamples:\n  $ twin compare examples/fmnist-dropout.study.ts --seeds 8\n  $ twin compare examples/fmnist-dropout.study.ts --metric loss --json\n  $ twin compare examples/fmnist-dropout.study.ts --sequential --looks 5,10,15,20   # stop early once decided; rerun to resume")
    .action(async (file: string, opts: CompareOptions) => {
      const metric = finalMetric(opts);
      const n = opts.seeds === undefined ? undefined : parseWhole(opts.seeds, "--seeds", { min: 2, max: MAX_PLANNED_RUNS, why: "each seed is a full training run" });
      const first = parseWhole(opts.first, "--first");
      const smallest = parseSmallestDifference(opts.smallestDifference);
      if (opts.spending !== "obrien-fleming" && opts.spending !== "pocock") throw new UsageError(`--spending must be obrien-fleming or pocock (got '${opts.spending}')`);
      if (!opts.sequential && (opts.looks !== undefined || opts.spending !== "obrien-fleming")) throw new UsageError("--looks and --spending go with --sequential");
      const looks = opts.sequential ? parseLooks(opts.looks, n) : undefined;
      const spec = withSteps(await loadStudy(file), opts.steps);
      const percent = metric === "accuracy";
      let results: StudyResults | undefined;
      let plan: SequentialPlan | undefined;
      if (looks) {
        plan = startSequential(Object.keys(spec.variants), spec.reference ?? Object.keys(spec.variants)[0]!, looks, { spending: opts.spending });
        // Each look runs the seeds up to it (the ones already in the store are kept), then analyses; a rerun replays the same looks.
        for (const look of looks) {
          if (decided(plan)) break;
          results = await runStudyCommand(spec, file, { n: look, first }, opts);
          if (results === undefined || results.stopped) break;
          const seedResults = studySeedResults(results, metric);
          for (const { b, look: l } of sequentialLook(plan, seedResults, look)) {
            const c = plan.comparisons.find((x) => x.b === b)!;
            const line = formatLook(plan, c, l, (x) => (percent ? `${x >= 0 ? "+" : ""}${(x * 100).toFixed(2)} pp` : `${x >= 0 ? "+" : ""}${x.toFixed(4)}`));
            process.stderr.write(`${line}\n`);
          }
        }
      } else {
        results = await runStudyCommand(spec, file, n === undefined ? spec.seeds : { n, first }, opts);
      }
      if (results === undefined) return;
      const warning = await noteAnalysis(opts.store, spec.name, results.runs.length, plan !== undefined);
      const verdict = studyVerdict(studySeedResults(results, metric), { metric: `validation ${metric}`, reference: results.reference, smallestDifference: smallest, percent });
      if (opts.json) process.stdout.write(JSON.stringify({ study: spec.name, ...verdict, ...(plan ? { sequential: sequentialJson(plan) } : {}), repeated_analysis: warning ?? null }, null, 2) + "\n");
      else {
        process.stdout.write("\n" + formatVerdict(spec.name, verdict, percent) + "\n");
        if (warning) process.stdout.write(`warning: ${warning}\n`);
        if (plan) process.stdout.write(sequentialSummary(plan) + "\n");
        process.stdout.write(`\nlogs: ${resolve(opts.logdir)}/${spec.name}/\n`);
      }
      if (anyRunFailed(verdict)) flagFailedRuns();
    });
}
