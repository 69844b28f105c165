// Seed change stamps of a log folder (src/report/sources/log-dir.ts): a stamp
// changes whenever a run's files change, also when the listing of a run
// folder is remembered between stamps (prediction files created, rewritten
// in place or removed; a checks file created), and when only the seeds of the
// files a change notification names are stamped again.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogDirSource, seedOfChangedFile, studyDirStamps, type RunDirListings } from "../../src/report/sources/log-dir.ts";

const root = mkdtempSync(join(tmpdir(), "twin-stamps-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Sets a folder's mtime a minute back (a folder not changed lately: its listing is remembered). */
function age(dir: string): void {
  const t = new Date(Date.now() - 60_000);
  utimesSync(dir, t, t);
}

test("a seed's stamp changes when a prediction file is created, rewritten in place, removed, or a checks file appears", () => {
  const study = join(root, "s");
  const dirs = ["a", "b"].map((v) => join(study, v, "seed-1"));
  for (const d of dirs) {
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "metrics.jsonl"), '{"kind":"scalars","step":1,"wall_time":0,"values":{"x":1}}\n');
    age(d);
  }
  const listings: RunDirListings = new Map();
  const stamp = () => studyDirStamps(study, listings).get("1")!;
  const s0 = stamp();
  assert.equal(stamp(), s0, "nothing changed");
  assert.equal(listings.size, 2, "both listings remembered");

  writeFileSync(join(dirs[0]!, "predictions.npy"), "x");
  const s1 = stamp();
  assert.notEqual(s1, s0, "a prediction file created");
  age(dirs[0]!);
  assert.equal(stamp(), s1);

  appendFileSync(join(dirs[0]!, "predictions.npy"), "yz");
  age(dirs[0]!);
  const s2 = stamp();
  assert.notEqual(s2, s1, "a prediction file rewritten in place (the folder's mtime unchanged)");

  rmSync(join(dirs[0]!, "predictions.npy"));
  const s3 = stamp();
  assert.notEqual(s3, s2, "a prediction file removed");
  assert.equal(s3, s0);

  mkdirSync(join(study, "_checks"));
  writeFileSync(join(study, "_checks", "seed-1.jsonl"), "{}\n");
  assert.notEqual(stamp(), s3, "a checks file created");

  appendFileSync(join(dirs[1]!, "metrics.jsonl"), '{"kind":"scalars","step":2,"wall_time":0,"values":{"x":1}}\n');
  const s4 = stamp();
  assert.notEqual(s4, s3);

  rmSync(join(study, "b"), { recursive: true });
  assert.notEqual(stamp(), s4, "a run folder removed");
  assert.equal(listings.size, 1, "the removed folder's listing is forgotten");
});

test("stamps taken again from the files a change notification names equal stamps of every seed", async () => {
  const logdir = join(root, "told");
  const study = join(logdir, "s");
  const line = (step: number) => `{"kind":"scalars","step":${step},"wall_time":0,"values":{"x":1}}\n`;
  const run = (v: string, seed: number) => {
    const d = join(study, v, `seed-${seed}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "metrics.jsonl"), line(1));
    age(d);
  };
  for (const v of ["a", "b"]) for (const seed of [1, 2, 3]) run(v, seed);
  const source = new LogDirSource(logdir);
  const same = async (changed: string[], why: string) => assert.deepEqual([...(await source.seedStamps("s", new Set(changed)))!], [...studyDirStamps(study)], why);
  await same([], "first call: every seed");
  appendFileSync(join(study, "a", "seed-2", "metrics.jsonl"), line(2));
  const before = (await source.seedStamps("s"))!;
  appendFileSync(join(study, "b", "seed-3", "metrics.jsonl"), line(2));
  await same(["b/seed-3/metrics.jsonl"], "an appended line");
  assert.notEqual((await source.seedStamps("s", new Set()))!.get("3"), before.get("3"));
  mkdirSync(join(study, "_checks"));
  writeFileSync(join(study, "_checks", "seed-1.jsonl"), "{}\n");
  await same(["_checks/seed-1.jsonl"], "a checks file");
  rmSync(join(study, "a", "seed-2"), { recursive: true });
  rmSync(join(study, "b", "seed-2"), { recursive: true });
  await same(["a/seed-2", "b/seed-2"], "a seed removed");
  run("a", 4);
  await same(["a/seed-4/metrics.jsonl"], "a new seed: every seed stamped (seed order)");
  run("c", 1);
  await same(["c"], "a new variant folder");
  assert.equal(seedOfChangedFile("a/seed-12/metrics.jsonl"), "12");
  assert.equal(seedOfChangedFile("_checks/seed-3.jsonl"), "3");
  assert.equal(seedOfChangedFile("a/seed-3.run-7/metrics.jsonl"), undefined);
  assert.equal(seedOfChangedFile("design.json"), undefined);
});

test("a study listing updated run by run from change notifications equals a listing made afresh", async () => {
  const logdir = join(root, "listing");
  const study = join(logdir, "s");
  const line = (step: number) => `{"kind":"scalars","step":${step},"wall_time":0,"values":{"x":1}}\n`;
  const end = '{"kind":"end","wall_time":0,"status":"success"}\n';
  for (const v of ["a", "b"]) {
    for (const seed of [1, 2, 3]) {
      mkdirSync(join(study, v, `seed-${seed}`), { recursive: true });
      writeFileSync(join(study, v, `seed-${seed}`, "metrics.jsonl"), line(1) + (seed === 3 ? "" : end));
    }
  }
  const source = new LogDirSource(logdir);
  const heard: string[] = [];
  const stop = source.watch((_study, file) => heard.push(file ?? "(all)"), 100);
  try {
    await source.listStudies();
    const same = async (why: string, file: string) => {
      for (let t = 0; !heard.some((f) => f === file || f === "(all)") && t < 200; t++) await new Promise((r) => setTimeout(r, 25));
      heard.length = 0;
      const listed = await source.listStudies();
      const fresh = await new LogDirSource(logdir).listStudies();
      assert.deepEqual(listed, fresh, why);
      return listed[0]!;
    };
    appendFileSync(join(study, "a", "seed-3", "metrics.jsonl"), end);
    const ended = await same("a running run ends", "a/seed-3/metrics.jsonl");
    assert.equal(ended.status.success, 5);
    appendFileSync(join(study, "b", "seed-1", "metrics.jsonl"), line(2));
    await same("an ended run logs again (resumed)", "b/seed-1/metrics.jsonl");
    mkdirSync(join(study, "a", "seed-4"));
    writeFileSync(join(study, "a", "seed-4", "metrics.jsonl"), line(1));
    assert.equal((await same("a new run", "a/seed-4/metrics.jsonl")).runs, 7);
    rmSync(join(study, "b", "seed-2"), { recursive: true });
    assert.equal((await same("a removed run", "b/seed-2")).runs, 6);
  } finally {
    stop();
  }
});

test("stamps handed to another source of the same folder (the view worker's) are taken again only for the files changed since, and the changes are seen", async () => {
  const logdir = join(root, "handed");
  const study = join(logdir, "s");
  const line = (step: number) => `{"kind":"scalars","step":${step},"wall_time":0,"values":{"x":1}}\n`;
  for (const v of ["a", "b"]) {
    for (const seed of [1, 2, 3]) {
      const d = join(study, v, `seed-${seed}`);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, "metrics.jsonl"), line(1));
      age(d);
    }
  }
  const server = new LogDirSource(logdir);
  const taken = (await server.seedStamps("s"))!;
  const handed = server.takenStamps();
  assert.deepEqual([...handed.get("s")!.stamps], [...taken]);
  // A line appended between the server's stamps and the worker's first build.
  appendFileSync(join(study, "b", "seed-2", "metrics.jsonl"), line(2));
  const worker = new LogDirSource(logdir);
  worker.adoptStamps(handed);
  // Nothing told changed: the stamps as handed (no seed stamped again).
  assert.deepEqual([...(await worker.seedStamps("s", new Set()))!], [...taken]);
  const seen = (await worker.seedStamps("s", new Set(["b/seed-2/metrics.jsonl"])))!;
  assert.deepEqual([...seen], [...studyDirStamps(study)], "the changed seed stamped again: the worker sees the line");
  assert.notEqual(seen.get("2"), taken.get("2"));
  // Stamps the worker's source took itself are kept: older ones handed later are not adopted.
  appendFileSync(join(study, "a", "seed-1", "metrics.jsonl"), line(2));
  const own = (await worker.seedStamps("s"))!;
  worker.adoptStamps(handed);
  assert.deepEqual([...(await worker.seedStamps("s", new Set()))!], [...own]);
  // Without the files changed (not all known), every seed is stamped again.
  const fresh = new LogDirSource(logdir);
  fresh.adoptStamps(handed);
  assert.deepEqual([...(await fresh.seedStamps("s"))!], [...studyDirStamps(study)]);
});
