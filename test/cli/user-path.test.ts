/**
 * A new user's path through the CLI, walked from a folder of their own: every
 * output they made is reportable (a sweep's own folder too), a metric or
 * factor named wrongly is a usage error (exit 2) that lists what exists, and
 * `twin seeds --vary all` (the words the report prints for the all-varied
 * group) does what seeds does by default, and `twin serve --logdir` naming a
 * folder that is not there says so even when a store fills the dashboard.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { studySource, TWIN_BIN } from "../study/fixtures/synthetic-study.ts";
import { writeFixture } from "../report/fixture.ts";
import { servedAddress } from "../../bench/served-address.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-user-path-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function twin(args: string[]) {
  return spawnSync(process.execPath, [TWIN_BIN, ...args], { cwd: dir, encoding: "utf8", timeout: 300_000 });
}

test("twin stats --metric that names no column: exit 2, the metrics that exist (results file and --factors)", () => {
  writeFileSync(join(dir, "res.csv"), "variant,seed,val_accuracy\nbase,0,0.81\nbase,1,0.83\nwide,0,0.84\nwide,1,0.85\n");
  const r = twin(["stats", "res.csv", "--metric", "val_acc"]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^twin: --metric val_acc: res\.csv has no such metric; available: val_accuracy\n/);
  writeFileSync(join(dir, "grid.csv"), "opt,drop,seed,accuracy\nsgd,0,0,0.8\nsgd,1,0,0.81\nadam,0,0,0.82\nadam,1,0,0.83\nsgd,0,1,0.8\nsgd,1,1,0.82\nadam,0,1,0.83\nadam,1,1,0.85\n");
  const f = twin(["stats", "grid.csv", "--factors", "opt,drop", "--metric", "acc"]);
  assert.equal(f.status, 2, f.stderr);
  assert.match(f.stderr, /^twin: --metric acc: grid\.csv has no such metric; available: accuracy\n/);
});

test("twin report of a sweep's folder (or a run folder in it) reports the sweep from the store beside it; twin stats of it, or of the store, says where the metrics are", () => {
  const command = [process.execPath, "-e", "console.log(JSON.stringify({ step: 1, accuracy: 0.8 + Number(process.env.TWIN_SEED) / 100 }))"];
  const sweep = twin(["sweep", "--name", "mlp", "--seeds", "2", "--", ...command]);
  assert.equal(sweep.status, 0, sweep.stderr);
  for (const folder of [join(".twin", "sweeps", "mlp"), join(".twin", "sweeps", "mlp", "default", "seed-0")]) {
    const r = twin(["report", folder, "-o", "sweep.html"]);
    assert.equal(r.status, 0, `${folder}: ${r.stderr}`);
    assert.match(r.stdout, /^wrote .*sweep\.html \(\d+ charts, 2 runs, verdict on accuracy\)/);
  }
  // twin stats cannot read them from there: it says where they are (it said 'no runs found' and, of the store, 'not UTF-8 text … iconv').
  const folder = twin(["stats", join(".twin", "sweeps", "mlp")]);
  assert.equal(folder.status, 2, folder.stderr);
  assert.match(folder.stderr, /^twin: \.twin\/sweeps\/mlp: a folder of sweep mlp, which holds only what its commands wrote: its metrics are in the store .*twin\.db; `twin report mlp` reports them/);
  const store = twin(["stats", join(".twin", "twin.db")]);
  assert.equal(store.status, 2, store.stderr);
  assert.match(store.stderr, /^twin: \.twin\/twin\.db is a SQLite database \(a twin store\?\), not results: `twin runs --store \.twin\/twin\.db` lists its runs by study/);
  const report = twin(["report", join(".twin", "twin.db")]);
  assert.equal(report.status, 2, report.stderr);
  assert.match(report.stderr, /^twin: \.twin\/twin\.db is a SQLite database \(a twin store\?\): name a study in it, `twin report <study> --store \.twin\/twin\.db`/);
});

test("twin seeds --vary all varies every factor together, as without --vary; a typo lists 'all' and 'each'", () => {
  writeFileSync(join(dir, "s.study.ts"), studySource({ name: "s", steps: 4, evalEvery: 2, examples: 192 }));
  const r = twin(["seeds", "s.study.ts", "--n", "2", "--vary", "all", "--jobs", "1", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).groups, ["all"]);
  const typo = twin(["seeds", "s.study.ts", "--n", "2", "--vary", "al"]);
  assert.equal(typo.status, 2, typo.stderr);
  assert.match(typo.stderr, /no factor named 'al'; .*'each'.*'all': all together, the default/);
});

test("twin serve --logdir naming no folder says so beside a store (it served the store's studies silently)", async () => {
  const store = join(dir, "serve-store.db");
  const sweep = twin(["sweep", "--name", "t", "--seeds", "2", "--store", store, "--", process.execPath, "-e", "console.log(JSON.stringify({ accuracy: 0.5 }))"]);
  assert.equal(sweep.status, 0, sweep.stderr);
  const child = spawn(process.execPath, [TWIN_BIN, "serve", "--logdir", "rnus", "--store", store, "--port", "0", "--no-index"], { cwd: dir });
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  try {
    await new Promise<void>((done, fail) => {
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        stdout += d;
        if (stdout.includes("twin dashboard:")) done();
      });
      child.once("exit", (code) => fail(new Error(`serve exited ${code}: ${stderr}`)));
    });
  } finally {
    child.kill("SIGTERM");
  }
  assert.match(stderr, /^twin serve: --logdir rnus: .*rnus does not exist yet; its studies appear when it does \(meanwhile the store's are shown\)\n/);
});

test("twin stats of results with one variant says that nothing is compared and what a verdict needs (it printed the table alone)", () => {
  writeFileSync(join(dir, "one.csv"), "variant,seed,val_accuracy\nbase,0,0.81\nbase,1,0.83\n");
  const r = twin(["stats", "one.csv"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\nnote: one variant \(base\), so nothing is compared: a verdict needs a second variant over the same seeds \(rows with another name in the variant column\)\n$/);
});

test("twin stats of a study's name points to its log folder (it said only 'no such file or directory')", () => {
  writeFileSync(join(dir, "s2.study.ts"), studySource({ name: "s2", steps: 4, evalEvery: 2, examples: 192 }));
  const compare = twin(["compare", "s2.study.ts", "--seeds", "2", "--jobs", "1"]);
  assert.equal(compare.status, 0, compare.stderr);
  const r = twin(["stats", "s2"]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^twin: s2: no such file or directory; runs\/s2 is the log folder of study s2: `twin stats runs\/s2`\n$/);
  // Without its log folder here, the store's study is named, with the command that reads it.
  renameSync(join(dir, "runs"), join(dir, "runs-away"));
  try {
    const stored = twin(["stats", "s2"]);
    assert.equal(stored.status, 2, stored.stderr);
    assert.match(stored.stderr, /^twin: s2: no such file or directory; s2 is a study in the store .*twin\.db \(twin's own runs, without a log folder here\): `twin report s2` gives its verdict and charts/);
  } finally {
    renameSync(join(dir, "runs-away"), join(dir, "runs"));
  }
});

test("twin serve <folder> serves that log folder (it answered 'too many arguments for serve'); two different folders are refused", async () => {
  writeFixture(join(dir, "served"), { seeds: 2, steps: 5 });
  const child = spawn(process.execPath, [TWIN_BIN, "serve", "served", "--port", "0", "--no-index"], { cwd: dir });
  try {
    const url = await servedAddress(child);
    const list = (await (await fetch(new URL("api/studies", url))).json()) as { studies: { name: string }[] };
    // The folder's study (the store of this folder's earlier tests adds its own).
    assert.ok(list.studies.some((s) => s.name === "ab"), JSON.stringify(list.studies));
  } finally {
    child.kill("SIGTERM");
  }
  const both = twin(["serve", "served", "--logdir", "elsewhere", "--port", "0"]);
  assert.equal(both.status, 2, both.stderr);
  assert.match(both.stderr, /^twin: two log directories given: 'served' and --logdir 'elsewhere'; give one/m);
});

test("twin stats of a sweep's name reads its results from the store, as twin sweep analyses them (it said only 'no such file or directory'); a sweep whose every run failed says so in stats and report", () => {
  const command = (shift: number) => [process.execPath, "-e", `console.log(JSON.stringify({ step: 1, accuracy: 0.8 + (Number(process.env.TWIN_SEED) % 3) / 100 + ${shift} }))`];
  for (const [variant, shift] of [["base", 0], ["wide", 0.01]] as const) {
    const sweep = twin(["sweep", "--name", "cnn", "--variant", variant, "--seeds", "3", "--json", "--", ...command(shift)]);
    assert.equal(sweep.status, 0, sweep.stderr);
  }
  const r = twin(["stats", "cnn", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const analysis = JSON.parse(r.stdout) as { seeds: number; metric: string; comparisons: { a: string; b: string; diff: number }[] };
  assert.equal(analysis.seeds, 3);
  assert.equal(analysis.metric, "accuracy");
  assert.equal(analysis.comparisons.length, 1);
  assert.deepEqual([analysis.comparisons[0]!.a, analysis.comparisons[0]!.b], ["base", "wide"]);
  assert.ok(Math.abs(analysis.comparisons[0]!.diff - 0.01) < 1e-12, JSON.stringify(analysis.comparisons[0]));
  // A sweep whose every run failed: says so, with the first error (it said "only bookkeeping scalars: none; name one with --metric", and the report "only nothing logged").
  assert.equal(twin(["sweep", "--name", "dead", "--seeds", "2", "--", "./nothere.sh"]).status, 3);
  const dead = twin(["stats", "dead"]);
  assert.equal(dead.status, 1, dead.stderr);
  assert.match(dead.stderr, /^twin: dead: no run reported a metric \(2 of 2 runs failed or diverged; the first: command not found: \.\/nothere\.sh\), so there is nothing to compare\n$/);
  // Its report is written all the same (it said only "no run has logged a metric yet"): no verdict, and why, with each run's error.
  const deadReport = twin(["report", "dead", "-o", "dead.html"]);
  assert.equal(deadReport.status, 0, deadReport.stderr);
  assert.match(deadReport.stdout, /^wrote .*dead\.html \(2 runs\)\nNo verdict: no run has logged a result metric \(nothing logged\)\. Runs by status: failed 2; each run's status and error are in the report's table of runs\.\n$/);
  const page = readFileSync(join(dir, "dead.html"), "utf8");
  // (assert.ok, not match: a failure would print the whole page, Vega's script and all)
  assert.ok(/1 variant · 2 seeds · 2 runs/.test(page));
  assert.ok(/No verdict: no run has logged a result metric \(nothing logged\)\. Runs by status: failed 2; each run&#39;s status and error are in the table below\./.test(page));
  assert.equal(page.match(/<td>failed<\/td>/g)?.length, 2);
  assert.equal(page.match(/command not found: \.\/nothere\.sh/g)?.length, 2);
  assert.ok(/<details open><summary>Runs \(2\)/.test(page));
  const deadJson = JSON.parse(twin(["report", "dead", "-o", "dead.html", "--json"]).stdout) as { metric: string | null; no_verdict: string; charts: string[] };
  assert.equal(deadJson.metric, null);
  assert.deepEqual(deadJson.charts, []);
  assert.match(deadJson.no_verdict, /^No verdict: no run has logged a result metric/);
  const missing = twin(["stats", "nosuch"]);
  assert.equal(missing.status, 2, missing.stderr);
  assert.match(missing.stderr, /^twin: nosuch: no such file or directory; check the path/);
});

test("twin report of a results file: the verdict twin stats gives, in a report (it said 'a file, not a study folder')", () => {
  writeFileSync(join(dir, "rep.csv"), "variant,seed,val_accuracy,status\nbase,0,0.81,\nbase,1,0.83,\nbase,2,0.80,\nbase,3,0.82,\nwide,0,0.84,\nwide,1,0.85,\nwide,2,nan,\nwide,3,0.70,failed\n");
  const stats = twin(["stats", "rep.csv", "--json"]);
  assert.equal(stats.status, 3, stats.stderr);
  const analysis = JSON.parse(stats.stdout) as { comparisons: { diff: number; ci: [number, number]; p: number }[] };
  const r = twin(["report", "rep.csv", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { html: string; metric: string };
  assert.equal(out.metric, "val_accuracy");
  const html = readFileSync(out.html, "utf8");
  const [cmp] = analysis.comparisons;
  const pp = (x: number) => `${x >= 0 ? "\\+" : ""}${(x * 100).toFixed(2)}`;
  // The report's verdict row: the same difference, interval and p as twin stats, in percentage points as the CLI prints them.
  assert.match(html, new RegExp(`<td>wide − base</td><td>${pp(cmp!.diff)} pp</td><td>\\[${pp(cmp!.ci[0])}, ${pp(cmp!.ci[1])}\\] pp</td><td>paired t</td><td>${cmp!.p.toFixed(3)}</td>`));
  assert.match(html, /<td>wide<\/td><td>2<\/td>.*?1 diverged, 1 failed of 4/, "wide: 2 finished seeds, one diverged (nan), one failed");
  assert.match(html, /results file rep\.csv/);
  // No steps, so no curves: a one-point "curve" per row drew the failed run's value in the band and in the paired differences over steps, against the verdict.
  assert.doesNotMatch(html, /data-chart="(curve|paired)-/);
  assert.match(html, /Learning curves<\/h2><p class="muted">None: results file rep\.csv gives each run's final values only, no steps/);
});

test("twin report of factorial results with --factors: the factorial analysis twin stats --factors gives, in a report; --factors on a folder is refused", () => {
  writeFileSync(join(dir, "grid3.csv"), "opt,drop,seed,accuracy\nsgd,0,0,0.8\nsgd,1,0,0.81\nadam,0,0,0.82\nadam,1,0,0.83\nsgd,0,1,0.79\nsgd,1,1,0.815\nadam,0,1,0.825\nadam,1,1,0.84\nsgd,0,2,0.805\nsgd,1,2,0.812\nadam,0,2,0.818\nadam,1,2,0.829\n");
  const stats = twin(["stats", "grid3.csv", "--factors", "opt,drop", "--json"]);
  assert.equal(stats.status, 0, stats.stderr);
  const verdict = JSON.parse(stats.stdout) as { factorial: { name: string; estimate: number; p: number }[] };
  const r = twin(["report", "grid3.csv", "--factors", "opt,drop", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const html = readFileSync((JSON.parse(r.stdout) as { html: string }).html, "utf8");
  assert.match(html, /Factorial analysis: final accuracy/);
  assert.deepEqual(verdict.factorial.map((e) => e.name), ["opt", "drop", "opt × drop"]);
  for (const e of verdict.factorial) {
    // Each effect's row: its estimate in percentage points and its p, as twin stats --factors gives them.
    assert.match(html, new RegExp(`<td>${e.name}</td>.*?${e.estimate >= 0 ? "\\+" : "-"}${Math.abs(e.estimate * 100).toFixed(2)} pp.*?<td>${e.p.toFixed(3)}</td>`), e.name);
  }
  assert.match(html, /higher is better \(from its name/, "the direction came from the metric's name, not a flag");
  const folder = twin(["report", ".", "--factors", "opt,drop"]);
  assert.equal(folder.status, 2);
  assert.match(folder.stderr, /--factors reads the factor columns of a results file/);
});
