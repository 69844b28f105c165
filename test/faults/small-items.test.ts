/** Fault matrix: the smaller bad inputs, each a clear error or a visible, correct result. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../../src/torch/index.ts";
import { readResults } from "../../src/study/results-file.ts";
import { analyzeResults } from "../../src/study/analyze.ts";
import { formatAnalysis } from "../../src/cli/stats.ts";
import { printable } from "../../src/study/printable.ts";
import { readCheckpoint } from "../../src/twin/checkpoint.ts";

function withFile(name: string, text: string, fn: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "twin-fault-small-"));
  try {
    const path = join(dir, name);
    writeFileSync(path, text);
    fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("torch.tensor refuses non-numbers by position instead of making NaN", () => {
  assert.throws(() => torch.tensor(["a"] as unknown as number[]), /torch\.tensor: element \[0\] is a string; a tensor holds numbers or booleans/);
  assert.throws(() => torch.tensor([[1, 2], [3, null]] as unknown as number[][]), /element \[1\]\[1\] is null/);
  assert.throws(() => torch.tensor([[1, {}]] as unknown as number[][]), /element \[0\]\[1\] is object/);
  const ok = torch.tensor([[1, 2], [3, 4]]);
  assert.deepEqual(ok.shape, [2, 2]);
  ok.dispose();
});

test("a 5,000-deep array is an error about dimensions, not a stack overflow", () => {
  let deep: unknown = 1;
  for (let i = 0; i < 5000; i++) deep = [deep];
  assert.throws(() => torch.tensor(deep as number[]), (e: Error) => !(e instanceof RangeError) && /nested arrays deeper than 64 levels/.test(e.message));
});

test("random constructors without a generator say to pass one (not a TypeError)", () => {
  for (const call of [
    () => (torch.randn as unknown as (shape: number[]) => unknown)([2, 2]),
    () => torch.rand([2], {} as torch.RandomOptions),
    () => torch.randint(0, 5, [3], undefined as unknown as torch.RandomOptions),
    () => torch.randperm(4, {} as torch.RandomOptions),
  ]) {
    assert.throws(call as () => unknown, (e: Error) => !(e instanceof TypeError) && /pass \{ generator \}/.test(e.message));
  }
  const g = new torch.Generator(3);
  const t = torch.randn([2, 2], { generator: g });
  assert.deepEqual(t.shape, [2, 2]);
  t.dispose();
  g.dispose();
});

test("results with one variant are described, not a stats.holm error", () => {
  withFile("one.csv", "variant,seed,acc\na,0,0.9\na,1,0.8\na,2,0.85\n", (path) => {
    const analysis = analyzeResults(readResults(path), { metric: "acc" });
    assert.equal(analysis.variants.length, 1);
    assert.equal(analysis.comparisons.length, 0);
    // An accuracy of fractions prints in percentage points, as twin compare prints it.
    assert.match(formatAnalysis(analysis), /a\s+3\s+85\.00/);
  });
});

test("infinities are read in every usual spelling, and NaN cells count as diverged runs", () => {
  withFile("inf.csv", "variant,seed,loss\na,0,Infinity\na,1,-Inf\na,2,inf\nb,0,-infinity\nb,1,1.5\nb,2,NaN\n", (path) => {
    const table = readResults(path);
    assert.deepEqual(table.rows.map((r) => r.metrics.loss), [Infinity, -Infinity, Infinity, -Infinity, 1.5, NaN]);
    const analysis = analyzeResults(table, { metric: "loss" });
    assert.deepEqual(analysis.variants.map((v) => [v.name, v.diverged]), [["a", 3], ["b", 2]]);
  });
  withFile("bad.csv", "variant,seed,loss\na,0,0.5\na,1,abc\n", (path) => {
    assert.throws(() => readResults(path), new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} row 3, column "loss": "abc" is not a number`));
  });
});

test("escape sequences in variant names and errors reach the terminal as visible text", () => {
  assert.equal(printable("\u001b[31mred\u001b]0;owned\u0007"), "\\x1b[31mred\\x1b]0;owned\\x07");
  assert.equal(printable("a\u202eb\u009bc"), "a\\u{202e}b\\x9bc");
  assert.equal(printable("plain name-1.x ünï"), "plain name-1.x ünï");
  const name = "\u001b[31mred\u001b]8;;http://x\u0007";
  withFile("ansi.csv", `variant,seed,acc,status,error\n${name},0,0.9,finished,\n${name},1,0.8,finished,\nb,0,0.7,finished,\nb,1,0.6,failed,"boom\u001b[2J"\n`, (path) => {
    const table = readResults(path);
    const text = formatAnalysis(analyzeResults(table, { metric: "acc" }));
    assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, "no control character left in the output");
    assert.match(text, /\\x1b\[31mred\\x1b\]8;;http:\/\/x\\x07/);
    assert.match(text, /boom\\x1b\[2J/);
  });
  const dir = mkdtempSync(join(tmpdir(), "twin-fault-small-"));
  try {
    const run = join(dir, "study", "evil\u001b[1m", "seed-0");
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, "metrics.jsonl"), '{"kind":"scalars","step":1,"wall_time":1,"values":{"acc":0.5}}\n');
    const rows = readResults(dir).rows;
    assert.equal(rows.length, 1);
    assert.ok(rows.every((r) => !/\u001b/.test(r.variant)), rows.map((r) => r.variant).join());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a garbled checkpoint state.json names its path", () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-fault-small-"));
  try {
    const folder = join(dir, "step-00000010");
    mkdirSync(folder);
    writeFileSync(join(folder, "state.json"), '{"version": 2, "step": 1');
    assert.throws(() => readCheckpoint(folder), new RegExp(`checkpoint state ${join(folder, "state.json").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} cannot be read .*remove the folder`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
