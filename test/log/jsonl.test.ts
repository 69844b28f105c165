import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonlParseError, JsonlWriter, parseJsonl, readJsonl } from "../../src/log/index.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "twin-log-"));

test("jsonl: write then read back", () => {
  const path = join(tmp(), "sub", "a.jsonl");
  const w = new JsonlWriter(path);
  const rows = [{ a: 1 }, { b: "x\ny" }, [1, 2], "s", 3.25, null, { nested: { deep: [true] } }];
  for (const r of rows) w.write(r);
  w.close();
  assert.deepEqual(readJsonl(path).records, rows);
  assert.equal(readFileSync(path, "utf8").split("\n").length, rows.length + 1);
  assert.throws(() => w.write({}), /closed/);
});

test("jsonl: buffered until flushEvery, flush() or close()", () => {
  const path = join(tmp(), "b.jsonl");
  const w = new JsonlWriter(path, { flushEvery: 3, flushSecs: 3600 });
  w.write(1);
  w.write(2);
  assert.deepEqual(readJsonl(path).records, []);
  w.write(3);
  assert.deepEqual(readJsonl(path).records, [1, 2, 3]);
  w.write(4);
  w.flush();
  assert.deepEqual(readJsonl(path).records, [1, 2, 3, 4]);
  w.write(5);
  w.close();
  assert.deepEqual(readJsonl(path).records, [1, 2, 3, 4, 5]);
});

test("jsonl: a truncated last line is skipped", () => {
  const r = parseJsonl('{"a":1}\n{"a":2}\n{"a":', "f.jsonl");
  assert.deepEqual(r.records, [{ a: 1 }, { a: 2 }]);
  assert.equal(r.truncatedLine, 3);
  // a last line that lost only its newline is complete
  assert.deepEqual(parseJsonl('{"a":1}\n{"a":2}').records, [{ a: 1 }, { a: 2 }]);
  // blank lines and CRLF are fine
  assert.deepEqual(parseJsonl('{"a":1}\r\n\n  \n{"a":2}\n').records, [{ a: 1 }, { a: 2 }]);
});

test("jsonl: a malformed line in the middle is an error naming the line", () => {
  assert.throws(
    () => parseJsonl('{"a":1}\n{"a":2}\n{oops}\n{"a":4}\n', "runs/metrics.jsonl"),
    (err: unknown) => err instanceof JsonlParseError && err.line === 3 && /runs\/metrics\.jsonl:3: malformed/.test(err.message),
  );
  // a malformed last line that does end with a newline was written whole: an error too
  assert.throws(() => parseJsonl('{"a":1}\n{bad\n'), /:2: malformed/);
});

test("jsonl: reopening after a crash drops a cut-off tail, keeps a complete one", () => {
  const dir = tmp();
  const cut = join(dir, "cut.jsonl");
  writeFileSync(cut, '{"a":1}\n{"a":2}\n{"a":3');
  const w = new JsonlWriter(cut);
  w.write({ a: 4 });
  w.close();
  assert.deepEqual(readJsonl(cut).records, [{ a: 1 }, { a: 2 }, { a: 4 }]);

  const whole = join(dir, "whole.jsonl");
  writeFileSync(whole, '{"a":1}\n{"a":2}');
  const w2 = new JsonlWriter(whole);
  w2.write({ a: 3 });
  w2.close();
  assert.deepEqual(readJsonl(whole).records, [{ a: 1 }, { a: 2 }, { a: 3 }]);

  const appended = join(dir, "append.jsonl");
  appendFileSync(appended, '{"a":1}\n');
  const w3 = new JsonlWriter(appended);
  w3.write({ a: 2 });
  w3.close();
  assert.deepEqual(readJsonl(appended).records, [{ a: 1 }, { a: 2 }]);
});
