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
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { studySource, TWIN_BIN } from "../study/fixtures/synthetic-study.ts";
import { writeFixture } from "../report/fixture.ts";

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
  assert.equal(folder.status, 1, folder.stderr);
  assert.match(folder.stderr, /^twin: \.twin\/sweeps\/mlp: a folder of sweep mlp, which holds only what its commands wrote: its metrics are in the store .*twin\.db; `twin report mlp` reports them/);
  const store = twin(["stats", join(".twin", "twin.db")]);
  assert.equal(store.status, 1, store.stderr);
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
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^twin: s2: no such file or directory; runs\/s2 is the log folder of study s2: `twin stats runs\/s2`\n$/);
});

test("twin serve <folder> serves that log folder (it answered 'too many arguments for serve'); two different folders are refused", async () => {
  writeFixture(join(dir, "served"), { seeds: 2, steps: 5 });
  const child = spawn(process.execPath, [TWIN_BIN, "serve", "served", "--port", "0", "--no-index"], { cwd: dir });
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  try {
    const url = await new Promise<string>((done, fail) => {
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        stdout += d;
        const m = /twin dashboard: (http:\S+)/.exec(stdout);
        if (m) done(m[1]!);
      });
      child.once("exit", (code) => fail(new Error(`serve exited ${code}: ${stderr}`)));
    });
    const list = (await (await fetch(new URL("api/studies", url))).json()) as { studies: { name: string }[] };
    assert.deepEqual(list.studies.map((s) => s.name), ["ab"]);
  } finally {
    child.kill("SIGTERM");
  }
  const both = twin(["serve", "served", "--logdir", "elsewhere", "--port", "0"]);
  assert.equal(both.status, 2, both.stderr);
  assert.match(both.stderr, /^twin: two log directories given: 'served' and --logdir 'elsewhere'; give one/m);
});
