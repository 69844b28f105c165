/**
 * `twin sweep --split shared`: every run gets the first planned run's
 * TWIN_SEED_SPLIT (a command that draws its validation split from it then
 * validates every seed on the same examples), the other factors still follow
 * the seed; the mode is recorded with each run, and a sweep whose runs were
 * made with the other mode is refused rather than mixed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { runSweep, type SweepOptions } from "../../src/study/sweep.ts";
import { REPO } from "./fixtures/synthetic-study.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-sweep-split-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const quiet = { onWarning: () => {} } satisfies Partial<SweepOptions>;

// Reports the split and init seeds it was given as metrics.
const script = join(dir, "seeds.cjs");
writeFileSync(script, 'console.log(JSON.stringify({ step: 1, split_seed: Number(process.env.TWIN_SEED_SPLIT), init_seed: Number(process.env.TWIN_SEED_INIT), val_accuracy: 0.5 }));\n');

test("--split shared: one TWIN_SEED_SPLIT for every run (the first's), init still per seed; per-seed: each its own", async () => {
  const cwd = join(dir, "a");
  mkdirSync(cwd);
  const shared = await runSweep({ ...quiet, cwd, name: "shared", seeds: 3, first: 4, split: "shared", variants: [{ name: "v", command: [process.execPath, script] }] });
  assert.deepEqual(shared.runs.map((r) => r.metrics.split_seed), [4, 4, 4]);
  assert.deepEqual(shared.runs.map((r) => r.metrics.init_seed), [4, 5, 6]);
  const own = await runSweep({ ...quiet, cwd, name: "own", seeds: 3, first: 4, variants: [{ name: "v", command: [process.execPath, script] }] });
  assert.deepEqual(own.runs.map((r) => r.metrics.split_seed), [4, 5, 6]);
});

test("a sweep's runs keep one split mode: continuing it with the other is refused, naming both", async () => {
  const cwd = join(dir, "b");
  mkdirSync(cwd);
  const variants = [{ name: "v", command: [process.execPath, script] }];
  await runSweep({ ...quiet, cwd, name: "s", seeds: 2, variants });
  await assert.rejects(
    runSweep({ ...quiet, cwd, name: "s", seeds: 3, split: "shared", variants }),
    /sweep 's' has 2 run\(s\) recorded with split 'per-seed' and this command asks for split 'shared'.*Give the sweep another --name, or run it with the split it has/,
  );
  const again = await runSweep({ ...quiet, cwd, name: "s", seeds: 3, variants });
  assert.deepEqual(again.runs.map((r) => r.reused ?? false), [true, true, false], "the same mode continues");
});

test("twin sweep --split: checked as on compare (usage error naming the option)", () => {
  const r = spawnSync(process.execPath, [join(REPO, "bin/twin.js"), "sweep", "--split", "same", "--", "true"], { cwd: dir, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^twin: --split: split must be 'per-seed' .* or 'shared' .*; got "same"$/m);
});
