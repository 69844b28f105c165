/** `twin stats FILE`: the verdict for results from anywhere (CSV/TSV, JSON Lines, a TensorBoard log directory). */
import type { Command } from "commander";
import { analyzeResults, type Analysis, type TestChoice } from "../study/analyze.ts";
import { readResults } from "../study/results-file.ts";

interface StatsOptions {
  metric?: string;
  lowerIsBetter?: boolean;
  reference?: string;
  paired?: boolean;
  unpaired?: boolean;
  test: string;
  alpha: string;
  json?: boolean;
  plot?: string;
}

const TESTS = ["auto", "t", "welch", "wilcoxon", "mannwhitney", "permutation"];

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(3) : x.toFixed(4);
}

export function formatAnalysis(a: Analysis): string {
  const lines = [`${a.metric} (${a.higher_is_better ? "higher" : "lower"} is better)`];
  const w = Math.max(7, ...a.variants.map((v) => v.name.length));
  lines.push(`${"variant".padEnd(w)}  ${"n".padStart(3)}  ${"mean".padStart(10)}  ${"sd".padStart(10)}  ${"min".padStart(10)}  ${"max".padStart(10)}  ${"median".padStart(10)}`);
  for (const v of a.variants) {
    lines.push(`${v.name.padEnd(w)}  ${String(v.n).padStart(3)}  ${fmt(v.mean).padStart(10)}  ${fmt(v.sd).padStart(10)}  ${fmt(v.min).padStart(10)}  ${fmt(v.max).padStart(10)}  ${fmt(v.median).padStart(10)}`);
  }
  for (const c of a.comparisons) {
    lines.push(
      `${c.b} − ${c.a}: ${fmt(c.diff)}  CI [${fmt(c.ci[0])}, ${fmt(c.ci[1])}]  ${c.paired ? "paired" : "unpaired"} ${c.test}, p = ${fmt(c.p)}` +
        (a.comparisons.length > 1 ? ` (Holm ${fmt(c.p_adjusted)})` : "") +
        `  P(${c.b} better) = ${c.prob_improvement.toFixed(2)}  ${c.effect_size_name} = ${fmt(c.effect_size)}`,
    );
    for (const n of c.notes) lines.push(`  note: ${n}`);
  }
  return lines.join("\n");
}

export function registerStats(program: Command): void {
  program
    .command("stats <file>")
    .description("compare variants from a results file (CSV/TSV or JSON Lines in long form: variant, seed, metrics) or a TensorBoard log directory")
    .option("--metric <name>", "metric column or tag (default: the first metric)")
    .option("--lower-is-better", "smaller values are better (losses, error rates)")
    .option("--reference <name>", "variant the others are compared with (default: the first)")
    .option("--paired", "pair runs by seed (default when every variant has the same seeds)")
    .option("--unpaired", "treat runs as independent")
    .option("--test <name>", `test: ${TESTS.join("|")}`, "auto")
    .option("--alpha <a>", "significance level; intervals are 1 − alpha", "0.05")
    .option("--json", "print the analysis as JSON")
    .option("--plot <out.png>", "also write the seed distributions and the differences as a PNG chart")
    .addHelpText(
      "after",
      "\nExamples:\n  $ twin stats results.csv --metric accuracy\n  $ twin stats runs/fmnist-demo --metric val/loss --lower-is-better --json\n  $ twin stats results.jsonl --unpaired --test mannwhitney\n  $ twin stats results.csv --plot stats.png",
    )
    .action(async (file: string, opts: StatsOptions) => {
      if (opts.paired && opts.unpaired) throw new Error("--paired and --unpaired contradict each other; pass one");
      if (!TESTS.includes(opts.test)) throw new Error(`--test must be one of ${TESTS.join(", ")} (got '${opts.test}')`);
      const table = readResults(file);
      const metric = opts.metric ?? table.metrics[0];
      if (metric === undefined) throw new Error(`${file}: no metrics found`);
      const analysis = analyzeResults(table, {
        metric,
        lowerIsBetter: opts.lowerIsBetter,
        reference: opts.reference,
        paired: opts.paired ? true : opts.unpaired ? false : undefined,
        test: opts.test as TestChoice,
        alpha: Number(opts.alpha),
      });
      process.stdout.write((opts.json ? JSON.stringify(analysis, null, 2) : formatAnalysis(analysis)) + "\n");
      if (opts.plot !== undefined) {
        const { writeStatsPlot } = await import("../report/stats-plot.ts"); // Vega: loaded only for --plot
        const path = await writeStatsPlot(table, analysis, opts.plot);
        if (!opts.json) process.stdout.write(`wrote ${path}\n`);
      }
    });
}
