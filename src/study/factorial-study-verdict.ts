/** The factorial verdict of a study with factors (defineStudy's factorial design), from its runs. */
import type { Cell, ResultRow, ResultTable } from "./results-file.ts";
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
  return designVerdict(rows, design, options);
}

/**
 * The factorial verdict of runs read back from a log folder or the store
 * (the report and the dashboard): variant -> seed -> outcome. A seed that has
 * no run yet for some combination counts as unfinished there, so it is left
 * out and named rather than stopping the analysis.
 */
export function cellsFactorialVerdict(byVariant: ReadonlyMap<string, ReadonlyMap<string, Cell>>, design: FactorialDesign, options: { metric: string; higherIsBetter?: boolean; percent?: boolean }): FactorialVerdict {
  const seeds = [...new Set([...byVariant.values()].flatMap((m) => [...m.keys()]))];
  const rows: ResultRow[] = [];
  for (const [variant, levels] of Object.entries(design.cells)) {
    const runs = byVariant.get(variant);
    if (!runs) throw new Error(`no run of the combination '${variant}' (${combinationName(levels)}) has a final ${options.metric} yet`);
    for (const seed of seeds) {
      const c = runs.get(seed);
      const row: ResultRow = { variant: combinationName(levels), seed, metrics: {}, where: c?.where ?? `variant "${variant}" seed ${seed}`, levels };
      if (c?.outcome === "finished") row.metrics[options.metric] = c.value!;
      else row.status = c === undefined || c.outcome === "missing" ? "unfinished" : c.outcome === "skipped" ? "failed" : c.outcome;
      rows.push(row);
    }
  }
  return designVerdict(rows, design, options);
}

/** The verdict of rows carrying their levels; rows go in the design's level order, which the verdict's levels (and each effect's sign) follow. */
function designVerdict(rows: ResultRow[], design: FactorialDesign, options: { metric: string; higherIsBetter?: boolean; percent?: boolean }): FactorialVerdict {
  const position = (r: ResultRow) => design.factors.reduce((at, f) => at * f.levels.length + f.levels.indexOf(r.levels![f.name]!), 0);
  const table: ResultTable = { rows: rows.map((r) => ({ r, at: position(r) })).sort((a, b) => a.at - b.at).map((x) => x.r), metrics: [options.metric] };
  const override = options.higherIsBetter === undefined ? undefined : { higherIsBetter: options.higherIsBetter };
  return factorialVerdict(table, {
    metric: options.metric,
    factors: design.factors.map((f) => f.name),
    direction: metricDirection(options.metric, override),
    ...(options.percent ? { percent: true } : {}),
  });
}
