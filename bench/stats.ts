// Benchmark of twin's statistics against SciPy 1.10 in the same run, plus the
// bootstrap coverage simulation published in docs/statistics.md.
//
//   npx tsx bench/stats.ts              # timings + coverage
//   npx tsx bench/stats.ts --no-coverage
//
// Writes bench/results/stats.json: {"cases":[{"name","twin_ms","scipy_ms","ratio","ratio_min","ratio_max"}], "coverage": [...]}
// (ratio = twin/scipy, medians over 3 alternating rounds, min/max = the spread of the per-round ratios;
// SciPy runs through /usr/bin/python3 bench/stats_ref.py; both sides pinned to one core, bench/pin.ts).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import * as s from "../src/stats/index.ts";
import { PIN_CORE, pinnedCommand, pinSelf, spread, unpinSelf } from "./pin.ts";

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

// Twin and SciPy (both single-threaded here) pinned to the same core, measured in alternating rounds.
const ROUNDS = 3;
const pinned = pinSelf(String(PIN_CORE));
const KEYS = ["bca_ms", "percentile_ms", "paired_perm_ms", "two_sample_perm_ms"] as const;
type Key = (typeof KEYS)[number];
const twinRounds: Record<Key, number>[] = [];
const scipyRounds: Record<Key, number>[] = [];
let scipy: Record<string, number | number[] | string> | null = null;
const dir = mkdtempSync(join(tmpdir(), "twin-bench-"));
try {
  const dataFile = join(dir, "data.json");
  writeFileSync(dataFile, JSON.stringify({ x, a, b }));
  for (let round = 0; round < ROUNDS; round++) {
    twinRounds.push({
      bca_ms: medianMs(() => s.bootstrapInterval(x, { method: "bca", resamples: 10000, seed: 1 })),
      percentile_ms: medianMs(() => s.bootstrapInterval(x, { method: "percentile", resamples: 10000, seed: 1 })),
      paired_perm_ms: medianMs(() => s.pairedPermutationTest(a, b, { resamples: 10000, seed: 1 })),
      two_sample_perm_ms: medianMs(() => s.permutationTest(a.slice(0, 200), b.slice(0, 200), { resamples: 10000, seed: 1 })),
    });
    try {
      const [file, ...args] = pinnedCommand(pinned ? String(PIN_CORE) : undefined, ["/usr/bin/python3", join(here, "stats_ref.py"), dataFile, String(REPS)]);
      const out = execFileSync(file!, args, { encoding: "utf8", maxBuffer: 1 << 24 });
      scipy = JSON.parse(out) as Record<string, number | number[] | string>;
      scipyRounds.push(Object.fromEntries(KEYS.map((k) => [k, scipy![k] as number])) as Record<Key, number>);
    } catch (e) {
      if (round === 0) console.error(`SciPy reference not available (${(e as Error).message.split("\n")[0]}); reporting twin timings only`);
      scipy = null;
      break;
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  unpinSelf();
}
const twinBca = s.bootstrapInterval(x, { method: "bca", resamples: 10000, seed: 1 });
const twinPerm = s.pairedPermutationTest(a, b, { resamples: 10000, seed: 1 });
const mid = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1]!;

const rows: [string, Key][] = [
  ["bootstrap BCa interval of the mean (1,000 values, 10,000 resamples)", "bca_ms"],
  ["bootstrap percentile interval of the mean (1,000 values, 10,000 resamples)", "percentile_ms"],
  ["paired sign-flip permutation test (1,000 pairs, 10,000 permutations)", "paired_perm_ms"],
  ["two-sample permutation test (200 + 200 runs, 10,000 permutations)", "two_sample_perm_ms"],
];
const cases = rows.map(([name, key]) => {
  const t = mid(twinRounds.map((r) => r[key]));
  if (scipyRounds.length !== twinRounds.length) return { name, twin_ms: +t.toFixed(3), scipy_ms: null, ratio: null, ratio_min: null, ratio_max: null };
  const sp = mid(scipyRounds.map((r) => r[key]));
  const { min, max } = spread(twinRounds.map((r, i) => r[key] / scipyRounds[i]![key]));
  return { name, twin_ms: +t.toFixed(3), scipy_ms: +sp.toFixed(3), ratio: +(t / sp).toFixed(3), ratio_min: +min.toFixed(3), ratio_max: +max.toFixed(3) };
});
console.log(`${ROUNDS} alternating rounds; ${pinned ? `twin and SciPy pinned to core ${PIN_CORE} (taskset)` : "not pinned (no taskset, or one core)"}`);
console.log("case | twin ms | scipy ms | ratio | ratio over rounds");
for (const c of cases) console.log(`${c.name} | ${c.twin_ms} | ${c.scipy_ms ?? "-"} | ${c.ratio ?? "-"} | ${c.ratio_min ?? "-"}–${c.ratio_max ?? "-"}`);
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
