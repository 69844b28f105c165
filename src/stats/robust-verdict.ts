/**
 * The "robust verdict": everything the verdict layer prints about black swans,
 * computed in one place.
 *
 * For paired runs the detector (`detectBlackSwans`, 5% false alarms on normal
 * seeds) looks at the per-seed differences b − a; for unpaired runs at each
 * variant's values with 2.5% each (so ≤ 5% together). Beside the plain
 * comparison (paired t / Welch t) it gives:
 *
 * - `withoutSwans`: the same test with the flagged seeds removed;
 * - `robust`: a 20% trimmed-mean test (`trimmedPairedTest` / `yuenTest`);
 * - `exact`: the sign-flip (paired) or label-permutation (unpaired) test of the
 *   mean difference, exact when the arrangements can be enumerated
 *   (≤ 100,000), else 9,999 seeded Monte Carlo draws.
 *
 * `disagree` is true when, among the available lines whose test can reach
 * p < alpha at this n (minAchievableP ≤ alpha), some are significant and some
 * are not, or two significant ones point in opposite directions.
 *
 * `restsOnNormality` is true when the plain p < alpha but the exact
 * (distribution-free) test cannot reach alpha at this n (paired: n ≤ 5; two
 * groups of 3): the significance then rests on the normality assumption alone.
 *
 * `skew`: the skewness G1 of the differences (paired) or of each variant's
 * runs (unpaired), flagged beyond what normal samples of that size reach with
 * probability 5% (paired) or 2.5% each (unpaired) (`detectSkew`).
 *
 * `skewCorrected` (paired only): the skewness-corrected t of the differences
 * (`skewCorrectedTTest`, Johnson 1978 in Hall's 1992 monotone form).
 * `leansOnSymmetry` is true when the plain p < alpha and the corrected t is not
 * significant in the same direction: skewed differences that lack their long tail look
 * like a clean shift to the plain t (paired lognormal nulls at 10 seeds: "p <
 * 0.05 with no warning" 8.9% without this check, 6.9% with it; it warns on 0.4
 * points more normal null studies: `npm run bench:validity`, docs/statistics.md).
 *
 * `warning` (what the verdict must print next to the plain p) is true when at
 * least one black swan is flagged, the lines disagree, the plain significance
 * rests on normality alone, the seeds are skewed, or the plain p leans on
 * symmetric differences. The simulation in
 * `bench/validity.ts` measures how often "plain p < 0.05 and no warning"
 * happens under skewed and swan-mixture nulls (docs/statistics.md).
 *
 * What no rule can see: a sample that holds no black swan looks exactly like a
 * world without them (Bahadur & Savage 1956). `unseenRate` is the largest rate of
 * seeds that go badly wrong which n seeds free of them cannot rule out at 95%,
 * 1 − 0.05^{1/n} (the one-sided Clopper–Pearson bound for 0 of n), and `caveat`
 * says so in words whenever the plain p is significant and no swan was seen.
 *
 * Floating-point rounding is removed first (`rounding.ts`): differences
 * (paired) or runs (unpaired) that vary only by rounding are constant, so they
 * hold no swan and no skew, and the t lines are unavailable.
 */
import { checkPaired, checkSample, type Sample } from "./validate.ts";
import { pairedDifferencesWithoutRounding, withoutRounding } from "./rounding.ts";
import { detectBlackSwans, SWAN_MIN_SEEDS, tooFewSeedsForSwans, type SwanFalseAlarm } from "./swans.ts";
import { detectSkew } from "./skewness.ts";
import { pairedTTest, welchTTest } from "./ttest.ts";
import { trimmedPairedTest, yuenTest } from "./yuen.ts";
import { skewCorrectedTTest } from "./skew-corrected-t.ts";
import { pairedPermutationTest, permutationTest } from "./permutation.ts";
import { meanUnchecked } from "./descriptive.ts";
import { fmt, type TestResult } from "./types.ts";
import { pValueText } from "./p-value-text.ts";

export interface VerdictLine {
  /** Which line: "plain", "without black swans", "trimmed", "exact". */
  role: string;
  test: string;
  /** Pairs (paired) or total runs (unpaired) the line rests on. */
  n: number;
  /** Its estimate of b − a: mean difference, or trimmed-mean difference for the trimmed line. */
  estimate: number;
  p: number;
  method: TestResult["method"];
  minAchievableP: number;
  /** p < alpha. */
  significant: boolean;
}

export interface SwanSeed {
  /** "pair" (paired: the seed's difference is the outlier), "a" or "b" (unpaired: a run of that variant). */
  where: "pair" | "a" | "b";
  /** 0-based index of the seed (pair) or run. */
  index: number;
  /** Robust z-score. */
  z: number;
}

export interface SkewLine {
  /** "pair" (paired: the differences b − a), "a" or "b" (unpaired: that variant's runs). */
  where: "pair" | "a" | "b";
  /** Adjusted Fisher–Pearson skewness G1. */
  skewness: number;
  /** |G1| above this is beyond what normal samples of this size reach with the detector's false-alarm rate. */
  threshold: number;
  skewed: boolean;
}

export interface RobustVerdict {
  paired: boolean;
  alpha: number;
  swans: SwanSeed[];
  /** Cut-off of |robust z| used (per variant when unpaired). */
  swanThreshold: number;
  plain: VerdictLine | null;
  withoutSwans: VerdictLine | null;
  robust: VerdictLine | null;
  exact: VerdictLine | null;
  /** Skewness-corrected t of the differences (Johnson–Hall; paired only; null unpaired or when undefined). */
  skewCorrected: VerdictLine | null;
  disagree: boolean;
  /** Plain p < alpha but the skewness-corrected t is not significant in the same direction (paired only). */
  leansOnSymmetry: boolean;
  /** Plain p < alpha while no distribution-free line can reach alpha at this n. */
  restsOnNormality: boolean;
  /** Skewness of the differences (paired) or of each variant (unpaired). */
  skew: SkewLine[];
  /** Some sample is skewed beyond the calibrated cut-off. */
  skewed: boolean;
  /** Largest rate of badly wrong seeds that these seeds, free of swans, cannot rule out at 95% (null when a swan was flagged). */
  unseenRate: number | null;
  /** When the plain p is significant and no swan was seen: what the seeds cannot rule out, in words. */
  caveat: string | null;
  warning: boolean;
  /** Why `warning` is set, in words; also why a line is missing. */
  reasons: string[];
}

export interface RobustVerdictOptions {
  paired?: boolean;
  /** Significance level (default 0.05). */
  alpha?: number;
  /** Trimming of the robust line (default 0.2). */
  trim?: number;
  /** Detector false-alarm rate on normal seeds (default 0.05). */
  falseAlarm?: SwanFalseAlarm;
  /** Seed of Monte Carlo permutation draws (default 0). */
  seed?: number;
  /** Names of the two variants in `reasons` (default ["a", "b"]). */
  names?: [string, string];
}

function line(role: string, r: TestResult & { estimate?: number }, estimate: number, alpha: number): VerdictLine {
  return { role, test: r.test, n: r.sizes ? r.sizes[0] + r.sizes[1] : r.n, estimate: r.estimate ?? estimate, p: r.p, method: r.method, minAchievableP: r.minAchievableP, significant: r.p < alpha };
}

function attempt(role: string, reasons: string[], f: () => VerdictLine): VerdictLine | null {
  try { return f(); } catch (e) {
    reasons.push(`${role} comparison unavailable: ${(e as Error).message.replace(/^stats\.\w+: /, "")}`);
    return null;
  }
}

function lowerHalfSwanLevel(falseAlarm: SwanFalseAlarm): SwanFalseAlarm {
  return falseAlarm === 0.1 ? 0.05 : falseAlarm === 0.05 ? 0.025 : 0.01;
}

/**
 * Plain, without-swans, trimmed and exact comparisons of b vs a, the black swans,
 * and whether the verdict needs a warning. Paired by default (a[i], b[i] share seed i).
 * Needs ≥ 3 pairs (paired) or ≥ 3 runs per variant (unpaired).
 */
export function robustVerdict(a: Sample, b: Sample, opts: RobustVerdictOptions = {}): RobustVerdict {
  const paired = opts.paired ?? true;
  const alpha = opts.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new Error(`stats.robustVerdict: alpha must be in (0, 1), got ${alpha}`);
  const trim = opts.trim ?? 0.2;
  const falseAlarm = opts.falseAlarm ?? 0.05;
  const seed = opts.seed ?? 0;
  if (paired) checkPaired("robustVerdict", a, b);
  const unit = paired ? "pairs" : "runs per variant";
  checkSample("robustVerdict", a, 3, `black-swan detection needs at least 3 ${unit}`, "a value");
  checkSample("robustVerdict", b, 3, `black-swan detection needs at least 3 ${unit}`, "b value");
  const reasons: string[] = [];
  const swans: SwanSeed[] = [];
  const skew: SkewLine[] = [];
  let threshold: number;
  let plain: VerdictLine | null, withoutSwans: VerdictLine | null = null, robust: VerdictLine | null, exact: VerdictLine | null;
  let skewCorrected: VerdictLine | null = null, skewCorrectedAgrees = true;
  if (paired) {
    // Every paired line depends on b − a alone: (0, d) carries the differences without rounding.
    const d = pairedDifferencesWithoutRounding(a, b).values;
    const zero = new Float64Array(d.length);
    const det = detectBlackSwans(d, { falseAlarm });
    threshold = det.threshold;
    for (const i of det.flagged) swans.push({ where: "pair", index: i, z: det.z[i]! });
    reasons.push(...det.notes);
    const sk = detectSkew(d, { falseAlarm });
    skew.push({ where: "pair", skewness: sk.skewness, threshold: sk.threshold, skewed: sk.skewed });
    const diff = meanUnchecked(d);
    plain = attempt("plain", reasons, () => line("plain", pairedTTest(zero, d, { alpha }), diff, alpha));
    if (det.flagged.length > 0) {
      const kd = d.filter((_, i) => !det.flagged.includes(i));
      withoutSwans = attempt("without black swans", reasons, () => line("without black swans", pairedTTest(new Float64Array(kd.length), kd, { alpha }), meanUnchecked(kd), alpha));
    }
    robust = attempt("trimmed", reasons, () => line("trimmed", trimmedPairedTest(zero, d, { alpha, trim }), NaN, alpha));
    exact = attempt("exact", reasons, () => line("exact", pairedPermutationTest(zero, d, { alpha, seed }), diff, alpha));
    skewCorrected = attempt("skew-corrected", reasons, () => {
      const r = skewCorrectedTTest(zero, d, { alpha });
      skewCorrectedAgrees = Math.sign(r.statistic) === Math.sign(diff);
      return line("skew-corrected", r, diff, alpha);
    });
  } else {
    a = withoutRounding(a).values;
    b = withoutRounding(b).values;
    const level = lowerHalfSwanLevel(falseAlarm);
    const da = detectBlackSwans(a, { falseAlarm: level }), db = detectBlackSwans(b, { falseAlarm: level });
    threshold = da.threshold;
    for (const i of da.flagged) swans.push({ where: "a", index: i, z: da.z[i]! });
    for (const i of db.flagged) swans.push({ where: "b", index: i, z: db.z[i]! });
    reasons.push(...new Set([...da.notes, ...db.notes]));
    for (const [where, x] of [["a", a], ["b", b]] as const) {
      const sk = detectSkew(x, { falseAlarm: level });
      skew.push({ where, skewness: sk.skewness, threshold: sk.threshold, skewed: sk.skewed });
    }
    const diff = meanUnchecked(b) - meanUnchecked(a);
    plain = attempt("plain", reasons, () => line("plain", welchTTest(a, b, { alpha }), diff, alpha));
    if (swans.length > 0) {
      const ka = Array.from(a as ArrayLike<number>).filter((_, i) => !da.flagged.includes(i));
      const kb = Array.from(b as ArrayLike<number>).filter((_, i) => !db.flagged.includes(i));
      withoutSwans = attempt("without black swans", reasons, () => line("without black swans", welchTTest(ka, kb, { alpha }), meanUnchecked(kb) - meanUnchecked(ka), alpha));
    }
    robust = attempt("trimmed", reasons, () => line("trimmed", yuenTest(a, b, { alpha, trim }), NaN, alpha));
    exact = attempt("exact", reasons, () => line("exact", permutationTest(a, b, { alpha, seed }), diff, alpha));
  }
  const usable = [plain, withoutSwans, robust, exact].filter((l): l is VerdictLine => l !== null && l.minAchievableP <= alpha);
  const sig = usable.filter((l) => l.significant);
  const opposite = sig.some((l) => l.estimate > 0) && sig.some((l) => l.estimate < 0);
  const disagree = (sig.length > 0 && sig.length < usable.length) || opposite;
  if (swans.length > 0) {
    const where = swans.map((s) => (s.where === "pair" ? `seed ${s.index}` : `${s.where} run ${s.index}`)).join(", ");
    reasons.unshift(`black swan${swans.length > 1 ? "s" : ""}: ${where} (|robust z| > ${fmt(threshold)}, a cut-off that flags ${fmt(falseAlarm * 100)}% of normal samples)`);
  }
  if (disagree) {
    const words = usable.map((l) => `${l.role} p = ${pValueText(l.p)}`).join(", ");
    reasons.unshift(opposite ? `the comparisons point in opposite directions (${words})` : `the comparisons disagree at alpha = ${fmt(alpha)} (${words})`);
  }
  const restsOnNormality = plain !== null && plain.significant && (exact === null || exact.minAchievableP > alpha);
  if (restsOnNormality) {
    reasons.push(
      `p < ${fmt(alpha)} rests on the normality assumption alone: with ${paired ? `${a.length} seeds` : `${a.length} and ${b.length} runs`} ` +
        `no distribution-free test can reach p < ${fmt(alpha)} (the exact ${paired ? "sign-flip" : "permutation"} test's smallest p is ${pValueText(exact?.minAchievableP ?? 1)}); ` +
        "skewed or heavy-tailed seeds can make such a p misleading",
    );
  }
  const leansOnSymmetry = plain !== null && plain.significant && skewCorrected !== null && (!skewCorrected.significant || !skewCorrectedAgrees);
  if (leansOnSymmetry) {
    reasons.push(
      `the skewness-corrected t (Johnson 1978, Hall 1992) ${skewCorrectedAgrees ? `gives p = ${pValueText(skewCorrected!.p)}` : "points the other way"} ` +
        `(skewness of the differences ${fmt(skew[0]!.skewness)}): the plain p < ${fmt(alpha)} leans on the differences being symmetric`,
    );
  }
  const skewed = skew.some((k) => k.skewed);
  for (const k of skew.filter((x) => x.skewed)) {
    const [nameA, nameB] = opts.names ?? ["a", "b"];
    const what = k.where === "pair" ? `the differences ${nameB} − ${nameA} are` : `the runs of ${k.where === "a" ? nameA : nameB} are`;
    const size = k.where === "pair" ? a.length : k.where === "a" ? a.length : b.length;
    const [value, cutOff] = distinctDigits(Math.abs(k.skewness), k.threshold);
    // With 3 values |G1| is at most √3, reached exactly when two are equal: a flag there is about a tie as much as a tail.
    const atMost = size === 3 ? `; with 3 seeds it is at most ${fmt(Math.sqrt(3))}, reached when two of them are equal` : "";
    reasons.push(
      `${what} skewed (skewness ${k.skewness < 0 ? "-" : ""}${value}; ${fmt(100 - (paired ? falseAlarm : lowerHalfSwanLevel(falseAlarm)) * 100)}% of normal ${size}-seed samples stay within ±${cutOff}${atMost}): ` +
        "a t-test's p can be far off for skewed seeds, in either direction",
    );
  }
  const nSmall = paired ? a.length : Math.min(a.length, b.length);
  const unseenRate = swans.length > 0 ? null : 1 - Math.pow(0.05, 1 / nSmall);
  // One decimal, or significant digits below 0.1% (at 500,000 seeds one decimal would say "up to 0%").
  const percent = unseenRate === null ? 0 : unseenRate * 100;
  const bound = unseenRate === null ? "" : `up to ${fmt(percent >= 0.1 ? Math.round(percent * 10) / 10 : percent)}% of seeds`;
  const caveat = unseenRate !== null && plain !== null && plain.significant
    ? (nSmall < SWAN_MIN_SEEDS
      ? `${nSmall} seeds are too few to detect a black swan (needs ${SWAN_MIN_SEEDS}), and cannot rule out that ${bound} go badly wrong `
      : `no seed went badly wrong here, but ${nSmall} seeds cannot rule out that ${bound} do `) +
      `(95% bound): such rare seeds can reverse a mean difference, and no test on these ${nSmall} values can see them; more seeds narrow the bound`
    : null;
  const said = caveat !== null && nSmall < SWAN_MIN_SEEDS ? tooFewSeedsForSwans(nSmall) : null; // the caveat says it
  return {
    paired, alpha, swans, swanThreshold: threshold, plain, withoutSwans, robust, exact, skewCorrected, disagree, leansOnSymmetry, restsOnNormality, skew, skewed, unseenRate, caveat,
    warning: swans.length > 0 || disagree || restsOnNormality || skewed || leansOnSymmetry, reasons: reasons.filter((r) => r !== said),
  };
}

/** x and y written with the fewest significant digits (3 at least) that tell them apart: "1.7321" against "1.7267", not "1.73" against "1.73". */
function distinctDigits(x: number, y: number): [string, string] {
  for (let digits = 3; digits < 17; digits++) {
    const a = Number(x.toPrecision(digits)).toString(), b = Number(y.toPrecision(digits)).toString();
    if (a !== b) return [a, b];
  }
  return [String(x), String(y)];
}
