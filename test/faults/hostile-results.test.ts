/**
 * Results files at the edges of float64, through `twin stats` as a user runs
 * it: finite values whose differences overflow are not compared (with what to
 * do), rather than failing the whole analysis with a library error about an
 * "Infinity" the file does not contain.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { overflowingDifference } from "../../src/study/analyze.ts";
import { MAX_RESULT_ROWS, readResults, seedKey } from "../../src/study/results-file.ts";
import { REPO } from "../study/fixtures/synthetic-study.ts";

const TWIN = join(REPO, "bin", "twin.js");

function stats(csv: string): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), "twin-hostile-"));
  try {
    const file = join(dir, "results.csv");
    writeFileSync(file, csv);
    return spawnSync(process.execPath, [TWIN, "stats", file, "--json"], { encoding: "utf8", timeout: 60_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("finite values near ±1e308 whose differences overflow: that comparison is not made and says to rescale; the others are", () => {
  const r = stats("variant,seed,acc\na,0,1e308\na,1,-1e308\na,2,1e308\nb,0,1e308\nb,1,1e308\nb,2,-1e308\nc,0,1e307\nc,1,-1e308\nc,2,1.5e307\n");
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /stats\.|Infinity/);
  const out = JSON.parse(r.stdout) as { comparisons: { b: string }[]; not_compared: { b: string; reason: string }[]; advice: string[] };
  assert.deepEqual(out.not_compared.map((n) => n.b), ["b"]);
  assert.match(out.not_compared[0]!.reason, /b − a overflows float64 on pair 2 \(1\.00e\+308 − -1\.00e\+308\): rescale the metric/);
  assert.ok(out.advice.some((a) => /^b: not compared with a: .*rescale the metric.*again$/.test(a)), out.advice.join("\n"));
  assert.deepEqual(out.comparisons.map((c) => c.b), ["c"], "c's differences are finite and it is compared");
  const u = stats("variant,seed,acc\na,0,1e308\na,1,9e307\na,2,1e308\nb,3,-1e308\nb,4,-1e308\nb,5,-1e307\n");
  assert.equal(u.status, 0, u.stderr);
  assert.match((JSON.parse(u.stdout) as { not_compared: { reason: string }[] }).not_compared[0]!.reason, /overflows float64 \(the runs span -1\.00e\+308 to 1\.00e\+308\)/);
  // Large values whose differences fit are left alone.
  assert.equal(overflowingDifference([1e300, -1e300], [-1e300, 1e300], true), undefined);
  assert.equal(overflowingDifference([1e308, 1e308], [1e308, 9e307], false), undefined);
});

test("a variant that blew up (1e10 to 6e20 against 1e-4): the text keeps numbers short and the verdict counts every seed as b larger", () => {
  const a = [9.2e-5, 3e-4, 5e-4, 8e-4, 1.2e-3], b = [1.014e10, 2e10, 3e10, 4e12, 5.935e20];
  const csv = "variant,seed,loss\n" + a.map((x, i) => `a,${i},${x}\n`).join("") + b.map((x, i) => `b,${i},${x}\n`).join("");
  const dir = mkdtempSync(join(tmpdir(), "twin-hostile-"));
  try {
    const file = join(dir, "results.csv");
    writeFileSync(file, csv);
    const r = spawnSync(process.execPath, [TWIN, "stats", file], { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /\d{12,}/, "no 17-digit numbers");
    assert.match(r.stdout, /spread: b's seed sd is \d\.\de\+\d+× a's \(variance ratio \d\.\de\+\d+/);
    assert.match(r.stdout, /P\(b better than a\) = 0\.00/, "loss: lower is better, and b is higher on every seed");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("seeds written as 1.0 or 01 (pandas writes an integer column with a missing cell as floats) pair with 1; the same seed twice in one variant is still refused", () => {
  const r = stats("variant,seed,acc\na,1,0.8\na,2,0.81\na,3,0.79\nb,1.0,0.82\nb,02,0.83\nb,3.00,0.80\n");
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { paired: boolean; comparisons: { n_pairs: number }[] };
  assert.equal(out.paired, true);
  assert.equal(out.comparisons[0]!.n_pairs, 3);
  const twice = stats("variant,seed,acc\na,1,0.8\na,1.0,0.81\nb,1,0.8\nb,2,0.7\n");
  assert.equal(twice.status, 1);
  assert.match(twice.stderr, /row 3: variant "a" seed 1 appears twice/);
  assert.deepEqual(["7", "07", "+7", "7.", "7.000", " 7 ", "-0", "seed-a", "1e3", "18446744073709551615.0"].map(seedKey), ["7", "7", "7", "7", "7", "7", "0", "seed-a", "1e3", "18446744073709551615"]);
});

test("JSON seeds beyond 2^53 (distinct in the file, one number once parsed): a clear error saying to quote them, never runs of different seeds paired or merged", () => {
  // a's seed ...611 and b's ...613 parse to the same float64: read as numbers they would pair two different seeds.
  const rows = [0, 1, 2].map((i) => `{"variant":"a","seed":${i},"acc":0.8${i}}\n{"variant":"b","seed":${i},"acc":0.8${i}5}\n`).join("");
  const r = stats(`${rows}{"variant":"a","seed":18446744073709551611,"acc":0.81}\n{"variant":"b","seed":18446744073709551613,"acc":0.83}\n`);
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stderr, /line 7: seed 18446744073709551611 is beyond 2\^53, where a JSON number loses its last digits .*write the seed as a string: "seed": "18446744073709551611"/);
  const quoted = stats(`${rows}{"variant":"a","seed":"18446744073709551611","acc":0.81}\n{"variant":"b","seed":"18446744073709551613","acc":0.83}\n`);
  assert.equal(quoted.status, 0, quoted.stderr);
  const out = JSON.parse(quoted.stdout) as { paired: boolean; pairing: string };
  assert.equal(out.paired, false, "the two quoted seeds differ: the runs are not paired by seed");
  assert.match(out.pairing, /"b" has no run for seed\(s\) 18446744073709551611/);
});

test("a results file that is not UTF-8: a clear error naming the line, never two Latin-1 names (café, cafè) merged into one variant", () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-hostile-"));
  try {
    const latin1 = (s: string) => Buffer.from(s, "latin1");
    const file = join(dir, "results.csv");
    // Disjoint seeds: decoded leniently both names become "caf\ufffd" and one variant of 6 runs, with no duplicate to give it away.
    writeFileSync(file, Buffer.concat([latin1("variant,seed,acc\nbase,1,0.8\nbase,2,0.81\nbase,3,0.82\nbase,4,0.8\nbase,5,0.81\nbase,6,0.82\n"), latin1("café,1,0.85\ncafé,2,0.86\ncafé,3,0.84\ncafè,4,0.7\ncafè,5,0.71\ncafè,6,0.72\n")]));
    const r = spawnSync(process.execPath, [TWIN, "stats", file, "--json"], { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /results\.csv line 8: not UTF-8 text .*save the file as UTF-8/);
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("variant,seed,acc\n", "utf16le")]));
    const u16 = spawnSync(process.execPath, [TWIN, "stats", file], { encoding: "utf8", timeout: 60_000 });
    assert.match(u16.stderr, /the file is UTF-16 text; save it as UTF-8/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a results table of more runs than twin stats reads: a clear error before parsing, not a heap exhausted by millions of rows", () => {
  const rows = Array.from({ length: MAX_RESULT_ROWS + 1 }, (_, i) => `a,${i},0.5\n`);
  const r = stats(`variant,seed,acc\n${rows.join("")}`);
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stderr, new RegExp(`results\\.csv: ${MAX_RESULT_ROWS + 2} lines, more than the ${MAX_RESULT_ROWS} runs \\(one row each\\) twin stats reads; .*aggregate`));
});

test("a number beyond a double's range (1e309, as a CSV cell or a JSON value) is refused naming its row and column, not counted as a diverged run; inf stays a divergence", () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-hostile-"));
  try {
    writeFileSync(join(dir, "r.csv"), "variant,seed,acc\na,0,0.5\na,1,1e309\nb,0,0.6\nb,1,0.7\n");
    assert.throws(() => readResults(join(dir, "r.csv")), /r\.csv row 3, column "acc": 1e309 is beyond the largest number a double holds \(about 1\.8e308\), so it would read as infinity and count the run as diverged; if the run diverged write inf/);
    writeFileSync(join(dir, "r.jsonl"), '{"variant": "a", "seed": 0, "acc": 0.5}\n{"variant": "b", "seed": 0, "val loss": -2.5e400}\n');
    assert.throws(() => readResults(join(dir, "r.jsonl")), /r\.jsonl line 2, column "val loss": -2\.5e400 is beyond the largest number a double holds/);
    writeFileSync(join(dir, "ok.csv"), "variant,seed,acc\na,0,0.5\na,1,inf\nb,0,0.6\nb,1,-1.7e308\n");
    assert.deepEqual(readResults(join(dir, "ok.csv")).rows.map((r) => r.metrics.acc), [0.5, Infinity, 0.6, -1.7e308]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
