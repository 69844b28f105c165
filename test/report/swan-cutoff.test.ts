/**
 * Below 4 seeds twin prints no black-swan cut-off (at 3 seeds it would be
 * |z| > 21.97, which finds a seed 10 sd away in 17% of samples): the detector,
 * the verdict's caveat, `twin seeds`, and the distribution chart of the report
 * and the dashboard all say "too few seeds to detect a black swan (needs n ≥ 4)".
 * Beside a significant p with no swan, the report and the dashboard (one body,
 * `renderStudyBody`) print the caveat of what the seeds cannot rule out.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectBlackSwans, robustVerdict, swanThreshold, SWAN_MIN_SEEDS } from "../../src/stats/index.ts";
import { buildReportModel, distributionChart, distributionData, loadStudyDir, renderStudyBody } from "../../src/report/index.ts";
import { writeFixture } from "./fixture.ts";
import { formatSeedReport, type VariantSeedReport } from "../../src/study/seed-report.ts";

test("black swans: nothing is flagged below 4 seeds and the cut-off is not printed; from 4 seeds it is", () => {
  assert.equal(SWAN_MIN_SEEDS, 4);
  // Seeds 0 and 1 almost tie and seed 2 is far away: |z| = 0.6745 × 0.4/0.001 = 270 > 21.97, flagged by the raw cut-off.
  const three = detectBlackSwans([0.85, 0.851, 0.45]);
  assert.ok(Math.abs(three.z[2]!) > swanThreshold(3));
  assert.deepEqual(three.flagged, []);
  assert.match(three.notes.join(" "), /too few seeds to detect a black swan \(needs n ≥ 4, has 3\)/);
  assert.deepEqual(detectBlackSwans([0.85, 0.851, 0.852, 0.45]).flagged, [3]);

  const rv = robustVerdict([0.80, 0.81, 0.82], [0.85, 0.861, 0.872]);
  assert.ok(rv.plain!.significant);
  assert.match(rv.caveat!, /^3 seeds are too few to detect a black swan \(needs 4\), and cannot rule out that up to 63\.2% of seeds go badly wrong \(95% bound\)/);
  assert.match(robustVerdict([0.80, 0.81, 0.82, 0.805], [0.85, 0.861, 0.872, 0.856]).caveat!, /^no seed went badly wrong here, but 4 seeds cannot rule out that up to 52\.7% of seeds do/);
});

test("report and dashboard chart, and twin seeds: 3 seeds say too few, 5 seeds print the cut-off", () => {
  const vals = (xs: number[]) => xs.map((value, i) => ({ seed: String(i), value }));
  const d = distributionData({ metric: "acc", higherIsBetter: true, reference: "a", variants: [{ name: "a", values: vals([0.85, 0.851, 0.45]) }, { name: "b", values: vals([0.86, 0.87, 0.88, 0.85, 0.865]) }] });
  assert.equal(d.variants[0]!.threshold, null);
  assert.equal(d.variants[0]!.swans, 0);
  const caption = distributionChart(d).caption;
  assert.match(caption, /\(\|z\| > b \(5 seeds\) 7\.88\); a \(3 seeds\): too few seeds to detect a black swan \(needs n ≥ 4\)/);
  assert.doesNotMatch(caption, /21\.97/);
  assert.match(d.notes.join(" "), /a: too few seeds to detect a black swan \(needs n ≥ 4, has 3\)/);

  const variant = (n: number, threshold: number | null): VariantSeedReport => ({
    name: `v${n}`, description: { n, mean: 0.87, sd: 0.01, se: 0.0058, min: 0.86, max: 0.88, range: 0.02, median: 0.87, iqm: 0.87 },
    test: null, diverged: 0, failed: 0, failureRate: null, errors: [], labels: [...Array(n).keys()], values: Array(n).fill(0.87), ranks: [], blackSwans: [], swanThreshold: threshold,
    expectedMax: [{ n: 1, mean: 0.87, sd: 0.01 }],
  });
  const text = formatSeedReport({ study: "s", metric: "accuracy", groups: ["all"], variants: [variant(3, null), variant(5, swanThreshold(5))], spreads: [] });
  assert.match(text, /v3: [\s\S]*black swans: too few seeds to detect a black swan \(needs n ≥ 4, has 3\)/);
  assert.match(text, /v5: [\s\S]*black swans \(\|robust z\| > 7\.88; 5% false alarms on normal seeds\): none/);
  assert.doesNotMatch(text, /21\.97/);
});

test("report and dashboard body: the caveat of what clean seeds cannot rule out stands beside each significant p without a swan", async () => {
  const root = mkdtempSync(join(tmpdir(), "twin-caveat-"));
  try {
    const m = buildReportModel(loadStudyDir(writeFixture(join(root, "logs"), { seeds: 6 })));
    const significant = m.analysis!.comparisons.filter((c) => c.p < 0.05 && c.black_swans.length === 0);
    assert.ok(significant.length > 0);
    const { html } = await renderStudyBody(m);
    for (const c of significant) {
      assert.equal(c.robust!.unseen_rate, 1 - Math.pow(0.05, 1 / 6));
      assert.ok(html.includes(`<li class="note">${c.b}: no seed went badly wrong here, but 6 seeds cannot rule out that up to 39.3% of seeds do (95% bound)`), c.b);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
