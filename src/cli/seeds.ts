/** `twin seeds <study>`: a seed-sensitivity study: distribution, ranks, black swans, variance by factor. */
import type { Command } from "commander";
import { FACTORS } from "../rng/streams.ts";
import { formatSeedReport, seedReport } from "../study/seed-report.ts";
import type { SeedPlan } from "../study/seed-plan.ts";
import { loadStudy } from "./load-study.ts";
import { addStudyStoreOptions, runStudyCommand, type StudyRunFlags } from "./study-options.ts";

interface SeedsOptions extends StudyRunFlags {
  n: string;
  vary?: string;
  first: string;
  metric: string;
  steps?: string;
}

export function registerSeeds(program: Command): void {
  addStudyStoreOptions(
  program
    .command("seeds <study>")
    .description("seed-sensitivity study: N runs (all factors together, or one factor at a time) and their distribution")
    .option("--n <n>", "runs per group", "10")
    .option("--vary <factor>", `vary one factor at a time: ${FACTORS.join(", ")}, a comma list, or 'each' (every factor, plus all together)`)
    .option("--first <n>", "first seed", "0")
    .option("--logdir <dir>", "TensorBoard and JSON Lines logs", "runs")
    .option("--metric <name>", "accuracy or loss", "accuracy")
    .option("--steps <n>", "train each run for N steps instead of the study's epochs (a quick look)")
    .option("--schedule <s>", "sequential (least memory) or parallel (one worker thread per variant)", "sequential")
    .option("--json", "print the report as JSON")
    .addHelpText("after", "\nExamples:\n  $ twin seeds examples/fmnist-seeds.study.ts --n 10\n  $ twin seeds examples/fmnist-seeds.study.ts --n 6 --vary each")
  ).action(async (file: string, opts: SeedsOptions) => {
      const spec = await loadStudy(file, opts.steps);
      const n = Number(opts.n);
      if (!Number.isInteger(n) || n < 2) throw new Error(`--n must be an integer >= 2 (got '${opts.n}')`);
      if (opts.metric !== "accuracy" && opts.metric !== "loss") throw new Error(`--metric must be accuracy or loss (got '${opts.metric}')`);
      const first = Number(opts.first);
      let plan: SeedPlan = { n, first };
      if (opts.vary !== undefined) {
        const each = opts.vary === "each";
        const factors = each ? [...FACTORS] : opts.vary.split(",").map((s) => s.trim()).filter(Boolean);
        if (factors.length === 0) throw new Error("--vary needs a factor name");
        plan = { vary: factors, n, first, withAll: each };
      }
      const results = await runStudyCommand(spec, file, plan, opts);
      if (results === undefined) return;
      const report = seedReport(results, opts.metric);
      process.stdout.write((opts.json ? JSON.stringify(report, null, 2) : "\n" + formatSeedReport(report)) + "\n");
    });
}
