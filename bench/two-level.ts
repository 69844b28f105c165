/**
 * Coverage of the two-level (seeds × test examples) interval of an accuracy
 * difference, by simulation with known truth (bench/two-level-sim.ts), at 3, 5
 * and 10 seeds, paired and unpaired, in three settings. Writes
 * bench/results/two-level.json; docs/statistics.md publishes the table.
 *   nice -n 10 npx tsx bench/two-level.ts [studies per cell, default 400]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { coverage, SCENARIOS, type CoverageCell } from "./two-level-sim.ts";

const studies = Number(process.argv[2] ?? 400);
const cells: CoverageCell[] = [];
const t0 = performance.now();
let seed = 1;
for (const sc of SCENARIOS) {
  for (const seeds of [3, 5, 10]) {
    for (const paired of [true, false]) {
      const c = coverage(sc, seeds, paired, studies, seed++);
      cells.push(c);
      console.log(`${sc.name.padEnd(18)} seeds ${String(seeds).padStart(2)} ${paired ? "paired  " : "unpaired"} coverage ${(100 * c.coverage).toFixed(1)}%  seed share ${(100 * c.seedShare).toFixed(0)}%  half-width ${(100 * c.meanHalfWidth).toFixed(2)} pp`);
    }
  }
}
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(
  new URL("./results/two-level.json", import.meta.url),
  JSON.stringify({ studiesPerCell: studies, seconds: (performance.now() - t0) / 1000, scenarios: SCENARIOS, cells }, null, 2) + "\n",
);
console.log(`${cells.length} cells × ${studies} studies in ${((performance.now() - t0) / 1000).toFixed(0)} s; bench/results/two-level.json`);
