/** `twin compare <study>`: twin-train the study's variants over seeds and print the paired verdict. */
import type { Command } from "commander";
import { resolve } from "node:path";
import { finalMetric } from "../study/run-study.ts";
import { formatVerdict, studyVerdict } from "../study/verdict.ts";
import { loadStudy } from "./load-study.ts";
import { addStudyStoreOptions, runStudyCommand, type StudyRunFlags } from "./study-options.ts";

interface CompareOptions extends StudyRunFlags {
  seeds?: string;
  first: string;
  metric: string;
  steps?: string;
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
    .option("--json", "print the verdict as JSON")
    .addHelpText("after", "\nExamples:\n  $ twin compare examples/fmnist-dropout.study.ts --seeds 8\n  $ twin compare examples/fmnist-dropout.study.ts --metric loss --json")
  ).action(async (file: string, opts: CompareOptions) => {
      const spec = await loadStudy(file, opts.steps);
      if (opts.metric !== "accuracy" && opts.metric !== "loss") throw new Error(`--metric must be accuracy or loss (got '${opts.metric}')`);
      const n = opts.seeds === undefined ? undefined : Number(opts.seeds);
      if (n !== undefined && (!Number.isInteger(n) || n < 2)) throw new Error(`--seeds must be an integer >= 2 for a comparison (got '${opts.seeds}')`);
      const results = await runStudyCommand(spec, file, n === undefined ? spec.seeds : { n, first: Number(opts.first) }, opts);
      if (results === undefined) return;
      const values = finalMetric(results, opts.metric);
      const verdict = studyVerdict(
        { values, seeds: results.runs.map((r) => String(r.plan.label)) },
        { metric: `validation ${opts.metric}`, reference: results.reference, higherIsBetter: opts.metric === "accuracy" },
      );
      if (opts.json) process.stdout.write(JSON.stringify(verdict, null, 2) + "\n");
      else process.stdout.write("\n" + formatVerdict(spec.name, verdict, opts.metric === "accuracy") + `\n\nlogs: ${resolve(opts.logdir)}/${spec.name}/\n`);
    });
}
