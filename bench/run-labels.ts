// freeRunLabels (study/run-labels.ts) at scale: a one-factor plan of N runs
// (`twin seeds --vary init --n N`) submitted to a study that holds N runs of
// `twin compare --seeds N`, every label but the first held by other seeds, so
// every run looks up its seeds and gets a new label. CPU seconds of the call,
// median of 3; load average beside.
//
//   nice -n 10 npx tsx bench/run-labels.ts [N...]      # default 1000 10000
import { FACTORS } from "../src/rng/factors.ts";
import type { RunRecord } from "../src/store/index.ts";
import { freeRunLabels } from "../src/study/run-labels.ts";
import { planRuns } from "../src/study/seed-plan.ts";
import { loadavg } from "node:os";

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
for (const n of sizes.length ? sizes : [1000, 10000]) {
  const held: RunRecord[] = Array.from({ length: n }, (_, root) => ({
    id: `r${root}`, study: "s", variants: ["a"], specHash: "h", rootSeed: BigInt(root), seeds: Object.fromEntries(FACTORS.map((f) => [f, BigInt(root)])),
    config: { kind: "twin-run", label: root }, fingerprintHash: null, status: "finished", attempts: 1, worker: null, queuedAt: 0, startedAt: null, finishedAt: null, heartbeatAt: null, error: null,
  }));
  const plans = planRuns({ vary: "init", n });
  const times: number[] = [];
  let labels: number[] = [];
  for (let round = 0; round < 3; round++) {
    const t0 = process.cpuUsage();
    labels = freeRunLabels(plans, held).map((p) => p.label);
    const t = process.cpuUsage(t0);
    times.push((t.user + t.system) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ planned: n, held: n, cpu_s: Number(times[1]!.toFixed(3)), range: [times[0], times[2]].map((t) => Number(t!.toFixed(3))), new_labels: labels.filter((l, i) => l !== plans[i]!.label).length, load_1min: loadavg()[0] }));
}
