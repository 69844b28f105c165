/** Every non-zero exit of twin says why on stderr, even when the code that set the status said nothing. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { silentExitMessage } from "../../src/cli/exit-codes.ts";

const EXIT_CODES = pathToFileURL(resolve(fileURLToPath(new URL("../../src/cli/exit-codes.ts", import.meta.url)))).href;

/** A process that installs the explanation, then runs `body`. */
function run(body: string): { status: number | null; stderr: string } {
  const code = `const { explainSilentExits } = await import(${JSON.stringify(EXIT_CODES)}); explainSilentExits(); explainSilentExits(); ${body}`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

test("a non-zero status set without a word gets one line saying what it means", () => {
  const silent = run("process.exitCode = 1;");
  assert.equal(silent.status, 1);
  assert.equal(silent.stderr, `twin: ${silentExitMessage(1)}\n`);
  assert.match(silent.stderr, /stopped with exit status 1 without saying why; this is a bug in twin/);
  assert.equal(run("process.exitCode = 3;").stderr, "twin: some runs failed or diverged (exit status 3): the results say which\n");
  assert.match(run("process.exit(2);").stderr, /^twin: the command line was wrong \(exit status 2\)/);
});

test("nothing is added when the command said why, when it succeeded, or when a reader closed the pipe", () => {
  assert.equal(run('process.stderr.write("twin: no such study\\n"); process.exitCode = 1;').stderr, "twin: no such study\n");
  assert.equal(run("process.exitCode = 0;").stderr, "");
  assert.equal(run("process.exit(141);").stderr, "");
});

test("an uncaught exception or unhandled rejection is Node's own report, with nothing added", () => {
  const thrown = run('setTimeout(() => { throw new Error("boom"); });');
  assert.equal(thrown.status, 1);
  assert.match(thrown.stderr, /Error: boom/);
  assert.doesNotMatch(thrown.stderr, /without saying why/);
  const rejected = run("Promise.reject(new Error(\"nope\"));");
  assert.equal(rejected.status, 1);
  assert.match(rejected.stderr, /Error: nope/);
  assert.doesNotMatch(rejected.stderr, /without saying why/);
});
