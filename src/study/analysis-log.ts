/**
 * Which sizes a stored study's verdict was looked at. Testing again after
 * adding seeds ("5 seeds: not significant; 10 more and look again") inflates
 * the false-positive rate unless the looks were planned (`compare
 * --sequential`), so each verdict is recorded and a verdict at a new size
 * warns. Recorded as artifacts (kind "analysis", path "seeds-<n>") of the
 * study's first run, so the store needs no table of its own.
 */
import type { Store } from "../store/index.ts";

const KIND = "analysis";

async function firstRun(store: Store, study: string): Promise<string | undefined> {
  const runs = await store.listRuns({ study });
  runs.sort((a, b) => a.queuedAt - b.queuedAt || (a.id < b.id ? -1 : 1));
  return runs[0]?.id;
}

/** Seeds at which the study's verdict was printed before, and whether each was a planned sequential look. */
export async function priorAnalyses(store: Store, study: string): Promise<{ seeds: number; planned: boolean }[]> {
  const id = await firstRun(store, study);
  if (id === undefined) return [];
  return (await store.artifacts(id))
    .filter((a) => a.kind === KIND)
    .map((a) => ({ seeds: a.bytes, planned: a.path.endsWith("-planned") }))
    .sort((x, y) => x.seeds - y.seeds);
}

/** Records that the study's verdict was printed at `seeds` seeds (planned: a look of a sequential design). */
export async function recordAnalysis(store: Store, study: string, seeds: number, planned = false): Promise<void> {
  const id = await firstRun(store, study);
  if (id === undefined) return;
  await store.addArtifact({ runId: id, kind: KIND, path: `seeds-${seeds}${planned ? "-planned" : ""}`, sha256: "-", bytes: seeds });
}

/**
 * The warning for a verdict at `seeds` when unplanned verdicts were printed
 * at other sizes before; undefined when there is nothing to warn about.
 */
export function repeatedAnalysisWarning(prior: readonly { seeds: number; planned: boolean }[], seeds: number): string | undefined {
  const other = [...new Set(prior.filter((p) => !p.planned && p.seeds !== seeds).map((p) => p.seeds))];
  if (other.length === 0) return undefined;
  return (
    `this study's verdict was also looked at with ${other.join(", ")} seed${other.length > 1 || other[0] !== 1 ? "s" : ""}: ` +
    "testing again after adding seeds raises the chance of a false positive above the nominal level (10% instead of 5% when a 5-seed pilot is tested again at a planned size, docs/statistics.md); " +
    "plan the looks in advance with --sequential, or report every size you looked at"
  );
}
