/**
 * What a user sees on the set-aside paths at the edges: every run set aside
 * (no verdict, and every view that rests on its seeds says why rather than
 * draw nothing or blame a single variant), a variant left without a factor's
 * row by runs that did not finish, and the same words from `twin stats`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StudyAccumulator, buildReportModel, renderStudyBody, type SeedGroup } from "../../src/report/index.ts";
import type { RunData } from "../../src/report/types.ts";
import { NONE_INDEPENDENT } from "../../src/study/not-independent.ts";

const FACTORS = ["init", "order", "split"];

function run(variant: string, seed: string, factors: number[], status = "success"): RunData {
  const value = status === "failure" ? NaN : 0.8 + 0.01 * ((Number(seed) * 7) % 11) + (variant === "wide" ? 0.02 : 0);
  const steps = Float64Array.of(1, 2, 3);
  return { variant, seed, status, scalars: { "val/accuracy": { steps, values: Float64Array.of(0.4, 0.6, value) } }, factorSeeds: Object.fromEntries(FACTORS.map((f, i) => [f, String(factors[i])])), where: `${variant}/seed-${seed}` };
}

const group = (seed: string, factors: number[], failing?: string): SeedGroup => ({ seed, runs: ["base", "wide"].map((v) => run(v, seed, factors, v === failing ? "failure" : "success")), checks: [] });
const header = { name: "s", source: "test", variantOrder: ["base", "wide"] };
const modelOf = (groups: SeedGroup[]) => buildReportModel({ ...header, runs: groups.flatMap((g) => g.runs), checks: [] });

/** One-factor runs without their root run: every run is set aside. */
const NO_ROOT = [group("1", [1, 0, 0]), group("2", [0, 1, 0]), group("3", [0, 0, 1])];

test("every run set aside: no verdict, and every view that rests on the verdict's seeds says why, in the report and the dashboard", () => {
  const m = modelOf(NO_ROOT);
  assert.equal(m.setAside?.kept_seeds, 0);
  assert.match(m.setAside!.note, /so they are not independent seeds; no seed varies every factor together, so there is no verdict, and the section on variance by factor reads them$/);
  assert.equal(m.analysis, null);
  assert.equal(m.analysisError, `${NONE_INDEPENDENT}; the section on variance by factor reads them`);
  assert.deepEqual([m.curves, m.pairedCurves], [[], []]);
  const html = renderStudyBody(m).html;
  const said = "the verdict sets every run aside (6 runs, seeds 1, 2, 3: one factor varied at a time, or grid cells), so no seed is left to draw.";
  for (const [section, lead] of [["curves", "No learning curves: "], ["paired", "Not available: "], ["distribution", "None: "], ["power", "Power curve not available: "], ["expected-max", "None: "]]) {
    const body = html.match(new RegExp(`<section id="${section}">(.*?)</section>`, "s"))![1]!;
    assert.ok(body.includes(lead + said), `${section}: ${body.slice(0, 400)}`);
    assert.doesNotMatch(body, /<figure/, `${section} draws no empty chart`);
  }
  // No pair of runs differs in one factor's seed alone: said so, not "no one-factor-at-a-time runs".
  assert.match(m.variance.reason!, /^no factor has 2 runs with a final value that differ in its seed alone/);
  const live = new StudyAccumulator(header, {}, "replace", 3);
  for (const g of [...NO_ROOT].reverse()) live.addGroup(g);
  assert.equal(renderStudyBody({ ...live.finish(), generatedAt: m.generatedAt }).html, html);
});

test("twin stats says the same as the report when every run is set aside", () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-set-aside-walk-"));
  try {
    for (const g of NO_ROOT) {
      for (const r of g.runs) {
        const d = join(dir, "s", r.variant, `seed-${g.seed}`);
        mkdirSync(d, { recursive: true });
        const hparams = { study: "s", variant: r.variant, seed: g.seed, ...Object.fromEntries(Object.entries(r.factorSeeds!).map(([f, v]) => [`seeds.${f}`, v])) };
        const lines = [{ kind: "hparams", wall_time: 1, hparams, metrics: ["val/accuracy"] }, { kind: "scalars", step: 3, wall_time: 2, values: { "val/accuracy": r.scalars["val/accuracy"]!.values[2] } }, { kind: "end", wall_time: 3, status: "success" }];
        writeFileSync(join(d, "metrics.jsonl"), lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
      }
    }
    const out = spawnSync(process.execPath, ["bin/twin.js", "stats", join(dir, "s"), "--store", join(dir, "none.db")], { encoding: "utf8", timeout: 120_000 });
    assert.notEqual(out.status, 0);
    assert.ok(out.stderr.includes(`${join(dir, "s")}: ${NONE_INDEPENDENT}; twin report ${join(dir, "s")} shows the variance by factor`), out.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a variant left without a factor's row by a run that did not finish: the variance section says which and why", () => {
  // base's init run diverged: base has no init row, wide has one.
  const m = modelOf([group("0", [0, 0, 0]), group("1", [1, 0, 0], "base"), group("2", [0, 1, 0]), group("3", [0, 0, 1]), group("5", [5, 5, 5]), group("6", [6, 6, 6])]);
  assert.deepEqual(m.variance.factors.filter((f) => f.factor === "init").map((f) => f.variant), ["wide"]);
  assert.ok(m.variance.notes.includes("base: no row for init: fewer than 2 of its runs have a final value."), m.variance.notes.join("\n"));
  assert.ok(m.variance.notes.includes("Left out of the variance by factor (no final value): base seed 1 diverged (set aside from the verdict, so not in its failures either)."), m.variance.notes.join("\n"));
});

test("a run set aside that is still running: the warning does not say its curve is shown", () => {
  const running = (seed: string, factors: number[]): SeedGroup => ({ seed, runs: ["base", "wide"].map((v) => run(v, seed, factors, "running")), checks: [] });
  const m = modelOf([group("0", [0, 0, 0]), running("1", [1, 0, 0]), group("2", [2, 0, 0]), group("5", [5, 5, 5]), running("6", [6, 6, 6])]);
  assert.deepEqual(m.setAside?.seeds, ["1", "2"]);
  assert.ok(m.warnings.includes("2 run(s) not finished (still running, or stopped before their end): left out of the verdict and the final values until they end; their curves are shown"), m.warnings.join("\n"));
  assert.ok(m.warnings.includes("2 of the runs set aside are not finished (still running, or stopped before their end): the variance by factor reads them once ended; like every run set aside, their curves are not drawn"), m.warnings.join("\n"));
  assert.deepEqual(new Set(m.curves.flatMap((c) => c.seeds.map((p) => p.seed))), new Set(["0", "5", "6"]));
});
