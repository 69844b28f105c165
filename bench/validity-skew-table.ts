// Generates src/stats/skew-thresholds.ts: for n = 3..100 seeds, the 90%, 95%,
// 97.5% and 99% quantiles of |G1| (adjusted Fisher–Pearson skewness) over
// 200,000 samples of n independent standard normal values (G1 does not depend
// on the mean or sd, so these are the cut-offs with false-alarm rates 10%, 5%,
// 2.5% and 1%).
//
//   nice -n 10 npx tsx bench/validity-skew-table.ts [samples]
import { skewnessUnchecked } from "../src/stats/skewness.ts";
import { writeNormalCutoffTable } from "./normal-cutoff-table.ts";

writeNormalCutoffTable({
  statistic: (x) => Math.abs(skewnessUnchecked(x)),
  seedBase: 9100,
  samples: Number(process.argv[2] ?? 200000),
  prefix: "SKEW",
  of: "|G1| (adjusted Fisher–Pearson skewness)",
  script: "bench/validity-skew-table.ts",
  target: "src/stats/skew-thresholds.ts",
});
