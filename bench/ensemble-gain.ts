/**
 * Coverage of stats.ensembleGain's 95% interval (test examples + seed
 * jackknife) by simulation with a known true gain (bench/ensemble-gain-sim.ts),
 * at 3, 5 and 10 seeds. Writes bench/results/ensemble-gain.json; the table is
 * in docs/statistics.md.
 *   nice -n 10 npx tsx bench/ensemble-gain.ts [studies per cell, default 300]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { gainCoverage, GAIN_SCENARIOS, type GainCoverageCell } from "./ensemble-gain-sim.ts";

const studies = Number(process.argv[2] ?? 300);
const truthDraws = 400_000;
const cells: GainCoverageCell[] = [];
const t0 = performance.now();
for (const sc of GAIN_SCENARIOS) {
  for (const seeds of [3, 5, 10]) {
    const c = gainCoverage(sc, seeds, studies, truthDraws, 10 * seeds + cells.length);
    cells.push(c);
    console.log(`${sc.name.padEnd(16)} seeds ${String(seeds).padStart(2)} coverage ${(100 * c.coverage).toFixed(1)}%  true gain ${(100 * c.truth).toFixed(2)} ± ${(100 * c.truthSe).toFixed(2)} pp  half-width ${(100 * c.meanHalfWidth).toFixed(2)} pp  seed share ${(100 * c.seedShare).toFixed(0)}%`);
  }
}
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(
  new URL("./results/ensemble-gain.json", import.meta.url),
  JSON.stringify({ studiesPerCell: studies, truthDraws, seconds: (performance.now() - t0) / 1000, scenarios: GAIN_SCENARIOS, cells }, null, 2) + "\n",
);
console.log(`${cells.length} cells × ${studies} studies in ${((performance.now() - t0) / 1000).toFixed(0)} s; bench/results/ensemble-gain.json`);
