/**
 * Where the runs behind a curve's mean change. A run that stops early
 * (diverged, failed, shorter) leaves the steps after its last one: the mean
 * there is over the other runs, and a mean over 10 seeds that becomes a mean
 * over 9 jumps where nothing changed in training (the seed that left was the
 * best, or the worst). A curve's mean and band are drawn in parts, one per
 * stretch of steps with the same number of runs, and each change is marked
 * with how many runs go on, so that no line joins two means over different
 * seeds.
 *
 * The count is what the statistics keep at each step (not which seeds): a run
 * that stops as another starts would not show. Runs that log at steps of their
 * own (one every 10 steps, another every 15) change the count at nearly every
 * step, and many runs that stop one by one change it often; beyond
 * `MAX_SET_CHANGES` changes a variant's curve is not cut (its parts would be
 * single points, its labels a pile) and the caption says how the count varies.
 */
import type { CurveStat } from "../model/index.ts";

/** A variant whose runs change more often than this along its curve is drawn whole: its runs log at steps of their own. */
export const MAX_SET_CHANGES = 6;

export interface RunSetChange {
  variant: string;
  /** First step over the new set of runs. */
  step: number;
  /** Runs at the step before, and from this step on. */
  before: number;
  after: number;
}

export interface RunSetParts {
  /** The part of each stat, in the order of the stats given: the variant and the stretch's number ("dropout#1"; printable: Vega writes it into the SVG). */
  parts: string[];
  /** Each change of the number of runs, by variant and step. */
  changes: RunSetChange[];
  /** Variants drawn whole although their count changes (more than MAX_SET_CHANGES times): how often, and between which counts. */
  varying: { variant: string; changes: number; least: number; most: number }[];
}

/** The parts of a curve's stats (one per stretch of steps with the same number of runs, per variant) and the changes between them. */
export function runSetParts(stats: readonly CurveStat[]): RunSetParts {
  const byVariant = new Map<string, number[]>();
  stats.forEach((s, i) => {
    let list = byVariant.get(s.variant);
    if (!list) byVariant.set(s.variant, (list = []));
    list.push(i);
  });
  const parts = new Array<string>(stats.length);
  const changes: RunSetChange[] = [];
  const varying: RunSetParts["varying"] = [];
  for (const [variant, indices] of byVariant) {
    indices.sort((i, j) => stats[i]!.step - stats[j]!.step);
    const mine: RunSetChange[] = [];
    for (let k = 1; k < indices.length; k++) {
      const before = stats[indices[k - 1]!]!, after = stats[indices[k]!]!;
      if (after.n !== before.n) mine.push({ variant, step: after.step, before: before.n, after: after.n });
    }
    const cut = mine.length <= MAX_SET_CHANGES;
    if (cut) changes.push(...mine);
    else {
      const counts = indices.map((i) => stats[i]!.n);
      varying.push({ variant, changes: mine.length, least: Math.min(...counts), most: Math.max(...counts) });
    }
    let part = 0;
    indices.forEach((i, k) => {
      if (cut && k > 0 && stats[i]!.n !== stats[indices[k - 1]!]!.n) part++;
      parts[i] = `${variant}#${part}`;
    });
  }
  return { parts, changes, varying };
}
