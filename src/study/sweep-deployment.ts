/**
 * What to deploy from a sweep: the prediction files its commands wrote
 * (predictions.npy / test_predictions.npy in TWIN_RUN_DIR, kept in the store
 * by sweep-predictions.ts), per variant over the finished runs of the table.
 * An external command's examples are known only by their labels: seeds whose
 * label files are identical are taken to be on the same examples (validation
 * ensembles need that; the deployment notes say when they are not).
 */
import type { Store } from "../store/index.ts";
import type { SeedPredictions, VariantPredictions } from "./deployment.ts";
import type { ResultTable } from "./results-file.ts";

function sameLabels(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The stored predictions of the table's finished runs, per variant, seeds in label order (the same order for every variant, so they pair). */
export async function sweepPredictions(store: Store, table: ResultTable): Promise<VariantPredictions[]> {
  const variants = [...new Set(table.rows.map((r) => r.variant))];
  const out: VariantPredictions[] = [];
  for (const variant of variants) {
    const rows = table.rows.filter((r) => r.variant === variant && r.runId !== undefined && r.status === undefined).sort((a, b) => a.seed.localeCompare(b.seed, "en", { numeric: true }));
    const seeds: SeedPredictions[] = [];
    const seedValidationLabels: Int32Array[] = [];
    const testLabels: Int32Array[] = [];
    for (const row of rows) {
      const records = await store.predictions(row.runId!, { variant });
      const val = records.find((p) => p.split === "validation");
      if (!val) continue;
      const tst = records.find((p) => p.split === "test");
      seeds.push({
        seed: row.seed,
        validation: { data: val.probabilities, shape: [val.examples, val.classes] },
        ...(tst ? { test: { data: tst.probabilities, shape: [tst.examples, tst.classes] } } : {}),
      });
      seedValidationLabels.push(val.labels);
      if (tst) testLabels.push(tst.labels);
    }
    if (seeds.length === 0) continue;
    const oneValidation = seedValidationLabels.every((l) => sameLabels(l, seedValidationLabels[0]!));
    const oneTest = testLabels.length === seeds.length && testLabels.every((l) => sameLabels(l, testLabels[0]!));
    out.push({
      variant, seeds, seedValidationLabels,
      ...(oneValidation ? { validationLabels: seedValidationLabels[0]! } : {}),
      ...(oneTest ? { testLabels: testLabels[0]! } : {}),
    });
  }
  return out;
}
