/**
 * The advice under a comparison, from its runs as a pilot: what the interval
 * shows against the smallest difference that matters (when one is given),
 * and for an inconclusive one how many seeds would settle it, as a range
 * from the uncertainty of the pilot's sd (planSeeds in src/stats).
 */
import { planSeeds, readInterval, type IntervalReading, type Verdict } from "../stats/index.ts";
import { metricValueText, signedMetricValueText } from "./metric-units.ts";

const MANY = 10_000;

function count(n: number): string {
  return Number.isFinite(n) ? String(n) : `more than ${MANY}`;
}

/** What a comparison's interval shows against the smallest difference that matters: "no interval" when it has no width. */
export type ComparisonReading = IntervalReading | "no interval";

/**
 * {@link readInterval} of the comparison's interval against `smallest`, except
 * that an interval without width (every seed the same difference) reads
 * "no interval": the verdict prints none (NO_INTERVAL in verdict.ts), so it
 * can show neither equivalence nor a direction.
 */
export function comparisonReading(ci: [number, number], smallest: number): ComparisonReading {
  return ci[0] === ci[1] ? "no interval" : readInterval(ci, smallest);
}

/**
 * One advice line for comparison b − reference; undefined when there is
 * nothing to advise (the interval excludes 0 and no smallest difference was given).
 */
export function planAdvice(name: string, reference: string, v: Verdict, pilot: [number[], number[]], refRange: number, smallest?: number, percent = false): string | undefined {
  // The numbers as the verdict's lines above print them (the interval's ends signed), in its unit.
  const ppUnit = percent ? " pp" : "";
  const u = (x: number) => `${metricValueText(x, percent)}${ppUnit}`;
  const end = (x: number) => `${signedMetricValueText(x, percent)}${ppUnit}`;
  const width = v.ci[1] - v.ci[0];
  if (smallest !== undefined) {
    const reading = comparisonReading(v.ci, smallest);
    // An interval without width (every seed the same difference) shows nothing: the verdict prints none above.
    if (reading === "no interval" && Math.abs(v.diff) < smallest) return `${name}: every seed gives the same difference (${end(v.diff)}), inside ±${u(smallest)}, but with no spread over seeds there is no interval to show equivalence`;
    if (reading === "equivalent") return `${name}: equivalent to ${reference} within ±${u(smallest)}: the whole interval [${end(v.ci[0])}, ${end(v.ci[1])}] lies inside`;
    if (reading !== "inconclusive") return undefined;
  } else if (!(v.ci[0] <= 0 && v.ci[1] >= 0)) return undefined;
  if (width === 0) return undefined;
  const effect = smallest ?? Math.abs(v.diff);
  // The observed difference against the reference's seed range, said of the difference (it once read as if the interval were smaller).
  const smaller = smallest === undefined && refRange > 0 && effect < refRange ? `; the difference observed (${u(effect)}) is smaller than ${reference}'s seed range (${u(refRange)})` : "";
  const which = smallest !== undefined
    ? `the smallest difference that matters (${u(smallest)})`
    : smaller ? "a difference that large (pass --smallest-difference to plan for the one that matters)" : `a difference as large as the one observed (${u(effect)}; pass --smallest-difference to plan for the one that matters)`;
  const head = `${name}: inconclusive against ${reference}: the ${Math.round(v.level * 100)}% interval [${end(v.ci[0])}, ${end(v.ci[1])}] includes 0${smaller}`;
  if (effect === 0) return head;
  let plan;
  try {
    plan = planSeeds({ a: pilot[0], b: pilot[1], paired: v.paired }, effect, { power: 0.8, maxN: MANY });
  } catch {
    return head; // no spread to plan from
  }
  const unit = v.paired ? "seeds" : "runs per variant";
  const have = v.paired ? v.n : Math.min(pilot[0].length, pilot[1].length);
  const range = plan.range[0] === plan.range[1] ? count(plan.range[0]) : `${count(plan.range[0])}–${count(plan.range[1])}`;
  const swans = v.robust?.swans.length ?? 0;
  // A black swan inflates the sd the plan rests on: say so beside the plan, as the verdict names the seed above.
  const swanNote = swans > 0 ? `; the sd it plans from includes the black swan${swans > 1 ? "s" : ""} named above, which inflate${swans > 1 ? "" : "s"} it` : "";
  const tail = swanNote + (plan.capped ? `; at this noise level that is impractical: name a larger difference that matters or reduce the seed variance` : "");
  return `${head}; to detect ${which} 80% of the time, plan ${count(plan.n)} ${unit} in all (range ${range} from the uncertainty of the sd; you have ${have})${tail}`;
}
