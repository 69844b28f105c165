/**
 * Comparing the seed spreads of two variants: is B's run-to-run variance
 * smaller than A's, and by how much? (Picard 2021 asks it of pretraining;
 * choosing "the smallest random range" asks it of any change.)
 *
 * - `ratio` = s²_b / s²_a with an interval of σ²_b/σ²_a:
 *   unpaired, the F interval [R/F_{1−α/2}(ν_b, ν_a), R/F_{α/2}(ν_b, ν_a)]
 *   (exact for normal runs, not robust to heavy tails);
 *   paired (the same seeds), the Pitman–Morgan interval (`pitmanMorgan`),
 *   which accounts for the correlation the shared seeds create.
 * - `p`: the Brown–Forsythe test (`scipy.stats.levene(b, a, center="median")`),
 *   robust to heavy tails; it treats the two samples as independent.
 * - `paired_p`: with paired runs, the Pitman–Morgan test, which uses the pairing.
 *
 * Runs that vary only by floating-point rounding do not vary (`rounding.ts`).
 * Paired runs on a line across seeds (correlation ±1) have no Pitman–Morgan
 * interval or p (`pitmanMorganUndefined`): `ci` and `paired_p` are null and a
 * note says why. Every statistic here is unchanged when both samples are
 * multiplied by one factor, so they are first scaled by a power of two (exact)
 * that brings the largest |value| near 1: values near 1e300 or 1e-300, whose
 * variances overflow to ∞ or underflow to 0, get the ratio of values near 1
 * (before, 1e300-scale runs read "sd ratio ∞×" and 1e-300-scale ones "does not vary").
 */
import { checkLevel, checkPaired, checkSample, type Sample } from "./validate.ts";
import { varianceUnchecked } from "./descriptive.ts";
import { fQuantile } from "./fdist.ts";
import { brownForsythe } from "./brown-forsythe.ts";
import { pitmanMorgan, pitmanMorganUndefined } from "./pitman-morgan.ts";
import { withoutRounding } from "./rounding.ts";

/** F interval of σ²_b/σ²_a from two independent normal samples. Needs n ≥ 2 each. */
export function varianceRatioInterval(a: Sample, b: Sample, level = 0.95): { ratio: number; ci: [number, number]; level: number } {
  checkSample("varianceRatioInterval", a, 2, "a variance needs n − 1 ≥ 1", "a value");
  checkSample("varianceRatioInterval", b, 2, "a variance needs n − 1 ≥ 1", "b value");
  checkLevel("varianceRatioInterval", level);
  const va = varianceUnchecked(withoutRounding(a).values), vb = varianceUnchecked(withoutRounding(b).values);
  if (va === 0) throw new Error("stats.varianceRatioInterval: a does not vary (variance 0, or only floating-point rounding), so the ratio of variances is undefined; check that the seeds really differ");
  const ratio = vb / va;
  const alpha = 1 - level, nb = b.length - 1, na = a.length - 1;
  return { ratio, ci: [ratio / fQuantile(1 - alpha / 2, nb, na), ratio / fQuantile(alpha / 2, nb, na)], level };
}

export interface SpreadComparison {
  /** s²_b / s²_a; null when a does not vary. */
  ratio: number | null;
  ci: [number, number] | null;
  /** "F" (unpaired) or "Pitman–Morgan" (paired). */
  interval: string | null;
  /** Brown–Forsythe p; null when it is undefined (2 runs per variant, no spread). */
  p: number | null;
  /** Pitman–Morgan p (paired only). */
  paired_p: number | null;
  notes: string[];
}

/** The power of two that brings the largest finite |value| of the samples near 1 (1 when all are 0). */
function unitScale(...samples: readonly Sample[]): number {
  let m = 0;
  for (const s of samples) for (let i = 0; i < s.length; i++) m = Math.max(m, Math.abs(s[i]!));
  return m > 0 && Number.isFinite(m) ? 2 ** -Math.round(Math.log2(m)) : 1;
}

/** The spread comparison of b against a (see the file comment); `names` name the two in the notes (default "a", "b"). */
export function compareSpreads(rawA: Sample, rawB: Sample, options: { paired: boolean; level?: number; names?: [string, string] }): SpreadComparison {
  const level = options.level ?? 0.95;
  checkLevel("compareSpreads", level);
  checkSample("compareSpreads", rawA, 2, "a variance needs n − 1 ≥ 1", "a value");
  checkSample("compareSpreads", rawB, 2, "a variance needs n − 1 ≥ 1", "b value");
  if (options.paired) checkPaired("compareSpreads", rawA, rawB);
  const [nameA, nameB] = options.names ?? ["a", "b"];
  const roundedA = withoutRounding(rawA).values, roundedB = withoutRounding(rawB).values;
  const k = unitScale(roundedA, roundedB);
  const a = Array.from(roundedA, (x) => x * k), b = Array.from(roundedB, (x) => x * k);
  const notes: string[] = [];
  const va = varianceUnchecked(a), vb = varianceUnchecked(b);
  const out: SpreadComparison = { ratio: va > 0 ? vb / va : null, ci: null, interval: null, p: null, paired_p: null, notes };
  const undefinedPM = options.paired && a.length >= 3 ? pitmanMorganUndefined(a, b) : null;
  if (va === 0 || vb === 0) notes.push(`${va === 0 ? nameA : nameB} does not vary across seeds: no interval or test of the spreads`);
  else if (undefinedPM) notes.push(undefinedPM);
  else if (options.paired && a.length >= 3) {
    const pm = pitmanMorgan(a, b, level);
    out.ci = pm.ci;
    out.interval = "Pitman–Morgan";
    out.paired_p = pm.p;
  } else if (!options.paired) {
    out.ci = varianceRatioInterval(a, b, level).ci;
    out.interval = "F";
  } else notes.push("an interval of the variance ratio of paired runs needs at least 3 seeds");
  if (va > 0 || vb > 0) {
    try {
      out.p = brownForsythe([b, a]).p;
    } catch (e) {
      notes.push(`no Brown–Forsythe p: ${(e as Error).message.replace(/^stats\.brownForsythe: /, "")}`);
    }
  }
  return out;
}
