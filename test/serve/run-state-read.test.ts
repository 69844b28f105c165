// readAppended (run-state.ts), which reads twin's scalars lines with the
// scanner of log/scalars-line.ts and every other line with JSON.parse, against
// a reader that parses every line with JSON.parse: the same series, status,
// hyper-parameters, notes, bytes and lines read, whether the file is read at
// once, in appended pieces, or holds a line longer than the read buffer.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromJsonNumber, readMetricsJsonl } from "../../src/log/metrics-jsonl.ts";
import { JsonlLineTooLongError, MAX_LINE_BYTES } from "../../src/log/jsonl.ts";
import { writeLongLineFiles } from "../log/long-lines.ts";
import { emptyRunState, encodeRunState, readAppended, runDataOf, type RunState } from "../../src/report/sources/run-state.ts";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Xoshiro128 } from "../../src/stats/random.ts";
import { pointsOf } from "../../src/report/series.ts";
import { bytesBefore } from "../../src/report/sources/run-index.ts";

const root = mkdtempSync(join(tmpdir(), "twin-run-state-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** The run as a JSON.parse-per-line reader sees the complete lines of `text`: step → value per tag (the last written), status, hparams, notes (a note over 4,096 characters clipped, saying so). */
function reference(text: string) {
  const complete = text.slice(0, text.lastIndexOf("\n") + 1);
  const series = new Map<string, Map<number, number>>();
  let status: string | undefined;
  let hparams: unknown;
  const notes: string[] = [];
  let fingerprint: string | undefined;
  const lines = complete.split("\n").slice(0, -1);
  for (const [i, raw] of lines.entries()) {
    if (raw.trim() === "") continue;
    const r = JSON.parse(raw) as { kind: string; step: number; values: Record<string, unknown>; tag: string; text: string; status: string; hparams: unknown };
    if (r.kind === "scalars") {
      for (const tag in r.values) {
        if (!series.has(tag)) series.set(tag, new Map());
        series.get(tag)!.set(r.step, fromJsonNumber(r.values[tag]));
      }
    } else if (r.kind === "text") {
      if (r.tag === "fingerprint") fingerprint = r.text;
      else {
        const text = r.text.length <= 4096 ? r.text : `${r.text.slice(0, 4096)}… [clipped: the text has ${r.text.length.toLocaleString("en-US")} characters, the first 4,096 are kept; the whole text is line ${i + 1} of the run's metrics.jsonl]`;
        notes.push(`${r.tag} (step ${r.step}): ${text}`);
      }
    } else if (r.kind === "hparams") hparams = r.hparams;
    else if (r.kind === "end") status = r.status;
  }
  const scalars: Record<string, { step: number; value: number }[]> = {};
  for (const tag of [...series.keys()].sort()) scalars[tag] = [...series.get(tag)!].sort((a, b) => a[0] - b[0]).map(([step, value]) => ({ step, value }));
  return { scalars, status: status ?? "running", hparams, notes, fingerprint, offset: Buffer.byteLength(complete), lines: lines.length };
}

function assertSame(state: RunState, text: string): void {
  const want = reference(text);
  const run = runDataOf(state, "v", "1", "here");
  assert.equal(state.offset, want.offset);
  assert.equal(state.lines, want.lines);
  assert.deepEqual(Object.keys(run.scalars), Object.keys(want.scalars));
  for (const tag of Object.keys(want.scalars)) {
    const got = pointsOf(run.scalars[tag]!), exp = want.scalars[tag]!;
    assert.equal(got.length, exp.length, tag);
    for (let i = 0; i < exp.length; i++) {
      assert.ok(Object.is(got[i]!.step, exp[i]!.step) && Object.is(got[i]!.value, exp[i]!.value), `${tag}[${i}]: ${JSON.stringify(got[i])} vs ${JSON.stringify(exp[i])}`);
    }
  }
  assert.equal(run.status, want.status);
  assert.deepEqual(run.hparams, want.hparams);
  assert.deepEqual(run.notes ?? [], want.notes);
  assert.equal(run.fingerprint, want.fingerprint);
}

/** A run's lines: twin's own, resumed steps, NaN/Infinity, -0, other spellings (whitespace, CRLF, escapes, unicode, index tags), blank lines. */
function runText(r: Xoshiro128, steps: number): string {
  const out = [JSON.stringify({ kind: "hparams", wall_time: 0, hparams: { variant: "v", seed: "1", "seeds.init": 1 }, metrics: ["val/acc"] })];
  out.push(JSON.stringify({ kind: "text", step: 0, wall_time: 0, tag: "fingerprint", text: "sha256:x" }));
  for (let k = 0; k < steps; k++) {
    const step = r.nextInt(5) === 0 ? r.nextInt(steps) : k;
    const v = (r.nextFloat() - 0.5) * 10 ** (r.nextInt(20) - 10);
    const line = JSON.stringify({ kind: "scalars", step, wall_time: 1.7e9 + k / 3, values: { "train/loss": v, ...(k % 7 === 0 ? { "eval/acc": ["NaN", "Infinity", "-Infinity", -0, 1e-320][r.nextInt(5)] } : {}) } });
    switch (r.nextInt(25)) {
      case 0:
        out.push(line.replace(":{", ": {"));
        break;
      case 1:
        out.push(`${line}\r`);
        break;
      case 2:
        out.push("", "  ");
        out.push(line);
        break;
      case 3:
        out.push(line.replace('"train/loss"', '"train\\u002floss"'));
        break;
      case 4:
        out.push(line.replace('"train/loss"', '"7"'), line.replace('"train/loss"', '"état"'));
        break;
      case 5:
        out.push(JSON.stringify({ kind: "text", step, wall_time: 0, tag: "note", text: `step ${step} ✓` }));
        out.push(line);
        break;
      default:
        out.push(line);
    }
  }
  out.push(JSON.stringify({ kind: "end", wall_time: steps, status: "success" }));
  return out.join("\n") + "\n";
}

test("run-state: readAppended reads as JSON.parse line by line does, at once and in appended pieces", () => {
  const r = new Xoshiro128(11);
  for (let run = 0; run < 20; run++) {
    const text = runText(r, 50 + r.nextInt(400));
    const path = join(root, `run-${run}.jsonl`);
    writeFileSync(path, text);
    const whole = emptyRunState();
    readAppended(path, whole, statSync(path).size);
    assertSame(whole, text);
    // The same bytes appended in pieces cut anywhere (a fragment waits for its newline).
    const bytes = Buffer.from(text, "utf8");
    const piecewise = join(root, `piecewise-${run}.jsonl`);
    writeFileSync(piecewise, "");
    const state = emptyRunState();
    for (let at = 0; at < bytes.length; ) {
      const next = Math.min(bytes.length, at + 1 + r.nextInt(3000));
      appendFileSync(piecewise, bytes.subarray(at, next));
      // The bytes before the new offset (the index's tail check), as read from the file; 0: none asked.
      const tail = readAppended(piecewise, state, statSync(piecewise).size, run % 2 === 0 ? 64 : 0);
      assertSame(state, bytes.subarray(0, next).toString("utf8"));
      assert.deepEqual(tail, run % 2 === 0 ? bytesBefore(piecewise, state.offset, 64) : Buffer.alloc(0));
      at = next;
    }
  }
});

test("run-state: a line longer than the read buffer, and a malformed line named by its number", () => {
  const long = JSON.stringify({ kind: "text", step: 1, wall_time: 0, tag: "note", text: "x".repeat(5 << 20) });
  const text = [JSON.stringify({ kind: "scalars", step: 1, wall_time: 0, values: { a: 1.5 } }), long, JSON.stringify({ kind: "scalars", step: 2, wall_time: 0, values: { a: 2.5 } })].join("\n") + "\n";
  const path = join(root, "long.jsonl");
  writeFileSync(path, text);
  const state = emptyRunState();
  // The tail from the last read of the buffer, which the long line made grow.
  assert.deepEqual(readAppended(path, state, statSync(path).size, 64), bytesBefore(path, state.offset, 64));
  assertSame(state, text);
  const bad = join(root, "bad.jsonl");
  writeFileSync(bad, '{"kind":"scalars","step":1,"wall_time":0,"values":{"a":1}}\n{"kind":"scalars","step":2,"wall_time":0,"values":{"a":01}}\n');
  assert.throws(() => readAppended(bad, emptyRunState(), statSync(bad).size), /bad\.jsonl:2: malformed JSON line/);
});

test("run-state: a 54 MB note is kept as its head and its length, not whole (nor the read buffer it needed)", async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const text = "log line ✓\n".repeat(4 << 20);
  const path = join(root, "huge-note.jsonl");
  const lines = [
    JSON.stringify({ kind: "scalars", step: 1, wall_time: 0, values: { a: 1.5 } }),
    JSON.stringify({ kind: "text", step: 3, wall_time: 0, tag: "stdout", text }),
    JSON.stringify({ kind: "scalars", step: 2, wall_time: 0, values: { a: 2.5 } }),
    JSON.stringify({ kind: "end", wall_time: 0, status: "success" }),
  ];
  writeFileSync(path, lines.join("\n") + "\n");
  assert.ok(statSync(path).size > 50e6 && statSync(path).size < MAX_LINE_BYTES);
  gc();
  const before = process.memoryUsage();
  const state = emptyRunState();
  readAppended(path, state, statSync(path).size);
  // Buffers' memory is given back after a collection, once the event loop turns.
  gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
  const afterRead = process.memoryUsage();
  const run = runDataOf(state, "v", "1", "here");
  assert.deepEqual(pointsOf(run.scalars["a"]!), [{ step: 1, value: 1.5 }, { step: 2, value: 2.5 }]);
  assert.equal(run.status, "success");
  assert.equal(run.notes!.length, 1);
  assert.equal(run.notes![0], `stdout (step 3): ${text.slice(0, 4096)}… [clipped: the text has 46,137,344 characters, the first 4,096 are kept; the whole text is line 2 of the run's metrics.jsonl]`);
  // Neither the text (a slice would keep it alive), nor the line's bytes, nor a grown read buffer stay in memory.
  const grown = (afterRead.heapUsed + afterRead.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1e6;
  assert.ok(grown < 20, `${grown.toFixed(1)} MB more in memory after reading the note`);
  assert.ok(encodeRunState(state).length < 10_000);
});

test("run-state: a line over 64 MiB is read as readMetricsJsonl reads it: a text note passed over with its tag and step, any other line called too long", () => {
  const { note, other } = writeLongLineFiles(root);
  const state = emptyRunState();
  readAppended(note, state, statSync(note).size, 64);
  const run = runDataOf(state, "v", "0", "here");
  assert.deepEqual(pointsOf(run.scalars["val/acc"]!), [{ step: 1, value: 0.5 }, { step: 2, value: 0.75 }]);
  assert.deepEqual(run.notes, ["dump (step 1): (a text of more than 64 MiB, left out: twin reads lines of up to 67108864 bytes)"]);
  assert.equal(run.status, "success");
  assert.equal(state.lines, readMetricsJsonlLines(note));
  assert.equal(state.offset, statSync(note).size);
  assert.throws(() => readAppended(other, emptyRunState(), statSync(other).size), (e: Error) => e instanceof JsonlLineTooLongError && /long-other\.jsonl:2: a line longer than 64 MiB \(67108864 bytes\)/.test(e.message));
  assert.throws(() => readMetricsJsonl(other), /long-other\.jsonl:2: a line longer than 64 MiB/);
  // A long line not yet ended (being written) is left until its newline is.
  const writing = join(root, "writing.jsonl");
  writeFileSync(writing, `{"kind":"scalars","step":1,"wall_time":0,"values":{"a":1}}\n{"kind":"text","step":2,"wall_time":0,"tag":"t","text":"${"z".repeat(65 << 20)}`);
  const partial = emptyRunState();
  readAppended(writing, partial, statSync(writing).size);
  assert.equal(partial.lines, 1);
  assert.deepEqual(partial.notes, []);
  appendFileSync(writing, '"}\n{"kind":"scalars","step":3,"wall_time":0,"values":{"a":3}}\n');
  readAppended(writing, partial, statSync(writing).size);
  assert.deepEqual(pointsOf(runDataOf(partial, "v", "0", "here").scalars["a"]!), [{ step: 1, value: 1 }, { step: 3, value: 3 }]);
  assert.deepEqual(partial.notes, ["t (step 2): (a text of more than 64 MiB, left out: twin reads lines of up to 67108864 bytes)"]);
});

/** Lines of a file as readMetricsJsonl counts them (every newline). */
function readMetricsJsonlLines(path: string): number {
  return readFileSync(path).reduce((n, b) => n + (b === 0x0a ? 1 : 0), 0);
}
