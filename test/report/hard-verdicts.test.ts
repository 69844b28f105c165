/**
 * The verdict stays honest and the same in `twin stats` and the report (and
 * the dashboard, which renders the same body) when seeds misbehave: runs that
 * diverged, a difference that is the same on every seed (no interval width,
 * an exact test that cannot decide), a single seed. Each case runs the real
 * CLI on a log folder and reads the report's verdict section.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RunLogger } from "../../src/log/index.ts";
import { buildReportModel, loadStudyDir, renderStudyBody } from "../../src/report/index.ts";

/** A log folder of one study whose runs end at the given final values (NaN/Infinity: the run ends in failure, as a diverged one). */
function writeFinals(logdir: string, study: string, metric: string, values: Record<string, number[]>): string {
  for (const [variant, vals] of Object.entries(values)) {
    vals.forEach((v, seed) => {
      const lg = new RunLogger({ logdir, study, variant, seed, flushSecs: 0, events: false });
      lg.log(5, { "train/loss": 1, [metric]: Number.isFinite(v) ? v * 0.9 : 0.5 });
      lg.log(10, { "train/loss": 0.5, [metric]: v });
      lg.close(Number.isFinite(v) ? "success" : "failure");
    });
  }
  return join(logdir, study);
}

function stats(dir: string, metric: string): string {
  const r = spawnSync(process.execPath, ["bin/twin.js", "stats", dir, "--metric", metric], { encoding: "utf8", timeout: 120_000 });
  assert.ok(r.status === 0 || r.status === 3, r.stderr);
  return r.stdout;
}

/** The report's verdict section as text lines (cells joined by " | "), and its charts. */
async function report(dir: string, metric: string) {
  const { html, charts } = await renderStudyBody(buildReportModel(loadStudyDir(dir), { metric }));
  const section = html.match(/<section id="verdict">(.*?)<\/section>/s)![1]!;
  const text = section
    .replace(/<\/(tr|li|p|h2)>/g, "\n").replace(/<\/t[dh]>/g, " | ").replace(/<[^>]+>/g, "")
    .replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'");
  return { text, lines: text.split("\n").map((l) => l.trim()).filter(Boolean), charts };
}

const line = (stdout: string, re: RegExp): string => {
  const m = stdout.match(re);
  assert.ok(m, `twin stats printed no line matching ${re}:\n${stdout}`);
  return m[1] ?? m[0];
};

test("diverged runs: the report counts them as diverged as twin stats does, with the same 'rests on' and failure-rate lines, and the seed distribution of the other variant keeps its seeds", async () => {
  const root = mkdtempSync(join(tmpdir(), "twin-hard-"));
  try {
    const base = [0.861, 0.872, 0.855, 0.868, 0.879, 0.858];
    const dir = writeFinals(root, "diverged", "val/accuracy", { base, new: [0.87, NaN, 0.862, 0.878, Infinity, 0.869] });
    const cli = stats(dir, "val/accuracy");
    const rests = line(cli, /^ {2}(rests on 4 pairs \(2 seeds left out: seed 1 new diverged, seed 4 new diverged\))$/m);
    const failure = line(cli, /^(failure rate new vs base: .*)$/m);
    assert.match(cli, /^new +4 .* 2 diverged$/m);
    const r = await report(dir, "val/accuracy");
    assert.ok(r.lines.some((l) => l.startsWith("new | 4 |") && l.includes("| 2 diverged of 6 ·")), r.text);
    assert.ok(r.lines.some((l) => l.startsWith("new is ") && l.includes(`; ${rests}.`)), `report lacks "${rests}":\n${r.text}`);
    assert.ok(r.lines.includes(failure), `report lacks "${failure}":\n${r.text}`);
    // The distribution chart rests on the verdict table's runs: base's 6 seeds, new's 4 finished ones.
    const dist = r.charts.find((c) => c.chart.id.startsWith("distribution-"))!.chart;
    assert.match(dist.caption, /base \(6 seeds\).*new \(4 seeds\)/, dist.caption);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the same difference on every seed with an exact test that cannot decide (p = 0.063): no zero-width interval, no winner named, the CLI's test name in the report", async () => {
  const root = mkdtempSync(join(tmpdir(), "twin-hard-"));
  try {
    const base = [0.4, 0.41, 0.39, 0.42, 0.405];
    const dir = writeFinals(root, "constant", "val/loss", { base, other: base.map((x) => x - 0.02) });
    const cli = stats(dir, "val/loss");
    // A zero-width interval would claim 95% coverage from 5 seeds: none is printed.
    const head = line(cli, /^other − base {2}-0\.0200 {2}no interval \(no spread over seeds\) {2}(paired sign \(exact\)), p = (0\.063)$/m);
    const r = await report(dir, "val/loss");
    const row = r.lines.find((l) => l.startsWith("other − base |"))!;
    assert.deepEqual(row.split(" | ").slice(1, 6), ["-0.0200", "no interval (no spread over seeds)", head, "0.063", "1.00 [0.48, 1.00]"], row);
    assert.match(row, /\| d_z n\/a \(no spread\) \|/, "an effect size without spread is n/a, not Infinity");
    assert.match(cli, /^ {2}P\(other better than base\) = .*; effect size d_z n\/a \(no spread\)$/m);
    const diffs = r.charts.find((c) => c.chart.id.startsWith("differences-"))!.chart;
    const ci = (diffs.spec as { layer: { name: string; data: { values: { what: string; interval: string }[] } }[] }).layer.find((l) => l.name === "ci")!.data.values[0]!;
    assert.deepEqual([ci.interval, ci.what], ["no interval (no spread over seeds)", "mean difference, no interval (no spread over seeds) (paired sign (exact), n = 5)"], "the chart's legend and tooltip claim no interval either");
    const sentence = r.lines.find((l) => l.startsWith("other is "))!;
    assert.doesNotMatch(sentence, /better than|worse than/, sentence);
    assert.match(sentence, /not distinguishable from base with 5 pairs: every seed gives the same difference, without an interval, and the paired sign \(exact\) p = 0\.063 is not below 0\.05/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("identical results on every seed: no interval and no winner, in the CLI and the report alike", async () => {
  const root = mkdtempSync(join(tmpdir(), "twin-hard-"));
  try {
    const base = [0.861, 0.872, 0.855, 0.868, 0.879];
    const dir = writeFinals(root, "ties", "val/accuracy", { base, same: base });
    const cli = stats(dir, "val/accuracy");
    assert.match(cli, /^same − base {2}\+0\.00 pp {2}no interval \(no spread over seeds\) {2}no test \(no spread\), p = 1\.000$/m);
    const r = await report(dir, "val/accuracy");
    const row = r.lines.find((l) => l.startsWith("same − base |"))!;
    assert.deepEqual(row.split(" | ").slice(1, 5), ["+0.00 pp", "no interval (no spread over seeds)", "no test (no spread)", "1.000"], row);
    // Every difference 0: d_z is 0/0, undefined, not "0.00" (which would read as a measured null effect), in the CLI and the report alike.
    assert.match(row, /\| d_z n\/a \(no spread\) \|/, row);
    assert.match(cli, /^ {2}P\(same better than base\) = 0\.50 .*; effect size d_z n\/a \(no spread\)$/m);
    assert.ok(r.lines.includes("same is not distinguishable from base with 5 pairs: identical results on every seed (p = 1.000); P(same better on a new seed) = 0.50; rests on 5 pairs."), r.text);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("one seed: the report says paired by seed and sd n/a, as twin stats does, with no comparisons table and no NaN", async () => {
  const root = mkdtempSync(join(tmpdir(), "twin-hard-"));
  try {
    const dir = writeFinals(root, "one", "val/accuracy", { base: [0.86], new: [0.87] });
    const cli = stats(dir, "val/accuracy");
    assert.match(cli, /^1 seed · paired by seed · /m);
    assert.match(cli, /^base +1 +86\.00 ± n\/a/m);
    const r = await report(dir, "val/accuracy");
    assert.match(r.text, / · separate runs, paired by seed · /);
    assert.ok(r.lines.some((l) => l.startsWith("base | 1 | 86.00 ± n/a |")), r.text);
    assert.doesNotMatch(r.text, /comparison \| difference/);
    assert.doesNotMatch(r.text, /NaN|Infinity|undefined/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
