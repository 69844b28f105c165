/**
 * A results file (CSV/TSV or JSON Lines in long form, as `twin stats` reads it)
 * as a study for the report: one run per row, each metric a series of one
 * point (its final value), the status and error the row gives. Such runs have
 * no curves (the study says so: finalValuesOnly): the report shows the
 * verdict, the seed distributions, the paired differences and the planning
 * from the final values. Read with factors (`twin report grid.csv --factors
 * a,b`), each row's levels make the study's factorial design, and the report
 * adds the factorial analysis as for a factorial study file.
 */
import { basename, extname } from "node:path";
import type { ResultRow, ResultTable, RunStatus } from "../study/results-file.ts";
import { resultsDesign } from "../study/factorial-verdict.ts";
import type { RunData, Series, StudyData } from "./types.ts";

/** A row's status in the words the report's model reads (build.ts runOutcome): an unfinished run is "running". */
const STATUS: Record<RunStatus, string> = { finished: "finished", diverged: "diverged", failed: "failed", unfinished: "running" };

/** The final value as a series of one point (step 0: a results file gives no step). */
function finalValue(value: number): Series {
  return { steps: new Float64Array([0]), values: new Float64Array([value]) };
}

function runOf(row: ResultRow, metrics: readonly string[]): RunData {
  const scalars: Record<string, Series> = {};
  // In the file's column order: the default metric is the first result column, as for twin stats.
  for (const m of metrics) if (row.metrics[m] !== undefined) scalars[m] = finalValue(row.metrics[m]!);
  const run: RunData = { variant: row.variant, seed: row.seed, scalars, where: row.where, status: STATUS[row.status ?? "finished"] };
  if (row.error !== undefined) run.notes = [row.error];
  return run;
}

/** The study of a results file read by readResults (with `factors`: the factor columns it was read with); named after the file (results.csv → results). */
export function resultsStudy(table: ResultTable, path: string, factors: readonly string[] = []): StudyData {
  const variantOrder = [...new Set(table.rows.map((r) => r.variant))];
  return {
    ...(factors.length > 0 ? { design: resultsDesign(table, factors) } : {}),
    name: basename(path, extname(path)),
    runs: table.rows.map((r) => runOf(r, table.metrics)),
    checks: [],
    source: `results file ${path}`,
    variantOrder,
    twinTrained: false,
    finalValuesOnly: true,
  };
}
