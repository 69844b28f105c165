/**
 * Which metric the verdict is on when the user did not say: twin's own
 * val/accuracy (the whole validation set) before eval/accuracy (the shared
 * evaluation batch), else the project's one rule (src/study/metric-direction.ts),
 * which also says which way is better.
 */
import { defaultMetric as sharedDefault } from "../../study/metric-direction.ts";

export { metricDirection } from "../../study/metric-direction.ts";

export function defaultMetric(tags: readonly string[]): string {
  if (tags.includes("val/accuracy")) return "val/accuracy";
  const m = sharedDefault(tags);
  if (m === undefined) {
    throw new Error(tags.length === 0 ? "no run has logged a metric yet (every run failed before its first, or none has got that far)" : `the runs have no result metric yet (only ${tags.join(", ")} logged)`);
  }
  return m;
}
