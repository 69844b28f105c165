/** The factorial verdict of a study with factors (defineStudy's factorial design), from its runs. */
import type { ResultRow, ResultTable } from "./results-file.ts";
import type { SeedResults } from "./verdict.ts";
import { combinationName, type FactorialDesign } from "./factorial-design.ts";
import { factorialVerdict, type FactorialVerdict } from "./factorial-verdict.ts";
import { metricDirection } from "./metric-direction.ts";

/** The factorial verdict of a study's results (seeds of every combination). */
export function studyFactorialVerdict(results: SeedResults, design: FactorialDesign, options: { metric: string; higherIsBetter?: boolean; percent?: boolean }): FactorialVerdict {
  const rows: ResultRow[] = [];
  for (const [variant, levels] of Object.entries(design.cells)) {
    const values = results.values[variant];
    if (!values) throw new Error(`the study's results have no runs of the combination '${variant}' (${combinationName(levels)})`);
    values.forEach((value, i) => {
      const seed = results.seeds[i] ?? String(i);
      const status = results.status?.[variant]?.[i];
      const row: ResultRow = { variant: combinationName(levels), seed, metrics: { [options.metric]: value }, where: `variant "${variant}" seed ${seed}`, levels };
      if (status === "running") row.status = "unfinished";
      else if (status === "skipped") {
        // Not trained (left out after failing the same way on the first runs): a failure of that combination.
        row.status = "failed";
        row.error = "not trained";
      } else if (status === "missing") row.metrics = {};
      else if (status) row.status = status;
      rows.push(row);
    });
  }
  const table: ResultTable = { rows, metrics: [options.metric] };
  const override = options.higherIsBetter === undefined ? undefined : { higherIsBetter: options.higherIsBetter };
  return factorialVerdict(table, {
    metric: options.metric,
    factors: design.factors.map((f) => f.name),
    direction: metricDirection(options.metric, override),
    ...(options.percent ? { percent: true } : {}),
  });
}
