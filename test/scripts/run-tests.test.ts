/**
 * scripts/run-tests.mjs, the runner of `npm test`: a file that hangs is killed
 * at the per-file limit with everything it started, and the end of the log
 * names it, the limit and the last test that started; a failing file's own
 * stderr and failing tests are repeated at the end.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const HANGS = "test/scripts/fixtures/hangs.fixture.ts";
const FAILS = "test/scripts/fixtures/fails.fixture.ts";

/** The environment of a runner started here: without NODE_TEST_CONTEXT, which would make it a subtest's runner that runs no files. */
function runnerEnv(limit: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TWIN_TEST_FILE_TIMEOUT_S: limit };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/** Whether a process runs (a zombie, killed but not yet reaped by init, does not). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

test("a hung file is killed at the limit with its children; the log's end names it, the limit, the last test started, and a failing file's stderr", () => {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/run-tests.mjs", "2", HANGS, FAILS], {
    cwd: ROOT,
    encoding: "utf8",
    env: runnerEnv("10"),
    timeout: 120_000,
  });
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(r.status, 1, `exit status ${r.status} after ${seconds} s:\n${r.stdout}${r.stderr}`);
  assert.ok(seconds < 60, `the runner took ${seconds} s: the per-file limit of 10 s did not end the hung file`);
  const closing = r.stdout.slice(r.stdout.lastIndexOf("✖ failed files (2):"));
  assert.ok(closing.startsWith("✖ failed files (2):"), r.stdout);
  assert.match(closing, new RegExp(`^✖ ${HANGS}: killed after the per-file limit of 10 s \\(TWIN_TEST_FILE_TIMEOUT_S\\); the last test that started: "waits > forever, holding a child process"$`, "m"));
  assert.match(closing, new RegExp(`^✖ ${FAILS}: its process exited with status 1$`, "m"));
  assert.match(closing, /^ {2}failed: compares two numbers$/m);
  assert.match(closing, /one and one make two/);
  assert.match(closing, /^ {2}\| the fixture's own diagnostic line$/m);
  // Side by side, each stderr line says whose it is.
  assert.match(r.stdout, new RegExp(`^\\[${FAILS}\\] the fixture's own diagnostic line$`, "m"));
  const grandchild = Number(/grandchild pid (\d+)/.exec(closing)?.[1]);
  assert.ok(grandchild > 0, `the hung file's stderr is in the closing list:\n${closing}`);
  assert.equal(running(grandchild), false, `the hung file's child process ${grandchild} outlived it`);
});

test("a limit that is not a positive number is refused", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/run-tests.mjs", "1", FAILS], { cwd: ROOT, encoding: "utf8", env: runnerEnv("ten") });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /TWIN_TEST_FILE_TIMEOUT_S must be a positive number of seconds \(got 'ten'\)/);
});
