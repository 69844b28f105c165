/**
 * How the extremes of a seed scan move with the number of seeds scanned: for
 * the first k seeds (k = 10, 20, 50, 100, …, all), the worst, the best and the
 * range of the final validation accuracy. Reads `twin seeds … --json` output.
 *
 *   npx tsx examples/picard-range.ts picard.json
 */
import { readFileSync } from "node:fs";

interface SeedsJson {
  metric: string;
  variants: { name: string; labels: number[]; values: number[]; blackSwans: number[] }[];
}

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: npx tsx examples/picard-range.ts <twin seeds --json output>\n");
  process.exit(2);
}
const report = JSON.parse(readFileSync(file, "utf8")) as SeedsJson;
const pct = (x: number) => (x * 100).toFixed(2);
for (const v of report.variants) {
  // Scan order: by seed label, as a researcher adding seeds one after another would see them.
  const bySeed = v.labels.map((label, i) => ({ label, value: v.values[i]! })).sort((a, b) => a.label - b.label);
  const sizes = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000].filter((k) => k < bySeed.length).concat(bySeed.length);
  console.log(`${v.name}: validation ${report.metric}, ${bySeed.length} seeds; black swans: ${v.blackSwans.length ? v.blackSwans.map((s) => `seed ${s}`).join(", ") : "none"}`);
  console.log("| seeds scanned | min | max | range (points) |");
  console.log("|---|---|---|---|");
  for (const k of sizes) {
    const values = bySeed.slice(0, k).map((x) => x.value);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    console.log(`| ${k} | ${pct(lo)} | ${pct(hi)} | ${pct(hi - lo)} |`);
  }
}
