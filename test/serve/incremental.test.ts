// The dashboard's incremental views: replacing or removing a seed's runs in a
// "replace" accumulator gives the model a fresh build of the final data gives;
// the view builder re-reads only the seeds whose files changed.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFixture } from "../report/fixture.ts";
import { LogDirSource, loadStudyDir } from "../../src/report/index.ts";
import { StudyAccumulator, seedGroups, type ReportModel } from "../../src/report/model/index.ts";
import type { SeedGroup } from "../../src/report/types.ts";
import { ViewBuilder } from "../../src/serve/view-builder.ts";
import { quantilesBySelection } from "../../src/report/model/selection.ts";
import { quantile, Xoshiro128 } from "../../src/stats/index.ts";
import { pointsOf, seriesOf } from "../../src/report/series.ts";

const root = mkdtempSync(join(tmpdir(), "twin-incremental-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** The model without its build time (and, with `exactness`, without saying whether quantiles are exact). */
function comparable(m: ReportModel, exactness = true): unknown {
  if (exactness) return { ...m, generatedAt: "" };
  const strip = (cs: ReportModel["curves"]) => cs.map(({ quantileSample: _q, ...c }) => c);
  return { ...m, generatedAt: "", curves: strip(m.curves), pairedCurves: strip(m.pairedCurves) };
}

function assertClose(a: unknown, b: unknown, path = "model"): void {
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a) && Number.isNaN(b)) return;
    assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)), `${path}: ${a} vs ${b}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    assert.equal(a.length, b.length, `${path}: lengths`);
    a.forEach((x, i) => assertClose(x, b[i], `${path}[${i}]`));
    return;
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${path}: keys`);
    for (const k of Object.keys(a)) assertClose((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    return;
  }
  assert.deepEqual(a, b, path);
}

test("a replaced and a removed seed give the model of a fresh build (exact statistics, same curves, audit and verdict)", () => {
  const study = loadStudyDir(writeFixture(join(root, "a"), { seeds: 8, steps: 40, checks: true, blackSwan: { variant: "wider", seed: 5 } }));
  const groups = [...seedGroups(study)];
  const header = { name: study.name, source: study.source };
  const live = new StudyAccumulator(header, {}, "replace");
  for (const g of groups) live.addGroup(g);
  // Seed 2 changes (its runs shortened to 25 steps, as if rewritten), seed 6 disappears.
  const shortened: SeedGroup = { ...groups[2]!, runs: groups[2]!.runs.map((r) => ({ ...r, scalars: Object.fromEntries(Object.entries(r.scalars).map(([t, p]) => [t, seriesOf(pointsOf(p).filter((x) => x.step <= 25))])) })) };
  live.addGroup(shortened);
  live.removeSeed(groups[6]!.seed);
  const final = groups.map((g, i) => (i === 2 ? shortened : g)).filter((_, i) => i !== 6);
  const fresh = new StudyAccumulator(header, {}, "replace");
  for (const g of final) fresh.addGroup(g);
  assertClose(comparable(live.finish()), comparable(fresh.finish()));
  // Below the reservoir size the report's streaming accumulator is exact too: both agree.
  const streamed = new StudyAccumulator(header, {});
  for (const g of final) streamed.addGroup(g);
  assertClose(comparable(live.finish(), false), comparable(streamed.finish(), false));
});

test("a streamed accumulator refuses to take a seed out (its summaries cannot)", () => {
  const study = loadStudyDir(writeFixture(join(root, "b"), { seeds: 3, steps: 10 }));
  const acc = new StudyAccumulator({ name: study.name, source: study.source }, {});
  for (const g of seedGroups(study)) acc.addGroup(g);
  assert.throws(() => acc.removeSeed("1"), /replace/);
});

test("the view builder re-reads only the seeds whose files changed", async () => {
  const logdir = join(root, "c");
  writeFixture(logdir, { seeds: 6, steps: 30 });
  const builder = new ViewBuilder(new LogDirSource(logdir));
  const first = await builder.view("ab", {});
  assert.equal(first?.seedsRead, 6);
  assert.equal(first?.runs, 18);
  const again = await builder.view("ab", {});
  assert.equal(again?.seedsRead, 0);
  assert.equal(again?.html, first?.html);
  appendFileSync(join(logdir, "ab", "wider", "seed-3", "metrics.jsonl"), JSON.stringify({ kind: "scalars", step: 31, wall_time: 0, values: { "train/loss": 0.25 } }) + "\n");
  const updated = await builder.view("ab", {});
  assert.equal(updated?.seedsRead, 1);
  assert.notEqual(updated?.html, first?.html);
  // The same view as a builder that reads everything afresh.
  const fresh = await new ViewBuilder(new LogDirSource(logdir)).view("ab", {});
  assert.equal(updated?.html.replace(/generated [^<]*/g, ""), fresh?.html.replace(/generated [^<]*/g, ""));
  rmSync(join(logdir, "ab", "baseline", "seed-4"), { recursive: true });
  const fewer = await builder.view("ab", {});
  assert.equal(fewer?.runs, 17);
  await builder.close();
});

test("quantiles by selection equal numpy's linear quantiles by sorting (ties, tiny and large samples)", () => {
  const rng = new Xoshiro128(3);
  for (const n of [1, 2, 3, 7, 100, 5001]) {
    for (const ties of [false, true]) {
      const x = Array.from({ length: n }, () => (ties ? Math.floor(rng.nextFloat() * 5) : rng.nextNormal()));
      for (const q of [0, 0.05, 0.25, 0.5, 0.75, 0.95, 1]) assert.equal(quantilesBySelection(Float64Array.from(x), [q])[0], quantile(x, q), `n ${n} q ${q} ties ${ties}`);
    }
  }
});
