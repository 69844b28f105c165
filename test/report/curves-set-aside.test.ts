/**
 * The learning curves rest on the seeds the verdict counts: the runs it sets
 * aside (one factor varied at a time, grid cells: not-independent.ts) are left
 * out of the per-run lines, the mean, the bands and the paired differences over
 * steps, in the report (folded as read, before the set is known) and in the
 * dashboard's accumulator, whose set changes as runs come and go (a run that
 * makes a factor vary sets others aside; taking it out brings them back): every
 * view equals a fresh build of the same runs, in any order.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { StudyAccumulator, buildReportModel, renderStudyBody, type ReportModel, type SeedGroup } from "../../src/report/index.ts";
import type { RunData, StudyData } from "../../src/report/types.ts";
import { StepStats } from "../../src/report/model/step-stats.ts";
import { Xoshiro128 } from "../../src/stats/index.ts";

const FACTORS = ["init", "order", "split"];
const STEPS = 40;

/** One run of a variant: a loss curve and an accuracy curve whose level depends on the seed, and the factor seeds given. */
function run(variant: string, seed: string, factors: number[], status = "success"): RunData {
  const level = 0.7 + 0.01 * ((Number(seed) * 7) % 11) + (variant === "wide" ? 0.02 : 0);
  const steps = Float64Array.from({ length: STEPS }, (_, i) => i + 1);
  const loss = steps.map((s) => 2 * Math.exp(-s / 9) + 0.1 * Math.sin(Number(seed) + s));
  const acc = steps.map((s) => level * (1 - Math.exp(-s / 6)));
  return {
    variant,
    seed,
    status,
    scalars: { "train/loss": { steps, values: loss }, "val/accuracy": { steps, values: acc } },
    factorSeeds: Object.fromEntries(FACTORS.map((f, i) => [f, String(factors[i])])),
    where: `${variant}/seed-${seed}`,
  };
}

function group(seed: string, factors: number[]): SeedGroup {
  return { seed, runs: ["base", "wide"].map((v) => run(v, seed, factors)), checks: [] };
}

/** twin seeds --vary init around root 0 (order and split stay 0): no run is set aside. */
const VARY_INIT = [0, 1, 2, 3, 4].map((k) => group(String(k), [k, 0, 0]));
/** An all-varied run: it makes order and split vary, so that the init runs 1–4 change one factor at a time and are set aside. */
const ALL_VARIED = group("7", [7, 7, 7]);

const header = { name: "s", source: "test", variantOrder: ["base", "wide"] };

function study(groups: readonly SeedGroup[]): StudyData {
  return { ...header, runs: groups.flatMap((g) => g.runs), checks: [] };
}

/** A model without the time it was made. */
function comparable(m: ReportModel): unknown {
  return { ...m, generatedAt: "" };
}

function freshReplace(groups: readonly SeedGroup[]): ReportModel {
  const acc = new StudyAccumulator(header, {}, "replace", groups.length);
  for (const g of groups) acc.addGroup(g);
  return acc.finish();
}

test("the report's curves leave out the seeds set aside: the same lines, means and bands as a study of the kept seeds alone", () => {
  const mixed = buildReportModel(study([...VARY_INIT, ALL_VARIED]));
  assert.deepEqual(mixed.setAside?.seeds, ["1", "2", "3", "4"]);
  const kept = buildReportModel(study([VARY_INIT[0]!, ALL_VARIED]));
  assert.equal(kept.setAside, null);
  // Seed 0 (every factor 0) and seed 7 are seeds of two kinds: the report joins their curves.
  for (const key of ["curves", "pairedCurves"] as const) {
    assert.equal(mixed[key].length, kept[key].length);
    mixed[key].forEach((c, i) => {
      const k = kept[key][i]!;
      assert.deepEqual([c.tag, c.runs, c.bandLabel, c.seeds], [k.tag, k.runs, k.bandLabel, k.seeds], `${key} ${c.tag}`);
      assert.equal(c.stats.length, k.stats.length);
      c.stats.forEach((s, j) => {
        const t = k.stats[j]!;
        assert.deepEqual([s.variant, s.step, s.n], [t.variant, t.step, t.n]);
        assert.equal(s.lo === undefined, t.lo === undefined);
        for (const f of ["mean", "lo", "hi"] as const) if (t[f] !== undefined) assert.ok(Math.abs(s[f]! - t[f]!) <= 1e-12 * Math.max(1, Math.abs(t[f]!)), `${c.tag} ${s.variant} step ${s.step} ${f}: ${s[f]} vs ${t[f]}`);
      });
    });
  }
  assert.match(mixed.curves[0]!.bandLabel, /, 2 seeds; where/);
  assert.deepEqual(new Set(mixed.curves.flatMap((c) => c.seeds.map((p) => p.seed))), new Set(["0", "7"]));
  const html = renderStudyBody(mixed).html;
  assert.match(html, /id="curves-set-aside">The curves, their bands and the paired differences over steps rest on the 2 seeds the verdict counts: the 8 runs it sets aside \(seeds 1, 2, 3, 4\) are left out of them\./);
  // The replace mode (the dashboard) gives the kept seeds' curves exactly.
  const dashboard = freshReplace([...VARY_INIT, ALL_VARIED]);
  const keptDashboard = freshReplace([VARY_INIT[0]!, ALL_VARIED]);
  assert.deepEqual([dashboard.curves, dashboard.pairedCurves], [keptDashboard.curves, keptDashboard.pairedCurves]);
});

test("one kind of kept seed: the report's curves are exactly those of the kept seeds alone", () => {
  const all = [0, 1, 2, 3].map((k) => group(String(k), [k, k, k]));
  const oneFactor = [group("5", [0, 1, 0]), group("6", [0, 0, 1])];
  const mixed = buildReportModel(study([...all, ...oneFactor]));
  assert.deepEqual(mixed.setAside?.seeds, ["5", "6"]);
  const kept = buildReportModel(study(all));
  assert.deepEqual([mixed.curves, mixed.pairedCurves], [kept.curves, kept.pairedCurves]);
});

test("the dashboard's accumulator equals a fresh build while a run that sets others aside comes, goes and comes back, in either order and across a save", () => {
  const before = freshReplace(VARY_INIT);
  assert.equal(before.setAside, null);
  assert.match(before.curves[0]!.bandLabel, /, 5 seeds; where/);
  const withAll = freshReplace([...VARY_INIT, ALL_VARIED]);
  assert.deepEqual(withAll.setAside?.seeds, ["1", "2", "3", "4"]);
  assert.match(withAll.curves[0]!.bandLabel, /, 2 seeds; where/);

  for (const order of [[...VARY_INIT, ALL_VARIED], [ALL_VARIED, ...[...VARY_INIT].reverse()]]) {
    let live = new StudyAccumulator(header, {}, "replace", 6);
    for (const g of order) live.addGroup(g);
    assert.deepEqual(comparable(live.finish()), comparable(withAll), "all in");
    live.removeSeed("7");
    assert.deepEqual(comparable(live.finish()), comparable(before), "the all-varied run taken out: the init runs are seeds again");
    live.addGroup(ALL_VARIED);
    assert.deepEqual(comparable(live.finish()), comparable(withAll), "and put back");
    // A seed set aside taken out and put back, a kept seed replaced by itself.
    live.removeSeed("3");
    assert.deepEqual(comparable(live.finish()), comparable(freshReplace([...VARY_INIT.filter((g) => g.seed !== "3"), ALL_VARIED])));
    live.addGroup(VARY_INIT[3]!);
    live.addGroup(VARY_INIT[0]!);
    // Saved and restored with seeds set aside, then the set changes.
    live = StudyAccumulator.restore(structuredClone(live.snapshot()));
    assert.deepEqual(comparable(live.finish()), comparable(withAll), "restored");
    live.removeSeed("7");
    assert.deepEqual(comparable(live.finish()), comparable(before), "restored, then the all-varied run taken out");
  }
});

test("every seed set aside but one kind: no curve is drawn from a seed set aside", () => {
  // Two one-factor runs and their root: the root is kept, the others are set aside.
  const groups = [group("0", [0, 0, 0]), group("1", [1, 0, 0]), group("2", [0, 1, 0])];
  const m = buildReportModel(study(groups));
  assert.deepEqual(m.setAside?.seeds, ["1", "2"]);
  assert.deepEqual(new Set(m.curves.flatMap((c) => c.seeds.map((p) => p.seed))), new Set(["0"]));
  assert.deepEqual(m.curves.map((c) => c.runs), m.curves.map(() => ({ base: 1, wide: 1 })));
  // The dashboard's exact quantiles say so with another quantileSample; everything else is the same.
  const drawn = (m: ReportModel) => [...m.curves, ...m.pairedCurves].map(({ quantileSample: _q, ...c }) => c);
  assert.deepEqual(drawn(m), drawn(freshReplace(groups)));
});

test("joining two kinds' step statistics: the moments of one fold, and a uniform reservoir of the union when both hold a sample", () => {
  const rng = new Xoshiro128(3);
  const fold = (xs: readonly number[], capacity: number): StepStats => {
    const s = new StepStats();
    for (const x of xs) s.add(x, rng, capacity);
    return s;
  };
  const a = Array.from({ length: 300 }, (_, i) => i), b = Array.from({ length: 100 }, (_, i) => 300 + i);
  const one = fold([...a, ...b], 1000);
  for (const [ca, cb] of [[1000, 1000], [1000, 50], [40, 1000], [40, 50]]) {
    const merged = fold(a, ca);
    merged.merge(fold(b, cb), rng, Math.min(ca, cb));
    assert.equal(merged.n, 400);
    assert.ok(Math.abs(merged.mean - one.mean) < 1e-12, `${merged.mean}`);
    const [lo, hi] = merged.interval(0.95), [wlo, whi] = one.interval(0.95);
    assert.ok(Math.abs(lo - wlo) < 1e-9 && Math.abs(hi - whi) < 1e-9, `${lo} ${hi} vs ${wlo} ${whi}`);
    assert.equal(merged.sample.length, Math.min(400, ca, cb));
  }
  // Both reservoirs partial: every value of the union lands in the joined reservoir with probability k/n (here 32/400 = 0.08).
  const rounds = 3000, kept = new Array<number>(400).fill(0);
  for (let r = 0; r < rounds; r++) {
    const merged = fold(a, 32);
    merged.merge(fold(b, 32), rng, 32);
    for (const v of merged.sample) kept[v]++;
  }
  const share = (from: number, to: number) => kept.slice(from, to).reduce((x, y) => x + y, 0) / rounds / (to - from);
  assert.ok(Math.abs(share(0, 300) - 0.08) < 0.004 && Math.abs(share(300, 400) - 0.08) < 0.006, `${share(0, 300)} ${share(300, 400)}`);
});

test("at scale (summarised curves), the joined kinds draw the same sampled lines and counts as the kept seeds alone, and bands within rounding", () => {
  // A shared split (split 0 in every run): seed 0 (every factor 0) is a kind of its own beside seeds 1–39; seeds 50–51 vary one factor.
  const kept = Array.from({ length: 40 }, (_, k) => group(String(k), [k, k, 0]));
  const mixed = buildReportModel(study([...kept, group("50", [0, 1, 0]), group("51", [1, 0, 0])]));
  assert.deepEqual(mixed.setAside?.seeds, ["50", "51"]);
  const alone = buildReportModel(study(kept));
  for (const key of ["curves", "pairedCurves"] as const) {
    mixed[key].forEach((c, i) => {
      const k = alone[key][i]!;
      assert.ok(c.summarised);
      assert.deepEqual([c.tag, c.runs, c.drawn, c.seeds, c.bandLabel], [k.tag, k.runs, k.drawn, k.seeds, k.bandLabel]);
      c.stats.forEach((s, j) => {
        const t = k.stats[j]!;
        assert.equal(s.n, t.n);
        for (const f of ["mean", "lo", "hi"] as const) assert.ok(Math.abs(s[f]! - t[f]!) <= 1e-12 * Math.max(1, Math.abs(t[f]!)), `${c.tag} ${f}`);
        // 40 runs a step: the reservoirs hold every value, so the quantiles are exact.
        s.q!.forEach((q, m) => assert.ok(Math.abs(q - t.q![m]!) <= 1e-12, `${c.tag} quantile ${m}`));
      });
    });
  }
});
