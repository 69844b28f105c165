// What the set-aside seeds cost the dashboard's accumulator at scale: a study of
// N all-varied seeds (two variants, train/loss at 100 steps, val/accuracy at 10)
// plus six one-factor runs, folded in "replace" mode as the dashboard does, then
// finished after (a) a kept seed replaced (the set stays), (b) a one-factor seed
// taken out and (c) put back (the set changes by one seed: its runs move between
// the kept and the set-aside curves), and (d) the all-varied seeds made to
// differ in one factor's seed from a root (every seed moves); each against the
// same update on a study with nothing set aside, and a fresh build. Wall and CPU
// time per step, median of REPEATS.
//
//   npx tsx bench/set-aside-update.ts [N=10000] [REPEATS=5]
import { StudyAccumulator } from "../src/report/index.ts";
import type { RunData, SeedGroup } from "../src/report/types.ts";

const n = Number(process.argv[2] ?? 10_000), repeats = Number(process.argv[3] ?? 5);
const FACTORS = ["init", "order", "augment", "dropout", "split", "eval"];
const header = { name: "bench", source: "bench", variantOrder: ["base", "wide"] };

function run(variant: string, seed: string, factors: Record<string, string>, shift = 0): RunData {
  const s = Number(seed.replace(/\D/g, "")) || 0;
  const steps = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  const loss = steps.map((t) => 2 * Math.exp(-t / 20) + 0.3 + 0.05 * Math.sin(s * 1.7 + t) + shift);
  const evalSteps = Float64Array.from({ length: 10 }, (_, i) => 10 * (i + 1));
  const acc = evalSteps.map((t) => 0.8 - 0.5 * Math.exp(-t / 25) + 0.01 * Math.sin(s * 2.3 + t) + (variant === "wide" ? 0.01 : 0));
  return { variant, seed, status: "success", scalars: { "train/loss": { steps, values: loss }, "val/accuracy": { steps: evalSteps, values: acc } }, factorSeeds: factors, where: `${variant}/${seed}` };
}
const group = (seed: string, factors: Record<string, string>, shift = 0): SeedGroup => ({ seed, runs: ["base", "wide"].map((v) => run(v, seed, factors, shift)), checks: [] });
const allVaried = (k: number) => group(String(k), Object.fromEntries(FACTORS.map((f) => [f, String(k)])));
const oneFactor = (f: string) => group(`of-${f}`, { ...Object.fromEntries(FACTORS.map((g) => [g, "0"])), [f]: "1" });

function timed(what: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage(), t0 = performance.now();
  what();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const rows: Record<string, { wall: number[]; cpu: number[] }> = {};
const note = (key: string, t: { wall: number; cpu: number }) => {
  const r = (rows[key] ??= { wall: [], cpu: [] });
  r.wall.push(t.wall);
  r.cpu.push(t.cpu);
};

for (let rep = 0; rep < repeats; rep++) {
  for (const mixed of [false, true]) {
    const tag = mixed ? "with 12 runs set aside" : "nothing set aside";
    const groups = [...Array.from({ length: n }, (_, k) => allVaried(k)), ...(mixed ? FACTORS.map(oneFactor) : [])];
    const acc = new StudyAccumulator(header, {}, "replace", groups.length);
    note(`fresh build (${tag})`, timed(() => {
      for (const g of groups) acc.addGroup(g);
      acc.finish();
    }));
    note(`kept seed replaced (${tag})`, timed(() => {
      acc.addGroup(group("5", Object.fromEntries(FACTORS.map((f) => [f, "5"])), 0.001 * (rep + 1)));
      acc.finish();
    }));
    note(`kept seed taken out (${tag})`, timed(() => {
      acc.removeSeed("7");
      acc.finish();
    }));
    note(`kept seed put back (${tag})`, timed(() => {
      acc.addGroup(allVaried(7));
      acc.finish();
    }));
    if (!mixed) continue;
    note("one-factor seed taken out (the set changes by one seed)", timed(() => {
      acc.removeSeed("of-init");
      acc.finish();
    }));
    note("one-factor seed put back (its runs move to the set-aside curves)", timed(() => {
      acc.addGroup(oneFactor("init"));
      acc.finish();
    }));
    // A grid cell whose factor seeds all differ, alone beside the all-varied seeds: every factor varies either way, so it alone is set aside; with the one-factor runs out first, nothing moves but it.
    // A variant whose runs vary one factor only (a study of --vary init): adding an all-varied seed sets every other seed aside.
    const initOnly = Array.from({ length: n }, (_, k) => group(String(k), { ...Object.fromEntries(FACTORS.map((f) => [f, "0"])), init: String(k) }));
    const flip = new StudyAccumulator(header, {}, "replace", n + 1);
    for (const g of initOnly) flip.addGroup(g);
    flip.finish();
    note("--vary init study: an all-varied seed comes (every other seed moves aside), then goes (and back)", timed(() => {
      flip.addGroup(group("all", Object.fromEntries(FACTORS.map((f) => [f, "99999"]))));
      flip.finish();
      flip.removeSeed("all");
      flip.finish();
    }));
    note("--vary init study: the same seed replaced by itself with nothing moving (for comparison)", timed(() => {
      flip.addGroup(initOnly[7]!);
      flip.finish();
    }));
  }
}
console.log(`${n} all-varied seeds × 2 variants (train/loss 100 steps, val/accuracy 10), replace mode; median of ${repeats}, ms`);
for (const [k, r] of Object.entries(rows)) console.log(`${k.padEnd(86)} wall ${median(r.wall).toFixed(0).padStart(6)}  cpu ${median(r.cpu).toFixed(0).padStart(6)}`);
