/**
 * Notes of the statistics layer speak the unit of the output they appear in:
 * beside a verdict in percentage points, a constant difference is "10.00 pp",
 * not "0.1" (the study layer passes its formatter to src/stats).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeResults } from "../../src/study/analyze.ts";
import { readResults } from "../../src/study/results-file.ts";
import { formatAnalysis } from "../../src/cli/stats.ts";
import { percentPointsText } from "../../src/study/metric-units.ts";
import { comparePaired } from "../../src/stats/index.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-note-units-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, rows: [string, number, number][]): string {
  const file = join(dir, name);
  writeFileSync(file, "variant,seed,val_accuracy\n" + rows.map((r) => r.join(",")).join("\n") + "\n");
  return file;
}

test("percentPointsText: two decimals as the verdict prints pp; a rounding-sized spread keeps its digits", () => {
  assert.equal(percentPointsText(0.1), "10.00 pp");
  assert.equal(percentPointsText(-0.0123), "-1.23 pp");
  assert.equal(percentPointsText(0), "0.00 pp");
  assert.equal(percentPointsText(1.3877787807814457e-17), "1.39e-15 pp");
});

test("every seed gives the same difference: said in pp under a pp verdict, in the metric's units otherwise", () => {
  // The same difference 0.1 on every seed, stored as decimals: 0.7 − 0.6 = 0.09999999999999998 and so on.
  const file = csv("constant.csv", [0.6, 0.7, 0.8, 0.9].flatMap((x, s): [string, number, number][] => [["a", s, x], ["b", s, Number((x + 0.1).toFixed(2))]]));
  const table = readResults(file);
  const pp = analyzeResults(table, { metric: "val_accuracy", percent: true });
  const note = pp.comparisons[0]!.notes.find((n) => n.startsWith("every seed gives the same difference"));
  assert.ok(note, pp.comparisons[0]!.notes.join(" | "));
  assert.match(note, /^every seed gives the same difference 10\.00 pp up to floating-point rounding \(the computed differences vary by [\d.]+e-\d+ pp, within the rounding of values of this size, [\d.]+e-\d+ pp\)/);
  const text = formatAnalysis(pp);
  assert.match(text, /\+10\.00 pp/);
  assert.doesNotMatch(text, /same difference 0\.1\b/, text);
  const raw = analyzeResults(table, { metric: "val_accuracy" });
  assert.match(raw.comparisons[0]!.notes.join(" | "), /every seed gives the same difference 0\.1 up to/);
});

test("unpaired constants and the statistics layer's default: values in the caller's unit, fmt without one", () => {
  const file = csv("unpaired.csv", [["a", 1, 0.8], ["a", 2, 0.8], ["a", 3, 0.8], ["b", 4, 0.9], ["b", 5, 0.9], ["b", 6, 0.9]]);
  const pp = analyzeResults(readResults(file), { metric: "val_accuracy", percent: true });
  assert.match(pp.comparisons[0]!.notes.join(" | "), /each variant gives the same value on every run \(80\.00 pp and 90\.00 pp\): the difference 10\.00 pp is the result/);
  const plain = comparePaired([0.5, 0.6, 0.7], [0.75, 0.85, 0.95]);
  assert.match(plain.notes.join(" | "), /every seed gives the same difference 0\.25/);
});
