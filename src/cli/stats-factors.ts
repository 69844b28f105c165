/** `twin stats FILE --factors a,b`: the factorial verdict of results from anywhere (long form, one column per factor, a seed column). */
import { readResults } from "../study/results-file.ts";
import { defaultMetric } from "../study/metric-direction.ts";
import { showsPercentPoints } from "../study/metric-units.ts";
import { factorialVerdict, formatFactorialVerdict } from "../study/factorial-verdict.ts";
import { UsageError } from "./exit-codes.ts";

export interface FactorsOptions {
  factors: string;
  metric?: string;
  lowerIsBetter?: boolean;
  alpha: string;
  json?: boolean;
  plot?: string;
}

/** Reads --factors: comma-separated column names, each once. */
export function parseFactors(raw: string): string[] {
  const names = raw.split(",").map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`--factors needs the factor columns, e.g. --factors optimizer,augment (got '${raw}')`);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new UsageError(`--factors names "${twice}" twice`);
  for (const reserved of ["seed", "variant", "status", "error"]) {
    if (names.includes(reserved)) throw new UsageError(`--factors: "${reserved}" is a row column, not a factor`);
  }
  return names;
}

/** Prints the factorial verdict (text or JSON); with --plot also writes its interaction plots and per-setting effects. */
export async function statsFactors(file: string, opts: FactorsOptions, direction: { lowerIsBetter?: boolean }): Promise<void> {
  const factors = parseFactors(opts.factors);
  const table = readResults(file, { factors });
  if (opts.metric !== undefined && !table.metrics.includes(opts.metric)) {
    throw new UsageError(`--metric ${opts.metric}: ${file} has no such metric; available: ${table.metrics.join(", ")}`);
  }
  const metric = opts.metric ?? defaultMetric(table.metrics);
  if (metric === undefined) throw new Error(`${file}: no result metric found besides the factor columns; name one with --metric`);
  const percent = showsPercentPoints(metric, table.rows.map((r) => r.metrics[metric] ?? NaN));
  const verdict = factorialVerdict(table, { metric, factors, alpha: Number(opts.alpha), percent, ...direction });
  if (opts.json) process.stdout.write(JSON.stringify({ ...verdict, metric_source: opts.metric ? "--metric" : "default", problems: table.notes ?? [] }, null, 2) + "\n");
  else {
    if (!opts.metric) process.stdout.write(`metric: ${metric} (chosen by default from ${table.metrics.length} metric(s); --metric to pick another)\n`);
    process.stdout.write(formatFactorialVerdict("", verdict, percent) + "\n");
    for (const n of table.notes ?? []) process.stdout.write(`left out: ${n}\n`);
  }
  if (opts.plot !== undefined) {
    const { writeFactorialPlot } = await import("../report/factorial-plot.ts"); // Vega: loaded only for --plot
    const path = await writeFactorialPlot(verdict, opts.plot, percent);
    if (!opts.json) process.stdout.write(`wrote ${path}\n`);
  }
}
