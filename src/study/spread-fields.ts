/**
 * The seed-spread part of every comparison: the variance of b's runs over
 * a's with an interval, the Brown–Forsythe test, and with paired runs the
 * Pitman–Morgan test (src/stats/spread-comparison.ts). Added to the verdict's
 * comparisons and to the seed report; docs/verdict-json.md lists the fields.
 */
import { compareSpreads, type Sample } from "../stats/index.ts";
import { pValueClause } from "../stats/p-value-text.ts";

export interface SpreadFields {
  /** Variance of b's runs over a's; null when a's runs do not vary. */
  variance_ratio: number | null;
  /** Its interval: F (unpaired) or Pitman–Morgan (paired); null below 3 pairs or without spread. */
  variance_ratio_ci: [number, number] | null;
  variance_ratio_method: string | null;
  /** Brown–Forsythe test of equal spreads (scipy.stats.levene(b, a, center="median")); null when undefined. */
  variance_p: number | null;
  /** Paired runs: the Pitman–Morgan test of equal variances, which uses the pairing; else null. */
  variance_p_pitman_morgan: number | null;
  variance_notes: string[];
}

/** The spread fields of b against a (paired: the same seeds in the same order); `names` name them in the notes. */
export function spreadFields(a: Sample, b: Sample, paired: boolean, level: number, names?: [string, string]): SpreadFields {
  if (a.length < 2 || b.length < 2) {
    return { variance_ratio: null, variance_ratio_ci: null, variance_ratio_method: null, variance_p: null, variance_p_pitman_morgan: null, variance_notes: ["comparing spreads needs 2 runs per variant"] };
  }
  const s = compareSpreads(a, b, { paired, level, ...(names ? { names } : {}) });
  return { variance_ratio: s.ratio, variance_ratio_ci: s.ci, variance_ratio_method: s.interval, variance_p: s.p, variance_p_pitman_morgan: s.paired_p, variance_notes: s.notes };
}

const times = (x: number) => (!Number.isFinite(x) ? "∞" : x >= 1e4 ? x.toExponential(1) : x >= 10 ? x.toFixed(0) : x >= 0.1 ? x.toFixed(2) : x.toPrecision(2));

/** "spread: dropout's seed sd is 0.71× baseline's (variance ratio 0.50, 95% CI 0.12–2.0, Pitman–Morgan); Brown–Forsythe p = 0.31; Pitman–Morgan p = 0.29". */
export function spreadLine(a: string, b: string, f: SpreadFields, level: number): string | undefined {
  if (f.variance_ratio === null) return f.variance_notes.length ? `spread: ${f.variance_notes.join("; ")}` : undefined;
  const ci = f.variance_ratio_ci
    ? `, ${Math.round(level * 100)}% CI ${times(f.variance_ratio_ci[0])}–${times(f.variance_ratio_ci[1])}, ${f.variance_ratio_method}`
    : f.variance_notes.length ? `; no interval: ${f.variance_notes[0]}` : "";
  const tests = [f.variance_p !== null ? `Brown–Forsythe ${pValueClause(f.variance_p)}` : "", f.variance_p_pitman_morgan !== null ? `Pitman–Morgan ${pValueClause(f.variance_p_pitman_morgan)}` : ""].filter(Boolean);
  let reading = "";
  if (f.variance_ratio_ci) {
    if (f.variance_ratio_ci[1] < 1) reading = `: ${b} spreads less over seeds`;
    else if (f.variance_ratio_ci[0] > 1) reading = `: ${b} spreads more over seeds`;
    else reading = ": no clear difference in spread";
  }
  return `spread: ${b}'s seed sd is ${times(Math.sqrt(f.variance_ratio))}× ${a}'s (variance ratio ${times(f.variance_ratio)}${ci})${tests.length ? `; ${tests.join("; ")}` : ""}${reading}`;
}

export interface SeedSpread extends SpreadFields {
  a: string;
  b: string;
  /** Seeds where both variants finished: the runs compared, paired by seed. */
  n_pairs: number;
}

/** Each variant's seed spread against the first variant's, paired by seed label over the seeds where both finished. */
export function seedSpreads(variants: readonly { name: string; labels: readonly (number | string)[]; values: readonly number[] }[], level = 0.95): SeedSpread[] {
  const [ref, ...rest] = variants;
  if (!ref) return [];
  const refBy = new Map(ref.labels.map((l, i) => [String(l), ref.values[i]!]));
  return rest.map((v) => {
    const a: number[] = [], b: number[] = [];
    v.labels.forEach((l, i) => {
      const x = refBy.get(String(l));
      if (x !== undefined) {
        a.push(x);
        b.push(v.values[i]!);
      }
    });
    return { a: ref.name, b: v.name, n_pairs: a.length, ...spreadFields(a, b, true, level, [ref.name, v.name]) };
  });
}
