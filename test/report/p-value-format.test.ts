/**
 * One p-value format for the user: `twin stats` on a log folder and the
 * report (and the dashboard, which renders the same body with
 * `renderStudyBody`) print the same p and Holm-adjusted p strings for each
 * comparison, and the differences chart's tooltip carries that string too.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildReportModel, loadStudyDir, renderStudyBody } from "../../src/report/index.ts";
import { pValueText } from "../../src/stats/p-value-text.ts";
import { writeFixture } from "./fixture.ts";

test("pValueText: three decimals, one significant digit in exponent form below 0.001, non-finite as itself", () => {
  assert.equal(pValueText(0.49304), "0.493");
  assert.equal(pValueText(0.0012), "0.001");
  assert.equal(pValueText(0.001), "0.001");
  assert.equal(pValueText(0.00097), "9.7e-4");
  assert.equal(pValueText(5.04e-6), "5.0e-6");
  assert.equal(pValueText(1), "1.000");
  assert.equal(pValueText(NaN), "NaN");
});

test("the report shows the same p and Holm-adjusted p strings as `twin stats` for every comparison of a log folder", async () => {
  const root = mkdtempSync(join(tmpdir(), "twin-p-format-"));
  try {
    // Small effects over 6 seeds: p-values in [0.001, 1], where a format with another number of decimals shows.
    const dir = writeFixture(join(root, "logs"), { seeds: 6, effects: { wider: 0.003, dropout: 0.001 } });
    const cli = spawnSync(process.execPath, ["bin/twin.js", "stats", dir, "--metric", "val/accuracy"], { encoding: "utf8", timeout: 120_000 });
    assert.equal(cli.status, 0, cli.stderr);
    const fromCli = new Map([...cli.stdout.matchAll(/^(\S+) − baseline .*, p = (\S+), Holm-adjusted p = (\S+)$/gm)].map((m) => [m[1]!, [m[2]!, m[3]!]]));
    assert.deepEqual([...fromCli.keys()].sort(), ["dropout", "wider"], cli.stdout);
    assert.ok([...fromCli.values()].flat().some((p) => Number(p) >= 0.001), `no p in [0.001, 1] to tell formats apart: ${cli.stdout}`);

    const { html } = await renderStudyBody(buildReportModel(loadStudyDir(dir)));
    // The chart specs are stored column-wise: a string column is {"$strings": [...], "$index": [...]}.
    const tooltipPs = [...html.matchAll(/"p":\{"\$strings":(\[[^\]]*\])/g)].flatMap((m) => JSON.parse(m[1]!) as string[]);
    for (const [variant, [p, holm]] of fromCli) {
      const row = html.match(new RegExp(`<tr data-comparison="${variant}"[^>]*>(.*?)</tr>`))?.[1];
      assert.ok(row, `report has no comparison row for ${variant}`);
      const cells = [...row.matchAll(/<td>(.*?)<\/td>/g)].map((m) => m[1]!);
      // comparison, difference, CI, test, p, p (Holm), ...
      assert.deepEqual(cells.slice(4, 6), [p, holm], `report row of ${variant}: ${row}`);
      assert.ok(tooltipPs.includes(p), `differences chart tooltips (${tooltipPs}) lack p = ${p} for ${variant}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
