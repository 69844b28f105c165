// A cold read of a study through the dashboard's index by the pool of reader
// threads (log-dir.ts pooledStudyDirGroups, log-reader-pool.ts): the same seed
// groups, in the same order and with the same values, as the plain reader of
// the logs and as the index read in one thread; the rows the threads wrote
// serve the next read; a thread writes its rows (and those the view's thread
// read itself) once the pool is done reading, not while it reads; a running
// run read by a thread is read on from where the thread left it; a malformed
// line is named as the plain reader names it.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadStudyDir, LogDirSource, pooledStudyDirGroups, studyDirGroups } from "../../src/report/sources/log-dir.ts";
import { LogIndex } from "../../src/report/sources/log-index.ts";
import { LogReaderPool, readerWrites } from "../../src/report/sources/log-reader-pool.ts";
import { emptyRunState, encodeRunState, readAppended } from "../../src/report/sources/run-state.ts";
import { openSqlite } from "../../src/store/sqlite-module.ts";
import type { RunData, SeedGroup } from "../../src/report/types.ts";
import { Xoshiro128 } from "../../src/stats/random.ts";

const root = mkdtempSync(join(tmpdir(), "twin-reader-pool-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** A run's metrics.jsonl: values of every length and sign, NaN/Infinity, a step logged again, notes; seed 7's run has not ended. */
function runText(variant: string, seed: number): string {
  const r = new Xoshiro128(seed * 2 + (variant === "a" ? 0 : 1));
  const lines: object[] = [{ kind: "hparams", wall_time: 0, hparams: { variant, seed: String(seed), "seeds.init": seed }, metrics: ["val/accuracy"] }];
  if (seed % 5 === 0) lines.push({ kind: "text", step: 0, wall_time: 0, tag: "fingerprint", text: `sha256:${seed}` });
  for (let step = 1; step <= 40; step++) {
    const values: Record<string, number | string> = { "train/loss": (r.nextFloat() - 0.3) * 10 ** Math.floor(r.nextFloat() * 8 - 4) };
    if (step % 10 === 0) values["eval/accuracy"] = Math.round(r.nextFloat() * 1000) / 1000;
    if (seed % 9 === 4 && step === 13) values["train/loss"] = "NaN";
    if (seed % 11 === 2 && step === 17) values["eval/loss"] = "-Infinity";
    lines.push({ kind: "scalars", step, wall_time: step + 0.25, values });
  }
  if (seed % 6 === 1) lines.push({ kind: "text", step: 40, wall_time: 41, tag: "status", text: "resumed" }, { kind: "scalars", step: 20, wall_time: 42, values: { "train/loss": 0.5 } });
  lines.push({ kind: "scalars", step: 41, wall_time: 43, values: { "val/accuracy": r.nextFloat() } });
  if (seed !== 7) lines.push({ kind: "end", wall_time: 44, status: seed % 13 === 3 ? "diverged" : "success" });
  return lines.map((l) => JSON.stringify(l) + "\n").join("");
}

/** A study of `seeds` seeds × variants a and b (enough runs for the reader threads). */
function writeStudy(name: string, seeds: number): string {
  const dir = join(root, "logs", name);
  for (let seed = 0; seed < seeds; seed++) {
    for (const v of ["a", "b"]) {
      mkdirSync(join(dir, v, `seed-${seed}`), { recursive: true });
      writeFileSync(join(dir, v, `seed-${seed}`, "metrics.jsonl"), runText(v, seed));
    }
  }
  return dir;
}

/** Reader threads for reads of this many unknown runs or more (fewer than the dashboard's threshold, for small studies). */
const MIN_RUNS = 32;

async function collect(groups: Iterable<SeedGroup> | AsyncIterable<SeedGroup>): Promise<SeedGroup[]> {
  const out: SeedGroup[] = [];
  for await (const g of groups) out.push(g);
  return out;
}

test("a cold read by reader threads equals the plain reader and the index read in one thread; the rows they write serve the next read", async () => {
  const dir = writeStudy("cold", 60);
  const plain = loadStudyDir(dir);
  const file = join(root, "cold.sqlite");
  // The threads write to an index of their own here: every row in it was read and written by a thread.
  const threadsFile = join(root, "cold-threads.sqlite");
  new LogIndex(threadsFile).close();
  const log = new LogIndex(file);
  // This thread reads no run itself (0): every run goes to the threads.
  const pooled = await collect(pooledStudyDirGroups(dir, undefined, { study: "cold", log }, threadsFile, MIN_RUNS, 0));
  assert.deepEqual(pooled.map((g) => g.seed), [...Array(60).keys()].map(String));
  assert.deepEqual(pooled.flatMap((g) => g.runs), plain.runs);
  const oneThread = new LogIndex(join(root, "cold-one-thread.sqlite"));
  assert.deepEqual(pooled, [...studyDirGroups(dir, undefined, { study: "cold", log: oneThread })]);
  oneThread.close();
  // Only some seeds: those, read by the threads too.
  const some = new Set(["3", "40", "41"]);
  const fresh = new LogIndex(join(root, "cold-some.sqlite"));
  assert.deepEqual(await collect(pooledStudyDirGroups(dir, some, { study: "cold", log: fresh }, undefined, 1)), pooled.filter((g) => some.has(g.seed)));
  fresh.close();
  log.close();
  // A restart on the threads' index knows every run and reads them from it (once the threads have written their rows).
  await readerWrites();
  const again = new LogIndex(threadsFile);
  for (const g of pooled) for (const r of g.runs) assert.equal(again.unknown("cold", `${r.variant}/seed-${r.seed}`), false, `${r.variant}/seed-${r.seed}`);
  assert.deepEqual(await collect(pooledStudyDirGroups(dir, undefined, { study: "cold", log: again }, threadsFile, MIN_RUNS)), pooled);
  again.close();
});

test("while the threads have not answered, the view's thread reads runs from the end itself: the same groups, and one index knows every run after", async () => {
  // More runs than the threads are sent at once (256), so that some are left to read here.
  const dir = writeStudy("shared", 200);
  const file = join(root, "shared.sqlite");
  const log = new LogIndex(file);
  let readHere = 0;
  const run = log.run.bind(log);
  log.run = (...args) => {
    readHere++;
    return run(...args);
  };
  // The threads start in a fraction of a second (through tsx here): this thread reads meanwhile.
  const pooled = await collect(pooledStudyDirGroups(dir, undefined, { study: "shared", log }, file, MIN_RUNS));
  assert.ok(readHere > 0, "no run read by the view's thread");
  assert.deepEqual(pooled, [...studyDirGroups(dir, undefined, { study: "shared", log: new LogIndex(join(root, "shared-one-thread.sqlite")) })]);
  // The rows of the runs read here were handed to the thread: written by it, with its own, not by this connection's close.
  await readerWrites();
  log.close();
  const again = new LogIndex(file);
  for (const g of pooled) for (const r of g.runs) assert.equal(again.unknown("shared", `${r.variant}/seed-${r.seed}`), false, `${r.variant}/seed-${r.seed}`);
  again.close();
});

/** The runs (folders relative to the study) that the index file holds rows of, read by a connection of its own. */
function indexedRuns(file: string, study: string): string[] {
  const db = openSqlite(file, { readonly: true });
  try {
    return (db.prepare("SELECT dir FROM runs WHERE study = ? ORDER BY dir").all(study) as { dir: string }[]).map((r) => r.dir);
  } finally {
    db.close();
  }
}

test("a reader thread writes the rows of the runs it read, and those handed to it, once the pool is done reading; past its bound, as it reads", async () => {
  const dir = writeStudy("deferred", 12);
  const file = join(root, "deferred.sqlite");
  new LogIndex(file).close();
  const runs = [...Array(12).keys()].flatMap((seed) => ["a", "b"].map((v) => join(v, `seed-${seed}`)));
  const files = (rels: string[]) => rels.map((rel) => ({ dir: rel, path: join(dir, rel, "metrics.jsonl"), stamp: join(dir, rel) }));
  const pool = new LogReaderPool(file, 1);
  try {
    const first = await pool.read({ study: "deferred", files: files(runs.slice(0, 8)) });
    const second = await pool.read({ study: "deferred", files: files(runs.slice(8, 20)) });
    assert.ok(first.written && second.written);
    // Read, not written yet: the reading takes none of the writes' time.
    assert.deepEqual(indexedRuns(file, "deferred"), []);
    // A run read by the view's thread: its row goes with the thread's.
    const here = new LogIndex(join(root, "deferred-here.sqlite"));
    here.run("deferred", runs[20]!, join(dir, runs[20]!, "metrics.jsonl"), "a", "10", join(dir, runs[20]!));
    let handed = 0;
    here.handOver((rows) => ((handed = rows.length), pool.write(rows)));
    assert.equal(handed, 1);
    here.close();
    assert.deepEqual(indexedRuns(join(root, "deferred-here.sqlite"), "deferred"), [], "a row handed over is not written by the view's thread");
  } finally {
    await pool.close();
  }
  await readerWrites();
  assert.deepEqual(indexedRuns(file, "deferred"), runs.slice(0, 21).sort());
  // The rows are those the view's thread would write: a read through the index gives the plain reader's runs.
  const again = new LogIndex(file);
  for (const rel of runs.slice(0, 21)) assert.equal(again.unknown("deferred", rel), false, rel);
  again.close();

  // A thread that may keep fewer bytes than a run's state writes each batch's rows as it reads it.
  const boundFile = join(root, "deferred-bound.sqlite");
  new LogIndex(boundFile).close();
  const bounded = new LogReaderPool(boundFile, 1, [], 1);
  try {
    await bounded.read({ study: "deferred", files: files(runs.slice(0, 8)) });
    assert.deepEqual(indexedRuns(boundFile, "deferred"), runs.slice(0, 8).sort());
  } finally {
    await bounded.close();
  }

  // The bound is the pool's: two threads keep half each. Eight runs' states (S bytes) under a bound of 1.5 S: one thread's share, 0.75 S, is passed, and its oldest rows are written.
  const sharedFile = join(root, "deferred-shared.sqlite");
  new LogIndex(sharedFile).close();
  const stateBytes = runs.slice(0, 8).reduce((sum, rel) => {
    const state = emptyRunState();
    readAppended(join(dir, rel, "metrics.jsonl"), state, statSync(join(dir, rel, "metrics.jsonl")).size);
    return sum + encodeRunState(state).byteLength;
  }, 0);
  const two = new LogReaderPool(sharedFile, 2, [], Math.floor(stateBytes * 1.5));
  try {
    await two.read({ study: "deferred", files: files(runs.slice(0, 8)) });
    const written = indexedRuns(sharedFile, "deferred");
    assert.ok(written.length > 0 && written.length < 8, `${written.length} rows written`);
    assert.deepEqual(written, runs.slice(0, written.length).sort());
  } finally {
    await two.close();
  }
});

test("a running run read by a thread is read on from where it was left; without the threads' writes the rows are written here", async () => {
  const dir = writeStudy("running", 40);
  const file = join(root, "running.sqlite");
  const log = new LogIndex(file);
  // No index file for the threads: they write nothing, the view's thread writes the rows.
  await collect(pooledStudyDirGroups(dir, undefined, { study: "running", log }, undefined, MIN_RUNS));
  appendFileSync(join(dir, "a", "seed-7", "metrics.jsonl"), JSON.stringify({ kind: "scalars", step: 42, wall_time: 45, values: { "train/loss": 0.125 } }) + "\n" + JSON.stringify({ kind: "end", wall_time: 46, status: "success" }) + "\n");
  const [g7] = await collect(pooledStudyDirGroups(dir, new Set(["7"]), { study: "running", log }, file, MIN_RUNS));
  const plain = loadStudyDir(dir).runs.filter((r) => r.seed === "7");
  assert.deepEqual(g7!.runs, plain);
  assert.equal(g7!.runs[0]!.status, "success");
  assert.equal(g7!.runs[0]!.scalars["train/loss"]!.values.at(-1), 0.125);
  log.close();
  const again = new LogIndex(file);
  assert.equal(again.unknown("running", "b/seed-39"), false);
  again.close();
});

test("a malformed line in a run the view's thread reads from the end is named at its seed's turn, as the plain reader names it", async () => {
  const dir = writeStudy("damaged-end", 200);
  appendFileSync(join(dir, "b", "seed-199", "metrics.jsonl"), "{not json\n");
  const log = new LogIndex(join(root, "damaged-end.sqlite"));
  let plain = "no error";
  try {
    loadStudyDir(dir);
  } catch (e) {
    plain = (e as Error).message;
  }
  assert.match(plain, /seed-199[\\/]metrics\.jsonl:\d+/);
  // Reads of the damaged run by the view's thread: from the end while the threads start, and again at its turn.
  let damagedReads = 0;
  const run = log.run.bind(log);
  log.run = (study, rel, ...rest) => {
    if (rel === join("b", "seed-199")) damagedReads++;
    return run(study, rel, ...rest);
  };
  const seen: string[] = [];
  await assert.rejects(
    (async () => {
      for await (const g of pooledStudyDirGroups(dir, undefined, { study: "damaged-end", log }, undefined, MIN_RUNS)) seen.push(g.seed);
    })(),
    (e: Error) => e.message === plain,
  );
  // Every seed before it came first: the error is not thrown early, when the run was read ahead.
  assert.equal(seen.length, 199);
  assert.equal(damagedReads, 2);
  log.close();
});

test("a malformed line read by a thread is named by file and line, as the plain reader names it", async () => {
  const dir = writeStudy("damaged", 40);
  appendFileSync(join(dir, "b", "seed-12", "metrics.jsonl"), "{not json\n");
  const log = new LogIndex(join(root, "damaged.sqlite"));
  const plain = (() => {
    try {
      loadStudyDir(dir);
    } catch (e) {
      return (e as Error).message;
    }
    return "no error";
  })();
  assert.match(plain, /seed-12[\\/]metrics\.jsonl:\d+/);
  await assert.rejects(collect(pooledStudyDirGroups(dir, undefined, { study: "damaged", log }, undefined, MIN_RUNS)), (e: Error) => e.message === plain);
  log.close();
});

test("a prediction file written into a run folder after its listing is read with the run (the listing spares looking in folders without any)", async () => {
  const dir = writeStudy("listed", 40);
  const past = new Date(Date.now() - 60_000);
  for (const v of ["a", "b"]) for (let seed = 0; seed < 40; seed++) utimesSync(join(dir, v, `seed-${seed}`), past, past);
  const source = new LogDirSource(join(root, "logs"), { index: join(root, "listed.sqlite") });
  const read = async (): Promise<RunData[]> => (await collect((await source.openStudy("listed"))!.groups)).flatMap((g) => g.runs);
  await source.seedStamps("listed");
  assert.ok((await read()).every((r) => !r.notes?.some((n) => n.includes("predictions"))));
  writeFileSync(join(dir, "a", "seed-5", "predictions.npy"), "");
  const runs = await read();
  assert.match(runs.find((r) => r.variant === "a" && r.seed === "5")!.notes?.join("\n") ?? "", /predictions\.npy not used: no labels\.npy/);
  assert.deepEqual(runs, loadStudyDir(dir).runs);
  await source.close();
});
