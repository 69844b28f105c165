/**
 * The "how many more seeds" line under an inconclusive comparison, from its
 * runs as a pilot. It plans for the observed difference with the pilot sd and
 * with the sd's 80% upper confidence bound, and prints both ends: a plan from
 * the point sd alone reaches its power in only about half the pilots.
 */
import { seedsNeeded, type Verdict } from "../stats/index.ts";

/** Beyond this many seeds the plan is stated as "more than". */
const MANY_SEEDS = 200;

function seeds(n: number): string {
  return Number.isFinite(n) && n <= MANY_SEEDS ? String(n) : `more than ${MANY_SEEDS}`;
}

/** One advice line for comparison b − reference when its interval includes 0; undefined otherwise. */
export function planAdvice(name: string, reference: string, v: Verdict, pilot: [number[], number[]], refRange: number): string | undefined {
  if (!(v.ci[0] <= 0 && v.ci[1] >= 0) || v.diff === 0) return undefined;
  const effect = Math.abs(v.diff);
  const perVariant = v.paired ? "seeds" : "runs per variant";
  const have = v.paired ? v.n : Math.min(pilot[0].length, pilot[1].length);
  const smaller = refRange > 0 && effect < refRange ? ` and is smaller than ${reference}'s seed range (${refRange.toPrecision(3)})` : "";
  let plan = "";
  const needed = (conservative?: number): number => {
    try {
      return seedsNeeded({ a: pilot[0], b: pilot[1], paired: v.paired }, effect, { power: 0.8, maxN: MANY_SEEDS + 1, ...(conservative ? { conservative } : {}) }).n;
    } catch {
      return Infinity; // more than MANY_SEEDS, or no spread to plan from (then the interval is a point and this is not reached)
    }
  };
  const point = needed();
  const upper = needed(0.8);
  if (upper <= have) return undefined;
  const range = point === upper || point > MANY_SEEDS ? seeds(upper) : `${seeds(point)} to ${seeds(upper)}`;
  plan =
    `; to detect a difference this large 80% of the time would take ${range} ${perVariant} in all (you have ${have}; the range comes from the uncertainty of the sd: plan for the upper end)` +
    (upper > MANY_SEEDS ? "; at this noise level a difference this small is costly to resolve: decide which difference matters and plan for that" : "");
  return `${name}: the difference from ${reference} (${v.diff.toPrecision(3)}) is inconclusive: its interval includes 0${smaller}${plan}`;
}
