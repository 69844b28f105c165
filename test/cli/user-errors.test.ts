/**
 * Mistakes a new user makes at the command line: each gets one line saying what
 * was wrong and what to do, the right exit status, and no stack trace or raw
 * Node error code.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { hostArray } from "../../src/data/host/array.ts";
import { writeNpy } from "../../src/data/host/npy.ts";
import { studySource, TWIN_BIN } from "../study/fixtures/synthetic-study.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-user-errors-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function twin(args: string[]) {
  return spawnSync(process.execPath, [TWIN_BIN, ...args], { cwd: dir, encoding: "utf8", timeout: 300_000 });
}

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

function assertClean(r: { stderr: string }): void {
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  assert.doesNotMatch(r.stderr, /\bE[A-Z]{3,}:/, "no raw Node error code");
}

test("a missing file named by an option is named, with what to check, not as ENOENT", () => {
  const results = file("with-predictions.csv", "variant,seed,accuracy,predictions\na,0,0.8,a0.npy\nb,0,0.7,b0.npy\n");
  const labels = twin(["stats", results, "--labels", "labels.npy"]);
  assert.equal(labels.status, 2, labels.stderr);
  assert.match(labels.stderr, /^twin: labels\.npy: no such file or directory; check the path/);
  assertClean(labels);
  writeNpy(join(dir, "p.npy"), hostArray(new Float32Array([0.5, 0.5, 0.5, 0.5]), [2, 2]));
  writeNpy(join(dir, "labels.npy"), hostArray(new BigInt64Array([0n, 1n]), [2]));
  const inputs = twin(["ensemble", "p.npy", "p.npy", "--labels", "labels.npy", "--train-inputs", "train.npy", "--test-inputs", "test.npy"]);
  assert.equal(inputs.status, 2, inputs.stderr);
  assert.match(inputs.stderr, /^twin: cannot read NPY file train\.npy: train\.npy: no such file or directory; check the path/);
  assertClean(inputs);
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

test("a misspelt or misplaced study setting is refused by name, with the setting meant, before anything trains", () => {
  const study = file("typo.study.mts", studySource({ name: "typo" }).replace("batchSize: 32,", "batchSize: 32, epoch: 5, limit: 100,"));
  const r = twin(["compare", study, "--seeds", "2", "--jobs", "1"]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /defineStudy 'typo': unknown settings 'epoch' \(did you mean 'epochs'\?\), 'limit' \(it is an option of the data: fashionMnistData\(\{ validation: 5000, limit: 10000 \}\)\); a study's settings are name, data, variants/);
  assert.match(r.stderr, /\bepochs, steps, evalEvery\b/);
  assertClean(r);
  assert.equal(existsSync(join(dir, "runs", "typo")), false, "nothing trained");
});

test("Ctrl-C in the middle of a compare: the verdict on the finished runs says so and the status says stopped (130); the same command keeps them and completes", { timeout: 600_000 }, async () => {
  const study = file("stop.study.mts", studySource({ name: "stop", steps: 100, evalEvery: 50 }));
  const args = [TWIN_BIN, "compare", study, "--seeds", "6", "--jobs", "1"];
  const child = spawn(process.execPath, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "", stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  const deadline = Date.now() + 400_000;
  // The third run has started (its log folder exists), so two have finished (one at a time).
  while (!existsSync(join(dir, "runs", "stop", "sgd", "seed-2"))) {
    assert.ok(Date.now() < deadline, `timed out waiting for the third run: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGINT");
  const code = await exited;
  assert.equal(code, 130, `stopped by Ctrl-C: ${stderr}`);
  const finished = Number(/stopped with (\d+) run\(s\) finished/.exec(stderr)?.[1]);
  assert.ok(finished >= 2 && finished < 6, stderr);
  assert.match(stderr, new RegExp(`the verdict below is on these ${finished} of the 6 planned`));
  assert.match(stdout, new RegExp(`stop · ${finished} seeds · paired by seed`));
  // The interrupted run waits in the store to be continued: twin runs says it is not running.
  const listed = twin(["runs", "--study", "stop"]);
  assert.equal(listed.status, 0, listed.stderr);
  assert.doesNotMatch(listed.stdout, /^\S+\s+running\s/m, listed.stdout);
  assert.match(listed.stdout, /\sstopped\s.*not running \(its worker .* is dead\); the same command continues it/);
  assert.match(listed.stdout, new RegExp(`6 run\\(s\\): .*${finished} finished.*\\d stopped`));
  const again = twin(["compare", study, "--seeds", "6", "--jobs", "1"]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, new RegExp(`keeping ${finished} of 6 run\\(s\\)`));
  assert.match(again.stdout, /stop · 6 seeds · paired by seed/);
});
