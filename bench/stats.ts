// Benchmark of twin's statistics against SciPy 1.10 in the same run, plus the
// bootstrap coverage simulation published in docs/statistics.md.
//
//   npx tsx bench/stats.ts              # timings + coverage
//   npx tsx bench/stats.ts --no-coverage
//
// Writes bench/results/stats.json: {"cases":[{"name","twin_ms","scipy_ms","ratio"}], "coverage": [...]}
// (ratio = twin/scipy; SciPy runs through /usr/bin/python3 bench/stats_ref.py).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import * as s from "../src/stats/index.ts";

const here = dirname(fileURLToPath(import.meta.url));
const REPS = 7;

function medianMs(fn: () => unknown, reps = REPS): number {
  fn(); // warm-up (JIT)
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  t.sort((x, y) => x - y);
  return t[Math.floor(t.length / 2)]!;
}

const r = s.rng(12345);
const x = Array.from({ length: 1000 }, () => 0.85 + 0.01 * r.nextNormal());
const a = Array.from({ length: 1000 }, () => 0.85 + 0.01 * r.nextNormal());
const b = a.map((v) => v + 0.0005 + 0.005 * r.nextNormal());

const twin = {
  bca: medianMs(() => s.bootstrapInterval(x, { method: "bca", resamples: 10000, seed: 1 })),
  percentile: medianMs(() => s.bootstrapInterval(x, { method: "percentile", resamples: 10000, seed: 1 })),
  pairedPerm: medianMs(() => s.pairedPermutationTest(a, b, { resamples: 10000, seed: 1 })),
  twoSamplePerm: medianMs(() => s.permutationTest(a.slice(0, 200), b.slice(0, 200), { resamples: 10000, seed: 1 })),
};
const twinBca = s.bootstrapInterval(x, { method: "bca", resamples: 10000, seed: 1 });
const twinPerm = s.pairedPermutationTest(a, b, { resamples: 10000, seed: 1 });

let scipy: Record<string, number | number[] | string> | null = null;
const dir = mkdtempSync(join(tmpdir(), "twin-bench-"));
try {
  const dataFile = join(dir, "data.json");
  writeFileSync(dataFile, JSON.stringify({ x, a, b }));
  const out = execFileSync("/usr/bin/python3", [join(here, "stats_ref.py"), dataFile, String(REPS)], { encoding: "utf8", maxBuffer: 1 << 24 });
  scipy = JSON.parse(out) as Record<string, number | number[] | string>;
} catch (e) {
  console.error(`SciPy reference not available (${(e as Error).message.split("\n")[0]}); reporting twin timings only`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const rows: [string, number, string][] = [
  ["bootstrap BCa interval of the mean (1,000 values, 10,000 resamples)", twin.bca, "bca_ms"],
  ["bootstrap percentile interval of the mean (1,000 values, 10,000 resamples)", twin.percentile, "percentile_ms"],
  ["paired sign-flip permutation test (1,000 pairs, 10,000 permutations)", twin.pairedPerm, "paired_perm_ms"],
  ["two-sample permutation test (200 + 200 runs, 10,000 permutations)", twin.twoSamplePerm, "two_sample_perm_ms"],
];
const cases = rows.map(([name, t, key]) => {
  const sp = scipy ? (scipy[key] as number) : null;
  return { name, twin_ms: +t.toFixed(3), scipy_ms: sp === null ? null : +sp.toFixed(3), ratio: sp === null ? null : +(t / sp).toFixed(3) };
});
console.log("case | twin ms | scipy ms | ratio");
for (const c of cases) console.log(`${c.name} | ${c.twin_ms} | ${c.scipy_ms ?? "-"} | ${c.ratio ?? "-"}`);
if (scipy) {
  console.log(`sanity: BCa twin [${twinBca.lo.toFixed(6)}, ${twinBca.hi.toFixed(6)}] scipy [${(scipy.bca_interval as number[]).map((v) => v.toFixed(6)).join(", ")}]; ` +
    `paired permutation p twin ${twinPerm.p.toFixed(4)} scipy ${(scipy.paired_perm_p as number).toFixed(4)}`);
}

// ---- bootstrap coverage on normal data (the table in docs/statistics.md) ----
interface CoverageRow { n: number; method: string; coverage: number; studies: number }
const coverage: CoverageRow[] = [];
if (!process.argv.includes("--no-coverage")) {
  const STUDIES = 2000, RESAMPLES = 2000;
  const cr = s.rng(777);
  console.log(`\ncoverage of nominal 95% intervals for the mean, normal data, ${STUDIES} studies, ${RESAMPLES} resamples`);
  console.log("n | t | percentile | BCa");
  for (const n of [3, 5, 8, 10, 15, 20, 30]) {
    let ct = 0, cp = 0, cb = 0;
    for (let k = 0; k < STUDIES; k++) {
      const v = Array.from({ length: n }, () => cr.nextNormal());
      const t = s.tInterval(v);
      if (t.lo <= 0 && 0 <= t.hi) ct++;
      const p = s.bootstrapInterval(v, { method: "percentile", resamples: RESAMPLES, seed: k });
      if (p.lo <= 0 && 0 <= p.hi) cp++;
      const bc = s.bootstrapInterval(v, { method: "bca", resamples: RESAMPLES, seed: k });
      if (bc.lo <= 0 && 0 <= bc.hi) cb++;
    }
    coverage.push({ n, method: "t", coverage: ct / STUDIES, studies: STUDIES });
    coverage.push({ n, method: "percentile", coverage: cp / STUDIES, studies: STUDIES });
    coverage.push({ n, method: "bca", coverage: cb / STUDIES, studies: STUDIES });
    console.log(`${n} | ${(ct / STUDIES * 100).toFixed(1)}% | ${(cp / STUDIES * 100).toFixed(1)}% | ${(cb / STUDIES * 100).toFixed(1)}%`);
  }
}

mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(join(here, "results", "stats.json"), JSON.stringify({ cases, ...(coverage.length ? { coverage } : {}) }, null, 2) + "\n");
console.log("\nwrote bench/results/stats.json");
