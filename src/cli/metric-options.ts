/** --metric, --lower-is-better and --higher-is-better: which metric a verdict is about and which way is better (the rule: study/metric-direction.ts). */
import type { Command } from "commander";

/** Adds the three options; `metricHelp` says what --metric names for this command and what it defaults to. */
export function addMetricOptions(cmd: Command, metricHelp: string): Command {
  return cmd
    .option("--metric <name>", metricHelp)
    .option("--lower-is-better", "smaller values of the metric are better (default for names with loss, error, perplexity, …)")
    .option("--higher-is-better", "larger values of the metric are better (default for other names)");
}
