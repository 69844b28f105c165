// What the dashboard's index holds (src/report/sources/log-index.ts): runs
// deleted from the log folder leave the view and the index; runs with event
// files only (other tools' logs, no metrics.jsonl) are indexed like the others.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { writeFixture } from "../report/fixture.ts";
import { LogDirSource } from "../../src/report/index.ts";
import { INDEX_RUN_DIRS, INDEX_RUN_KNOWN, INDEX_RUN_STATUSES, LogIndex } from "../../src/report/sources/log-index.ts";
import { EventFileWriter } from "../../src/log/event-writer.ts";
import { ViewBuilder } from "../../src/serve/view-builder.ts";

const root = mkdtempSync(join(tmpdir(), "twin-index-rows-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** The index's rows: run folders per study, and checks seeds and saved views. */
function rows(file: string): { runs: string[]; checks: string[]; views: number } {
  const db = new Database(file, { readonly: true });
  try {
    return {
      runs: (db.prepare("SELECT study || '/' || dir AS d FROM runs ORDER BY d").all() as { d: string }[]).map((r) => r.d),
      checks: (db.prepare("SELECT study || '/' || seed AS s FROM checks ORDER BY s").all() as { s: string }[]).map((r) => r.s),
      views: (db.prepare("SELECT count(*) AS n FROM views").get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

test("a deleted run, seed or study leaves the view and the index", async () => {
  const logdir = join(root, "deleted");
  writeFixture(logdir, { seeds: 4, steps: 10 });
  writeFixture(join(root, "deleted-other"), { seeds: 2, steps: 10 });
  // A second study in the same folder.
  const other = join(logdir, "gone");
  mkdirSync(other);
  for (const v of readdirSync(join(root, "deleted-other", "ab"), { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith("_")).map((e) => e.name)) {
    for (const s of readdirSync(join(root, "deleted-other", "ab", v))) {
      mkdirSync(join(other, v, s), { recursive: true });
      writeFileSync(join(other, v, s, "metrics.jsonl"), readFileSync(join(root, "deleted-other", "ab", v, s, "metrics.jsonl")));
    }
  }
  const index = join(root, "deleted.sqlite");
  let source = new LogDirSource(logdir, { index });
  let builder = new ViewBuilder(source);
  const full = (await builder.view("ab", {}))!;
  await builder.view("gone", {});
  await builder.close();
  const variants = full.variants!;
  assert.equal(full.runs, 4 * variants.length);
  assert.equal(rows(index).runs.filter((r) => r.startsWith("ab/")).length, 4 * variants.length);
  assert.ok(rows(index).runs.some((r) => r.startsWith("gone/")));

  // One run of seed 1 and every run of seed 2 are deleted while the dashboard runs.
  rmSync(join(logdir, "ab", variants[1]!, "seed-1"), { recursive: true });
  for (const v of variants) rmSync(join(logdir, "ab", v, "seed-2"), { recursive: true });
  rmSync(join(logdir, "ab", "_checks", "seed-2.jsonl"), { force: true });
  builder = new ViewBuilder(source);
  const after1 = (await builder.view("ab", {}))!;
  assert.equal(after1.runs, 4 * variants.length - 1 - variants.length);
  assert.equal(after1.seeds, 3);
  await builder.close();
  await source.close();
  const left = rows(index);
  assert.ok(!left.runs.includes(`ab/${variants[1]}/seed-1`), "the deleted run's row is gone");
  assert.ok(!left.runs.some((r) => r.endsWith("/seed-2") && r.startsWith("ab/")), "the deleted seed's rows are gone");
  assert.ok(!left.checks.includes("ab/2"));
  assert.equal(left.runs.filter((r) => r.startsWith("ab/")).length, 4 * variants.length - 1 - variants.length);

  // A deleted study leaves the index (its runs and saved views) when the dashboard opens it next.
  assert.ok(left.views >= 2);
  rmSync(other, { recursive: true });
  source = new LogDirSource(logdir, { index });
  assert.deepEqual((await source.listStudies()).map((s) => s.name), ["ab"]);
  await source.close();
  const last = rows(index);
  assert.ok(!last.runs.some((r) => r.startsWith("gone/")));
  assert.equal(last.views, 1, "only the view of the study that is left");
});

test("a run with event files only is indexed: read once, then taken from the index until its files change", async () => {
  const logdir = join(root, "events");
  const dirs = ["a", "b"].flatMap((v) => [1, 2, 3, 4].map((s) => [v, s, join(logdir, "tb", v, `seed-${s}`)] as const));
  for (const [v, s, dir] of dirs) {
    mkdirSync(dir, { recursive: true });
    const w = new EventFileWriter(dir, { hostname: "h" });
    for (let step = 1; step <= 5; step++) w.addScalar("val/accuracy", 0.5 + 0.01 * step + (v === "b" ? 0.02 : 0) + 0.001 * s, step, step);
    w.close();
    // Whole seconds, so that the time can be set back exactly below.
    for (const f of readdirSync(dir)) utimesSync(join(dir, f), 1_700_000_000, 1_700_000_000);
  }
  const index = join(root, "events.sqlite");
  let source = new LogDirSource(logdir, { index });
  let builder = new ViewBuilder(source);
  const first = (await builder.view("tb", {}))!;
  await builder.close();
  await source.close();
  assert.equal(first.error, undefined);
  assert.equal(first.runs, 8);
  assert.equal(rows(index).runs.length, 8, "event-file runs have rows");

  // Same size and mtime, other bytes: a run taken from the index keeps its values (it was not read again).
  const [, , dir] = dirs[0]!;
  const file = join(dir, readdirSync(dir)[0]!);
  writeFileSync(file, Buffer.alloc(statSync(file).size, 0x20));
  utimesSync(file, 1_700_000_000, 1_700_000_000);
  source = new LogDirSource(logdir, { index });
  builder = new ViewBuilder(source);
  (builder as unknown as { saved: undefined }).saved = undefined; // built, not the saved view
  const again = (await builder.view("tb", {}))!;
  assert.equal(again.error, undefined);
  assert.equal(again.runs, 8);
  assert.equal(again.seedsRead, 4);
  assert.equal(again.html.replace(/updated[^<]*/g, ""), first.html.replace(/updated[^<]*/g, ""));
  await builder.close();
  await source.close();
  // Its files changed (a newer time): read again, and the damage is said.
  utimesSync(file, 1_700_000_100, 1_700_000_100);
  source = new LogDirSource(logdir, { index });
  builder = new ViewBuilder(source);
  assert.match((await builder.view("tb", {}))!.error ?? "", /corrupt TFRecord/);
  await builder.close();
  await source.close();
});

test("the listing's statuses and a study's run folders are read from an index that covers them, not from the rows of packed numbers", () => {
  const file = join(root, "plan-index.sqlite");
  new LogIndex(file).close();
  const db = new Database(file, { readonly: true });
  try {
    for (const sql of [INDEX_RUN_STATUSES, INDEX_RUN_DIRS]) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(sql.includes("?") ? ["s"] : [])) as { detail: string }[]).map((r) => r.detail).join("; ");
      assert.match(plan, /USING COVERING INDEX runs_listing/, `${sql}: ${plan}`);
    }
  } finally {
    db.close();
  }
});

test("whether the index knows a run is one row looked up, the same answer before and after the study's run folders are loaded", () => {
  const logdir = join(root, "unknown");
  for (const seed of ["seed-1", "seed-2"]) {
    mkdirSync(join(logdir, "s", "base", seed), { recursive: true });
    writeFileSync(join(logdir, "s", "base", seed, "metrics.jsonl"), JSON.stringify({ kind: "scalars", step: 1, wall_time: 0, values: { loss: 1 } }) + "\n" + JSON.stringify({ kind: "end", status: "completed" }) + "\n");
  }
  const file = join(root, "unknown.sqlite");
  let index = new LogIndex(file);
  index.run("s", "base/seed-1", join(logdir, "s", "base", "seed-1", "metrics.jsonl"), "base", "1", join(logdir, "s", "base", "seed-1"));
  index.close();
  index = new LogIndex(file);
  try {
    const answers = () => ["base/seed-1", "base/seed-2", "other/seed-1"].map((d) => index.unknown("s", d));
    assert.deepEqual(answers(), [false, true, true], "looked up");
    assert.deepEqual([index.unknown("t", "base/seed-1")], [true], "another study's run of that folder");
    // A run read and written since: known.
    index.run("s", "base/seed-2", join(logdir, "s", "base", "seed-2", "metrics.jsonl"), "base", "2", join(logdir, "s", "base", "seed-2"));
    index.flush();
    assert.deepEqual(answers(), [false, false, true], "after a flush");
    // The study's run folders loaded (a prune asks for them), then one pruned: the same answers from them.
    index.prune("s", 1, () => ({ dirs: new Set(["base/seed-2"]), seeds: new Set(["2"]) }));
    assert.deepEqual(answers(), [true, false, true], "after a prune");
  } finally {
    index.close();
  }
  const db = new Database(file, { readonly: true });
  try {
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${INDEX_RUN_KNOWN}`).all("s", "d") as { detail: string }[]).map((r) => r.detail).join("; ");
    assert.match(plan, /SEARCH runs USING (COVERING )?INDEX/, plan);
  } finally {
    db.close();
  }
});
