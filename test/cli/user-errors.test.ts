/**
 * Mistakes a new user makes at the command line: each gets one line saying what
 * was wrong and what to do, the right exit status, and no stack trace or raw
 * Node error code.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { TWIN_BIN } from "../study/fixtures/synthetic-study.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-user-errors-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function twin(args: string[]) {
  return spawnSync(process.execPath, [TWIN_BIN, ...args], { cwd: dir, encoding: "utf8", timeout: 120_000 });
}

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

function assertClean(r: { stderr: string }): void {
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  assert.doesNotMatch(r.stderr, /\bE[A-Z]{3,}:/, "no raw Node error code");
}

test("a missing prediction or labels file is named, with what to check, not as ENOENT", () => {
  const r = twin(["ensemble", "seed-1.npy", "--labels", "labels.npy"]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^twin: seed-1\.npy: no such file or directory; check the path/);
  assertClean(r);
});

test("a wrong option points at the sub-command's own help", () => {
  const results = file("one.csv", "variant,seed,accuracy\na,0,0.8\nb,0,0.82\n");
  const r = twin(["stats", results, "--bogus"]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /unknown option '--bogus'/);
  assert.match(r.stderr, /\(run twin stats --help for usage\)/);
  const missing = twin(["compare"]);
  assert.equal(missing.status, 2, missing.stderr);
  assert.match(missing.stderr, /missing required argument 'study'\n\(run twin compare --help for usage\)/);
});

test("--alpha that is not a number names what was typed", () => {
  const results = file("two.csv", "variant,seed,accuracy\na,0,0.8\nb,0,0.82\na,1,0.81\nb,1,0.84\n");
  for (const bad of ["abc", "5%", "1"]) {
    const r = twin(["stats", results, "--alpha", bad]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`--alpha must be a number between 0 and 1, e\\.g\\. 0\\.05 \\(got '${bad}'\\)`));
    assertClean(r);
  }
});

test("a results file with a header and no rows says so and what to add", () => {
  const r = twin(["stats", file("header.csv", "variant,seed,accuracy\n")]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /header\.csv: a header but no rows; add one row per run \(its variant, seed and metric values\)/);
  assertClean(r);
});
