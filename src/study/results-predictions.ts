/**
 * What to deploy from a results file (`twin stats`): the per-seed prediction
 * files its rows name in `predictions` / `test_predictions` columns, with the
 * labels of each set (`--labels`, `--test-labels`). Every file of a set must
 * cover the same examples in the same order (one labels file per set says
 * so), so ensembles exist on both sets; a file that does not fit is refused
 * naming the results row and the file.
 */
import { dirname, resolve } from "node:path";
import type { SeedPredictions, VariantPredictions } from "./deployment.ts";
import { checkPredictionSet, readLabelsFile, readPredictionFile, type PredictionFile } from "./prediction-files.ts";
import type { ResultTable } from "./results-file.ts";

export interface ResultsPredictionOptions {
  /** Labels of the examples in the `predictions` files. */
  labels?: string;
  /** Labels of the examples in the `test_predictions` files. */
  testLabels?: string;
}

/** True when some row of the table names a prediction file. */
export function hasPredictionFiles(table: ResultTable): boolean {
  return table.rows.some((r) => r.files !== undefined);
}

/**
 * The finished rows' predictions per variant (seeds in numeric order, so the
 * same seeds pair across variants). Paths are relative to the results file.
 */
export function resultsPredictions(table: ResultTable, resultsPath: string, options: ResultsPredictionOptions): VariantPredictions[] {
  const rows = table.rows.filter((r) => r.files && (r.status === undefined || r.status === "finished"));
  const needs = (column: "predictions" | "test_predictions", flag: string, given: string | undefined) => {
    const row = rows.find((r) => r.files![column] !== undefined);
    if (row && given === undefined) throw new Error(`${row.where} names a ${column} file, which needs the true classes of its examples: pass ${flag} FILE (one label per example, NPY or CSV)`);
  };
  needs("predictions", "--labels", options.labels);
  needs("test_predictions", "--test-labels", options.testLabels);
  const base = dirname(resolve(resultsPath));
  const labelsOf = (path: string | undefined) => (path === undefined ? undefined : { path, ...readLabelsFile(path) });
  const validationLabels = labelsOf(options.labels);
  const testLabels = labelsOf(options.testLabels);
  const read = (row: (typeof rows)[number], column: "predictions" | "test_predictions", labels: NonNullable<typeof validationLabels>): PredictionFile => {
    const path = resolve(base, row.files![column]!);
    try {
      const file = readPredictionFile(path);
      checkPredictionSet([file], labels.path, labels);
      return file;
    } catch (e) {
      throw new Error(`${row.where}, column "${column}": ${(e as Error).message}`);
    }
  };
  const out: VariantPredictions[] = [];
  for (const variant of [...new Set(rows.map((r) => r.variant))]) {
    const seeds: SeedPredictions[] = [];
    const mine = rows.filter((r) => r.variant === variant && r.files!.predictions !== undefined).sort((a, b) => a.seed.localeCompare(b.seed, "en", { numeric: true }));
    for (const row of mine) {
      const test = testLabels && row.files!.test_predictions !== undefined ? read(row, "test_predictions", testLabels) : undefined;
      seeds.push({ seed: row.seed, validation: read(row, "predictions", validationLabels!), ...(test ? { test } : {}) });
    }
    if (seeds.length === 0) continue;
    out.push({
      variant, seeds,
      validationLabels: validationLabels!.labels,
      seedValidationLabels: seeds.map(() => validationLabels!.labels),
      ...(testLabels && seeds.every((s) => s.test) ? { testLabels: testLabels.labels } : {}),
    });
  }
  return out;
}
