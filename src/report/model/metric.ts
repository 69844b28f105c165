/**
 * Which metric the verdict is on when the user did not say: twin's own
 * val/accuracy (the whole validation set) before eval/accuracy (the shared
 * evaluation batch), else the project's one rule (src/study/metric-direction.ts),
 * which also says which way is better.
 */
import { defaultMetric as sharedDefault } from "../../study/metric-direction.ts";

export { metricDirection } from "../../study/metric-direction.ts";

/**
 * The metric of a study none of whose runs has logged a result metric (every
 * run failed before its first, or none has got that far, or only bookkeeping
 * such as epoch and lr was logged): its report has no verdict and shows the
 * runs, their statuses and errors instead (html.ts, noMetricSection).
 */
export const NO_METRIC = "";

export function defaultMetric(tags: readonly string[]): string {
  if (tags.includes("val/accuracy")) return "val/accuracy";
  return sharedDefault(tags) ?? NO_METRIC;
}
