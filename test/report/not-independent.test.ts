/**
 * A study whose runs mix all-varied seeds (twin compare, twin seeds --n) with
 * one-factor-at-a-time runs (twin seeds --vary each) or grid cells: the verdict
 * rests on the all-varied runs only, in `twin stats`, the report and the
 * dashboard, from a log folder and from the store alike; the runs set aside
 * are counted in one line (and in the JSON) and feed only the variance by
 * factor. A shared split or a plan that varies one factor sets nothing aside.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogDirSource, StoreSource, StudyAccumulator, renderStudyBody, streamReportModel, type ReportModel, type SeedGroup } from "../../src/report/index.ts";
import { openStore } from "../../src/store/index.ts";
import { runsNotAllVaried } from "../../src/study/not-independent.ts";
import { studyIndependentRuns, studySeedResults, studyVerdict } from "../../src/study/verdict.ts";
import { planRuns } from "../../src/study/seed-plan.ts";
import type { StudyResults } from "../../src/study/run-study.ts";
import type { Analysis } from "../../src/study/analyze.ts";

const FACTORS = ["init", "order", "augment", "dropout", "split", "eval"];

/** One twin run: its seed folder's label, root seed, factor seeds and each variant's final accuracy. */
interface Run { label: number; root: number; seeds: Record<string, number>; base: number; wide: number }

const allVaried = (s: number, base: number, wide: number): Run => ({ label: s, root: s, seeds: Object.fromEntries(FACTORS.map((f) => [f, s])), base, wide });
/** twin seeds --n 2 --vary each around root 0: factor k's run is labelled 2k + 1 (seed-plan.ts), its factor seed 1. */
const oneFactor = (factor: string, base: number, wide: number): Run => ({ label: 2 * (FACTORS.indexOf(factor) + 1) + 1, root: 0, seeds: { ...Object.fromEntries(FACTORS.map((f) => [f, 0])), [factor]: 1 }, base, wide });

// Seed folders 0, 1, 2 and 4 (twin compare --seeds 3, then --first 4): seed-3 is the init run's folder below.
const ALL = [allVaried(0, 0.8, 0.82), allVaried(1, 0.83, 0.84), allVaried(2, 0.78, 0.81), allVaried(4, 0.81, 0.835)];
// Augment, dropout and eval do nothing for base: its runs are copies of seed 0's value, which a pooled verdict counted as seeds.
const ONE_FACTOR = [oneFactor("init", 0.79, 0.83), oneFactor("order", 0.81, 0.8), oneFactor("augment", 0.8, 0.822), oneFactor("dropout", 0.8, 0.815), oneFactor("split", 0.77, 0.8), oneFactor("eval", 0.8, 0.82)];

function writeLogFolder(root: string, runs: readonly Run[]): string {
  for (const r of runs) {
    for (const variant of ["base", "wide"] as const) {
      const dir = join(root, "s", variant, `seed-${r.label}`);
      mkdirSync(dir, { recursive: true });
      const hparams = { study: "s", variant, seed: r.root, ...Object.fromEntries(Object.entries(r.seeds).map(([f, v]) => [`seeds.${f}`, String(v)])) };
      const lines = [{ kind: "hparams", wall_time: 1, hparams, metrics: ["val/accuracy"] }, { kind: "scalars", step: 1, wall_time: 2, values: { "val/accuracy": r[variant] } }, { kind: "end", wall_time: 3, status: "success" }];
      writeFileSync(join(dir, "metrics.jsonl"), lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
    }
  }
  return join(root, "s");
}

async function writeStore(path: string, runs: readonly Run[]): Promise<void> {
  const store = await openStore(path);
  try {
    await store.putStudy({ name: "s", specHash: "h" });
    await store.putVariants("s", [{ name: "base" }, { name: "wide" }]);
    for (const r of runs) {
      const { run } = await store.submitRun({ study: "s", variants: ["base", "wide"], specHash: "h", rootSeed: r.root, seeds: r.seeds });
      assert.ok(await store.claimRun(run.id, "w"));
      await store.addMetrics((["base", "wide"] as const).map((variant) => ({ runId: run.id, variant, step: 1, name: "val/accuracy", value: r[variant] })));
      for (const variant of ["base", "wide"]) await store.addPredictions({ runId: run.id, variant, split: "validation", probabilities: [0.9, 0.1, 0.3, 0.7], examples: 2, classes: 2, labels: [0, 1] });
      await store.finishRun(run.id, { worker: "w" });
    }
  } finally {
    await store.close();
  }
}

async function modelOf(source: LogDirSource | StoreSource): Promise<ReportModel> {
  try {
    return await streamReportModel((await source.openStudy("s"))!);
  } finally {
    await source.close();
  }
}

/** The verdict's numbers, without what says where the runs came from or what was set aside. */
function verdictOf(a: Analysis | null): unknown {
  assert.ok(a);
  const { set_aside: _s, ...rest } = a;
  return rest;
}

function twinStats(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ["bin/twin.js", "stats", ...args, "--store", join(tmpdir(), "twin-no-store.db")], { encoding: "utf8", timeout: 120_000 });
}

test("a log folder and a store mixing all-varied and one-factor-at-a-time runs give the verdict of the all-varied runs alone; the runs set aside feed the variance by factor", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-set-aside-"));
  try {
    const mixedDir = writeLogFolder(join(dir, "mixed"), [...ALL, ...ONE_FACTOR]);
    writeLogFolder(join(dir, "clean"), ALL);
    await writeStore(join(dir, "mixed.db"), [...ALL, ...ONE_FACTOR]);
    await writeStore(join(dir, "clean.db"), ALL);

    const clean = await modelOf(new LogDirSource(join(dir, "clean")));
    assert.equal(clean.analysis!.comparisons[0]!.n_pairs, 4);
    assert.equal(clean.setAside, null);
    const folder = await modelOf(new LogDirSource(join(dir, "mixed")));
    const stored = await modelOf(new StoreSource(await openStore(join(dir, "mixed.db"))));
    const cleanStore = await modelOf(new StoreSource(await openStore(join(dir, "clean.db"))));
    for (const [what, m] of [["log folder", folder], ["store", stored], ["clean store", cleanStore]] as const) {
      assert.deepEqual(verdictOf(m.analysis), verdictOf(clean.analysis), `${what}: the verdict of the all-varied runs`);
      assert.deepEqual(m.final, clean.final, `${what}: the final values the charts draw`);
      assert.deepEqual(m.power, clean.power, what);
      assert.deepEqual(m.differences.comparisons, clean.differences.comparisons, what);
    }
    for (const m of [folder, stored]) {
      assert.equal(m.setAside!.runs, 12);
      assert.equal(m.setAside!.kept_seeds, 4);
      assert.deepEqual(m.analysis!.set_aside, m.setAside);
      assert.match(m.setAside!.note, /^12 runs set aside \(seeds .*\): .*not independent seeds; the verdict rests on the 4 seeds with every factor varied together/);
      const html = renderStudyBody(m).html;
      assert.match(html, /id="set-aside">12 runs set aside/);
      // The curves rest on the seeds the verdict counts, and say so.
      assert.match(html, /id="curves-set-aside">The curves, their bands and the paired differences over steps rest on the 4 seeds the verdict counts: the 12 runs it sets aside \(seeds [^)]*\) are left out of them\./);
      assert.deepEqual(m.curves.map((c) => c.bandLabel), ["95% CI of the mean (t), 4 seeds; where ≥ 3 runs"]);
      const alone = m === folder ? clean : cleanStore;
      assert.deepEqual([m.curves, m.pairedCurves], [alone.curves, alone.pairedCurves], "the curves of the all-varied runs alone");
      assert.match(html, /4 seeds \(\+ 6 seeds set aside\)/);
      // The variance by factor reads every run: init's sd from seed 0 and the init run, both variants.
      assert.ok(m.variance.available);
      const init = m.variance.factors.find((f) => f.variant === "base" && f.factor === "init")!;
      assert.equal(init.n, 2);
      assert.ok(Math.abs(init.sd - Math.abs(0.79 - 0.8) / Math.SQRT2) < 1e-12, `init sd ${init.sd}`);
    }
    assert.deepEqual(folder.setAside!.seeds, ["3", "5", "7", "9", "11", "13"]);
    // The dashboard's accumulator ("replace" mode, seeds in any order, one taken out and put back) gives the report's figures.
    const stream = (await new LogDirSource(join(dir, "mixed")).openStudy("s"))!;
    const { groups, ...header } = stream;
    const all: SeedGroup[] = [];
    for await (const g of groups as AsyncIterable<SeedGroup>) all.push(g);
    const live = new StudyAccumulator(header, {}, "replace", all.length);
    for (const g of [...all].reverse()) live.addGroup(g);
    live.removeSeed("3");
    live.addGroup(all.find((g) => g.seed === "3")!);
    const dashboard = live.finish();
    assert.deepEqual([dashboard.analysis, dashboard.setAside, dashboard.final, dashboard.variance, dashboard.power], [folder.analysis, folder.setAside, folder.final, folder.variance, folder.power]);
    // What is set aside is saved with the accumulator (not tested again over every run after a restart) and found again when the runs change.
    const snapshot = live.snapshot();
    assert.deepEqual(snapshot.verdictAside?.setAside, folder.setAside, "saved with the accumulator");
    const restored = StudyAccumulator.restore(structuredClone(snapshot));
    assert.deepEqual(restored.finish().setAside, folder.setAside);
    restored.removeSeed("3");
    assert.deepEqual(restored.finish().setAside!.seeds, ["5", "7", "9", "11", "13"], "a seed set aside taken out");
    restored.addGroup(all.find((g) => g.seed === "3")!);
    assert.deepEqual([restored.finish().setAside, restored.finish().analysis], [folder.setAside, folder.analysis], "and put back");
    // The dashboard's curves are the report's (exactly rounded sums there, a running mean here: equal to the last bits).
    const drawn = (m: ReportModel) => m.curves.map(({ quantileSample: _q, stats, ...c }) => ({ ...c, stats: stats.map((x) => ({ ...x, mean: x.mean.toPrecision(12), lo: x.lo?.toPrecision(12), hi: x.hi?.toPrecision(12) })) }));
    assert.deepEqual(drawn(dashboard), drawn(folder), "the dashboard's curves are the report's");
    assert.deepEqual(stored.variance.factors, folder.variance.factors, "the store's variance by factor is the log folder's");
    // Seed ensembles rest on the same seeds as the verdict: a one-factor run is nearly a copy of the root run's model.
    assert.deepEqual(stored.deployments[0]!.variants.map((v) => [v.name, v.seeds, v.ensembleSeeds]), [["base", 4, 4], ["wide", 4, 4]]);
    assert.deepEqual(stored.variance.totals, folder.variance.totals);

    // twin stats on the log folder: the same verdict as on the all-varied runs alone, and the line that says what was set aside.
    const cli = twinStats([mixedDir]);
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /^4 seeds · paired by seed/m);
    assert.match(cli.stdout, /^12 runs set aside \(seeds 3, 5, 7, 9, 11, 13\): .*rests on the 4 seeds/m);
    const json = (args: string[]) => JSON.parse(twinStats([...args, "--json"]).stdout) as Analysis;
    const mixed = json([mixedDir]);
    const alone = json([join(dir, "clean", "s")]);
    assert.equal(mixed.set_aside!.runs, 12);
    assert.deepEqual(mixed.set_aside!.seeds, ["3", "5", "7", "9", "11", "13"]);
    assert.equal(alone.set_aside, null);
    assert.deepEqual(verdictOf(mixed), verdictOf(alone));
    assert.deepEqual([mixed.variants, mixed.comparisons], [clean.analysis!.variants, clean.analysis!.comparisons], "twin stats and the report agree");
    // twin report says it too.
    const report = spawnSync(process.execPath, ["bin/twin.js", "report", mixedDir, "--output", join(dir, "r.html")], { encoding: "utf8", timeout: 120_000 });
    assert.equal(report.status, 0, report.stderr);
    assert.match(report.stdout, /^12 runs set aside \(seeds 3, 5, 7, 9, 11, 13\): .*the verdict rests on the 4 seeds/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("twin seeds --vary each alone: the verdict rests on its all-varied seeds and the variance by factor is reported, from a log folder and from the store", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-vary-each-"));
  try {
    const runs = [ALL[0]!, ALL[1]!, ...ONE_FACTOR];
    writeLogFolder(join(dir, "logs"), runs);
    await writeStore(join(dir, "twin.db"), runs);
    const folder = await modelOf(new LogDirSource(join(dir, "logs")));
    const stored = await modelOf(new StoreSource(await openStore(join(dir, "twin.db"))));
    for (const m of [folder, stored]) {
      assert.deepEqual(m.final.variants.map((v) => v.values.map((x) => x.seed)), [["0", "1"], ["0", "1"]]);
      assert.equal(m.analysis!.comparisons[0]!.n_pairs, 2);
      assert.ok(m.variance.available, m.variance.reason);
      assert.deepEqual(m.variance.factors.filter((f) => f.variant === "base").map((f) => [f.factor, f.n]), FACTORS.map((f) => [f, 2]).sort());
      assert.deepEqual(m.variance.totals.map((t) => t.allRuns), [2, 2]);
    }
    assert.deepEqual(stored.variance.factors, folder.variance.factors);
    // Augment, dropout and eval gave base seed 0's value on every run: said in words, not "0.0000 [0.0000, 0.0000]".
    const html = renderStudyBody(folder).html;
    assert.equal(html.match(/<tr class="no-spread"><td>base<\/td><td>(augment|dropout|eval)<\/td><td>2<\/td><td colspan="3">no spread: every run gave the same value, so this factor&#39;s seed changed nothing/g)?.length, 3, html);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("twin compare on a plan that varies factors one at a time: the verdict rests on the all-varied runs and says what it set aside", () => {
  const plans = planRuns({ vary: ["init", "order"], n: 3, withAll: true });
  const value: Record<string, number> = { all: 0, init: 0.001, order: -0.001 };
  const results = {
    study: "s",
    reference: "base",
    variants: ["base", "wide"],
    runs: plans.map((plan, i) => ({
      plan,
      runId: String(i),
      result: { variants: { base: { name: "base", status: "finished", epochs: [], final: { accuracy: 0.8 + value[plan.group]! + i / 1000 } }, wide: { name: "wide", status: "finished", epochs: [], final: { accuracy: 0.81 + i / 500 } } } },
    })),
  } as unknown as StudyResults;
  const seedResults = studySeedResults(results, "accuracy");
  assert.deepEqual(seedResults.seeds, ["0", "1", "2"], "the shared root run and the all group");
  assert.deepEqual(studyIndependentRuns(results).kept.map((r) => r.plan.label), [0, 1, 2], "twin compare's seed ensembles rest on them too");
  assert.equal(seedResults.setAside!.runs, 8, "both variants' runs");
  const verdict = studyVerdict(seedResults, { metric: "validation accuracy", reference: "base" });
  assert.equal(verdict.seeds, 3);
  assert.equal(verdict.comparisons[0]!.n_pairs, 3);
  assert.match(verdict.set_aside!.note, /^8 runs set aside \(seeds init#4, init#5, order#7, order#8\)/);
});

test("a shared split, a one-factor plan and runs without factor seeds set nothing aside", () => {
  const run = (seed: string, values: number[]) => ({ variant: "base", seed, factorSeeds: Object.fromEntries(["init", "order", "split"].map((f, i) => [f, String(values[i])])) });
  assert.deepEqual(runsNotAllVaried([run("0", [0, 0, 0]), run("1", [1, 1, 0]), run("2", [2, 2, 0])]), [], "a shared split");
  assert.deepEqual(runsNotAllVaried([run("0", [0, 0, 0]), run("1", [1, 0, 0]), run("2", [2, 0, 0])]), [], "twin seeds --vary init");
  assert.deepEqual(runsNotAllVaried([{ variant: "base", seed: "0" }, { variant: "base", seed: "1" }]), []);
  assert.deepEqual(runsNotAllVaried([run("0", [0, 0, 0]), run("1", [1, 1, 0]), run("3", [1, 0, 0])]).map((r) => r.seed), ["3"]);
});
