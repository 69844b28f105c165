/**
 * The one rule for how a metric's values are printed, shared by the CLI
 * (`compare`, `seeds`, `demo`, `sweep`, `stats`), the report and the
 * dashboard: an accuracy whose values are fractions is shown in percentage
 * points (0.7303 → 73.03, differences in pp); every other metric, and an
 * accuracy logged in percent already, as it was logged.
 */
import { metricDirection } from "./metric-direction.ts";

/** Names an accuracy: its last word is "accuracy" or "acc" ("val/accuracy", "eval_acc", "top1_accuracy"), and it is higher-is-better by name. */
function namesAccuracy(metric: string): boolean {
  const last = metric.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).at(-1);
  return (last === "accuracy" || last === "acc") && metricDirection(metric).higherIsBetter;
}

/**
 * True when `metric`'s values are shown as percentage points: it names an
 * accuracy and every finite value given lies in [0, 1] (an accuracy logged as
 * 73.0 stays as it is).
 */
export function showsPercentPoints(metric: string, values: Iterable<number> = []): boolean {
  if (!namesAccuracy(metric)) return false;
  for (const x of values) if (Number.isFinite(x) && (x < 0 || x > 1)) return false;
  return true;
}

/**
 * A value or difference of a metric of fractions, written in percentage points
 * for the notes beside a verdict in pp (0.1 → "10.00 pp"); a spread the size of
 * floating-point rounding keeps its digits ("1.39e-15 pp", not "0.00 pp").
 */
export function percentPointsText(x: number): string {
  const pp = 100 * x;
  return `${pp === 0 || Math.abs(pp) >= 0.005 ? pp.toFixed(2) : pp.toExponential(2)} pp`;
}

/**
 * A metric's value, difference or interval end as the verdict prints it in
 * `twin stats`/`twin compare`, the factorial verdict, the report and the
 * dashboard: in pp with two decimals when `percent`, else four decimals, with
 * four significant digits in exponent form below 1e-3 or from 1e5 up (a loss
 * difference of 3.2e-5 is "3.200e-5", not "0.0000"). Non-finite: "n/a".
 */
export function metricValueText(x: number, percent: boolean): string {
  if (!Number.isFinite(x)) return "n/a";
  if (percent) return (x * 100).toFixed(2);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(3) : x.toFixed(4);
}

/** A difference or interval end as the verdict prints it: {@link metricValueText} with its sign ("+0.94", "-0.48"; ASCII "-" everywhere, U+2212 nowhere), "n/a" unsigned when not finite. */
export function signedMetricValueText(x: number, percent: boolean): string {
  return (Number.isFinite(x) && x >= 0 ? "+" : "") + metricValueText(x, percent);
}
