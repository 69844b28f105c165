/**
 * One format for the user: `twin stats` on a log folder and the report (and
 * the dashboard, which renders the same body with `renderStudyBody`) print
 * the same difference, interval, p, Holm-adjusted p and P(better) strings for
 * each comparison, and the differences chart's tooltip carries that p too.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildReportModel, loadStudyDir, renderStudyBody } from "../../src/report/index.ts";
import { pValueClause, pValueText } from "../../src/stats/p-value-text.ts";
import { metricValueText } from "../../src/study/metric-units.ts";
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

test("a p too small to print is a bound, never 0: '< 1e-300' in a cell, 'p < 1e-300' in a sentence", () => {
  assert.equal(pValueText(0), "< 1e-300");
  assert.equal(pValueText(5e-324), "< 1e-300");
  assert.equal(pValueText(2e-300), "2.0e-300");
  assert.equal(pValueClause(0), "p < 1e-300");
  assert.equal(pValueClause(0.0123), "p = 0.012");
});

test("twin stats and the report on 3,000 seeds of a clear difference: the underflowed p reads 'p < 1e-300', not 'p = 0.0e+0'", async () => {
  const root = mkdtempSync(join(tmpdir(), "twin-p-tiny-"));
  try {
    // A difference of 1 pp with a seed sd of 0.05 pp over 3,000 seeds: t ≈ 1,000, whose tail underflows to 0.
    const rows = ["variant,seed,accuracy"];
    for (let s = 0; s < 3000; s++) {
      const noise = ((s * 7919) % 1000) / 1000 - 0.5;
      rows.push(`base,${s},${(0.8 + 0.001 * noise).toFixed(6)}`, `wide,${s},${(0.81 + 0.001 * noise + 0.0005 * (((s * 104729) % 997) / 997 - 0.5)).toFixed(6)}`);
    }
    const file = join(root, "results.csv");
    writeFileSync(file, rows.join("\n") + "\n");
    const cli = spawnSync(process.execPath, ["bin/twin.js", "stats", file], { encoding: "utf8", timeout: 120_000 });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /p < 1e-300/, cli.stdout);
    assert.doesNotMatch(cli.stdout, /p = 0\.0e\+0|p = 0(?![.\d])/, cli.stdout);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("metricValueText: pp with two decimals; else four decimals, four significant digits in exponent form below 1e-3 or from 1e5", () => {
  assert.equal(metricValueText(0.73034, true), "73.03");
  assert.equal(metricValueText(-0.0058213, false), "-0.0058");
  assert.equal(metricValueText(2.0876e-4, false), "2.088e-4");
  assert.equal(metricValueText(-3.2e-5, false), "-3.200e-5");
  assert.equal(metricValueText(123456.7, false), "1.235e+5");
  assert.equal(metricValueText(0, false), "0.0000");
  assert.equal(metricValueText(NaN, true), "n/a");
});

/** Each comparison's difference, interval, p, Holm p and P(better) as `twin stats` prints them, by variant. */
function cliComparisons(stdout: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of stdout.matchAll(/^(\S+) − baseline {2}(\S+?)(?: pp)? {2}95% CI \[(\S+), (\S+)\](?: pp)? {2}.*, p = (\S+), Holm-adjusted p = (\S+)$/gm)) {
    const better = stdout.match(new RegExp(`^ {2}P\\(${m[1]} better than baseline\\) = (\\S+) \\(95% CI (\\S+)–(\\S+)\\)`, "m"));
    assert.ok(better, `no P(better) line for ${m[1]}: ${stdout}`);
    out.set(m[1]!, [m[2]!, m[3]!, m[4]!, m[5]!, m[6]!, better[1]!, better[2]!, better[3]!]);
  }
  return out;
}

for (const { metric, unit } of [{ metric: "val/accuracy", unit: " pp" }, { metric: "val/loss", unit: "" }]) {
  test(`the report shows the same difference, interval, p, Holm p and P(better) strings as \`twin stats\` for every comparison (${metric})`, async () => {
    const root = mkdtempSync(join(tmpdir(), "twin-p-format-"));
    try {
      // Small effects over 6 seeds: p-values in [0.001, 1] and, for the loss, an interval end below 1e-3, where formats differ.
      const dir = writeFixture(join(root, "logs"), { seeds: 6, effects: { wider: 0.003, dropout: 0.001 } });
      const cli = spawnSync(process.execPath, ["bin/twin.js", "stats", dir, "--metric", metric], { encoding: "utf8", timeout: 120_000 });
      assert.equal(cli.status, 0, cli.stderr);
      const fromCli = cliComparisons(cli.stdout);
      assert.deepEqual([...fromCli.keys()].sort(), ["dropout", "wider"], cli.stdout);
      assert.ok([...fromCli.values()].some((v) => Number(v[3]) >= 0.001), `no p in [0.001, 1] to tell formats apart: ${cli.stdout}`);

      const { html } = await renderStudyBody(buildReportModel(loadStudyDir(dir), { metric }));
      // The chart specs are stored column-wise: a string column is {"$strings": [...], "$index": [...]}.
      const tooltipPs = [...html.matchAll(/"p":\{"\$strings":(\[[^\]]*\])/g)].flatMap((m) => JSON.parse(m[1]!) as string[]);
      for (const [variant, [diff, lo, hi, p, holm, better, betterLo, betterHi]] of fromCli) {
        const row = html.match(new RegExp(`<tr data-comparison="${variant}"[^>]*>(.*?)</tr>`))?.[1];
        assert.ok(row, `report has no comparison row for ${variant}`);
        const cells = [...row.matchAll(/<td>(.*?)<\/td>/g)].map((m) => m[1]!);
        // comparison, difference, CI, test, p, p (Holm), P(better) [CI], ...
        assert.deepEqual([cells[1], cells[2], cells[4], cells[5], cells[6]], [`${diff}${unit}`, `[${lo}, ${hi}]${unit}`, p, holm, `${better} [${betterLo}, ${betterHi}]`], `report row of ${variant}: ${row}`);
        assert.ok(tooltipPs.includes(p!), `differences chart tooltips (${tooltipPs}) lack p = ${p} for ${variant}`);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}
