import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { runSweep, type SweepOptions } from "../../src/study/sweep.ts";
import { defaultSweepName } from "../../src/study/sweep-input.ts";
import { readVariantsFile } from "../../src/study/sweep-variants-file.ts";
import { pairLabel } from "../../src/study/sweep-results.ts";
import { parseMetricLine, readRunDirMetrics, finalValues } from "../../src/study/sweep-metrics.ts";
import { openStore } from "../../src/store/index.ts";
import { FACTORS } from "../../src/rng/factors.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const PYTHON = "/usr/bin/python3";
const EXAMPLE = join(ROOT, "examples", "pytorch_train.py");
const dir = mkdtempSync(join(tmpdir(), "twin-sweep-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const NODE = process.execPath;
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;

function script(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function project(name: string): string {
  const p = join(dir, name);
  return p;
}

const quiet = { onWarning: () => {} } satisfies Partial<SweepOptions>;

// Looked up, not imported (importing torch takes 1.5 s of CPU; the example script imports it anyway).
const torchCheck = spawnSync(PYTHON, ["-c", "import importlib.util, sys; missing = [m for m in ('torch', 'numpy') if not importlib.util.find_spec(m)]; sys.exit('No module named ' + ', '.join(missing) if missing else 0)"], { encoding: "utf8" });
const hasTorch = torchCheck.status === 0;

test("the example PyTorch script over 3 seeds, two variants: metrics collected, stored, analysed paired", { skip: hasTorch ? false : `${PYTHON} lacks torch/numpy (apt-get install python3-torch): ${torchCheck.stderr?.trim().split("\n").pop()}` }, async () => {
  const cwd = project("py");
  const short = ["--epochs", "1", "--train-size", "2000", "--val-size", "1000", "--log-every", "10"];
  const result = await runSweep({
    ...quiet,
    cwd,
    name: "mlp",
    seeds: 3,
    jobs: 2,
    variants: [
      { name: "base", command: [PYTHON, EXAMPLE, ...short] },
      { name: "dropout", command: [PYTHON, EXAMPLE, ...short, "--dropout", "0.3"] },
    ],
  });
  assert.equal(result.runs.length, 6);
  for (const r of result.runs) {
    assert.equal(r.status, "finished", r.error);
    assert.ok(r.metrics.val_accuracy > 0.3 && r.metrics.val_accuracy <= 1, String(r.metrics.val_accuracy));
    assert.ok(Number.isFinite(r.metrics.train_loss));
    assert.equal(r.metrics.epoch, undefined, "step/epoch are indices, not metrics");
    // The script writes only into its run folder.
    assert.ok(existsSync(join(r.runDir, "model.pt")));
    assert.ok(r.runDir.startsWith(join(cwd, ".twin", "sweeps", "mlp", r.variant)));
  }
  // Same seed, same command: the same numbers (the script seeds its own generators).
  const again = spawnSync(PYTHON, [EXAMPLE, ...short], { env: { ...process.env, TWIN_SEED: "1", ...Object.fromEntries(FACTORS.map((f) => [`TWIN_SEED_${f.toUpperCase()}`, "1"])) }, encoding: "utf8" });
  const last = again.stdout.trim().split("\n").pop()!;
  assert.equal(JSON.parse(last).val_accuracy, result.runs.find((r) => r.variant === "base" && r.label === 1)!.metrics.val_accuracy);

  const store = await openStore(undefined, { cwd });
  try {
    const runs = await store.listRuns({ study: "mlp" });
    assert.equal(runs.length, 6);
    assert.ok(runs.every((r) => r.status === "finished"));
    const r1 = runs.find((r) => r.variants[0] === "dropout" && r.rootSeed === 2n)!;
    assert.deepEqual(Object.keys(r1.seeds).sort(), [...FACTORS].sort());
    assert.ok(Object.values(r1.seeds).every((s) => s === 2n));
    assert.equal((r1.config as { kind: string }).kind, "sweep");
    const curve = await store.metrics({ runId: r1.id, name: "train_loss" });
    assert.ok(curve.length >= 2, "the whole curve is stored, not only the final value");
    assert.deepEqual((await store.listVariants("mlp")).map((v) => v.name), ["base", "dropout"]);
  } finally {
    await store.close();
  }

  assert.deepEqual(result.summaries.find((s) => s.metric === "val_accuracy")!.variants.map((v) => [v.name, v.n]), [["base", 3], ["dropout", 3]]);
  assert.ok(result.analysis, result.analysisNote);
  assert.equal(result.analysis!.metric, "val_accuracy");
  assert.equal(result.analysis!.higher_is_better, true);
  const c = result.analysis!.comparisons[0]!;
  assert.equal(c.paired, true);
  assert.equal(c.n, 3);
  assert.equal(c.a, "base");

  // Sweeping again keeps the finished runs and redoes nothing.
  const rerun = await runSweep({ ...quiet, cwd, name: "mlp", seeds: 3, variants: [{ name: "base", command: [PYTHON, EXAMPLE, ...short] }], metric: "val_loss" });
  assert.ok(rerun.runs.every((r) => r.reused && r.status === "finished"));
  assert.equal(rerun.analysis!.metric, "val_loss");
  assert.equal(rerun.analysis!.higher_is_better, false, "losses: lower is better");
});

// Writes its TWIN_* environment to env.json in its run folder and prints one metric.
const ENV_SCRIPT = `
const fs = require("node:fs"), path = require("node:path");
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("TWIN_")));
fs.writeFileSync(path.join(process.env.TWIN_RUN_DIR, "env.json"), JSON.stringify(env));
console.log("some progress text");
console.log(JSON.stringify({ step: 1, score: Number(process.env.TWIN_SEED_ORDER) / 10 }));
`;

test("environment: TWIN_SEED, one TWIN_SEED_<FACTOR> per factor, a fresh TWIN_RUN_DIR, TWIN_VARIANT", async () => {
  const cwd = project("env");
  const envScript = script("env.cjs", ENV_SCRIPT);
  const result = await runSweep({ ...quiet, cwd, name: "envs", seeds: 3, first: 5, variants: [{ name: "v1", command: [NODE, envScript] }] });
  assert.deepEqual(result.runs.map((r) => r.status), ["finished", "finished", "finished"]);
  const dirs = new Set<string>();
  for (const [i, r] of result.runs.entries()) {
    const env = JSON.parse(readFileSync(join(r.runDir, "env.json"), "utf8")) as Record<string, string>;
    const seed = String(5 + i);
    assert.equal(env.TWIN_SEED, seed);
    for (const f of FACTORS) assert.equal(env[`TWIN_SEED_${f.toUpperCase()}`], seed, f);
    assert.equal(env.TWIN_VARIANT, "v1");
    assert.equal(env.TWIN_RUN_DIR, r.runDir);
    assert.equal(r.runDir, join(cwd, ".twin", "sweeps", "envs", "v1", `seed-${seed}`));
    dirs.add(env.TWIN_RUN_DIR);
    assert.equal(r.metrics.score, Number(seed) / 10);
    assert.match(readFileSync(join(r.runDir, "stdout.log"), "utf8"), /some progress text/);
  }
  assert.equal(dirs.size, 3);
  assert.equal(result.analysis, undefined);
  assert.match(result.analysisNote!, /one variant/);
});

test("--vary order: the root seed and every other factor stay fixed, only the order seed changes", async () => {
  const cwd = project("vary");
  const envScript = script("env2.cjs", ENV_SCRIPT);
  const result = await runSweep({ ...quiet, cwd, name: "vary", seeds: 3, first: 7, vary: "order", variants: [{ name: "v", command: [NODE, envScript] }] });
  const orders: string[] = [];
  for (const r of result.runs) {
    const env = JSON.parse(readFileSync(join(r.runDir, "env.json"), "utf8")) as Record<string, string>;
    assert.equal(env.TWIN_SEED, "7");
    for (const f of FACTORS) if (f !== "order") assert.equal(env[`TWIN_SEED_${f.toUpperCase()}`], "7", f);
    orders.push(env.TWIN_SEED_ORDER!);
    assert.ok(r.runDir.includes(join(".twin", "sweeps", "vary.vary-order")));
  }
  assert.deepEqual(orders, ["7", "8", "9"]);
  assert.deepEqual(result.table.rows.map((r) => r.seed), ["7", "7:order=8", "7:order=9"]);
  const store = await openStore(undefined, { cwd });
  const runs = await store.listRuns({ study: "vary" });
  await store.close();
  assert.deepEqual(runs.map((r) => [r.rootSeed, r.seeds.order, r.seeds.init]), [[7n, 7n, 7n], [7n, 8n, 7n], [7n, 9n, 7n]]);
});

test("a sweep whose every run failed before reporting a metric says there is nothing to analyse, not 'one variant so far'", async () => {
  const cwd = project("all-fail");
  const failing = script("all-fail.cjs", `console.error("boom"); process.exit(1);\n`);
  const result = await runSweep({ ...quiet, cwd, name: "allfail", seeds: 2, variants: [{ name: "only", command: [NODE, failing] }] });
  assert.deepEqual(result.runs.map((r) => r.status), ["failed", "failed"]);
  assert.match(result.analysisNote!, /^no run reported a metric, so there is nothing to analyse/);
});

test("a failing and a timed-out command are recorded with the tail of their stderr; the sweep goes on", async () => {
  const cwd = project("fail");
  const failing = script("fail.cjs", `for (let i = 0; i < 30; i++) console.error("stderr line " + i);\nconsole.log(JSON.stringify({step: 1, loss: 1}));\nprocess.exit(3);\n`);
  const hanging = script("hang.cjs", `console.error("starting to hang"); console.log('{"step": 0, "loss": 2}'); setInterval(() => {}, 1000);\n`);
  const stubborn = script("stubborn.cjs", `process.on("SIGTERM", () => console.error("ignoring SIGTERM")); console.error("stubborn"); setInterval(() => {}, 1000);\n`);
  const good = script("good.cjs", `console.log(JSON.stringify({step: 10, acc: 0.5 + Number(process.env.TWIN_SEED) / 100}));\n`);
  const t0 = Date.now();
  const result = await runSweep({
    ...quiet,
    cwd,
    name: "faults",
    seeds: 2,
    timeout: 1,
    killAfter: 0.5,
    variants: [
      { name: "good", command: [NODE, good] },
      { name: "failing", command: [NODE, failing] },
      { name: "hanging", command: [NODE, hanging] },
      { name: "stubborn", command: [NODE, stubborn] },
      { name: "missing", command: [join(dir, "no-such-program")] },
    ],
  });
  assert.ok(Date.now() - t0 < 20_000);
  const by = (v: string) => result.runs.filter((r) => r.variant === v);
  assert.deepEqual(by("good").map((r) => r.status), ["finished", "finished"]);
  for (const r of by("failing")) {
    assert.equal(r.status, "failed");
    assert.match(r.error!, /^exit code 3/);
    assert.match(r.error!, /stderr line 29/);
    assert.match(r.error!, /stderr line 10\n/);
    assert.doesNotMatch(r.error!, /stderr line 9\n/, "only the last 20 lines");
  }
  for (const r of by("hanging")) {
    assert.equal(r.status, "failed");
    assert.match(r.error!, /^timed out after 1 s \(stopped with SIGTERM\)/);
    assert.match(r.error!, /starting to hang/);
  }
  for (const r of by("stubborn")) {
    assert.match(r.error!, /^timed out after 1 s \(stopped with SIGTERM, then SIGKILL after 0.5 s\)/);
    assert.match(r.error!, /ignoring SIGTERM/);
  }
  for (const r of by("missing")) assert.match(r.error!, /command not found/);
  // Failed runs are results: the verdict counts them per variant, with their errors and a failure-rate test.
  const an = result.analysis!;
  const v = (name: string) => an.variants.find((x) => x.name === name)!;
  assert.deepEqual([v("good").n, v("good").failed], [2, 0]);
  assert.deepEqual([v("failing").n, v("failing").failed, v("failing").failure_rate], [0, 2, 1]);
  assert.match(v("failing").errors[0]!.error, /^exit code 3/);
  assert.ok(an.not_compared.some((nc) => nc.b === "failing"), JSON.stringify(an.not_compared));
  assert.ok(an.failure_comparisons.some((f) => f.b === "failing" && f.b_failures === 2 && f.a_failures === 0));

  const store = await openStore(undefined, { cwd });
  try {
    const runs = await store.listRuns({ study: "faults" });
    assert.equal(runs.length, 10);
    const failed = runs.filter((r) => r.status === "failed");
    assert.equal(failed.length, 8);
    const f = failed.find((r) => r.variants[0] === "failing")!;
    assert.match(f.error!, /stderr line 29/);
    // The partial curve of a failed run is kept.
    assert.equal((await store.metrics({ runId: f.id })).length, 1);
  } finally {
    await store.close();
  }
  // Failed runs stay failed on a second sweep unless --retry-failed.
  const again = await runSweep({ ...quiet, cwd, name: "faults", seeds: 2, timeout: 1, variants: [{ name: "failing", command: [NODE, failing] }] });
  assert.ok(again.runs.every((r) => r.reused && r.status === "failed"));
  const retried = await runSweep({ ...quiet, cwd, name: "faults", seeds: 2, timeout: 1, retryFailed: true, variants: [{ name: "failing", command: [NODE, failing] }] });
  assert.ok(retried.runs.every((r) => !r.reused && r.status === "failed"));
});

test("TensorBoard event files and metrics.jsonl under TWIN_RUN_DIR are collected", async () => {
  const cwd = project("tb");
  const writer = script(
    "tb.mts",
    `import { EventFileWriter } from ${JSON.stringify(pathToFileURL(join(ROOT, "src/log/index.ts")).href)};
import { writeFileSync } from "node:fs";
import { join } from "node:path";
const seed = Number(process.env.TWIN_SEED);
const w = new EventFileWriter(join(process.env.TWIN_RUN_DIR!, "tb"));
for (let step = 0; step <= 100; step += 50) w.addScalar("val/acc", 0.5 + step / 1000 + seed / 100, step);
w.close();
writeFileSync(join(process.env.TWIN_RUN_DIR!, "metrics.jsonl"), JSON.stringify({ step: 100, "flat_metric": seed }) + "\\n");
`,
  );
  const result = await runSweep({ ...quiet, cwd, name: "tb", seeds: 3, variants: [{ name: "tb", command: [NODE, "--import", TSX, writer] }] });
  for (const r of result.runs) {
    assert.equal(r.status, "finished", r.error);
    const seed = Number(r.rootSeed);
    assert.ok(Math.abs(r.metrics["val/acc"]! - (0.6 + seed / 100)) < 1e-6, String(r.metrics["val/acc"]));
    assert.equal(r.metrics.flat_metric, seed);
  }
  assert.deepEqual(result.summaries.find((s) => s.metric === "val/acc")!.variants[0]!.n, 3);
});

test("metric lines: JSON objects with numbers, Python's bare NaN, nested names; other lines are not metrics", () => {
  assert.deepEqual(parseMetricLine('{"step": 3, "acc": 0.5, "name": "x"}'), { step: 3, values: { acc: 0.5 } });
  const nan = parseMetricLine('{"step": 4, "loss": NaN, "x": -Infinity}')!;
  assert.ok(Number.isNaN(nan.values.loss));
  assert.equal(nan.values.x, -Infinity);
  assert.deepEqual(parseMetricLine('{"val": {"acc": 0.9}}'), { step: undefined, values: { "val/acc": 0.9 } });
  assert.equal(parseMetricLine("epoch 3: loss 0.5"), undefined);
  assert.equal(parseMetricLine('{"msg": "hello"}'), undefined);
  assert.equal(parseMetricLine('{"step": 5}'), undefined);
  assert.equal(parseMetricLine("[1, 2]"), undefined);
  assert.deepEqual(parseMetricLine('{"kind":"scalars","step":7,"wall_time":1,"values":{"a":1,"b":"NaN"}}')!.step, 7);
  assert.deepEqual(finalValues(readRunDirMetrics(join(dir, "does-not-exist"))), {});
  assert.equal(pairLabel(3n, { init: 3n, order: 4n }), "3:order=4");
  assert.equal(defaultSweepName(["python3", "-u", "scripts/train.py", "--lr", "0.1"]), "train");
});

test("bad input: a clear error for each, nothing run", () => {
  const cwd = project("bad");
  const twin = (...args: string[]) => spawnSync(NODE, [join(ROOT, "bin", "twin.js"), "sweep", ...args], { cwd: dir, encoding: "utf8" });
  const cases: [string[], RegExp][] = [
    [["--seeds", "3"], /no command to run: put the training command after --/],
    [["--seeds", "3", "--"], /no command to run/],
    [["--vary", "colour", "--", "true"], /--vary colour: unknown factor; the factors are init, order, augment, dropout, split, eval/],
    [["--seeds", "2.5", "--", "true"], /--seeds must be a positive integer \(got '2.5'\)/],
    [["--seeds", "0", "--", "true"], /--seeds must be a positive integer/],
    [["--first", "-1", "--", "true"], /--first must be a non-negative integer/],
    [["--timeout", "soon", "--", "true"], /--timeout must be a number of seconds/],
  ];
  for (const [args, pattern] of cases) {
    const r = twin(...args);
    // Every case here is a wrong command line: exit 2 (usage, src/cli/exit-codes.ts).
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(" "));
  }
  assert.equal(existsSync(join(dir, ".twin")), false, "nothing was stored");
  assert.throws(() => readVariantsFile(join(cwd, "nope.json")), /--variants-file .*nope.json: no such file/);
  const bad = script("variants.json", JSON.stringify({ a: [], "b c": ["true"] }));
  assert.throws(() => readVariantsFile(bad), /variant 'a': a command is a non-empty list/);
  const ok = script("variants-ok.json", JSON.stringify({ variants: { a: ["python3", "t.py"], b: { command: "python3 t.py --wide", env: { WIDTH: "2" } } } }));
  assert.deepEqual(readVariantsFile(ok), [
    { name: "a", command: ["python3", "t.py"] },
    { name: "b", command: ["sh", "-c", "python3 t.py --wide"], env: { WIDTH: "2" } },
  ]);
});

test("a variant whose command changed is refused unless --allow-changed", async () => {
  const cwd = project("changed");
  const good = script("g.cjs", `console.log('{"acc": 0.7}')\n`);
  await runSweep({ ...quiet, cwd, name: "c", seeds: 2, variants: [{ name: "a", command: [NODE, good] }] });
  await assert.rejects(
    runSweep({ ...quiet, cwd, name: "c", seeds: 2, variants: [{ name: "a", command: [NODE, good, "--other"] }] }),
    /variant 'a' of sweep 'c' was swept with .* not .*--other.*--allow-changed/s,
  );
  // The script's content changing is refused too (a fingerprint of the files in the command).
  writeFileSync(good, `console.log('{"acc": 0.8}')\n`);
  await assert.rejects(runSweep({ ...quiet, cwd, name: "c", seeds: 2, variants: [{ name: "a", command: [NODE, good] }] }), /variant 'a' of sweep 'c' began with another fingerprint: its code changed since its 2 run\(s\) were made:\n  code · files\.[\s\S]*With --allow-changed, its 2 run\(s\) that already ended are kept and the rest run with the changed code: one verdict then mixes runs made before and after the change\./);
  // As the refusal said: the ended runs are kept, the new seed runs with the changed file.
  const r = await runSweep({ ...quiet, cwd, name: "c", seeds: 3, allowChanged: true, variants: [{ name: "a", command: [NODE, good] }] });
  assert.deepEqual(r.runs.map((o) => o.reused), [true, true, false]);
});
