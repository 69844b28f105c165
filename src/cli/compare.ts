/** `twin compare <study>`: twin-train the study's variants over seeds and print the paired verdict. */
import type { Command } from "commander";
import { resolve } from "node:path";
import { formatVerdict, studySeedResults, studyVerdict } from "../study/verdict.ts";
import { flagFailedRuns } from "./exit-codes.ts";
import { anyRunFailed, parseSmallestDifference } from "./stats.ts";
import { loadStudy, withSteps } from "./load-study.ts";
import { MAX_PLANNED_RUNS } from "../study/seed-plan.ts";
import { parseWhole } from "./count-option.ts";
import { addStudyStoreOptions, runStudyCommand, type StudyRunFlags } from "./study-options.ts";

interface CompareOptions extends StudyRunFlags {
  seeds?: string;
  first: string;
  metric: string;
  steps?: string;
  smallestDifference?: string;
}

export function registerCompare(program: Command): void {
  addStudyStoreOptions(
  program
    .command("compare <study>")
    .description("twin-train a study's variants over seeds (each seed one twin run) and print the paired verdict")
    .option("--seeds <n>", "number of seeds (default: the study's plan, else 5)")
    .option("--first <n>", "first root seed", "0")
    .option("--logdir <dir>", "TensorBoard and JSON Lines logs", "runs")
    .option("--metric <name>", "accuracy or loss (final, on the validation split)", "accuracy")
    .option("--steps <n>", "train each run for N steps instead of the study's epochs (a quick look)")
    .option("--schedule <s>", "sequential (least memory) or parallel (one worker thread per variant)", "sequential")
    .option("--smallest-difference <d>", "the smallest difference that matters (accuracy as a fraction, e.g. 0.005): advice plans for it; 'equivalent' is said only within it")
    .option("--json", "print the verdict as JSON (fields: docs/verdict-json.md)")
    .addHelpText("after", "\nExit status: 0; 3 when some runs failed or diverged (the verdict of the others is printed); 2 for a bad command line; 1 for other errors.\n\nExamples:\n  $ twin compare examples/fmnist-dropout.study.ts --seeds 8\n  $ twin compare examples/fmnist-dropout.study.ts --metric loss --json")
  ).action(async (file: string, opts: CompareOptions) => {
      if (opts.metric !== "accuracy" && opts.metric !== "loss") throw new Error(`--metric must be accuracy or loss (got '${opts.metric}')`);
      const n = opts.seeds === undefined ? undefined : parseWhole(opts.seeds, "--seeds", { min: 2, max: MAX_PLANNED_RUNS, why: "each seed is a full training run" });
      const first = parseWhole(opts.first, "--first");
      const smallest = parseSmallestDifference(opts.smallestDifference);
      const spec = withSteps(await loadStudy(file), opts.steps);
      const results = await runStudyCommand(spec, file, n === undefined ? spec.seeds : { n, first }, opts);
      if (results === undefined) return;
      const verdict = studyVerdict(studySeedResults(results, opts.metric), { metric: `validation ${opts.metric}`, reference: results.reference, smallestDifference: smallest });
      if (opts.json) process.stdout.write(JSON.stringify({ study: spec.name, ...verdict }, null, 2) + "\n");
      else process.stdout.write("\n" + formatVerdict(spec.name, verdict, opts.metric === "accuracy") + `\n\nlogs: ${resolve(opts.logdir)}/${spec.name}/\n`);
      if (anyRunFailed(verdict)) flagFailedRuns();
    });
}
