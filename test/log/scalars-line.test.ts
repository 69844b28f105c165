// The scalars-line scanner against JSON.parse: on every line it accepts, it must
// give exactly (Object.is: -0 and NaN included) the step, wall_time, tags in
// for…in order and values (through fromJsonNumber) that JSON.parse gives; it
// must never accept a line JSON.parse rejects or reads otherwise. The lines are
// generated with numbers in every JSON spelling, tags with escapes, unicode,
// array-index names and duplicates, whitespace, and broken variants (scalars-lines.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { newScalarsLine, scanScalarsLine } from "../../src/log/scalars-line.ts";
import { Xoshiro128 } from "../../src/stats/random.ts";
import { BAD_NUMBERS, jsonNumber, line, reference, SPECIAL, twinsOwn, type Read } from "./scalars-lines.ts";

const out = newScalarsLine();

/** The scanner's reading of the line (given as UTF-8 bytes, with a newline after it), or undefined when it declines. */
function scanned(line: string): Read | undefined {
  const bytes = Buffer.from(`${line}\n{"kind":"end"}\n`, "utf8");
  const end = bytes.indexOf(0x0a);
  if (!scanScalarsLine(bytes, 0, end, out)) return undefined;
  return { step: out.step, wallTime: out.wallTime, tags: out.tags.slice(0, out.n), values: out.values.slice(0, out.n) };
}

function same(a: number, b: number): boolean {
  return Object.is(a, b);
}

/** Checks one line; returns whether the scanner accepted it. */
function check(line: string): boolean {
  const got = scanned(line);
  const want = reference(line);
  if (got === undefined) {
    assert.ok(!twinsOwn(line, want), `the scanner declined a line in twin's own form: ${line}`);
    return false;
  }
  assert.ok(want, `the scanner accepted a line JSON.parse does not read as a scalars line: ${line}`);
  assert.ok(same(got.step, want.step), `step of ${line}: ${got.step} vs ${want.step}`);
  assert.ok(same(got.wallTime, want.wallTime), `wall_time of ${line}: ${got.wallTime} vs ${want.wallTime}`);
  assert.deepEqual(got.tags, want.tags, line);
  for (let k = 0; k < want.values.length; k++) assert.ok(same(got.values[k]!, want.values[k]!), `value ${k} of ${line}: ${got.values[k]} vs ${want.values[k]}`);
  return true;
}

test("scalars-line: agrees with JSON.parse on generated lines, and takes every one in twin's own form", () => {
  const r = new Xoshiro128(20261130);
  let accepted = 0;
  const lines = 60_000;
  for (let k = 0; k < lines; k++) if (check(line(r))) accepted++;
  // Both ways are exercised: about a quarter of these lines are taken, the rest go to JSON.parse.
  assert.ok(accepted > lines / 6 && accepted < lines / 2, `the scanner took ${accepted} of ${lines} lines`);
});

test("scalars-line: every JSON number spelling reads to JSON.parse's double", () => {
  const r = new Xoshiro128(7);
  const all = [...SPECIAL];
  for (let k = 0; k < 100_000; k++) all.push(jsonNumber(r));
  for (const x of all) {
    const l = `{"kind":"scalars","step":${x},"wall_time":${x},"values":{"v":${x}}}`;
    assert.ok(check(l), `a valid number was declined: ${x}`);
  }
  for (const x of BAD_NUMBERS) assert.equal(scanned(`{"kind":"scalars","step":1,"wall_time":2,"values":{"v":${x}}}`), undefined, x);
});

test("scalars-line: twin's own lines, as RunLogger writes them, are taken", () => {
  const values = { "train/loss": 0.1 + 0.2, "eval/accuracy": -0, "val/f1": "NaN", "grad/norm": "Infinity", "neg": "-Infinity", "big": 1.7976931348623157e308, "tiny": 5e-324 };
  const l = JSON.stringify({ kind: "scalars", step: 12, wall_time: 1712345678.25, values });
  assert.ok(check(l));
  assert.deepEqual(scanned(l)?.tags, Object.keys(values));
  assert.ok(check('{"kind":"scalars","step":0,"wall_time":0,"values":{}}'));
  // Declined, to JSON.parse: an array-index tag (for…in puts it first), a duplicated tag, an escape, a non-ASCII tag.
  for (const l of [
    '{"kind":"scalars","step":1,"wall_time":2,"values":{"b":1,"7":2}}',
    '{"kind":"scalars","step":1,"wall_time":2,"values":{"a":1,"a":2}}',
    '{"kind":"scalars","step":1,"wall_time":2,"values":{"\\u0061":1}}',
    '{"kind":"scalars","step":1,"wall_time":2,"values":{"é":1}}',
  ]) assert.equal(scanned(l), undefined, l);
});
