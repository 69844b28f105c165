/**
 * `twin demo`: the main job end to end. Twin-trains three Fashion-MNIST
 * variants (an MLP with Adam, the same with dropout, the same with SGD) over a
 * few seeds, every seed one twin run, then prints the per-variant table and
 * the paired verdict, and says where the TensorBoard logs are.
 */
import type { Command } from "commander";
import { resolve } from "node:path";
import cliProgress from "cli-progress";
import { fashionMnist } from "../data/datasets/fashion-mnist.ts";
import { takeFirst } from "../data/host/dataset.ts";
import { splitTrainValidation } from "../data/split.ts";
import { FASHION_MNIST_NORMALIZE } from "../data/to-tensor.ts";
import { Streams } from "../rng/streams.ts";
import { setNumThreads } from "../torch/runtime.ts";
import { mlp } from "../torch/nn/index.ts";
import * as optim from "../torch/optim/index.ts";
import { twinTrain } from "../twin/trainer.ts";
import type { TwinResult, VariantFactory } from "../twin/types.ts";
import { formatVerdict, studyVerdict } from "../study/verdict.ts";

const STUDY = "fmnist-demo";
/** Validation examples held out of the 60k training images (drawn from the split stream). */
const VALIDATION = 5000;
const BATCH_SIZE = 128;
/** Evaluate every variant on the same validation batch this often (steps). */
const EVAL_EVERY = 50;
const HIDDEN = 256;

/** The three variants: what changes between them is the only thing their curves differ by. */
const VARIANTS: Record<string, VariantFactory> = {
  adam: () => ({ model: mlp([784, HIDDEN, 10]), optimizer: (p) => optim.adam(p, { lr: 1e-3 }) }),
  "adam-dropout": () => ({ model: mlp([784, HIDDEN, 10], { dropout: 0.2 }), optimizer: (p) => optim.adam(p, { lr: 1e-3 }) }),
  sgd: () => ({ model: mlp([784, HIDDEN, 10]), optimizer: (p) => optim.sgd(p, { lr: 0.05, momentum: 0.9 }) }),
};

interface DemoOptions {
  seed: string;
  seeds: string;
  epochs: string;
  logdir: string;
  limit?: string;
  json?: boolean;
}

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer (got '${value}')`);
  return n;
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("twin-train 3 Fashion-MNIST variants over several seeds and print the paired verdict")
    .option("--seed <n>", "first root seed", "0")
    .option("--seeds <n>", "number of seeds (each one twin run of all variants)", "5")
    .option("--epochs <n>", "epochs per run", "2")
    .option("--logdir <dir>", "TensorBoard and JSON Lines logs", "runs")
    .option("--limit <n>", "use only the first N training images (quicker)")
    .option("--json", "print the final numbers as JSON")
    .addHelpText("after", "\nExamples:\n  $ twin demo\n  $ twin demo --seeds 3 --epochs 1 --json\n  $ tensorboard --logdir runs   # then open the fmnist-demo study")
    .action((opts: DemoOptions) => runDemo(opts));
}

function runDemo(opts: DemoOptions): void {
  const first = Number(opts.seed);
  if (!Number.isSafeInteger(first) || first < 0) throw new Error(`--seed must be a non-negative integer (got '${opts.seed}')`);
  const nSeeds = positiveInt(opts.seeds, "seeds");
  const epochs = positiveInt(opts.epochs, "epochs");
  const logdir = resolve(opts.logdir);
  setNumThreads(1);

  let { train } = fashionMnist();
  if (opts.limit !== undefined) train = takeFirst(train, positiveInt(opts.limit, "limit"));
  const seeds = Array.from({ length: nSeeds }, (_, i) => first + i);
  const names = Object.keys(VARIANTS);

  const bar = new cliProgress.SingleBar(
    { format: " {bar} {percentage}% | seed {seed} | step {value}/{total} | {losses}", hideCursor: true, noTTYOutput: false },
    cliProgress.Presets.shades_classic,
  );
  const results: TwinResult[] = [];
  for (const seed of seeds) {
    // The split is drawn from this seed's split stream, like every other random choice.
    const splitStreams = new Streams({ root: seed });
    const split = splitTrainValidation(train, { validation: VALIDATION, stream: splitStreams.stream("split"), stratified: true });
    splitStreams.dispose();
    let started = false;
    const result = twinTrain({
      study: STUDY,
      variants: VARIANTS,
      train: split.train,
      validation: split.validation,
      normalize: FASHION_MNIST_NORMALIZE,
      batchSize: BATCH_SIZE,
      epochs,
      evalEvery: EVAL_EVERY,
      seed: { root: seed },
      logdir,
      keepPredictions: false,
      onProgress: (p) => {
        if (opts.json) return;
        if (!started) {
          bar.start(p.totalSteps, 0, { seed, losses: "" });
          started = true;
        }
        bar.update(p.step, { seed, losses: Object.entries(p.losses).map(([k, v]) => `${k} ${v.toFixed(3)}`).join("  ") });
      },
    });
    if (started) bar.stop();
    results.push(result);
  }

  const values = Object.fromEntries(names.map((n) => [n, results.map((r) => r.variants[n].final?.accuracy ?? NaN)]));
  const verdict = studyVerdict({ values, seeds: seeds.map(String) }, { metric: "validation accuracy", reference: names[0] });
  if (opts.json) {
    process.stdout.write(
      JSON.stringify(
        {
          study: STUDY,
          seeds,
          epochs,
          logdir,
          runs: results.map((r) => ({
            seed: r.seeds.init,
            variants: Object.fromEntries(Object.entries(r.variants).map(([k, v]) => [k, { status: v.status, final: v.final, weightsHash: v.weightsHash }])),
            runChain: r.runChain,
          })),
          verdict,
        },
        null,
        2,
      ) + "\n",
    );
    return;
  }
  process.stdout.write("\n" + formatVerdict(STUDY, verdict) + "\n");
  process.stdout.write(`\nTensorBoard logs: ${logdir}/${STUDY}/<variant>/seed-<n>/   (tensorboard --logdir ${opts.logdir})\n`);
}
