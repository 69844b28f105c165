/**
 * A results record with a metric twice is an error naming the line (or the
 * columns) and the key: JSON.parse and a header lookup would keep one value
 * silently, and the verdict would rest on whichever came last.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readResults } from "../../src/study/results-file.ts";
import { duplicateJsonKey } from "../../src/study/json-duplicate-key.ts";

function withFile<T>(name: string, text: string, use: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "twin-dup-"));
  try {
    const file = join(dir, name);
    writeFileSync(file, text);
    return use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("duplicateJsonKey finds a key written twice in one object, at any depth, and nothing else", () => {
  assert.equal(duplicateJsonKey('{"a":1,"b":2,"a":3}'), "a");
  assert.equal(duplicateJsonKey('{"a": {"x": 1, "x": 2}}'), "x");
  assert.equal(duplicateJsonKey('{"a\\u0062":1,"ab":2}'), "ab", "escapes are decoded before comparing");
  assert.equal(duplicateJsonKey('{"a":"b","b":"a:","c":["a","a"],"d":[{"a":1},{"a":2}]}'), undefined, "values, array items and sibling objects are not repeats");
  assert.equal(duplicateJsonKey('{"q\\"":1,"q":2}'), undefined);
  assert.equal(duplicateJsonKey('[1, "a", {"a": 1}]'), undefined);
});

test("a JSONL results record with a key twice is refused, naming the file's line (blank lines counted) and the key", () => {
  const text = '{"variant":"a","seed":1,"acc":0.5}\n\n{"variant":"b","seed":1,"acc":0.6,"acc":0.9}\n';
  withFile("results.jsonl", text, (path) => {
    assert.throws(() => readResults(path), (e: Error) => e.message === `${path} line 3: key "acc" appears twice in one record; keep the one value that is this run's and remove the other`);
  });
  withFile("ok.jsonl", '{"variant":"a","seed":1,"acc":0.5}\n\n{"variant":"b","seed":1,"acc":"x"}\n', (path) => {
    assert.throws(() => readResults(path), /line 3, column "acc"/, "other errors name the file's line too, not the record's index");
  });
});

test("a JSONL line that is not an object says so", () => {
  withFile("results.jsonl", "[1, 2]\n", (path) => {
    assert.throws(() => readResults(path), /line 1: not a JSON object; each line of a results file is one run/);
  });
});

test("a CSV header with a column twice is refused, naming both positions", () => {
  withFile("results.csv", "variant,seed,acc,acc\na,1,0.5,0.6\nb,1,0.7,0.8\n", (path) => {
    assert.throws(() => readResults(path), /column "acc" appears twice in the header \(columns 3 and 4\); rename or remove one of them/);
  });
});
