/** The `twin` command line: one file per sub-command, thin over the layers. */
import { Command, CommanderError } from "commander";
import { EXIT, exitCodeOf } from "./exit-codes.ts";
import { registerDemo } from "./demo.ts";
import { registerDoctor } from "./doctor.ts";
import { registerStats } from "./stats.ts";
import { registerCompare } from "./compare.ts";
import { registerSeeds } from "./seeds.ts";
import { registerReport } from "./report.ts";
import { registerServe } from "./serve.ts";
import { registerSweep } from "./sweep.ts";
import { registerRuns } from "./runs.ts";
import { registerVerify } from "./verify.ts";
import { registerDiff } from "./diff.ts";
import { registerWorker } from "./worker.ts";

const program = new Command();
program
  .name("twin")
  .description("Trustworthy comparisons of deep-learning models: twin training, named random streams, seed studies, honest statistics.")
  .showHelpAfterError("(run twin --help for usage)")
  .exitOverride()
  .addHelpText(
    "after",
    `
Exit status: 0 all runs finished; 1 error; 2 bad command line; 3 results printed but some runs failed or diverged.

Examples:
  $ twin demo                      twin-train 3 Fashion-MNIST variants over 5 seeds and print the verdict
  $ twin demo --seeds 3 --epochs 1 a quicker demo
  $ twin doctor                    check libtorch, threads, data sets and references
  $ twin compare examples/fmnist-dropout.study.ts --seeds 8
  $ twin seeds examples/fmnist-seeds.study.ts --n 10 --vary each
  $ twin stats results.csv         paired verdict for results from anywhere
  $ twin report runs/fmnist-demo -o report.html
  $ twin serve --logdir runs       live dashboard on http://127.0.0.1:7007
  $ twin runs --study fmnist-dropout   the stored runs, their status and seeds
  $ twin verify <run-id>           re-run a stored run and compare it bit for bit
  $ twin diff <run-a> <run-b>      what differs between two runs
  $ twin worker --queue redis://host:6379 --store postgres://twin@host/twin   a worker of a cluster`,
  );

registerDemo(program);
registerDoctor(program);
registerStats(program);
registerCompare(program);
registerSeeds(program);
registerReport(program);
registerServe(program);
registerSweep(program);
registerRuns(program);
registerVerify(program);
registerDiff(program);
registerWorker(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Commander has printed its message (or the help / version) already.
    process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    process.stderr.write(`twin: ${(e as Error).message}\n`);
    process.exitCode = exitCodeOf(e);
  }
}
