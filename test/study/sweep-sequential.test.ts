import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { TWIN_BIN } from "./fixtures/synthetic-study.ts";
import { lookResults, runSequentialSweep } from "../../src/study/sweep-sequential.ts";
import { runSweep } from "../../src/study/sweep.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-sweep-seq-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const twin = (args: string[], cwd: string) => spawnSync(process.execPath, [TWIN_BIN, "sweep", ...args], { encoding: "utf8", cwd, timeout: 300_000 });

// A trivial "training": one JSON metric line from the seed. Variant b is better by `GAIN` (env) plus a little seed noise.
const SCRIPT = `
const seed = Number(process.env.TWIN_SEED);
const base = 0.8 + 0.01 * Math.sin(seed * 12.9898);
const noise = 0.002 * Math.sin(seed * 78.233 + 1);
console.log(JSON.stringify({ step: 1, val_accuracy: base + Number(process.env.GAIN ?? 0) + (process.env.TWIN_VARIANT === "b" ? noise : 0) }));
`;

function project(name: string, gain: number): { cwd: string; variants: string } {
  const cwd = join(dir, name);
  spawnSync("mkdir", ["-p", cwd]);
  const script = join(cwd, "train.cjs");
  writeFileSync(script, SCRIPT);
  const variants = join(cwd, "variants.json");
  writeFileSync(variants, JSON.stringify({ a: { command: [process.execPath, script], env: { GAIN: "0" } }, b: { command: [process.execPath, script], env: { GAIN: String(gain) } } }));
  return { cwd, variants };
}

test("twin sweep --sequential: a clear difference stops before the maximum; a rerun replays the looks from the store, runs nothing and decides the same", () => {
  const p = project("clear", 0.05);
  const args = ["--variants-file", p.variants, "--name", "clear", "--sequential", "--looks", "3,6,9"];
  const r = twin([...args, "--json"], p.cwd);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /look 1 of 3 \(3 seeds\): b − a \+5\.\d\d pp, t = [\d.]+, (boundary \|t\| ≥ [\d.]+|no stop possible at this look): (continue to 6 seeds|decided)/);
  const v = JSON.parse(r.stdout);
  const c = v.sequential.comparisons[0];
  assert.equal(c.status, "rejected", JSON.stringify(c));
  const stoppedAt = c.history[c.history.length - 1].n as number;
  assert.ok(stoppedAt < 9, `stopped at ${stoppedAt}`);
  assert.equal(v.runs.length, 2 * stoppedAt, "only the seeds up to the deciding look were run");
  assert.equal(v.table.rows.length, 2 * stoppedAt);
  const again = twin(args, p.cwd);
  assert.equal(again.status, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /finished in/, "nothing ran again");
  assert.match(again.stderr, /finished earlier \(kept\)/);
  assert.match(again.stdout, new RegExp(`sequential design \\(obrien-fleming, looks at 3, 6, 9 seeds\\)[^]*b − a: significant at ${stoppedAt} seeds`));
});

test("twin sweep --sequential: no difference runs every look up to the maximum and says so; runs already in the store (an interrupted sweep) are kept", () => {
  const p = project("null", 0);
  // 3 seeds already stored, as an interrupted sweep leaves them
  const before = twin(["--variants-file", p.variants, "--name", "null", "--seeds", "3"], p.cwd);
  assert.equal(before.status, 0, before.stderr);
  const r = twin(["--variants-file", p.variants, "--name", "null", "--sequential", "--looks", "3,6", "--spending", "pocock", "--json"], p.cwd);
  assert.equal(r.status, 0, r.stderr);
  assert.equal((r.stderr.match(/finished earlier \(kept\)/g) ?? []).length, 6 + 6, `looks 1 and 2 keep the 3 stored seeds of both variants:\n${r.stderr}`);
  assert.equal((r.stderr.match(/finished in/g) ?? []).length, 6, `only seeds 3, 4, 5 of both variants ran:\n${r.stderr}`);
  const c = JSON.parse(r.stdout).sequential.comparisons[0];
  assert.equal(c.status, "stopped", `${JSON.stringify(c)}\n${r.stderr}`);
  assert.deepEqual(c.history.map((h: { n: number }) => h.n), [3, 6]);
  const text = twin(["--variants-file", p.variants, "--name", "null", "--sequential", "--looks", "3,6", "--spending", "pocock"], p.cwd);
  assert.match(text.stdout, /b − a: not significant at 6 seeds \(look 2\): the maximum was reached/, `${text.status} ${text.stderr}`);
});

test("twin sweep --sequential: bad combinations are usage errors (exit 2) and run nothing", () => {
  const p = project("bad", 0.05);
  const cases: [string[], RegExp][] = [
    [["--sequential", "--", process.execPath, "-e", "1"], /--sequential compares variants look by look: give two or more in one command with --variants-file/],
    [["--variants-file", p.variants, "--looks", "3,6"], /--looks and --spending go with --sequential/],
    [["--variants-file", p.variants, "--sequential", "--looks", "6,3"], /--looks must increase/],
    [["--variants-file", p.variants, "--sequential", "--spending", "linear"], /--spending must be obrien-fleming or pocock/],
    [["--variants-file", p.variants, "--sequential", "--seeds", "10", "--looks", "3,6"], /--looks ends at 6 seeds but --seeds is 10/],
    [["--variants-file", p.variants, "--sequential", "--vary", "order"], /cannot be combined with --vary/],
  ];
  for (const [args, pattern] of cases) {
    const r = twin(args, p.cwd);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(" "));
  }
});

test("lookResults: a failed run or a missing metric is NaN, seeds in plan order", () => {
  const o = (variant: string, label: number, status: "finished" | "failed", metrics: Record<string, number>) => ({ id: "", variant, label, rootSeed: String(label), seeds: {}, runDir: "", status, reused: false, metrics });
  const r = lookResults([o("a", 0, "finished", { m: 1 }), o("b", 0, "finished", { m: 2 }), o("a", 1, "failed", {}), o("b", 1, "finished", { x: 3 })], ["a", "b"], "m");
  assert.deepEqual(r.seeds, ["0", "1"]);
  assert.deepEqual(r.values, { a: [1, NaN], b: [2, NaN] });
});

test("a sweep's verdict printed again at more seeds warns that re-testing inflates false positives; planned sequential looks do not", async () => {
  const p = project("repeat", 0.05);
  const variants = JSON.parse((await import("node:fs")).readFileSync(p.variants, "utf8")) as Record<string, { command: string[]; env: Record<string, string> }>;
  const vs = Object.entries(variants).map(([name, v]) => ({ name, command: v.command, env: v.env }));
  const quiet = { cwd: p.cwd, onWarning: () => {}, variants: vs };
  const first = await runSweep({ ...quiet, name: "repeat", seeds: 3 });
  assert.equal(first.repeatedAnalysis, undefined);
  const same = await runSweep({ ...quiet, name: "repeat", seeds: 3 });
  assert.equal(same.repeatedAnalysis, undefined, "the same size again is not a new look");
  const more = await runSweep({ ...quiet, name: "repeat", seeds: 4 });
  assert.match(more.repeatedAnalysis!, /also looked at with 3 seeds: testing again after adding seeds raises the chance of a false positive/);
  const seq = await runSequentialSweep({ ...quiet, name: "planned", looks: [3, 6] });
  assert.equal(seq.result.repeatedAnalysis, undefined);
});
