/**
 * Ranks with ties averaged (`scipy.stats.rankdata(x, method='average')`) and
 * the tie-group sizes used by tie corrections.
 */
import type { Sample } from "./validate.ts";

/** Average ranks (1-based), ties get the mean of the ranks they span. */
export function rankAverage(values: Sample): Float64Array {
  const n = values.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((i, j) => values[i]! - values[j]!);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[idx[j + 1]!] === values[idx[i]!]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[idx[k]!] = r;
    i = j + 1;
  }
  return ranks;
}

/** Sizes of the groups of tied values (only groups of size ≥ 2). */
export function tieGroups(values: Sample): number[] {
  const s = Float64Array.from(values as ArrayLike<number>).sort();
  const out: number[] = [];
  let i = 0;
  while (i < s.length) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[i]) j++;
    if (j > i) out.push(j - i + 1);
    i = j + 1;
  }
  return out;
}
