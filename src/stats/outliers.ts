/**
 * "Black swan" seeds: modified z-scores of Iglewicz & Hoaglin ("How to Detect
 * and Handle Outliers", ASQC 1993): M_i = 0.6745 (x_i − median)/MAD, flagged
 * when |M_i| > 3.5. When MAD = 0 (more than half the seeds tie) the mean
 * absolute deviation is used instead, M_i = (x_i − median)/(1.253314 · meanAD)
 * (the fallback used by IBM SPSS Modeler), and a note says so.
 */
import { checkSample, type Sample } from "./validate.ts";
import { medianUnchecked } from "./quantile.ts";
import { MAD_NORMAL_CONSTANT } from "./robust.ts";
import { rankAverage } from "./ranks.ts";

export interface SeedOutlier {
  index: number;
  value: number;
  /** Modified (robust) z-score. */
  z: number;
  /** Rank, 1 = best (highest value, or lowest with higherIsBetter: false); ties share the average rank. */
  rank: number;
  flagged: boolean;
}

export interface BlackSwanReport {
  seeds: SeedOutlier[];
  median: number;
  mad: number;
  threshold: number;
  flagged: number[];
  notes: string[];
}

/** Robust z-score of every seed, its rank, and the seeds flagged as black swans (|z| > threshold, default 3.5). */
export function blackSwans(values: Sample, opts: { threshold?: number; higherIsBetter?: boolean } = {}): BlackSwanReport {
  checkSample("blackSwans", values, 3, "a robust z-score needs a median and a spread");
  const threshold = opts.threshold ?? 3.5;
  const higher = opts.higherIsBetter ?? true;
  const n = values.length;
  const med = medianUnchecked(values);
  const dev = new Float64Array(n);
  for (let i = 0; i < n; i++) dev[i] = Math.abs(values[i]! - med);
  const madv = medianUnchecked(dev);
  const notes: string[] = [];
  let scale: number;
  if (madv > 0) scale = madv / MAD_NORMAL_CONSTANT;
  else {
    let m = 0;
    for (let i = 0; i < n; i++) m += dev[i]!;
    m /= n;
    scale = 1.2533141373155001 * m;
    notes.push("MAD is 0 (more than half of the seeds give the same value); z-scores use the mean absolute deviation instead");
  }
  const ranks = rankAverage(Array.from(values as ArrayLike<number>, (v) => (higher ? -v : v)));
  const seeds: SeedOutlier[] = [];
  for (let i = 0; i < n; i++) {
    const z = scale > 0 ? (values[i]! - med) / scale : 0;
    seeds.push({ index: i, value: values[i]!, z, rank: ranks[i]!, flagged: Math.abs(z) > threshold });
  }
  if (scale === 0) notes.push("all seeds give the same value: no spread, no outliers");
  return { seeds, median: med, mad: madv, threshold, flagged: seeds.filter((s) => s.flagged).map((s) => s.index), notes };
}
