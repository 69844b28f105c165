// The dashboard's persistent index of a log folder (src/report/sources/log-index.ts,
// run-state.ts): a run read through the index equals the run read from its log;
// an unchanged file is not read again, a grown one only from where the index left
// it, a rewritten one in full; a damaged index is set aside; a view saved in the
// index is shown after a restart only while the data is what it was built from.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { writeFixture } from "../report/fixture.ts";
import { LogDirSource, loadStudyDir, startDashboard } from "../../src/report/index.ts";
import { readRunDir } from "../../src/report/sources/log-dir.ts";
import { LogIndex } from "../../src/report/sources/log-index.ts";
import { decodeRunState, emptyRunState, encodeRunState, readAppended, runDataOf } from "../../src/report/sources/run-state.ts";
import { ViewBuilder } from "../../src/serve/view-builder.ts";
import { parseSavedViewKey, SAVED_VIEW_FORMAT, savedView, savedViewKey } from "../../src/serve/saved-view.ts";
import { defaultIndexFile } from "../../src/serve/index-location.ts";

const root = mkdtempSync(join(tmpdir(), "twin-index-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** A metrics.jsonl with everything a run can log: hparams, a fingerprint and a note, NaN/Infinity, a step logged again (a resumed run), an end line. */
const LINES = [
  { kind: "hparams", wall_time: 0, hparams: { variant: "a", seed: "3", "seeds.init": 3, lr: 0.1 }, metrics: ["val/accuracy"] },
  { kind: "text", step: 0, wall_time: 0, tag: "fingerprint", text: "sha256:abc" },
  ...Array.from({ length: 30 }, (_, i) => ({ kind: "scalars", step: i + 1, wall_time: i, values: { "train/loss": 1 / (i + 1), ...(i % 10 === 9 ? { "eval/accuracy": 0.5 + i / 100 } : {}) } })),
  { kind: "scalars", step: 31, wall_time: 31, values: { "train/loss": "NaN", "eval/loss": "Infinity" } },
  { kind: "text", step: 31, wall_time: 31, tag: "status", text: "resumed" },
  { kind: "scalars", step: 20, wall_time: 32, values: { "train/loss": 0.123 } },
  { kind: "scalars", step: 32, wall_time: 33, values: { "train/loss": 0.01, "val/accuracy": 0.81 } },
  { kind: "end", wall_time: 34, status: "success" },
].map((l) => JSON.stringify(l) + "\n").join("");

function runFile(name: string, text: string): { dir: string; path: string } {
  const dir = join(root, name, "a", "seed-3");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "metrics.jsonl");
  writeFileSync(path, text);
  return { dir, path };
}

test("a run read into a state, whole or in pieces cut anywhere (mid-line too), equals the run read from its log", () => {
  const { dir, path } = runFile("pieces", LINES);
  const expected = readRunDir(dir, "a", "3")!;
  const whole = emptyRunState();
  readAppended(path, whole, statSync(path).size);
  assert.deepEqual(runDataOf(whole, "a", "3", dir), expected);
  assert.equal(whole.offset, Buffer.byteLength(LINES));
  assert.equal(whole.status, "success");
  // Appended piece by piece: a cut inside a line leaves it for the next read.
  writeFileSync(path, "");
  const state = emptyRunState();
  const bytes = Buffer.from(LINES);
  for (let at = 0; at < bytes.length; ) {
    const next = Math.min(bytes.length, at + 37 + (at % 101));
    appendFileSync(path, bytes.subarray(at, next));
    readAppended(path, state, statSync(path).size);
    at = next;
  }
  assert.deepEqual(runDataOf(state, "a", "3", dir), expected);
  // Packed for the index and back.
  assert.deepEqual(runDataOf(decodeRunState(encodeRunState(state)), "a", "3", dir), expected);
});

test("a running run (no end line) is 'running'; a malformed complete line is named by file and line", () => {
  const { dir, path } = runFile("running", LINES.split("\n").slice(0, 10).join("\n") + "\n");
  const state = emptyRunState();
  readAppended(path, state, statSync(path).size);
  assert.equal(runDataOf(state, "a", "3", dir).status, readRunDir(dir, "a", "3")!.status);
  assert.equal(runDataOf(state, "a", "3", dir).status, "running");
  appendFileSync(path, "{not json\n");
  assert.throws(() => readAppended(path, state, statSync(path).size), /metrics\.jsonl:11: malformed JSON line/);
});

/** Overwrites bytes of a file in place, keeping its size and mtime (so that only a reader of the bytes can tell). */
function scribble(path: string, at: number, text: string, keepTime = true): void {
  const st = statSync(path);
  const fd = openSync(path, "r+");
  writeSync(fd, text, at);
  closeSync(fd);
  if (keepTime) utimesSync(path, st.atime, st.mtime);
}

test("the index: an unchanged file is not read again, a grown one only from where it was left, a rewritten one in full", () => {
  const { dir, path } = runFile("index", LINES.split("\n").slice(0, 20).join("\n") + "\n");
  const file = join(root, "index.sqlite");
  let index = new LogIndex(file);
  const first = index.run("s", "a/seed-3", path, "a", "3", dir)!;
  index.close();
  // Same size and time, other bytes: the index's copy is used (the file is not read).
  scribble(path, 0, "X");
  index = new LogIndex(file);
  assert.deepEqual(index.run("s", "a/seed-3", path, "a", "3", dir), first);
  // Grown: only the appended lines are read (the scribble before them is not seen), after checking the bytes just before them.
  appendFileSync(path, LINES.split("\n").slice(20).join("\n"));
  const grown = index.run("s", "a/seed-3", path, "a", "3", dir)!;
  assert.equal(grown.status, "success");
  assert.deepEqual(grown.scalars, readRunDirAfterFix(path, dir).scalars);
  index.close();
  // Rewritten near the end of what was read: read again in full (the scribble at byte 0 is now seen: it breaks line 1).
  const size = statSync(path).size;
  scribble(path, size - 10, "9", false);
  index = new LogIndex(file);
  assert.throws(() => index.run("s", "a/seed-3", path, "a", "3", dir), /metrics\.jsonl:1: malformed JSON line/);
  index.close();
});

/** The file as it would read without the scribble at byte 0 (restored, read, scribbled again). */
function readRunDirAfterFix(path: string, dir: string): ReturnType<typeof readRunDir> & object {
  const text = readFileSync(path, "utf8");
  const st = statSync(path);
  writeFileSync(path, "{" + text.slice(1));
  const run = readRunDir(dir, "a", "3")!;
  writeFileSync(path, text);
  utimesSync(path, st.atime, st.mtime);
  return run;
}

test("a damaged index is set aside and rebuilt; a study read through the index equals the study read from its logs", async () => {
  const logdir = join(root, "damaged");
  writeFixture(logdir, { seeds: 4, steps: 25, checks: true });
  const file = join(root, "damaged-index", "logs.sqlite");
  mkdirSync(join(root, "damaged-index"), { recursive: true });
  writeFileSync(file, "this is not a SQLite database, it is long enough to have a header page of text ".repeat(80));
  const source = new LogDirSource(logdir, { index: file });
  const read = async () => {
    const stream = (await source.openStudy("ab"))!;
    const runs = [], checks = [];
    for await (const g of stream.groups) {
      runs.push(...g.runs);
      checks.push(...g.checks);
    }
    return { runs, checks };
  };
  const direct = loadStudyDir(join(logdir, "ab"));
  for (let pass = 0; pass < 2; pass++) {
    const got = await read();
    assert.deepEqual(got.runs, direct.runs, `pass ${pass}`);
    assert.deepEqual(got.checks.filter((c) => c.lines.length > 0), direct.checks.filter((c) => c.lines.length > 0), `pass ${pass}`);
  }
  await source.close();
  assert.ok(readdirSync(join(root, "damaged-index")).some((f) => f.startsWith("logs.sqlite.damaged-")), "the damaged file is kept beside the new index");
});

test("a saved view is shown after a restart while the data is unchanged, and built again once a log changes", async () => {
  const logdir = join(root, "saved");
  writeFixture(logdir, { seeds: 5, steps: 30 });
  const file = join(root, "saved.sqlite");
  const open = () => {
    const source = new LogDirSource(logdir, { index: file });
    return { source, builder: new ViewBuilder(source) };
  };
  let { source, builder } = open();
  const built = (await builder.view("ab", {}))!;
  assert.equal(built.seedsRead, 5);
  await builder.close();
  await source.close();
  ({ source, builder } = open());
  const restarted = (await builder.view("ab", {}))!;
  assert.equal(restarted.seedsRead, 0, "taken from the index");
  assert.equal(restarted.html, built.html);
  // Another metric is another view (built from the accumulator made behind the saved one).
  assert.equal((await builder.view("ab", { metric: "eval/loss" }))!.metric, "eval/loss");
  // The accumulator was built behind the saved view: a line appended to one run re-reads its seed only.
  appendFileSync(join(logdir, "ab", "baseline", "seed-2", "metrics.jsonl"), JSON.stringify({ kind: "scalars", step: 31, wall_time: 0, values: { "train/loss": 0.2 } }) + "\n");
  const updated = (await builder.view("ab", {}))!;
  assert.equal(updated.seedsRead, 1);
  assert.notEqual(updated.html, built.html);
  await builder.close();
  await source.close();
  // After a restart the saved view is the updated one.
  ({ source, builder } = open());
  const again = (await builder.view("ab", {}))!;
  assert.equal(again.seedsRead, 0);
  assert.equal(again.html, updated.html);
  await builder.close();
  await source.close();
});

test("warmed at start, a restarted dashboard's first update re-reads only the changed seed (the studies of the views saved last, up to two)", async () => {
  const logdir = join(root, "warm");
  writeFixture(logdir, { seeds: 6, steps: 30 });
  const file = join(root, "warm.sqlite");
  const open = () => {
    const source = new LogDirSource(logdir, { index: file });
    return { source, builder: new ViewBuilder(source) };
  };
  let { source, builder } = open();
  const built = (await builder.view("ab", {}))!;
  await builder.close();
  assert.deepEqual(source.savedViews()!.keys().map((k) => k.split("\u0000")[0]), ["ab"]);
  await source.close();
  // Without the accumulator saved at the stop (a dashboard that crashed): warm() builds it from the index.
  const db = new Database(file);
  assert.equal(db.prepare("DELETE FROM accumulator_files").run().changes, 1);
  db.close();
  ({ source, builder } = open());
  await builder.warm();
  // The data changed before any view was asked for: the saved view is not current, and without the warm every seed would be read.
  appendFileSync(join(logdir, "ab", "baseline", "seed-2", "metrics.jsonl"), JSON.stringify({ kind: "scalars", step: 31, wall_time: 0, values: { "train/loss": 0.2 } }) + "\n");
  const updated = (await builder.view("ab", {}, new Set([join("baseline", "seed-2", "metrics.jsonl")])))!;
  assert.equal(updated.seedsRead, 1, "the accumulator was built by warm()");
  assert.notEqual(updated.html, built.html);
  // The same view as one built from nothing.
  const fresh = new ViewBuilder(new LogDirSource(logdir));
  const rebuilt = (await fresh.view("ab", {}))!;
  assert.equal(rebuilt.seedsRead, 6);
  assert.equal(updated.html, rebuilt.html);
  await fresh.close();
  await builder.close();
  await source.close();
});

test("the index lives outside the log folder: $TWIN_INDEX_DIR, else the user's cache directory, one file per folder", () => {
  const a = defaultIndexFile("/data/runs", { TWIN_INDEX_DIR: "/idx" });
  assert.match(a, /^\/idx\/runs-[0-9a-f]{16}\.sqlite$/);
  assert.notEqual(a, defaultIndexFile("/other/runs", { TWIN_INDEX_DIR: "/idx" }));
  assert.match(defaultIndexFile("/data/runs", { XDG_CACHE_HOME: "/cache" }), /^\/cache\/twin\/serve\/runs-/);
  assert.ok(!existsSync(join(root, "saved", ".twin-index")));
});

test("the dashboard, started again on the same index, answers the first view with the saved one", async () => {
  const logdir = join(root, "dash");
  writeFixture(logdir, { seeds: 4, steps: 20 });
  const index = join(root, "dash.sqlite");
  const getJson = async (url: string): Promise<Record<string, unknown>> => (await (await fetch(url)).json()) as Record<string, unknown>;
  const first = await startDashboard({ source: new LogDirSource(logdir, { index }), port: 0, pollMs: 100 });
  const built = await getJson(first.url + "api/studies/ab");
  assert.equal(built.seedsRead, 4);
  await first.close();
  const second = await startDashboard({ source: new LogDirSource(logdir, { index }), port: 0, pollMs: 100 });
  try {
    const shown = await getJson(second.url + "api/studies/ab");
    assert.equal(shown.seedsRead, 0);
    assert.equal(shown.html, built.html);
    const list = (await getJson(second.url + "api/studies")).studies as { name: string; runs: number }[];
    assert.deepEqual(list.map((s) => [s.name, s.runs]), [["ab", 12]]);
  } finally {
    await second.close();
  }
});

test("an index that cannot be opened is said once, and the logs are read without it", async () => {
  const logdir = join(root, "noindex");
  writeFixture(logdir, { seeds: 2, steps: 10 });
  const blocker = join(root, "a-file");
  writeFileSync(blocker, "");
  const source = new LogDirSource(logdir, { index: join(blocker, "index.sqlite") });
  const said: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => (said.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    assert.deepEqual((await source.listStudies()).map((s) => s.runs), [6]);
    const runs = [];
    for await (const g of (await source.openStudy("ab"))!.groups) runs.push(...g.runs);
    assert.deepEqual(runs, loadStudyDir(join(logdir, "ab")).runs);
  } finally {
    process.stderr.write = write;
  }
  assert.equal(said.length, 1);
  assert.match(said[0]!, /index .*a-file\/index\.sqlite cannot be used .*reading every log instead/);
});

test("a view saved by an older version (format 1, before the key carried one: SVG figures) is built again, not shown", async () => {
  const logdir = join(root, "old-format");
  writeFixture(logdir, { seeds: 3, steps: 20 });
  const file = join(root, "old-format.sqlite");
  let source = new LogDirSource(logdir, { index: file });
  let builder = new ViewBuilder(source);
  const built = (await builder.view("ab", {}))!;
  await builder.close();
  await source.close();
  // As session 6 saved it: the same data's signature, under the key without a format, its charts as SVG.
  const db = new Database(file);
  const row = db.prepare<[], { key: string; signature: string }>("SELECT key, signature FROM views").get()!;
  assert.equal(row.key, savedViewKey("ab", {}));
  const old = { ...(JSON.parse(JSON.stringify(built)) as Record<string, unknown>), html: "<p>old</p>", charts: [{ id: "curve-val-accuracy", svg: "<svg>old</svg>" }] };
  db.prepare("DELETE FROM views").run();
  db.prepare("INSERT INTO views (key, signature, body) VALUES (?, ?, ?)").run("ab\u0000{}", row.signature, JSON.stringify(old));
  db.close();
  source = new LogDirSource(logdir, { index: file });
  assert.equal(await savedView(source, "ab", {}), undefined, "the server's first answer does not take it");
  builder = new ViewBuilder(source);
  // Built again (from the accumulator saved at close, which has its own format number), not the old view.
  const shown = (await builder.view("ab", {}))!;
  assert.equal(shown.html, built.html);
  assert.deepEqual(shown.charts, built.charts);
  await builder.close();
  await source.close();
  assert.throws(() => parseSavedViewKey("ab\u0000{}"), new RegExp(`a view saved in format 1, not ${SAVED_VIEW_FORMAT}`));
});
