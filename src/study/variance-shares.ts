/**
 * Whether the shares of a variance-by-factor decomposition add up, said in
 * words (the `twin seeds` text and the report). They need not: factors varied
 * one at a time estimate σ²_F each, and Σ s²_F differs from the all-varied
 * s²_all by what the factors do only together (plus nondeterminism) and by
 * noise. Noise is judged by whether Σ s²_F lies inside the chi-square interval
 * of the all-varied variance (the factor variances' own noise comes on top,
 * so "beyond noise" is the stronger statement).
 */
export interface SharesInput {
  /** Σ s²_F. */
  sum: number;
  /** s²_all, or Σ s²_F without all-varied runs. */
  total: number;
  /** Chi-square interval of s²_all; null without all-varied runs. */
  totalCi: [number, number] | null;
  level: number;
}

const percent = (x: number) => (x >= 10 ? `${x.toFixed(0)}%` : x > 0 ? `${+x.toPrecision(2)}%` : "0%");

/** A share as a percentage: whole numbers from 10%, two significant digits below. */
export function sharePercent(fraction: number): string {
  return percent(fraction * 100);
}

/** The sentence: what the shares add up to and whether the gap to 100% is within noise; `sd` formats a standard deviation. */
export function sharesSentence(d: SharesInput, sd: (x: number) => string): string {
  if (d.total === 0) return "Every run gave the same value: there is no variance to divide.";
  if (d.totalCi === null) return "No all-varied runs: the shares are of the summed factor variances, so they add up to 100% by construction and have no interval.";
  const pct = Math.round(d.level * 100);
  const sumShare = (d.sum / d.total) * 100;
  const where = `the factors' combined sd ${sd(Math.sqrt(d.sum))} against the all-varied sd's ${pct}% interval [${sd(Math.sqrt(d.totalCi[0]))}, ${sd(Math.sqrt(d.totalCi[1]))}]`;
  const noise = d.sum < d.totalCi[0]
    ? `beyond noise (${where}): the factors matter mostly together, or the runs are nondeterministic`
    : d.sum > d.totalCi[1]
      ? `beyond noise (${where}): the factors' effects do not add up (one factor's effect depends on the others' seeds)`
      : `within noise (${where})`;
  return d.sum > d.total
    ? `The shares add up to ${percent(sumShare)}, not 100%: varied one at a time, the factors vary more in sum than all varied together; ${noise}.`
    : `The shares add up to ${percent(sumShare)}; the other ${percent(100 - sumShare)} is what the factors do only together, plus any nondeterminism; ${noise}.`;
}

/**
 * Said in place of a factor's sd, interval and share when every run that
 * varied it gave the root run's value: its seed changed nothing (a factor the
 * model does not draw from, such as dropout in a model without dropout, or
 * augmentation in a study without any), which a bare "sd 0.00 [0.00, 0.00]"
 * left the reader to guess.
 */
export const NO_FACTOR_SPREAD = "no spread: every run gave the same value, so this factor's seed changed nothing (the model does not draw from it, or not so that it shows)";

/** Said instead when the control sums show why: the model never drew from the factor's stream. */
export function undrawnText(factor: string): string {
  return `no spread: the model never drew from its ${factor} stream (0 draws in every run), so this factor's seed cannot change anything`;
}
