// Generates src/stats/swan-thresholds.ts: for n = 3..100 seeds, the 90%, 95%,
// 97.5% and 99% quantiles of the black-swan statistic max|x − median|/(MAD/0.6745)
// over 200,000 samples of n independent standard normal values (the statistic
// does not depend on the mean or sd, so these are the cut-offs with false-alarm
// rates 10%, 5%, 2.5% and 1%).
//
//   nice -n 10 npx tsx bench/validity-swan-table.ts [samples]
import { swanStatistic } from "../src/stats/swans.ts";
import { writeNormalCutoffTable } from "./normal-cutoff-table.ts";

writeNormalCutoffTable({
  statistic: swanStatistic,
  seedBase: 7000,
  samples: Number(process.argv[2] ?? 200000),
  prefix: "SWAN",
  of: "max|modified z|",
  script: "bench/validity-swan-table.ts",
  target: "src/stats/swan-thresholds.ts",
});
