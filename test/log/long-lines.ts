// Files with a line over the 64 MiB twin reads as one record, for the
// metrics.jsonl readers' tests (metrics-jsonl-read.test.ts, metrics-series.test.ts).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { RunLogger } from "../../src/log/run-logger.ts";

/**
 * Under `root`: the metrics.jsonl of a run (study "big", variant "v", seed 0)
 * that logs val/acc 0.5 at step 1, a text note "dump" of 65 MiB at step 1
 * (wall time 11) and val/acc 0.75 at step 2; and `long-other.jsonl`, a scalars
 * line then a 65 MiB line that is not a note. Returns both paths.
 */
export function writeLongLineFiles(root: string): { note: string; other: string } {
  const logger = new RunLogger({ logdir: root, study: "big", variant: "v", seed: 0, events: false });
  logger.log(1, { "val/acc": 0.5 }, 10);
  logger.logText("dump", "x".repeat(65 << 20), 1, 11);
  logger.log(2, { "val/acc": 0.75 }, 12);
  logger.close();
  const other = join(root, "long-other.jsonl");
  writeFileSync(other, `{"kind":"scalars","step":1,"wall_time":0,"values":{"a":1}}\n{"kind":"blob","data":"${"y".repeat(65 << 20)}"}\n`);
  return { note: join(root, "big", "v", "seed-0", "metrics.jsonl"), other };
}
