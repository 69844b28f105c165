/**
 * The `twin` command line: one file per sub-command, thin over the layers.
 *
 * Start-up is kept short by loading only the module of the sub-command that
 * runs (`twin --help` loads none): libtorch, Vega and the database drivers are
 * loaded by the commands that use them. Commands that train load study files
 * (see `trains` below).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import { Command, CommanderError } from "commander";
import { EXIT, exitCodeOf, explainSilentExits } from "./exit-codes.ts";
import { describeSystemError } from "./system-error.ts";
import { importsTwinSources } from "../study/import-graph.ts";

explainSilentExits();

// A reader that stops early (`twin --help | head -1`) closes the pipe: end quietly with the shell's SIGPIPE
// status, as Unix tools do, instead of an unhandled EPIPE stack.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    process.exit(141);
  });
}

type Register = (program: Command) => void;

interface SubCommand {
  name: string;
  /** One line for `twin --help`; the command's own `--help` has the full description. */
  summary: string;
  /**
   * Trains models, so it loads study files: TypeScript that imports twin. The
   * study and the trainer must share one copy of every module (tensor scopes,
   * generators and classes are per module). Under the compiled CLI (dist/),
   * "compiled": "twin" in the study resolves to the bundle's API
   * (dist/api/index.js) and the command runs compiled, unless a study file
   * named on the command line imports twin's sources by path (then, as for
   * `true`, the command hands over to the sources through tsx).
   */
  trains: boolean | "compiled";
  load: () => Promise<Register>;
}

const SUB_COMMANDS: SubCommand[] = [
  { name: "demo", summary: "twin-train 3 Fashion-MNIST variants over seeds and print the verdict", trains: "compiled", load: async () => (await import("./demo.ts")).registerDemo },
  { name: "doctor", summary: "check libtorch, threads, data sets and the Python references", trains: false, load: async () => (await import("./doctor.ts")).registerDoctor },
  { name: "stats", summary: "paired verdict for a results file or a TensorBoard log directory", trains: false, load: async () => (await import("./stats.ts")).registerStats },
  { name: "compare", summary: "twin-train a study's variants over seeds and print the paired verdict", trains: "compiled", load: async () => (await import("./compare.ts")).registerCompare },
  { name: "seeds", summary: "seed-sensitivity study: the distribution over seeds, per random factor", trains: "compiled", load: async () => (await import("./seeds.ts")).registerSeeds },
  { name: "ensemble", summary: "accuracy of prediction files from any framework, their ensemble and the ensemble-size curve", trains: false, load: async () => (await import("./ensemble.ts")).registerEnsemble },
  { name: "report", summary: "write a self-contained HTML report of a study", trains: false, load: async () => (await import("./report.ts")).registerReport },
  { name: "serve", summary: "live dashboard of studies and runs on 127.0.0.1", trains: false, load: async () => (await import("./serve.ts")).registerServe },
  { name: "sweep", summary: "run any training command once per seed and analyse its metrics", trains: false, load: async () => (await import("./sweep.ts")).registerSweep },
  { name: "runs", summary: "list the stored runs: status, seeds, worker, times", trains: false, load: async () => (await import("./runs.ts")).registerRuns },
  { name: "verify", summary: "re-run a stored run and compare it bit for bit", trains: true, load: async () => (await import("./verify.ts")).registerVerify },
  { name: "diff", summary: "what differs between two stored runs", trains: false, load: async () => (await import("./diff.ts")).registerDiff },
  { name: "init", summary: "write a starter study file to edit (it may live in any folder)", trains: false, load: async () => (await import("./init.ts")).registerInit },
  { name: "worker", summary: "take study runs from a queue and record them in a shared store", trains: true, load: async () => (await import("./worker.ts")).registerWorker },
];

const EXAMPLES = `
Exit status: 0 all runs finished; 1 error; 2 bad command line (an option, or a path named on it that does not exist or is the wrong kind); 3 results printed but some runs failed or diverged.

Examples:
  $ twin demo                      twin-train 3 Fashion-MNIST variants over 5 seeds and print the verdict
  $ twin demo --seeds 3 --epochs 1 a quicker demo
  $ twin doctor                    check libtorch, threads, data sets and references
  $ twin init my-study             write a starter study file (any folder: it imports "twin")
  $ twin compare examples/fmnist-dropout.study.ts --seeds 8
  $ twin seeds examples/fmnist-seeds.study.ts --n 10 --vary each
  $ twin stats results.csv         paired verdict for results from anywhere
  $ twin ensemble seed-*/test_predictions.npy --labels test_labels.npy   seed ensembles from any framework
  $ twin report runs/fmnist-demo -o report.html
  $ twin serve --logdir runs       live dashboard on http://127.0.0.1:7007
  $ twin runs --study fmnist-dropout   the stored runs, their status and seeds
  $ twin verify <run-id>           re-run a stored run and compare it bit for bit
  $ twin diff <run-a> <run-b>      what differs between two runs
  $ twin worker --queue redis://host:6379 --store postgres://twin@host/twin   a worker of a cluster`;

/** The package's version, from package.json at the root of this installation (two levels above src/cli or dist/cli). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/**
 * The sub-command named by the arguments (the first one that is not an
 * option: twin has no top-level option that takes a value), or undefined.
 * `twin help NAME` is read as `twin NAME --help`.
 */
function invokedCommand(args: string[]): { command: SubCommand | undefined; args: string[] } {
  const first = args.findIndex((a) => !a.startsWith("-"));
  if (first < 0) return { command: undefined, args };
  if (args[first] === "help") {
    const named = SUB_COMMANDS.find((c) => c.name === args[first + 1]);
    if (named) return { command: named, args: [named.name, "--help"] };
  }
  return { command: SUB_COMMANDS.find((c) => c.name === args[first]), args };
}

/** Module files named on a command line (study files), as given. */
function studyFilesIn(args: readonly string[]): string[] {
  return args.filter((a) => /^\.(ts|mts|cts|tsx|js|mjs|cjs)$/.test(extname(a)) && existsSync(a) && statSync(a).isFile());
}

/** Whether a training command can run compiled: its study files import twin only as "twin" (see SubCommand.trains). */
function runsCompiled(command: SubCommand, args: readonly string[]): boolean {
  return command.trains === "compiled" && studyFilesIn(args).every((f) => importsTwinSources(f) === undefined);
}

/** Whether the command line only asks for help (or the version): a training command then needs no study loader. */
function asksOnlyForHelp(args: readonly string[]): boolean {
  return args.some((a) => a === "--help" || a === "-h" || a === "--version" || a === "-V");
}

async function main(): Promise<void> {
  const { command, args } = invokedCommand(process.argv.slice(2));
  // Compiled and about to train: study files need tsx (a help request only prints the command's options).
  const trainsCompiled = command?.trains && import.meta.url.endsWith(".js") && !asksOnlyForHelp(args);
  if (trainsCompiled && !existsSync(new URL("../../src/cli/main.ts", import.meta.url))) {
    // Training needs the sources even when it runs compiled: tsx and the boot files of worker processes and threads.
    throw new Error(`twin ${command.name} trains models and runs from twin's TypeScript sources (src/), which this installation lacks (dist/ holds only the commands that read: stats, report, serve, runs, diff, sweep, ensemble, init): install twin from its repository (git clone, then npm run setup)`);
  }
  if (trainsCompiled && runsCompiled(command, args)) {
    // tsx for the study file, and "twin" in it resolved to this bundle's API (src/boot/register.mjs).
    const { registerTwin } = (await import(new URL("../../src/boot/register.mjs", import.meta.url).href)) as { registerTwin: (api?: string) => void };
    registerTwin(new URL("../api/index.js", import.meta.url).href);
  } else if (trainsCompiled) {
    // tsx, and "twin" in study files anywhere resolved to this installation (src/boot/resolve-twin.mjs).
    const { registerTwin } = (await import(new URL("../../src/boot/register.mjs", import.meta.url).href)) as { registerTwin: () => void };
    registerTwin();
    await import(new URL("../../src/cli/main.ts", import.meta.url).href);
    return;
  }

  const program = new Command();
  program
    .name("twin")
    .description("Trustworthy comparisons of deep-learning models: twin training, named random streams, seed studies, honest statistics.")
    .version(packageVersion(), "-V, --version", "print twin's version")
    .showHelpAfterError("(run twin --help for usage)")
    .exitOverride()
    .addHelpText("after", EXAMPLES);
  if (command) {
    (await command.load())(program);
    // Point at the sub-command's own help (its options), not the list of commands.
    program.commands.find((c) => c.name() === command.name)?.showHelpAfterError(`(run twin ${command.name} --help for usage)`);
  } else {
    // Only names and summaries: enough for `twin --help` and for commander's "did you mean" on a typo.
    for (const c of SUB_COMMANDS) program.command(c.name).summary(c.summary);
  }
  await program.parseAsync(args, { from: "user" });
}

try {
  await main();
} catch (e) {
  if (e instanceof CommanderError) {
    // Commander has printed its message (or the help / version) already.
    process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    const message = describeSystemError(e) ?? (e instanceof Error ? e.message || e.name : String(e));
    process.stderr.write(`twin: ${message || "an error without a message"}\n`);
    process.exitCode = exitCodeOf(e, process.argv.slice(2));
  }
}
