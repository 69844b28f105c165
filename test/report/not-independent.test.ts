/**
 * A log folder read as one folder per seed counts the one-factor-at-a-time
 * runs of `twin seeds --vary each` (and grid cells) as seeds; the report says
 * so, and stays quiet for all-varied seeds, a shared split and a plan that
 * varies one factor only.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { streamReportModel } from "../../src/report/index.ts";
import { runsNotAllVaried } from "../../src/study/not-independent.ts";
import { seriesOf } from "../../src/report/series.ts";
import type { RunData, SeedGroup } from "../../src/report/types.ts";

const FACTORS = ["init", "order", "split"];
const seedsOf = (values: number[]) => Object.fromEntries(FACTORS.map((f, i) => [f, String(values[i])]));

function group(seed: string, factorSeeds: Record<string, string>, a: number, b: number): SeedGroup {
  const run = (variant: string, value: number): RunData => ({ variant, seed, status: "success", scalars: { "val/accuracy": seriesOf([{ step: 1, value }]) }, factorSeeds, where: `${variant}/seed-${seed}` });
  return { seed, runs: [run("base", a), run("wide", b)], checks: [] };
}

test("one-factor-at-a-time runs are named as not independent seeds; all-varied, shared-split and one-factor plans are not", async () => {
  // Three all-varied seeds and, around seed 0, one run per factor changed alone (twin seeds --vary each).
  const varyEach = [group("0", seedsOf([0, 0, 0]), 0.8, 0.81), group("1", seedsOf([1, 1, 1]), 0.79, 0.82), group("2", seedsOf([2, 2, 2]), 0.81, 0.8), group("3", seedsOf([1, 0, 0]), 0.8, 0.81), group("4", seedsOf([0, 1, 0]), 0.8, 0.81)];
  const model = await streamReportModel({ name: "s", source: "test", groups: varyEach });
  const warning = model.warnings.find((w) => w.includes("not independent seeds"));
  assert.ok(warning, `no warning among ${JSON.stringify(model.warnings)}`);
  assert.match(warning, /^4 run\(s\) change one random factor at a time or sit on a grid \(seed folders 3, 4:/);

  const flat = (gs: SeedGroup[]) => gs.flatMap((g) => g.runs);
  // A shared split: the split seed is the first seed's in every run, so it does not tell runs apart.
  assert.deepEqual(runsNotAllVaried(flat([group("0", seedsOf([0, 0, 0]), 1, 1), group("1", seedsOf([1, 1, 0]), 1, 1), group("2", seedsOf([2, 2, 0]), 1, 1)])), []);
  // One factor varied alone (twin seeds --vary init): the init seeds are the study's seeds.
  assert.deepEqual(runsNotAllVaried(flat([group("0", seedsOf([0, 0, 0]), 1, 1), group("1", seedsOf([1, 0, 0]), 1, 1), group("2", seedsOf([2, 0, 0]), 1, 1)])), []);
  // Runs without factor seeds (a results file, another framework's logs) are never flagged.
  const plain = await streamReportModel({ name: "p", source: "test", groups: [0, 1, 2].map((s) => ({ ...group(String(s), {}, 0.8, 0.81 + s / 100), runs: group(String(s), {}, 0.8, 0.81 + s / 100).runs.map(({ factorSeeds: _f, ...r }) => r) })) });
  assert.ok(!plain.warnings.some((w) => w.includes("not independent")), JSON.stringify(plain.warnings));
});

test("twin stats on a log folder with one-factor-at-a-time runs warns after the verdict that they are not independent seeds", () => {
  const root = mkdtempSync(join(tmpdir(), "twin-not-independent-"));
  try {
    const runs: [string, number[]][] = [["0", [0, 0, 0]], ["1", [1, 1, 1]], ["2", [2, 2, 2]], ["3", [1, 0, 0]]];
    for (const [variant, shift] of [["base", 0], ["wide", 0.01]] as const) {
      for (const [seed, factors] of runs) {
        const dir = join(root, "s", variant, `seed-${seed}`);
        mkdirSync(dir, { recursive: true });
        const hparams = { study: "s", variant, seed, ...Object.fromEntries(FACTORS.map((f, i) => [`seeds.${f}`, String(factors[i])])) };
        const value = 0.8 + shift + Number(seed) / 1000;
        writeFileSync(join(dir, "metrics.jsonl"), [{ kind: "hparams", wall_time: 1, hparams, metrics: ["val/accuracy"] }, { kind: "scalars", step: 1, wall_time: 2, values: { "val/accuracy": value } }, { kind: "end", wall_time: 3, status: "success" }].map((l) => JSON.stringify(l)).join("\n") + "\n");
      }
    }
    const cli = spawnSync(process.execPath, ["bin/twin.js", "stats", join(root, "s")], { encoding: "utf8", timeout: 120_000 });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /^warning: 2 run\(s\) change one random factor at a time or sit on a grid \(seed folders 3:.*not independent seeds/m, cli.stdout);
    const json = spawnSync(process.execPath, ["bin/twin.js", "stats", join(root, "s"), "--json"], { encoding: "utf8", timeout: 120_000 });
    assert.equal(json.status, 0, json.stderr);
    assert.match((JSON.parse(json.stdout) as { not_independent: string }).not_independent, /^2 run\(s\) change one random factor/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
