/** `twin seeds <study>`: a seed-sensitivity study: distribution, ranks, black swans, variance by factor. */
import type { Command } from "commander";
import { FACTORS } from "../rng/factors.ts";
import { formatSeedReport, seedReport } from "../study/seed-report.ts";
import { formatDeployment, studyDeployment } from "../study/deployment.ts";
import type { SeedPlan } from "../study/seed-plan.ts";
import { loadStudy, withSteps } from "./load-study.ts";
import { MAX_PLANNED_RUNS } from "../study/seed-plan.ts";
import { parseWhole } from "./count-option.ts";
import { addStudyRunOptions, finalMetric, runStudyCommand, type StudyRunFlags } from "./study-options.ts";
import { flagFailedRuns, UsageError } from "./exit-codes.ts";

interface SeedsOptions extends StudyRunFlags {
  n?: string;
  seeds?: string;
  vary?: string;
}

export function registerSeeds(program: Command): void {
  const cmd = program
    .command("seeds <study>")
    .description("seed-sensitivity study: N runs (all factors together, or one factor at a time) and their distribution")
    .option("--n <n>", "runs per group (default 10)")
    .option("--seeds <n>", "the same as --n (the name compare and sweep use)")
    .option("--vary <factor>", `vary one factor at a time: ${FACTORS.join(", ")}, a comma list, 'each' (every factor, plus all together) or 'all' (all together: the default)`);
  addStudyRunOptions(cmd)
    .option("--json", "print the report as JSON")
    .addHelpText("after", "\nExit status: 0; 3 when some runs failed or diverged (the report on the others is printed); 2 for a bad command line (an option, or a study file that does not exist or is not one); 1 for other errors.\n\nExamples:\n  $ twin seeds examples/fmnist-seeds.study.ts --n 10\n  $ twin seeds examples/fmnist-seeds.study.ts --n 6 --vary each")
    .action(async (file: string, opts: SeedsOptions) => {
      if (opts.n !== undefined && opts.seeds !== undefined && opts.n !== opts.seeds) throw new UsageError(`--n ${opts.n} and --seeds ${opts.seeds} say different things (they are the same option); give one`);
      const n = parseWhole(opts.seeds ?? opts.n ?? "10", opts.seeds !== undefined ? "--seeds" : "--n", { min: 2, max: MAX_PLANNED_RUNS, why: "each seed is a full training run" });
      const metric = finalMetric(opts);
      const first = parseWhole(opts.first, "--first");
      const spec = withSteps(await loadStudy(file), opts.steps);
      let plan: SeedPlan = { n, first };
      // 'all' (every factor varied together) is what seeds does without --vary.
      if (opts.vary !== undefined && opts.vary.trim() !== "all") {
        const each = opts.vary === "each";
        const factors = each ? [...FACTORS] : opts.vary.split(",").map((s) => s.trim()).filter(Boolean);
        if (factors.length === 0) throw new UsageError(`--vary needs a factor name: ${FACTORS.join(", ")}, 'each', or 'all'`);
        const unknown = factors.filter((f) => !(FACTORS as readonly string[]).includes(f));
        if (unknown.length > 0) {
          throw new Error(`--vary: no factor named ${unknown.map((f) => `'${f}'`).join(", ")}; a twin run draws from ${FACTORS.join(", ")} (or 'each': one at a time, plus all together; or 'all': all together, the default)`);
        }
        plan = { vary: factors, n, first, withAll: each };
      }
      const results = await runStudyCommand(spec, file, plan, opts);
      if (results === undefined) return;
      const report = seedReport(results, metric);
      // What to deploy, from the runs the report describes (all factors varied, or the only group).
      const main = report.groups.includes("all") ? "all" : report.groups[0];
      const deployment = studyDeployment({ runs: results.runs.filter((r) => r.plan.group === main || r.plan.alsoIn?.includes(main!)), variants: results.variants });
      if (opts.json) process.stdout.write(JSON.stringify({ ...report, deployment }, null, 2) + "\n");
      else {
        const deploymentText = formatDeployment(deployment);
        process.stdout.write("\n" + formatSeedReport(report) + "\n" + (deploymentText ? deploymentText + "\n" : ""));
      }
      const anyFailed = results.runs.some((r) => Object.values(r.result.variants).some((v) => v.status === "diverged" || v.status === "failed"));
      if (anyFailed) flagFailedRuns();
    });
}
