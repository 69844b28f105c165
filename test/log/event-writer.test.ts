import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  EventFileWriter,
  listEventFiles,
  readEventDir,
  readEventFile,
  TFRecordCorruptionError,
} from "../../src/log/index.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "twin-log-"));
const PYTHON = "/usr/bin/python3";
const PARSER = fileURLToPath(new URL("./parse_events.py", import.meta.url));

/** A deterministic set of scalars: several tags, irregular steps, awkward values. */
function sampleScalars() {
  const out: { tag: string; step: number; value: number; wallTime: number }[] = [];
  let x = 0.123456789;
  for (let i = 0; i < 300; i++) {
    x = (x * 9301 + 0.49297) % 1;
    const step = i * 17 + (i % 3);
    out.push({ tag: "train/loss", step, value: 2.5 * Math.exp(-i / 50) + x * 1e-3, wallTime: 1.7e9 + i * 0.25 });
    if (i % 10 === 0) out.push({ tag: "val/acc", step, value: 0.5 + i / 1000, wallTime: 1.7e9 + i * 0.25 + 0.125 });
  }
  out.push({ tag: "edge", step: 0, value: 0, wallTime: 1.7e9 });
  out.push({ tag: "edge", step: 1, value: -1e-40, wallTime: 1.7e9 }); // float32 subnormal
  out.push({ tag: "edge", step: 2 ** 40, value: 3.4e38, wallTime: 1.7e9 });
  return out;
}

test("event writer: file name, version event first, every scalar round-trips", () => {
  const dir = tmp();
  const w = new EventFileWriter(dir, { flushEvery: 7 });
  const scalars = sampleScalars();
  for (const s of scalars) w.addScalar(s.tag, s.value, s.step, s.wallTime);
  w.addText("note", "fingerprint: abc123", 5, 1.7e9 + 1);
  w.close();
  assert.match(basename(w.path), /^events\.out\.tfevents\.\d{10}\.[^/]+\.\d+\.\d+$/);
  assert.ok(basename(w.path).includes(`.${process.pid}.`));

  const { events, truncatedAt } = readEventFile(w.path);
  assert.equal(truncatedAt, undefined);
  assert.equal(events[0]!.fileVersion, "brain.Event:2");
  assert.equal(events[0]!.summary, undefined);

  const data = readEventDir(dir);
  assert.equal(data.scalars.length, scalars.length);
  for (const [i, s] of scalars.entries()) {
    const got = data.scalars[i]!;
    assert.equal(got.tag, s.tag);
    assert.equal(got.step, s.step);
    assert.equal(got.wallTime, s.wallTime);
    // simple_value is a float32: the value read back is the float32 nearest to what was logged.
    assert.equal(got.value, Math.fround(s.value), `${s.tag}@${s.step}`);
  }
  assert.deepEqual(data.texts, [{ tag: "note", step: 5, text: "fingerprint: abc123", wallTime: 1.7e9 + 1 }]);
});

test("event writer: addScalars writes one event with all values", () => {
  const dir = tmp();
  const w = new EventFileWriter(dir);
  w.addScalars({ a: 1, b: 2, c: 3 }, 10, 5);
  w.close();
  const { events } = readEventFile(w.path);
  assert.equal(events.length, 2);
  assert.deepEqual(events[1]!.summary!.map((v) => v.tag), ["a", "b", "c"]);
  assert.equal(events[1]!.step, 10);
});

test("event writer: buffered until flush; flushed data survives an abandoned writer", () => {
  const dir = tmp();
  const w = new EventFileWriter(dir, { flushEvery: 1000, flushSecs: 3600 });
  const afterHeader = statSync(w.path).size;
  assert.ok(afterHeader > 0, "the version event is written at once");
  w.addScalar("x", 1, 1);
  assert.equal(statSync(w.path).size, afterHeader, "buffered");
  w.flush();
  assert.ok(statSync(w.path).size > afterHeader);
  w.addScalar("x", 2, 2); // never flushed: as if the process were killed now
  assert.deepEqual(readEventDir(dir).scalars.map((s) => s.value), [1]);
  w.close();
  assert.deepEqual(readEventDir(dir).scalars.map((s) => s.value), [1, 2]);
  assert.throws(() => w.addScalar("x", 3, 3), /closed/);
  w.close(); // idempotent
});

test("event writer: flushes every N records", () => {
  const dir = tmp();
  const w = new EventFileWriter(dir, { flushEvery: 3, flushSecs: 3600 });
  for (let i = 0; i < 7; i++) w.addScalar("x", i, i);
  assert.equal(readEventDir(dir).scalars.length, 6);
  w.close();
  assert.equal(readEventDir(dir).scalars.length, 7);
});

test("event writer: reopening a directory appends a new file; the reader reads all in order", () => {
  const dir = tmp();
  const a = new EventFileWriter(dir);
  a.addScalar("loss", 1, 0);
  a.addScalar("loss", 2, 1);
  a.close();
  const b = new EventFileWriter(dir);
  b.addScalar("loss", 3, 2);
  b.close();
  assert.notEqual(a.path, b.path);
  assert.deepEqual(listEventFiles(dir), [a.path, b.path]);
  assert.deepEqual(readEventDir(dir).scalars.map((s) => [s.step, s.value]), [[0, 1], [1, 2], [2, 3]]);
  assert.ok(existsSync(a.path));
});

test("event reader: a truncated last record is tolerated", () => {
  const dir = tmp();
  const w = new EventFileWriter(dir);
  for (let i = 0; i < 5; i++) w.addScalar("x", i, i);
  w.close();
  const full = statSync(w.path).size;
  truncateSync(w.path, full - 3); // a killed writer: last record cut short
  const data = readEventDir(dir);
  assert.deepEqual(data.scalars.map((s) => s.value), [0, 1, 2, 3]);
  assert.equal(data.truncated.length, 1);
  assert.equal(data.truncated[0]!.file, w.path);
});

test("event reader: a corrupted byte in the middle is a clear CRC error", () => {
  const dir = tmp();
  const w = new EventFileWriter(dir);
  for (let i = 0; i < 5; i++) w.addScalar("some/tag", i, i);
  w.close();
  const bytes = readFileSync(w.path);
  const { events } = readEventFile(w.path);
  assert.equal(events.length, 6);
  bytes[Math.floor(bytes.length / 2)]! ^= 0x10;
  writeFileSync(w.path, bytes);
  assert.throws(
    () => readEventDir(dir),
    (err: unknown) => err instanceof TFRecordCorruptionError && err.file === w.path && /CRC mismatch/.test(err.message),
  );
});

test("event writer: independent check with a Python parser (own CRC32C and varint decoder)", (t) => {
  if (!existsSync(PYTHON)) {
    t.skip(`${PYTHON} is missing: skipping the independent Python check of the event file format`);
    return;
  }
  const dir = tmp();
  const w = new EventFileWriter(dir, { flushEvery: 5 });
  const scalars = sampleScalars();
  for (const s of scalars) w.addScalar(s.tag, s.value, s.step, s.wallTime);
  w.addText("fingerprint", "code: 1a2b3c\ndata: ünï", 3);
  w.addHparams({ lr: 0.001, opt: "adam", bn: true, depth: 4 }, { groupName: "study/variant" });
  w.addHparamsEnd("success");
  w.close();
  const res = spawnSync(PYTHON, [PARSER, w.path], { encoding: "utf8" });
  assert.equal(res.status, 0, res.stderr);
  const py = JSON.parse(res.stdout) as {
    file_version: string;
    scalars: { tag: string; step: number; value: number; wall_time: number }[];
    texts: { tag: string; step: number; text: string }[];
    plugins: Record<string, string>;
    session_start: { hparams: Record<string, unknown>; group_name: string };
    session_end_status: number;
  };
  assert.equal(py.file_version, "brain.Event:2");
  assert.deepEqual(
    py.scalars,
    scalars.map((s) => ({ tag: s.tag, step: s.step, value: Math.fround(s.value), wall_time: s.wallTime })),
  );
  assert.deepEqual(py.texts, [{ tag: "fingerprint", step: 3, text: "code: 1a2b3c\ndata: ünï" }]);
  assert.equal(py.plugins["fingerprint"], "text");
  assert.equal(py.plugins["_hparams_/session_start_info"], "hparams");
  assert.deepEqual(py.session_start, { hparams: { lr: 0.001, opt: "adam", bn: true, depth: 4 }, group_name: "study/variant" });
  assert.equal(py.session_end_status, 1);
});
