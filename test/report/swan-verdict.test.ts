/**
 * A black swan among the paired differences: `twin stats` on the log folder
 * names the seed with its robust z, the comparison without it and the robust
 * warning; the report and the dashboard (one body, `renderStudyBody`) say the
 * same lines with the same numbers (both print `robustVerdictText`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildReportModel, loadStudyDir, renderStudyBody } from "../../src/report/index.ts";
import { esc } from "../../src/report/escape.ts";
import { writeFixture } from "./fixture.ts";

test("the report and the dashboard name the black swan seed, its robust z and the comparison without it, as the CLI does", async () => {
  const root = mkdtempSync(join(tmpdir(), "twin-swan-verdict-"));
  try {
    const dir = writeFixture(join(root, "logs"), { seeds: 8, blackSwan: { variant: "wider", seed: 2 } });
    const cli = spawnSync(process.execPath, ["bin/twin.js", "stats", dir, "--metric", "val/accuracy"], { encoding: "utf8", timeout: 120_000 });
    assert.equal(cli.status, 0, cli.stderr);
    const wider = cli.stdout.slice(cli.stdout.indexOf("wider − baseline"));
    const swan = wider.match(/^ {2}(black swan: seed 2, robust z -\d+\.\d)$/m);
    const check = wider.match(/^ {2}(robust check: without the swans \+[\d.]+ pp, p = \S+ \(7 pairs\).*)$/m);
    const warning = wider.match(/^ {2}(warning: .*)$/m);
    assert.ok(swan && check && warning, cli.stdout);

    const m = buildReportModel(loadStudyDir(dir));
    const { html, charts } = await renderStudyBody(m);
    assert.ok(html.includes(`<li class="note warning swans">wider: ${esc(swan[1]!)}</li>`), `report lacks "${swan[1]}"`);
    assert.ok(html.includes(`<li class="note robust-check">wider: ${esc(check[1]!)}</li>`), `report lacks "${check[1]}"`);
    assert.ok(html.includes(`<li class="note warning">wider: ${esc(warning[1]!)}: `), `report lacks "${warning[1]}"`);
    // Only the comparison with the swan carries it.
    assert.equal(html.match(/black swan: seed/g)?.length, 1);

    // The differences chart marks that seed as a cross, with the verdict's robust z in its tooltip and its caption.
    const z = swan[1]!.match(/robust z (\S+)$/)![1]!;
    const differences = charts.find((c) => c.chart.id.startsWith("differences-"))!.chart;
    const layers = (differences.spec as { layer: { name: string; data: { values: Record<string, unknown>[] }; encoding: { tooltip?: { field: string }[] } }[] }).layer;
    const swans = layers.find((l) => l.name === "swans");
    assert.ok(swans, `differences chart has no swan layer: ${layers.map((l) => l.name)}`);
    assert.deepEqual(swans.data.values.map((r) => [r.comparison, r.seed, r.z]), [["wider − baseline", "2", z]]);
    assert.ok(swans.encoding.tooltip!.some((t) => t.field === "z"));
    assert.ok(!layers.find((l) => l.name === "diffs")!.data.values.some((r) => r.comparison === "wider − baseline" && r.seed === "2"), "the swan seed is drawn twice");
    assert.ok(differences.caption.includes(`wider − baseline: seed 2 (robust z ${z})`), differences.caption);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
