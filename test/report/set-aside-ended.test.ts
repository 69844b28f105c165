/**
 * A run the verdict sets aside (one factor varied at a time, a grid cell) that
 * diverged or failed is named, with its seed, where the set-aside note and the
 * variance by factor are: the report and the dashboard (note, JSON
 * `set_aside.did_not_finish`, the variance section), `twin stats` and `twin
 * seeds`; the verdict's failure counts stay the kept seeds' and the note says so.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogDirSource, StoreSource, StudyAccumulator, buildReportModel, renderStudyBody, streamReportModel, type ReportModel, type SeedGroup } from "../../src/report/index.ts";
import { openStore } from "../../src/store/index.ts";
import type { RunData, StudyData } from "../../src/report/types.ts";
import type { Analysis } from "../../src/study/analyze.ts";
import type { StudyResults } from "../../src/study/run-study.ts";
import { planRuns } from "../../src/study/seed-plan.ts";
import { formatSeedReport, seedReport } from "../../src/study/seed-report.ts";
import { studySeedResults } from "../../src/study/verdict.ts";

const FACTORS = ["init", "order", "split"];

function run(variant: string, seed: string, factors: number[], status = "success"): RunData {
  const value = status === "failure" ? NaN : 0.8 + 0.01 * ((Number(seed) * 7) % 11) + (variant === "wide" ? 0.02 : 0);
  return {
    variant,
    seed,
    status,
    scalars: { "val/accuracy": { steps: Float64Array.of(1, 2), values: Float64Array.of(0.5, value) } },
    factorSeeds: Object.fromEntries(FACTORS.map((f, i) => [f, String(factors[i])])),
    where: `${variant}/seed-${seed}`,
  };
}

/** twin seeds --vary init around root 0, seeds 5 and 7 varying every factor; base diverges on init run 2, wide fails on all-varied seed 7. */
function groups(): SeedGroup[] {
  const g = (seed: string, factors: number[], failing?: string): SeedGroup => ({ seed, runs: ["base", "wide"].map((v) => run(v, seed, factors, v === failing ? "failure" : "success")), checks: [] });
  return [g("0", [0, 0, 0]), g("1", [1, 0, 0]), g("2", [2, 0, 0], "base"), g("3", [3, 0, 0]), g("4", [4, 0, 0]), g("5", [5, 5, 5]), g("6", [6, 6, 6]), g("7", [7, 7, 7], "wide")];
}

const header = { name: "s", source: "test", variantOrder: ["base", "wide"] };

test("the report and the dashboard name a run set aside that diverged, in the set-aside note and the variance section; the verdict's failures stay the kept seeds'", () => {
  const study: StudyData = { ...header, runs: groups().flatMap((g) => g.runs), checks: [] };
  const m = buildReportModel(study);
  assert.deepEqual(m.setAside?.seeds, ["1", "2", "3", "4"]);
  assert.deepEqual(m.setAside?.did_not_finish, [{ variant: "base", seed: "2", outcome: "diverged" }]);
  assert.match(m.setAside!.note, /\. Of the runs set aside, base seed 2 diverged: not counted in the verdict's failures \(those are the 4 seeds'\), nor in the variance by factor$/);
  // The verdict counts wide's failure on seed 7 (kept), not base's divergence on seed 2 (set aside).
  const failures = (v: string) => m.analysis!.variants.find((x) => x.name === v)!;
  assert.deepEqual([failures("base").diverged, failures("base").failed, failures("wide").diverged, failures("wide").failed], [0, 0, 1, 0]);
  assert.ok(m.variance.available);
  assert.ok(m.variance.notes.includes("Left out of the variance by factor (no final value): base seed 2 diverged (set aside from the verdict, so not in its failures either); wide seed 7 diverged (counted in the verdict's failures)."), m.variance.notes.join("\n"));
  const html = renderStudyBody(m).html;
  assert.match(html, /id="set-aside">8 runs set aside \(seeds 1, 2, 3, 4\):(?:[^<]|<\/?span[^>]*>)*Of the runs set aside, base seed 2 diverged/);
  assert.match(html, /<section id="variance">.*Left out of the variance by factor \(no final value\): base seed 2 diverged/s);
  // The dashboard's accumulator says the same, the failing run coming last or first.
  for (const order of [groups(), groups().reverse()]) {
    const live = new StudyAccumulator(header, {}, "replace", 8);
    for (const g of order) live.addGroup(g);
    const d = live.finish();
    assert.deepEqual([d.setAside, d.variance, d.analysis], [m.setAside, m.variance, m.analysis]);
  }
});

test("a study with nothing set aside keeps its note and JSON as they were, with an empty did_not_finish", () => {
  const m = buildReportModel({ ...header, runs: groups().slice(5).flatMap((g) => g.runs), checks: [] });
  assert.equal(m.setAside, null);
  const only = buildReportModel({ ...header, runs: groups().filter((g) => g.seed !== "2").flatMap((g) => g.runs), checks: [] });
  assert.deepEqual(only.setAside?.did_not_finish, []);
  assert.doesNotMatch(only.setAside!.note, /Of the runs set aside/);
});

function writeLogFolder(root: string): string {
  for (const g of groups()) {
    for (const r of g.runs) {
      const dir = join(root, "s", r.variant, `seed-${g.seed}`);
      mkdirSync(dir, { recursive: true });
      const hparams = { study: "s", variant: r.variant, seed: g.seed, ...Object.fromEntries(Object.entries(r.factorSeeds!).map(([f, v]) => [`seeds.${f}`, v])) };
      const last = r.scalars["val/accuracy"]!.values[1]!;
      const lines = [
        { kind: "hparams", wall_time: 1, hparams, metrics: ["val/accuracy"] },
        { kind: "scalars", step: 1, wall_time: 2, values: { "val/accuracy": 0.5 } },
        { kind: "scalars", step: 2, wall_time: 3, values: { "val/accuracy": Number.isNaN(last) ? "NaN" : last } },
        { kind: "end", wall_time: 4, status: r.status },
      ];
      writeFileSync(join(dir, "metrics.jsonl"), lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
    }
  }
  return join(root, "s");
}

test("twin stats and twin report on a log folder name the run set aside that diverged in the same words as the report model", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-set-aside-ended-"));
  try {
    const folder = writeLogFolder(dir);
    const source = new LogDirSource(dir);
    let model: ReportModel;
    try {
      model = await streamReportModel((await source.openStudy("s"))!);
    } finally {
      await source.close();
    }
    assert.deepEqual(model.setAside?.did_not_finish, [{ variant: "base", seed: "2", outcome: "diverged" }]);
    const sentence = model.setAside!.note.slice(model.setAside!.note.indexOf(". Of the runs set aside"));
    assert.equal(sentence, ". Of the runs set aside, base seed 2 diverged: not counted in the verdict's failures (those are the 4 seeds'), nor in the variance by factor");
    const stats = (args: string[]) => spawnSync(process.execPath, ["bin/twin.js", "stats", folder, ...args, "--store", join(dir, "none.db")], { encoding: "utf8", timeout: 120_000 });
    const text = stats([]);
    assert.ok(text.stdout.includes(sentence.slice(2)), text.stdout + text.stderr);
    const json = JSON.parse(stats(["--json"]).stdout) as Analysis;
    assert.deepEqual(json.set_aside?.did_not_finish, model.setAside!.did_not_finish);
    assert.deepEqual(json.variants.map((v) => [v.name, v.diverged, v.failed]), model.analysis!.variants.map((v) => [v.name, v.diverged, v.failed]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("twin seeds --vary each names the one-factor runs without a final value and says they are not in the failure counts; twin compare's note names them", () => {
  const plans = planRuns({ vary: ["init", "order"], n: 3, withAll: true });
  const results = {
    study: "s",
    reference: "base",
    variants: ["base", "wide"],
    runs: plans.map((plan, i) => {
      const diverges = plan.group === "init" && plan.label === plans.filter((p) => p.group === "init").at(-1)!.label;
      return {
        plan,
        runId: String(i),
        result: {
          variants: {
            base: diverges ? { name: "base", status: "diverged", epochs: [], final: { accuracy: NaN }, error: "diverged at step 3: loss NaN" } : { name: "base", status: "finished", epochs: [], final: { accuracy: 0.8 + i / 300 } },
            wide: { name: "wide", status: "finished", epochs: [], final: { accuracy: 0.81 + i / 200 } },
          },
        },
      };
    }),
  } as unknown as StudyResults;
  const label = `init#${plans.filter((p) => p.group === "init").at(-1)!.label}`;
  const report = seedReport(results, "accuracy");
  const base = report.variants.find((v) => v.name === "base")!;
  assert.deepEqual([base.diverged, base.failed], [0, 0], "the all-varied runs all finished");
  assert.deepEqual(base.varianceLeftOut, [{ run: label, outcome: "diverged" }]);
  const text = formatSeedReport(report);
  assert.ok(text.includes(`  left out of the variance by factor (no final value): ${label} diverged; not in the failure counts above, which are the all-varied runs'`), text);
  const verdict = studySeedResults(results, "accuracy");
  assert.deepEqual(verdict.setAside?.did_not_finish, [{ variant: "base", seed: label, outcome: "diverged" }]);
  assert.match(verdict.setAside!.note, new RegExp(`Of the runs set aside, base seed ${label} diverged: not counted in the verdict's failures \\(those are the 3 seeds'\\)`));
});

test("from the store: a one-factor run that diverged is named by its store seed in the note and the variance section", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-set-aside-ended-store-"));
  try {
    const store = await openStore(join(dir, "twin.db"));
    try {
      await store.putStudy({ name: "s", specHash: "h" });
      await store.putVariants("s", [{ name: "base" }, { name: "wide" }]);
      const plan: [number, Record<string, number>, boolean][] = [
        [0, { init: 0, order: 0, split: 0 }, false], [1, { init: 1, order: 1, split: 1 }, false], [2, { init: 2, order: 2, split: 2 }, false],
        [0, { init: 1, order: 0, split: 0 }, true], [0, { init: 0, order: 1, split: 0 }, false], [0, { init: 0, order: 0, split: 1 }, false],
      ];
      for (const [i, [root, seeds, diverges]] of plan.entries()) {
        const { run } = await store.submitRun({ study: "s", variants: ["base", "wide"], specHash: "h", rootSeed: root, seeds });
        assert.ok(await store.claimRun(run.id, "w"));
        await store.addMetrics(["base", "wide"].map((variant) => ({ runId: run.id, variant, step: 1, name: "val/accuracy", value: 0.8 + i / 100 + (variant === "wide" ? 0.01 : 0) })));
        if (diverges) await store.failRun(run.id, "diverged at step 2: loss NaN", { worker: "w", diverged: true });
        else await store.finishRun(run.id, { worker: "w" });
      }
    } finally {
      await store.close();
    }
    const source = new StoreSource(await openStore(join(dir, "twin.db")));
    let m: ReportModel;
    try {
      m = await streamReportModel((await source.openStudy("s"))!);
    } finally {
      await source.close();
    }
    assert.deepEqual(m.setAside?.did_not_finish, [{ variant: "base", seed: "0:init=1", outcome: "diverged" }, { variant: "wide", seed: "0:init=1", outcome: "diverged" }]);
    assert.match(m.setAside!.note, /Of the runs set aside, base seed 0:init=1 diverged, wide seed 0:init=1 diverged: not counted in the verdict's failures \(those are the 3 seeds'\), nor in the variance by factor$/);
    assert.ok(m.variance.notes.some((n) => n.startsWith("Left out of the variance by factor (no final value): base seed 0:init=1 diverged, wide seed 0:init=1 diverged (set aside from the verdict")), m.variance.notes.join("\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
