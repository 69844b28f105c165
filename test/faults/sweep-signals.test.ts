/**
 * Fault cases of twin sweep's lifecycle (issue 17 points 7 and 9): SIGTERM,
 * SIGHUP and kill -9 of twin end the training command; a rerun right after a
 * kill -9 on the same host runs the interrupted run again at once; the exit
 * codes say what happened (issue 17 point 6, sweep half).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openStore } from "../../src/store/index.ts";
import { runSweep } from "../../src/study/sweep.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "twin-sweep-signals-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

// Prints a metric, then waits forever unless ./release exists in the project folder.
const TRAIN = join(dir, "train.cjs");
writeFileSync(
  TRAIN,
  `const fs = require("node:fs");
fs.writeFileSync(process.env.TWIN_RUN_DIR + "/pid", String(process.pid));
console.log(JSON.stringify({ step: 1, acc: 0.5 + Number(process.env.TWIN_SEED) / 100 }));
if (!fs.existsSync("release")) setInterval(() => {}, 1000);
`,
);

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "latin1"));
  } catch {
    return false;
  }
}

async function until(what: string, ms: number, fn: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Twin {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function twinSweep(cwd: string, name: string, seeds = 2): Twin {
  const child = spawn(process.execPath, [join(ROOT, "bin", "twin.js"), "sweep", "--name", name, "--seeds", String(seeds), "--kill-after", "2", "--", process.execPath, TRAIN], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c) => (stdout += c));
  child.stderr!.on("data", (c) => (stderr += c));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((res) =>
    child.on("close", (code, signal) => res({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

function project(name: string): string {
  const p = join(dir, name);
  mkdirSync(p, { recursive: true });
  return p;
}

const pidFile = (cwd: string, name: string, seed: number) => join(cwd, ".twin", "sweeps", name, "default", `seed-${seed}`, "pid");

for (const [sig, code] of [["SIGTERM", 143], ["SIGHUP", 129]] as const) {
  test(`${sig} to twin sweep ends the training command, records the run as interrupted, exits ${code}; the same command finishes it`, async () => {
    const cwd = project(sig);
    const first = twinSweep(cwd, "s");
    await until("the first run to start", 120_000, () => existsSync(pidFile(cwd, "s", 0)));
    const pid = Number(readFileSync(pidFile(cwd, "s", 0), "utf8"));
    first.child.kill(sig);
    const r = await first.done;
    assert.equal(r.code, code, r.stderr);
    assert.ok(!alive(pid), "the training command is gone");
    assert.match(r.stdout, /stopped early; run the same command again/);
    const store = await openStore(undefined, { cwd });
    try {
      const runs = await store.listRuns({ study: "s" });
      // seed 0 was interrupted; seed 1 was submitted but not started.
      assert.deepEqual(runs.map((r) => r.status), ["failed", "queued"]);
      assert.match(runs[0]!.error!, new RegExp(`^interrupted \\(${sig}\\)`));
    } finally {
      await store.close();
    }
    writeFileSync(join(cwd, "release"), "");
    const again = await twinSweep(cwd, "s").done;
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /2 finished, 0 failed of 2 runs/);
  });
}

test("kill -9 of twin sweep: the launcher ends the command; a rerun at once (same host) runs the interrupted run again", async () => {
  const cwd = project("kill9");
  const first = twinSweep(cwd, "k");
  await until("the first run to start", 120_000, () => existsSync(pidFile(cwd, "k", 0)));
  const pid = Number(readFileSync(pidFile(cwd, "k", 0), "utf8"));
  first.child.kill("SIGKILL");
  await first.done;
  await until("the orphaned command to end", 10_000, () => !alive(pid));
  writeFileSync(join(cwd, "release"), "");
  const again = await twinSweep(cwd, "k").done;
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /was left running: its worker sweep:.* \(a process on this host\) is dead; running it again/);
  assert.match(again.stdout, /2 finished, 0 failed of 2 runs/);
  const store = await openStore(undefined, { cwd });
  try {
    const runs = await store.listRuns({ study: "k" });
    assert.deepEqual(runs.map((r) => r.status).sort(), ["failed", "finished", "finished"], "the killed attempt stays, marked interrupted");
    assert.equal(runs.filter((r) => r.status === "running").length, 0);
  } finally {
    await store.close();
  }
});

test("exit codes: 3 when a run failed (the others analysed) and when none finished", async () => {
  const cwd = project("codes");
  const run = (name: string, command: string) =>
    new Promise<number | null>((res) => {
      const c = spawn(process.execPath, [join(ROOT, "bin", "twin.js"), "sweep", "--name", name, "--seeds", "2", "--", "sh", "-c", command], { cwd, stdio: "ignore" });
      c.on("close", (code) => res(code));
    });
  const [some, none] = await Promise.all([
    run("some", `[ "$TWIN_SEED" = 0 ] && exit 1; echo '{"acc": 0.5}'`),
    run("none", "exit 2"),
  ]);
  assert.equal(some, 3);
  assert.equal(none, 3);
});

test("kill -9 of the launcher: twin ends the command itself and records the run as interrupted", async () => {
  const cwd = project("launcher-kill");
  const running = runSweep({ cwd, name: "l", seeds: 2, onWarning: () => {}, variants: [{ name: "default", command: [process.execPath, TRAIN] }] });
  await until("the first run to start", 60_000, () => existsSync(pidFile(cwd, "l", 0)));
  const pid = Number(readFileSync(pidFile(cwd, "l", 0), "utf8"));
  const launcher = readdirSync("/proc").find((p) => /^\d+$/.test(p) && readFileSync(`/proc/${p}/cmdline`, "latin1").includes("twin-sweep-launcher") && readFileSync(`/proc/${p}/stat`, "latin1").includes(` ${process.pid} `));
  assert.ok(launcher, "the launcher process");
  process.kill(Number(launcher), "SIGKILL");
  const r = await running;
  assert.ok(r.stopped);
  assert.match(r.runs[0]!.error!, /^interrupted: twin's command launcher stopped \(killed by SIGKILL\)/);
  await until("the command to end", 10_000, () => !alive(pid));
});
