// Pitman–Morgan's interval and test are undefined when the seeds lie on a line (correlation ±1): no collapsed "221–221×".
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import * as s from "../../src/stats/index.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-pm-line-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

const A = [0.80, 0.81, 0.82], B = [0.85, 0.861, 0.872];

test("seeds on a line: pitmanMorgan throws, the spread comparison and pairing gain have no interval and say why", () => {
  assert.equal(s.onALineUpToRounding(A, B), true);
  assert.equal(s.onALineUpToRounding(A, [0.85, 0.861, 0.873]), false);
  assert.throws(() => s.pitmanMorgan(A, B), /stats\.pitmanMorgan: .*lie exactly on a line/);
  const sp = s.compareSpreads(A, B, { paired: true });
  assert.equal(sp.ci, null);
  assert.equal(sp.paired_p, null);
  assert.ok(Math.abs(sp.ratio! - 1.21) < 1e-9);
  assert.match(sp.notes.join(" "), /on a line .*undefined/);
  const g = s.pairingGainInterval(A, B);
  assert.equal(g.ci, null);
  assert.match(g.noInterval!, /on a line/);
  assert.ok(Math.abs(g.estimate - 221) < 1e-6);
  // the near-line neighbour keeps a (wide) interval
  const near = s.pairingGainInterval(A, [0.85, 0.861, 0.873]);
  assert.ok(near.ci && near.ci[1] / near.ci[0] > 10, `${near.ci}`);
});

test("other degenerate inputs: constant differences, anti-correlated, rounding-only spread, one side constant, 2 seeds", () => {
  // b = a + 0.1 up to rounding: the ratio is 1 but no interval or Pitman–Morgan p
  const flat = s.compareSpreads([0.6, 0.7, 0.8], [0.7, 0.8, 0.9], { paired: true });
  assert.equal(flat.ci, null);
  assert.equal(flat.paired_p, null);
  assert.match(s.pairingGainInterval([0.6, 0.7, 0.8], [0.7, 0.8, 0.9]).notes.join(" "), /do not vary at all/);
  // neither side varies: the gain is 1 (what the verdict prints), said without calling it undefined
  const still = s.pairingGainInterval([0.9, 0.9, 0.9], [0.9, 0.9, 0.9]);
  assert.equal(still.estimate, 1);
  assert.equal(still.ci, null);
  assert.match(still.noInterval!, /^neither variant varies across seeds: .*the gain is 1 and has no interval$/);
  // b = 1.5 − a: sums constant, the gain is 0.5 with no interval
  const anti = s.pairingGainInterval([0.6, 0.7, 0.8], [0.9, 0.8, 0.7]);
  assert.equal(anti.ci, null);
  assert.ok(Math.abs(anti.estimate - 0.5) < 1e-12);
  assert.match(anti.noInterval!, /on a line/);
  // a varies only by rounding: it does not vary (no 1e31 ratio)
  const round = [0.1 + 0.2, 0.3, 0.3];
  assert.throws(() => s.pitmanMorgan(round, [0.5, 0.6, 0.8]), /a does not vary across seeds \(sd 0, or only floating-point rounding\)/);
  const sr = s.compareSpreads(round, [0.5, 0.6, 0.8], { paired: true });
  assert.equal(sr.ratio, null);
  assert.match(sr.notes.join(" "), /a does not vary/);
  assert.throws(() => s.varianceRatioInterval(round, [0.5, 0.6, 0.8]), /a does not vary \(variance 0, or only floating-point rounding\)/);
  // a constant: pairing can neither help nor hurt, gain exactly 1, no interval
  for (const a of [[0.8, 0.8, 0.8, 0.8, 0.8], round.concat([0.3, 0.3])]) {
    const c = s.pairingGainInterval(a, [0.85, 0.87, 0.86, 0.84, 0.88]);
    assert.equal(c.estimate, 1);
    assert.equal(c.ci, null);
    assert.match(c.noInterval!, /does not vary/);
  }
  // 2 seeds: no interval, said
  assert.match(s.pairingGainInterval([0.8, 0.81], [0.85, 0.87]).noInterval!, /at least 3 seeds/);
  assert.match(s.compareSpreads([0.8, 0.81], [0.85, 0.87], { paired: true }).notes.join(" "), /at least 3 seeds/);
});

test("one variant below the other's rounding (1e-4 against a diverged 1e20): not 'on a line', the gain is 1 and says why", () => {
  const a = [9.2e-5, 3e-4, 5e-4, 8e-4, 1.2e-3], b = [1.014e10, 2e10, 3e10, 4e12, 5.935e20];
  assert.equal(s.onALineUpToRounding(a, b), false, "the runs themselves are not on a line");
  for (const [x, y] of [[a, b], [b, a], [a.map(Math.fround), b.map(Math.fround)]] as const) {
    const g = s.pairingGainInterval(x, y);
    assert.equal(g.ci, null);
    assert.equal(g.estimate, 1);
    assert.doesNotMatch(g.noInterval!, /on a line/);
    assert.match(g.noInterval!, /one variant's values are all below the other's floating-point rounding/);
  }
});

test("twin stats on the collinear CSV: no collapsed interval or p = 0, in text and JSON", () => {
  const file = join(dir, "line.csv");
  writeFileSync(file, ["variant,seed,accuracy", ...A.map((v, i) => `base,${i},${v}`), ...B.map((v, i) => `new,${i},${v}`)].join("\n"));
  const text = spawnSync(process.execPath, ["bin/twin.js", "stats", file, "--metric", "accuracy"], { encoding: "utf8" });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /pairing cut the variance of the difference 221× \(no interval: the two variants' runs lie exactly on a line/);
  assert.match(text.stdout, /variance ratio 1\.21; no interval: .*on a line/);
  assert.doesNotMatch(text.stdout, /221–221|1\.21–1\.21|Pitman–Morgan p = 0/);
  const json = spawnSync(process.execPath, ["bin/twin.js", "stats", file, "--metric", "accuracy", "--json"], { encoding: "utf8" });
  assert.equal(json.status, 0, json.stderr);
  const c = JSON.parse(json.stdout).comparisons[0];
  assert.equal(c.pairing_gain_ci, null);
  assert.match(c.pairing_gain_ci_note, /on a line/);
  assert.equal(c.variance_ratio_ci, null);
  assert.equal(c.variance_p_pitman_morgan, null);
  assert.match(c.variance_notes.join(" "), /on a line/);
});
