/** `twin ensemble FILES… --labels FILE`: seed ensembles of prediction files from any framework. */
import { WrongInputError } from "../log/wrong-input.ts";
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { churn, ensembleCurve, ensembleGain, predictedClasses, subsetAccuracy } from "../stats/index.ts";
import { checkPredictionSet, readLabelsFile, readPredictionFile, type PredictionKind } from "../study/prediction-files.ts";
import { UsageError } from "./exit-codes.ts";
import { readNpy } from "../data/host/npy.ts";
import { checkHeldOut } from "../study/held-out.ts";

interface EnsembleOptions {
  labels: string;
  json?: boolean;
  logits?: boolean;
  probabilities?: boolean;
  subsets: string;
  seed: string;
  trainInputs?: string;
  testInputs?: string;
}

/**
 * --train-inputs/--test-inputs: the examples the predictions were made on
 * must not be training examples (rows compared byte for byte), and there must
 * be one per prediction row.
 */
function checkInputs(trainPath: string, testPath: string, examples: number, predictions: string): void {
  const train = readNpy(trainPath), test = readNpy(testPath);
  if (test.shape[0] !== examples) throw new Error(`${testPath}: ${test.shape[0]} examples but the predictions have ${examples} (${predictions}); give the inputs the predictions were made on, in the same order`);
  if (train.dtype !== test.dtype || train.shape.slice(1).join() !== test.shape.slice(1).join()) {
    throw new Error(`${trainPath} holds ${train.dtype} [${train.shape.join(", ")}] and ${testPath} ${test.dtype} [${test.shape.join(", ")}]: rows can only be compared between arrays of one dtype and row shape; save both the same way`);
  }
  checkHeldOut({ name: trainPath, inputs: train }, { name: testPath, inputs: test });
}

const pct = (x: number) => (100 * x).toFixed(2);

function positiveInteger(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new UsageError(`${name} must be a whole number from 1 to 1000000 (got '${raw}')`);
  return n;
}

export function registerEnsemble(program: Command): void {
  program
    .command("ensemble <predictions...>")
    .description("accuracy of each prediction file (one per seed/model), of their ensemble (argmax of the averaged probabilities), and the ensemble-size curve")
    .requiredOption("--labels <file>", "true classes of the examples: NPY of integers, or CSV/text with one label per line")
    .option("--logits", "the files hold logits: softmax every row (default: detected)")
    .option("--probabilities", "the files hold probabilities: refuse anything else (default: detected)")
    .option("--subsets <n>", "most subsets of k members scored per k: all of them when there are at most this many, else a seeded random sample", "100")
    .option("--seed <n>", "seed of the subset sample", "0")
    .option("--train-inputs <file>", "with --test-inputs: the training examples (NPY, one row per example); twin refuses predictions made on examples that are also in it")
    .option("--test-inputs <file>", "the examples the predictions were made on (NPY, in the same order)")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      "\nPredictions: NPY float16/float32/float64 (either byte order) [examples, classes], or CSV/TSV with one row per example and one column per class (header optional)." +
        "\nRows that hold values outside [0, 1] are read as logits and softmaxed (said in a note); values in [0, 1] must sum to 1 per row." +
        '\nJSON: {"members": [{"file", "accuracy"}], "ensemble_accuracy", "curve": [{"k", "mean", "min", "max", "subsets", "exhaustive"}], ...}' +
        "\n\nExamples:\n  $ twin ensemble seed-*/test_predictions.npy --labels test_labels.npy\n  $ twin ensemble a.csv b.csv c.csv --labels labels.csv --json",
    )
    .action((files: string[], opts: EnsembleOptions) => {
      if (opts.logits && opts.probabilities) throw new UsageError("--logits and --probabilities contradict each other; pass one");
      const kind: PredictionKind = opts.logits ? "logits" : opts.probabilities ? "probabilities" : "auto";
      const maxSubsets = positiveInteger("--subsets", opts.subsets);
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed)) throw new UsageError(`--seed must be a whole number (got '${opts.seed}')`);
      if ((opts.trainInputs === undefined) !== (opts.testInputs === undefined)) throw new UsageError("--train-inputs and --test-inputs go together: the examples predicted and the training examples they must not be among");
      for (const f of [...files, opts.labels]) {
        if (!existsSync(f)) throw new WrongInputError(`${f}: no such file${f === opts.labels ? " (--labels)" : ""}`, f);
      }
      const members = files.map((f) => readPredictionFile(f, kind));
      const labels = readLabelsFile(opts.labels);
      checkPredictionSet(members, opts.labels, labels);
      if (opts.trainInputs !== undefined) checkInputs(opts.trainInputs, opts.testInputs!, members[0]!.shape[0], members[0]!.file);
      const [nEx, nCls] = members[0]!.shape;
      const accuracies = members.map((_, i) => subsetAccuracy(members, [i], labels.labels));
      const all = members.map((_, i) => i);
      const ensembleAccuracy = subsetAccuracy(members, all, labels.labels);
      const curve = ensembleCurve(members, labels.labels, { subsets: maxSubsets, seed });
      const gain = members.length >= 2 ? ensembleGain(members, labels.labels) : undefined;
      const memberChurn = members.length >= 2 ? churn(members.map((_, i) => predictedClasses(members, [i]))) : undefined;
      const notes = members.flatMap((m) => (m.note ? [m.note] : []));
      const sampled = curve.filter((p) => !p.exhaustive).map((p) => p.k);
      if (sampled.length > 0) notes.push(`curve: for k = ${sampled.join(", ")} a random sample of ${maxSubsets} subsets (seed ${seed}; --subsets, --seed); min and max are those of the sample`);
      if (opts.json) {
        process.stdout.write(
          JSON.stringify(
            {
              members: members.map((m, i) => ({ file: m.file, accuracy: accuracies[i], read_as: m.read })),
              ensemble_accuracy: ensembleAccuracy,
              curve: curve.map((p) => ({ k: p.k, mean: p.mean, min: p.min, max: p.max, subsets: p.subsets, exhaustive: p.exhaustive })),
              examples: nEx,
              classes: nCls,
              gain: gain ?? null,
              churn: memberChurn ?? null,
              notes,
            },
            null,
            2,
          ) + "\n",
        );
        return;
      }
      const width = Math.max(...files.map((f) => f.length), 6);
      const out: string[] = [`${members.length} member(s) · ${nEx} examples · ${nCls} classes`];
      members.forEach((m, i) => out.push(`  ${m.file.padEnd(width)}  ${pct(accuracies[i]!)} pp`));
      out.push(`ensemble of ${members.length} (argmax of the averaged probabilities): ${pct(ensembleAccuracy)} pp`);
      if (gain) {
        const ci = Number.isNaN(gain.lo) ? gain.method : `${Math.round(100 * gain.level)}% CI [${pct(gain.lo)}, ${pct(gain.hi)}] (${gain.method})`;
        out.push(`gain over the average member (${pct(gain.meanMember)} pp): ${gain.estimate >= 0 ? "+" : ""}${pct(gain.estimate)} pp, ${ci}`);
      }
      if (memberChurn) {
        out.push(
          `churn: members disagree on ${pct(memberChurn.mean)}% of examples per pair (min ${pct(memberChurn.min)}, max ${pct(memberChurn.max)}, ${memberChurn.pairs} pairs); ` +
            `not all agree on ${pct(memberChurn.unstable)}%`,
        );
      }
      out.push("ensemble-size curve (accuracy in pp, over subsets of k members):", "   k    mean     min     max  subsets");
      for (const p of curve) {
        out.push(`  ${String(p.k).padStart(2)}  ${pct(p.mean).padStart(6)}  ${pct(p.min).padStart(6)}  ${pct(p.max).padStart(6)}  ${String(p.subsets).padStart(7)} ${p.exhaustive ? "(all)" : "(sample)"}`);
      }
      for (const n of notes) out.push(`note: ${n}`);
      process.stdout.write(out.join("\n") + "\n");
    });
}
