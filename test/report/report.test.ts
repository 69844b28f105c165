import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { writeFixture, writeOfatFixture } from "./fixture.ts";
import { buildReport, buildReportModel, renderStudyBody, curveStats, distributionChart, distributionData, loadStudyDir, pairingText, reportCharts, sharesSentence, totalVarianceText, allCharts, LogDirSource, MIN_BAND_RUNS, statusFromTail, thinSteps } from "../../src/report/index.ts";
import { statusFromTailBytes } from "../../src/report/sources/run-index.ts";
import { writeStatsPlot, statsPlotCharts } from "../../src/report/stats-plot.ts";
import { SPEC_DIGITS } from "../../src/report/chart-runtime.ts";
import { markItems, type MarkItem } from "./scenegraph.ts";
import { analyzeResults } from "../../src/study/analyze.ts";
import { swanThreshold } from "../../src/stats/index.ts";
import { readResults } from "../../src/study/results-file.ts";

/** The page's own function (assets/spec-columns.js) that turns a spec's data columns back into rows. */
function unpackInPage(spec: unknown): unknown {
  const page: { twinUnpackSpec?: (x: unknown, key: string, parent: string) => unknown } = {};
  runInNewContext(readFileSync(new URL("../../src/report/assets/spec-columns.js", import.meta.url), "utf8") + "\nthis.twinUnpackSpec = twinUnpackSpec;", page);
  // Rebuilt in this realm: deepStrictEqual compares prototypes.
  return JSON.parse(JSON.stringify(page.twinUnpackSpec!(spec, "", "")));
}

const root = mkdtempSync(join(tmpdir(), "twin-report-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));
const abDir = writeFixture(join(root, "logs"), { shortRun: { variant: "dropout", seed: 4, steps: 35 }, blackSwan: { variant: "wider", seed: 2 } });
const ofatDir = writeOfatFixture(join(root, "logs"));

test("bands only where ≥ MIN_BAND_RUNS runs reach a step; runs aligned by step", () => {
  const seeds = [
    ...[1, 2, 3].map((s) => ({ variant: "a", seed: String(s), step: 10, value: s })),
    ...[1, 2].map((s) => ({ variant: "a", seed: String(s), step: 20, value: s })),
  ];
  const c = curveStats(seeds, ["a"]);
  assert.equal(MIN_BAND_RUNS, 3);
  assert.equal(c.runs.a, 3);
  const at10 = c.stats.find((s) => s.step === 10)!;
  assert.equal(at10.n, 3);
  assert.ok(at10.lo! < 2 && at10.hi! > 2);
  // Step 20 has only 2 runs: neither band nor mean (a mean of fewer runs would jump).
  assert.equal(c.stats.find((s) => s.step === 20), undefined);
  assert.deepEqual(thinSteps([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4), [1, 4, 7, 10]);
});

test("model of the A/B fixture: verdict paired by seed, black swan, short run, reproducibility", () => {
  const m = buildReportModel(loadStudyDir(abDir));
  assert.equal(m.metric, "val/accuracy");
  assert.equal(m.higherIsBetter, true);
  assert.deepEqual(m.variants, ["baseline", "dropout", "wider"]);
  assert.equal(m.reference, "baseline");
  assert.equal(m.seeds.length, 5);
  assert.ok(m.analysis);
  assert.equal(m.analysis!.comparisons.length, 2);
  assert.ok(m.analysis!.comparisons.every((c) => c.paired && c.n === 5));
  const wider = m.distribution.variants.find((v) => v.name === "wider")!;
  assert.equal(wider.points.find((p) => p.seed === "2")!.blackSwan, true);
  // The short run (35 of 50 steps): the dropout curve keeps 4 runs after step 35, so its band continues (≥ 3).
  const curve = m.curves.find((c) => c.tag === "eval/accuracy")!;
  assert.equal(curve.stats.find((s) => s.variant === "dropout" && s.step === 50)!.n, 4);
  assert.equal(curve.stats.find((s) => s.variant === "baseline" && s.step === 50)!.n, 5);
  // The band's legend says on how many seeds it rests, 4 of dropout's after its short run (it said "5 seeds" all along).
  assert.match(curve.bandLabel, /95% CI of the mean \(t\), 4–5 seeds; where ≥ 3 runs/);
  assert.ok(m.pairedCurves.some((c) => c.tag === "eval/accuracy" && c.paired && c.variants.join() === "dropout,wider"));
  assert.equal(m.repro.status, "consistent", m.repro.summary);
  assert.equal(m.variance.available, false);
  assert.match(m.variance.reason!, /one-factor-at-a-time/);
  assert.equal(m.power.available, true);
  assert.ok(m.power.comparisons[0]!.curve[0]!.seeds === 2);
  // Detectable difference shrinks with more seeds.
  const pc = m.power.comparisons[0]!.curve;
  assert.ok(pc[pc.length - 1]!.detectable < pc[0]!.detectable);
  assert.equal(m.expectedMax.variants.length, 3);
});

test("verdict counts diverged and failed runs per variant with their exact interval; only their comparisons leave the seed out (report and dashboard body)", async () => {
  const study = loadStudyDir(abDir);
  const run = (variant: string, seed: string) => study.runs.find((r) => r.variant === variant && r.seed === seed)!;
  run("wider", "3").status = "failure";
  const acc = run("dropout", "4").scalars["val/accuracy"]!.values;
  acc[acc.length - 1] = NaN;
  const m = buildReportModel(study);
  const a = m.analysis!;
  const v = (name: string) => a.variants.find((x) => x.name === name)!;
  assert.deepEqual([v("wider").failed, v("wider").diverged, v("wider").n], [1, 0, 4]);
  assert.deepEqual([v("dropout").failed, v("dropout").diverged, v("dropout").n], [0, 1, 4]);
  assert.equal(v("wider").failure_rate, 0.2);
  // Clopper–Pearson for 1 of 5: scipy.stats.binomtest(1, 5).proportion_ci(method='exact')
  assert.ok(Math.abs(v("wider").failure_rate_ci![0] - 0.005050763379468115) < 1e-12 && Math.abs(v("wider").failure_rate_ci![1] - 0.7164179361180895) < 1e-12);
  const cmp = (b: string) => a.comparisons.find((c) => c.b === b)!;
  assert.deepEqual([cmp("wider").n, cmp("wider").excluded_pairs], [4, 1]);
  assert.deepEqual([cmp("dropout").n, cmp("dropout").excluded_pairs], [4, 1]);
  const { html } = await renderStudyBody(m);
  assert.match(html, /<tr data-variant="wider">.*<td class="failures">1 failed of 5 · failure rate 20% \(95% CI 1%–72%\)<\/td>/);
  assert.match(html, /<tr data-variant="dropout">.*<td class="failures">1 diverged of 5 · failure rate 20% \(95% CI 1%–72%\)<\/td>/);
  assert.match(html, /<tr data-variant="baseline">.*<td class="failures">–<\/td>/);
  // In twin stats's words (restsOnText, failureComparisonText in study/verdict.ts).
  assert.match(html, /rests on 4 pairs \(1 seed left out: seed 3 wider failed\)/);
  assert.match(html, /failure rate wider vs baseline: 1\/5 vs 0\/5, 0 seed\(s\) where only baseline failed, 1 where only wider failed; exact McNemar p = 1\.000/);
});

test("a run that has not ended is unfinished: counted, left out of the verdict and the final values, never compared on its latest value", async () => {
  const study = loadStudyDir(abDir);
  const complete = buildReportModel(loadStudyDir(abDir));
  // Seed 4 stopped mid-run (no end line): its latest values would otherwise enter the verdict as final.
  for (const r of study.runs.filter((x) => x.seed === "4")) {
    r.status = "running";
    const acc = r.scalars["val/accuracy"]!.values;
    acc[acc.length - 1] = r.variant === "baseline" ? 0.99 : 0.01;
  }
  const m = buildReportModel(study);
  const a = m.analysis!;
  for (const v of a.variants) assert.deepEqual([v.name, v.n, v.unfinished], [v.name, 4, 1]);
  for (const c of a.comparisons) {
    const before = complete.analysis!.comparisons.find((x) => x.b === c.b)!;
    assert.equal(c.n, 4);
    assert.notEqual(c.diff, before.diff, "seed 4 left out changes the comparison");
    assert.ok(Math.abs(c.diff) < 0.5, "the stopped seed's 0.99 vs 0.01 did not enter the verdict");
  }
  for (const v of m.final.variants) assert.ok(v.values.every((x) => x.seed !== "4"), `${v.name}: seed 4 is not a final value`);
  assert.ok(m.warnings.some((w) => /3 run\(s\) not finished .*left out of the verdict/.test(w)), m.warnings.join("\n"));
  const { html } = await renderStudyBody(m);
  assert.match(html, /<tr data-variant="wider">.*1 unfinished/);
});

test("variance by factor from one-factor-at-a-time runs", () => {
  const m = buildReportModel(loadStudyDir(ofatDir));
  assert.equal(m.variance.available, true);
  assert.deepEqual(m.variance.factors.map((f) => [f.factor, f.n]), [["init", 7], ["order", 7]]);
  assert.equal(m.variance.totals[0]!.allRuns, 6);
  assert.ok(m.variance.factors.every((f) => f.lo <= f.variance && f.variance <= f.hi));
  assert.equal(m.analysis, null);
});

test("reproducibility: a missing and a diverging record are reported", () => {
  const study = loadStudyDir(abDir);
  study.checks = study.checks.filter((c) => c.seed !== "3");
  assert.equal(buildReportModel(study).repro.status, "incomplete");
  const again = loadStudyDir(abDir);
  const copy = { ...again.checks[0]!, variants: ["wider"], lines: again.checks[0]!.lines.map((l) => ({ ...l, streams: l.streams.map((s) => ({ ...s })) })) };
  copy.lines[7]!.streams[0]!.draws += 1;
  again.checks[0]!.variants = ["baseline", "dropout"];
  again.checks.push(copy);
  const r = buildReportModel(again).repro;
  assert.equal(r.status, "inconsistent");
  assert.ok(r.seeds[0]!.problems.some((p) => /stream order differs at step 8/.test(p)), JSON.stringify(r.seeds[0]));
});

test("charts: pure specs with legends that say what bands are; counts match the data", () => {
  const m = buildReportModel(loadStudyDir(abDir));
  const s = reportCharts(m);
  const curve = s.curves.find((c) => c.id === "curve-eval-accuracy")!;
  // dropout's seed 4 stops after step 35: its mean and band are two parts (5 seeds, then 4), the change one dotted line.
  assert.deepEqual(curve.marks, { seeds: 15, band: 4, mean: 4, runsets: 1 });
  assert.equal(curve.series, 3);
  assert.match(JSON.stringify(curve.spec), /95% CI of the mean \(t\), 4–5 seeds/);
  const dist = s.distribution.find((c) => c.id.startsWith("distribution"))!;
  const s5 = swanThreshold(5);
  assert.equal(dist.points, 15);
  // each variant's cut-off is swanThreshold(n) (5% false alarms on normal seeds), not a fixed 3.5
  assert.match(dist.caption, /black swans: modified z-score .* 5% of normal samples .* \(\|z\| > baseline \(5 seeds\) 7\.88, dropout \(5 seeds\) 7\.88, wider \(5 seeds\) 7\.88\)/);
  assert.deepEqual(m.distribution.variants.map((v) => v.threshold), [s5, s5, s5]);
  assert.match(JSON.stringify(s.expectedMax!.spec), /middle 68% of the best of n runs/);
  assert.equal(s.variance, undefined);
  // Pure: same model, same specs.
  assert.deepEqual(JSON.stringify(reportCharts(m)), JSON.stringify(s));
  assert.equal(new Set(allCharts(s).map((c) => c.id)).size, allCharts(s).length);
});

test("twin report: self-contained HTML (no external resources), every chart drawn, PNGs", async () => {
  const png = join(root, "png");
  const r = await buildReport(loadStudyDir(abDir), { png });
  // The inlined vega and vega-lite runtimes are library code (their URL strings are not requests; the browser test checks that nothing is fetched): the rest of the page is checked.
  const runtimes = [...r.html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
  assert.equal(runtimes.length, 3, "vega, vega-lite and the drawing script, inlined");
  assert.match(runtimes[0]![1]!, /\.vega=\{\}/);
  assert.match(runtimes[1]![1]!, /\.vegaLite=\{\}/);
  const page = r.html.replace(/<script>[\s\S]*?<\/script>/g, "");
  assert.ok(!/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org)/.test(page), "no external resources");
  const specs = [...page.matchAll(/<figure class="chart" id="chart-([^"]+)"[^>]*><div class="chart-view"><\/div><script type="application\/json" class="chart-spec">([^<]*)<\/script>/g)];
  assert.deepEqual(specs.map((m) => m[1]), r.charts, "every chart carries its spec, in page order");
  const model = reportCharts(r.model);
  for (const [i, chart] of allCharts(model).entries()) {
    const { $schema: _, ...spec } = chart.spec;
    // The chart's spec, its fractions rounded to SPEC_DIGITS significant digits, as the page's script reads it back from columns.
    const rounded = JSON.parse(JSON.stringify(spec, (_k, v: unknown) => (typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(SPEC_DIGITS)) : v)));
    assert.deepEqual(unpackInPage(JSON.parse(specs[i]![2]!)), rounded, `${chart.id}: the spec in the page is the chart's`);
  }
  for (const id of r.charts) {
    assert.match(r.html, new RegExp(`data-chart="${id}"`));
    const sig = readFileSync(join(png, `${id}.png`)).subarray(0, 8);
    assert.deepEqual([...sig], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  }
  assert.equal(r.pngs.length, r.charts.length);
  assert.match(r.html, /id="variance-unavailable"/);
  assert.match(r.html, /id="repro-status">consistent</);
  assert.match(r.html, /wider − baseline/);
});

test("twin stats --plot: distribution and differences for results from a CSV", async () => {
  const csv = join(root, "r.csv");
  const rows = ["variant,seed,accuracy"];
  for (let s = 0; s < 6; s++) rows.push(`base,${s},${0.86 + 0.001 * s}`, `new,${s},${0.863 + 0.001 * s + 0.0005 * (s % 2)}`);
  appendFileSync(csv, rows.join("\n") + "\n");
  const table = readResults(csv);
  const analysis = analyzeResults(table, { metric: "accuracy" });
  const charts = statsPlotCharts(table, analysis);
  assert.equal(charts.length, 2);
  assert.equal(charts[1]!.points, 6);
  const out = await writeStatsPlot(table, analysis, join(root, "plot", "stats.png"));
  assert.ok(existsSync(out));
  assert.equal(readFileSync(out).subarray(1, 4).toString(), "PNG");
});

test("LogDirSource lists studies and notices a run that writes (fs.watch, and the polling fallback)", async () => {
  const src = new LogDirSource(join(root, "logs"));
  const list = await src.listStudies();
  assert.deepEqual(list.map((s) => s.name), ["ab", "seeds"]);
  assert.equal(list[0]!.runs, 15);
  assert.deepEqual(list[0]!.status, { success: 15 });
  const seen: string[] = [];
  const stop = src.watch((s) => seen.push(s), 50);
  const line = JSON.stringify({ kind: "scalars", step: 51, wall_time: 0, values: { "train/loss": 0.3 } }) + "\n";
  appendFileSync(join(abDir, "baseline", "seed-0", "metrics.jsonl"), line);
  for (let i = 0; i < 100 && !seen.includes("ab"); i++) await new Promise((r) => setTimeout(r, 20));
  stop();
  assert.ok(seen.includes("ab"), "fs.watch reported the change");
  assert.ok(!seen.includes("seeds"));
  // The run no longer ends with its `end` line: it is running again.
  assert.deepEqual((await src.listStudies())[0]!.status, { running: 1, success: 14 });
  assert.equal(await src.openStudy("nope"), undefined);
  // Polling, where fs.watch is not available.
  const polled: string[] = [];
  const stopPolling = src.watch((s) => polled.push(s), 30, "poll");
  await new Promise((r) => setTimeout(r, 80));
  appendFileSync(join(abDir, "wider", "seed-1", "metrics.jsonl"), line);
  for (let i = 0; i < 100 && !polled.includes("ab"); i++) await new Promise((r) => setTimeout(r, 20));
  stopPolling();
  assert.deepEqual([...new Set(polled)], ["ab"]);
});

test("the run index reads a run's status from the tail of its metrics file", () => {
  assert.equal(statusFromTail('{"kind":"scalars","step":1}\n{"kind":"end","wall_time":1,"status":"success"}\n'), "success");
  assert.equal(statusFromTail('{"kind":"scalars","step":1}\n'), "running");
  assert.equal(statusFromTail('{"kind":"end","wall_time":1,"status":"failure"}\n{"kind":"sca'), "running");
  assert.equal(statusFromTail(""), "running");
  // Blank lines and CRLF after the end line, a single line, a file of blanks.
  assert.equal(statusFromTail('{"kind":"scalars","step":1}\r\n{"kind":"end","wall_time":1,"status":"failure"}\r\n\n  \n'), "failure");
  assert.equal(statusFromTail('{"kind":"end","wall_time":1,"status":"success"}'), "success");
  assert.equal(statusFromTail("\n \n"), "running");
  // Only the first n bytes of the buffer are the tail (the rest is an earlier read's).
  const buf = Buffer.from('{"kind":"end","wall_time":1,"status":"success"}\n{"kind":"scalars","step":2}\n');
  assert.equal(statusFromTailBytes(buf, 48), "success");
  assert.equal(statusFromTailBytes(buf, buf.length), "running");
});

test("seed densities are overlaid, not stacked: each area starts at zero and peaks at its own density", async () => {
  const values = (xs: number[]) => xs.map((value, i) => ({ seed: String(i), value }));
  const d = distributionData({ metric: "acc", higherIsBetter: true, reference: "a", variants: [{ name: "a", values: values([1, 2, 3, 4]) }, { name: "b", values: values([2, 3, 3.5, 5]) }] });
  const chart = distributionChart(d);
  const layer = (chart.spec.vconcat as { name?: string; encoding: { y: { stack?: unknown } } }[]).find((l) => l.name === "density")!;
  assert.equal(layer.encoding.y.stack, null, "Vega-Lite stacks areas that share a color encoding unless stack is null");
  const series = await markItems(chart.spec, "density");
  assert.equal(series.length, 2);
  const baseline = series[0]![0]!.y2!;
  const peak = (items: MarkItem[]) => Math.max(...items.map((i) => Number(i.datum!.density)));
  const top = (items: MarkItem[]) => Math.min(...items.map((i) => i.y!));
  for (const items of series) assert.ok(items.every((i) => i.y2 === baseline), "every area starts at the zero line");
  // Pixel height is proportional to the variant's own peak density (stacked, b would sit on top of a).
  const [a, b] = series as [MarkItem[], MarkItem[]];
  const ratio = (baseline - top(b)) / (baseline - top(a));
  assert.ok(Math.abs(ratio - peak(b) / peak(a)) < 0.02, `height ratio ${ratio} vs density ratio ${peak(b) / peak(a)}`);
});

test("the pairing column says whether pairing cut or raised the variance of the difference", () => {
  // The CLI's words (study/verdict.ts pairingGainText): "cut" only when the whole interval is above 1.
  assert.equal(pairingText(3.14, [1.2, 9.9], true), "pairing cut the variance of the difference 3.1× (95% CI 1.2–9.9×)");
  assert.equal(pairingText(1.2, [0.5, 415], true), "pairing gain 1.2× (95% CI 0.50–415×): unclear whether pairing helped");
  assert.equal(pairingText(0.4, [0.1, 0.8], true), "pairing made the difference noisier: variance ratio 0.40× (95% CI 0.10–0.80×)");
  assert.equal(pairingText(null, null, false), "unpaired");
  assert.equal(pairingText(18, null, true, "an interval of the gain needs at least 3 seeds"), "pairing cut the variance of the difference 18× (no interval: an interval of the gain needs at least 3 seeds)");
  assert.equal(
    sharesSentence([{ variance: 0.5 }, { variance: 0.3 }], { total: 1, lo: 0.9, hi: 4 }),
    "The shares add up to 80%; the other 20% is what the factors do only together, plus any nondeterminism; beyond noise (the factors' combined sd 0.8944 against the all-varied sd's 95% interval [0.9487, 2.0000]): the factors matter mostly together, or the runs are nondeterministic.",
  );
  assert.match(sharesSentence([{ variance: 0.9 }, { variance: 0.6 }], { total: 1, lo: 0.27, hi: 39 }), /^The shares add up to 150%, not 100%: varied one at a time, the factors vary more in sum than all varied together; within noise \(/);
  assert.match(sharesSentence([{ variance: 0.7 }, { variance: 0.3 }], { total: 1, lo: null, hi: null }), /add up to 100% by construction/);
  // The total's line: a unit on every variance, and a negative remainder read for what it is.
  assert.equal(totalVarianceText({ variant: "wider", total: 1.21e-4, interaction: -1.0188e-4, allRuns: 12 }, true), "wider: total variance 1.2100 pp² from 12 all-varied runs; the total less the factors' sum (interaction and nondeterminism) -1.0188 pp², below 0: the factors varied one at a time vary more in sum than all together.");
  assert.equal(totalVarianceText({ variant: "b", total: 0.5, interaction: null, allRuns: 0 }, false), "b: total variance 0.500000 (sum of factors: no all-varied runs).");
});
