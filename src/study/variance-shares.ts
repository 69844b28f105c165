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

/** A factor's share and its interval, as the variance-by-factor tables print them. */
export interface ShareFigures {
  /** s²_F / s²_all (may exceed 1). */
  share: number;
  /** The interval cut to [0, 1] (stats shareInterval); null without one or when the whole interval lies above 1. */
  shareCi: readonly [number, number] | null;
  /** The F interval before the cut; null without all-varied runs. */
  shareCiUncut: readonly [number, number] | null;
}

/** Marks a share figure cut at 100% (cutSharesNote says why). */
const CUT = "*";

/**
 * "45% [4.5%, 99%]"; a figure above 100% is printed as 100% and marked
 * ("100%* [63%, 100%*]"), and an interval wholly above 100% as "none within
 * 0–100%": a share of the all-varied variance lies in [0, 100%].
 */
export function shareText(x: ShareFigures): string {
  const est = x.share > 1 ? `100%${CUT}` : sharePercent(x.share);
  if (x.shareCiUncut === null) return est;
  if (x.shareCi === null) return `${est} [none within 0–100%${CUT}]`;
  return `${est} [${sharePercent(x.shareCi[0])}, ${x.shareCiUncut[1] > 1 ? `100%${CUT}` : sharePercent(x.shareCi[1])}]`;
}

/**
 * The note under a table where shareText cut a figure at 100%: why a share
 * and its interval are cut there, and each estimate that was above it (named
 * by `label`), so nothing the runs said is hidden; undefined when none was cut.
 */
export function cutSharesNote(rows: readonly (ShareFigures & { label: string })[], level: number): string | undefined {
  const cut = rows.filter((x) => x.shareCiUncut !== null && Number.isFinite(x.share) && (x.share > 1 || x.shareCiUncut[1] > 1));
  if (cut.length === 0) return undefined;
  const pct = Math.round(level * 100);
  const over = cut.filter((x) => x.share > 1);
  const beyond = cut.filter((x) => x.shareCi === null);
  const parts = [
    `${CUT} cut at 100%: a factor's share of the all-varied variance lies between 0 and 100% when the factors add up, and an interval cut to those values still covers the share ${pct}% of the time (the F interval of the share, exact for normal runs).`,
  ];
  if (over.length) parts.push(`Estimates above 100% (that factor's runs varied more than the all-varied runs), shown as 100%: ${over.map((x) => `${x.label} ${(x.share * 100).toFixed(x.share < 1.1 ? 2 : 0)}%`).join(", ")}.`);
  if (beyond.length) {
    parts.push(
      `Interval wholly above 100%, so beyond noise: the factors do not add up for ${beyond.map((x) => `${x.label} (${sharePercent(x.shareCiUncut![0])} to ${sharePercent(x.shareCiUncut![1])})`).join(", ")}.`,
    );
  }
  return parts.join(" ");
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
