/** `twin compare <study>`: twin-train the study's variants over seeds and print the paired verdict. */
import type { Command } from "commander";
import { resolve } from "node:path";
import { formatDeployment, studyDeployment } from "../study/deployment.ts";
import { formatVerdict, studyIndependentRuns, studySeedResults } from "../study/verdict.ts";
import { studyVerdictWithTest } from "../study/test-set-verdict.ts";
import { flagFailedRuns } from "./exit-codes.ts";
import { studyFactorialVerdict } from "../study/factorial-study-verdict.ts";
import { formatFactorialVerdict } from "../study/factorial-verdict.ts";
import { anyRunFailed, parseSmallestDifference } from "./stats.ts";
import { loadStudy, withSteps } from "./load-study.ts";
import { MAX_PLANNED_RUNS } from "../study/seed-plan.ts";
import { parseWhole } from "./count-option.ts";
import { showsPercentPoints } from "../study/metric-units.ts";
import { addStudyRunOptions, finalMetric, runStudyCommand, type StudyRunFlags } from "./study-options.ts";
import { decided, formatLook, sequentialJson, sequentialLook, startSequential, type SequentialPlan } from "../study/sequential-compare.ts";
import { parseLooks, parseSpending, sequentialSummary, SEQUENTIAL_HELP } from "./sequential-options.ts";
import type { StudyResults } from "../study/run-study.ts";
import { openStore } from "../store/index.ts";
import { priorAnalyses, recordAnalysis, repeatedAnalysisWarning } from "../study/analysis-log.ts";

interface CompareOptions extends StudyRunFlags {
  seeds?: string;
  smallestDifference?: string;
  sequential?: boolean;
  looks?: string;
  spending: string;
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

export function registerCompare(program: Command): void {
  const cmd = program
    .command("compare <study>")
    .description("twin-train a study's variants over seeds (each seed one twin run) and print the paired verdict")
    .option("--seeds <n>", "number of seeds (default: the study's plan, else 5)");
  addStudyRunOptions(cmd)
    .option("--smallest-difference <d>", "the smallest difference that matters (accuracy as a fraction, e.g. 0.005): advice plans for it; 'equivalent' is said only within it")
    .option("--sequential", SEQUENTIAL_HELP.sequential)
    .option("--looks <list>", SEQUENTIAL_HELP.looks)
    .option("--spending <f>", SEQUENTIAL_HELP.spending, "obrien-fleming")
    .option("--json", "print the verdict as JSON (fields: docs/verdict-json.md)")
    .addHelpText("after", "\nExit status: 0; 3 when some runs failed or diverged (the verdict of the others is printed); 2 for a bad command line (an option, or a study file that does not exist or is not one); 1 for other errors.\n\nExamples:\n  $ twin compare examples/fmnist-dropout.study.ts --seeds 8\n  $ twin compare examples/fmnist-dropout.study.ts --metric loss --json\n  $ twin compare examples/fmnist-dropout.study.ts --sequential --looks 5,10,15,20   # stop early once decided; rerun to resume")
    .action(async (file: string, opts: CompareOptions) => {
      const metric = finalMetric(opts);
      const n = opts.seeds === undefined ? undefined : parseWhole(opts.seeds, "--seeds", { min: 2, max: MAX_PLANNED_RUNS, why: "each seed is a full training run" });
      const first = parseWhole(opts.first, "--first");
      const smallest = parseSmallestDifference(opts.smallestDifference);
      const spending = parseSpending(opts);
      const looks = opts.sequential ? parseLooks(opts.looks, n) : undefined;
      const spec = withSteps(await loadStudy(file), opts.steps);
      const percent = showsPercentPoints(metric);
      let results: StudyResults | undefined;
      let plan: SequentialPlan | undefined;
      if (looks) {
        plan = startSequential(Object.keys(spec.variants), spec.reference ?? Object.keys(spec.variants)[0]!, looks, { spending });
        // Each look runs the seeds up to it (the ones already in the store are kept), then analyses; a rerun replays the same looks.
        for (const look of looks) {
          if (decided(plan)) break;
          results = await runStudyCommand(spec, file, { n: look, first }, opts);
          if (results === undefined || results.stopped) break;
          const seedResults = studySeedResults(results, metric);
          for (const { b, look: l } of sequentialLook(plan, seedResults, look)) {
            const c = plan.comparisons.find((x) => x.b === b)!;
            const line = formatLook(plan, c, l, percent);
            process.stderr.write(`${line}\n`);
          }
        }
      } else {
        results = await runStudyCommand(spec, file, n === undefined ? spec.seeds : { n, first }, opts);
      }
      if (results === undefined) return;
      const warning = await noteAnalysis(opts.store, spec.name, results.runs.length, plan !== undefined);
      const verdict = studyVerdictWithTest(results, metric, { reference: results.reference, smallestDifference: smallest, percent });
      const factorial = spec.design ? studyFactorialVerdict(studySeedResults(results, metric), spec.design, { metric: `validation ${metric}`, percent }) : undefined;
      // Seed ensembles on the seeds the verdict rests on (a plan that varies factors one at a time sets the others aside).
      const deployment = studyDeployment({ runs: studyIndependentRuns(results).kept, variants: results.variants });
      if (opts.json) process.stdout.write(JSON.stringify({ study: spec.name, ...verdict, ...(plan ? { sequential: sequentialJson(plan) } : {}), ...(factorial ? { factorial_verdict: factorial } : {}), deployment, repeated_analysis: warning ?? null }, null, 2) + "\n");
      else {
        process.stdout.write("\n" + formatVerdict(spec.name, verdict, percent) + "\n");
        if (factorial) process.stdout.write("\n" + formatFactorialVerdict(spec.name, factorial, percent) + "\n");
        const deploymentText = formatDeployment(deployment);
        if (deploymentText) process.stdout.write(deploymentText + "\n");
        if (warning) process.stdout.write(`warning: ${warning}\n`);
        if (plan) process.stdout.write(sequentialSummary(plan) + "\n");
        process.stdout.write(`\nlogs: ${resolve(opts.logdir)}/${spec.name}/\n`);
      }
      if (anyRunFailed(verdict)) flagFailedRuns();
    });
}
