/**
 * `twin demo`: the main job end to end. Twin-trains three Fashion-MNIST
 * variants (an MLP with Adam, the same with dropout, the same with SGD) over a
 * few seeds, every seed one twin run, then prints the per-variant table and
 * the paired verdict, and says where the TensorBoard logs are.
 */
import type { Command } from "commander";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { formatDeployment, studyDeployment } from "../study/deployment.ts";
import { formatVerdict } from "../study/verdict.ts";
import { studyVerdictWithTest } from "../study/test-set-verdict.ts";
import { flagFailedRuns } from "./exit-codes.ts";
import { anyRunFailed } from "./stats.ts";
import { studyProgress } from "./study-progress.ts";
import { interruptSignal } from "./interrupt.ts";
import { parseSchedule } from "./schedule-option.ts";
import { MAX_PLANNED_RUNS } from "../study/seed-plan.ts";
import { parseWhole } from "./count-option.ts";
import { addRunOptions } from "./run-options.ts";
import { SPLIT_HELP, splitOption } from "./study-options.ts";

// By its place in the sources, also under the compiled CLI: worker processes import it from there.
const DEMO_STUDY_FILE = fileURLToPath(new URL("../../src/cli/demo-study.ts", import.meta.url));

interface DemoOptions {
  seed: string;
  seeds: string;
  epochs: string;
  logdir: string;
  limit?: string;
  json?: boolean;
  schedule: string;
  split?: string;
}

function positiveInt(value: string, name: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  return parseWhole(value, `--${name}`, { min, max });
}

export function registerDemo(program: Command): void {
  const cmd = program
    .command("demo")
    .description("twin-train 3 Fashion-MNIST variants over several seeds and print the paired verdict")
    .option("--seed <n>", "first root seed", "0")
    .option("--seeds <n>", "number of seeds (each one twin run of all variants)", "5")
    .option("--epochs <n>", "epochs per run", "3")
    .option("--limit <n>", "use only the first N training images (quicker)")
    .option("--split <mode>", SPLIT_HELP.replace("the study's default unless it says split: \"shared\"", "the default"));
  addRunOptions(cmd, { steps: false })
    .option("--json", "print the final numbers as JSON")
    .addHelpText("after", "\nExamples:\n  $ twin demo\n  $ twin demo --seeds 3 --epochs 1 --json\n  $ tensorboard --logdir runs   # then open the fmnist-demo runs")
    .action(async (opts: DemoOptions) => {
      const first = positiveInt(opts.seed, "seed", 0);
      const split = splitOption(opts);
      const n = positiveInt(opts.seeds, "seeds", 2, MAX_PLANNED_RUNS);
      const { demoStudy } = await import("./demo-study.ts");
      const spec = demoStudy(positiveInt(opts.epochs, "epochs", 1, 10_000), opts.limit === undefined ? undefined : positiveInt(opts.limit, "limit", 5001 + 128));
      const logdir = resolve(opts.logdir);
      const progress = studyProgress(opts.json);
      const interrupt = interruptSignal();
      const { runStudy } = await import("../study/run-study.ts");
      const results = await runStudy(spec, {
        plan: { n, first },
        logdir,
        studyFile: DEMO_STUDY_FILE,
        schedule: parseSchedule(opts.schedule),
        ...(split ? { split } : {}),
        onRunStart: progress.onRunStart,
        onProgress: progress.onProgress,
        onRunEnd: progress.onRunEnd,
        signal: interrupt.signal,
      });
      interrupt.release();
      progress.stop();
      const signalled = interrupt.exitCode();
      if (results.stopped && signalled !== undefined) {
        process.stderr.write(`twin: stopped with ${results.runs.length} of ${n} seed(s) finished; the verdict below is on those\n`);
        process.exitCode = signalled;
      }
      const verdict = studyVerdictWithTest(results, "accuracy", { reference: results.reference, percent: true });
      if (opts.json) {
        const runs = results.runs.map((r) => ({
          seed: r.plan.label,
          variants: Object.fromEntries(Object.entries(r.result.variants).map(([k, v]) => [k, { status: v.status, final: v.final, weightsHash: v.weightsHash }])),
          runChain: r.result.runChain,
        }));
        process.stdout.write(JSON.stringify({ study: spec.name, logdir, runs, verdict, deployment: studyDeployment(results) }, null, 2) + "\n");
        if (anyRunFailed(verdict)) flagFailedRuns();
        return;
      }
      process.stdout.write("\n" + formatVerdict(spec.name, verdict) + "\n");
      const deploymentText = formatDeployment(studyDeployment(results));
      if (deploymentText) process.stdout.write(deploymentText + "\n");
      process.stdout.write(`\nTensorBoard logs: ${logdir}/${spec.name}/<variant>/seed-<n>/   (tensorboard --logdir ${opts.logdir})\n`);
      if (anyRunFailed(verdict)) flagFailedRuns();
    });
}
