/** The `twin` command line: one file per sub-command, thin over the layers. */
import { Command } from "commander";
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
import { registerInit } from "./init.ts";

const program = new Command();
program
  .name("twin")
  .description("Trustworthy comparisons of deep-learning models: twin training, named random streams, seed studies, honest statistics.")
  .showHelpAfterError("(run twin --help for usage)")
  .addHelpText(
    "after",
    `
Examples:
  $ twin demo                      twin-train 3 Fashion-MNIST variants over 5 seeds and print the verdict
  $ twin demo --seeds 3 --epochs 1 a quicker demo
  $ twin doctor                    check libtorch, threads, data sets and references
  $ twin init my-study             write a starter study file (any folder: it imports "twin")
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
registerInit(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.stderr.write(`twin: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
