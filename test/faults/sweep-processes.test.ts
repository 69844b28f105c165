/**
 * Fault cases of twin sweep's processes (issue 17 points 2 and 8): a command
 * that leaves processes behind, in or out of its process group, and a
 * command that floods its output.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSweep, type SweepOptions } from "../../src/study/sweep.ts";
import { runCommand } from "../../src/study/sweep-command.ts";
import { LineSplitter } from "../../src/study/sweep-output.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-sweep-faults-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const quiet = { onWarning: () => {} } satisfies Partial<SweepOptions>;

/** True while the process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "latin1"));
  } catch {
    return false;
  }
}

async function waitDead(pid: number, ms = 15_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

const metric = `echo '{"step": 1, "acc": 0.5}'`;

test("a background child that keeps stdout open no longer stretches a 0 s run (it goes with the command)", async () => {
  const cwd = join(dir, "background");
  const t0 = Date.now();
  const r = await runSweep({
    ...quiet,
    cwd,
    name: "bg",
    seeds: 1,
    variants: [{ name: "a", command: ["sh", "-c", `sleep 30 & echo $! > "$TWIN_RUN_DIR/child.pid"; ${metric}`] }],
  });
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(r.runs[0]!.status, "finished");
  assert.ok(r.runs[0]!.seconds! < 5, `the run took ${r.runs[0]!.seconds} s (the background sleep holds stdout for 30 s)`);
  assert.ok(seconds < 25, `the sweep took ${seconds} s`);
  const pid = Number(readFileSync(join(r.runs[0]!.runDir, "child.pid"), "utf8"));
  assert.ok(await waitDead(pid), "the background child was ended with the command");
});

test("--timeout: a grandchild that left the process group and holds stdout does not hang the sweep, and is killed", async () => {
  const cwd = join(dir, "escaped");
  const t0 = Date.now();
  const r = await runSweep({
    ...quiet,
    cwd,
    name: "esc",
    seeds: 1,
    timeout: 1,
    killAfter: 0.5,
    variants: [{ name: "a", command: ["sh", "-c", `setsid sleep 300 & echo $! > "$TWIN_RUN_DIR/escaped.pid"; ${metric}; sleep 300`] }],
  });
  const seconds = (Date.now() - t0) / 1000;
  assert.ok(seconds < 30, `the sweep took ${seconds} s`);
  const run = r.runs[0]!;
  assert.equal(run.status, "failed");
  assert.match(run.error!, /^timed out after 1 s/);
  assert.match(run.error!, /1 process\(es\) it had started outside its process group were killed too/);
  const pid = Number(readFileSync(join(run.runDir, "escaped.pid"), "utf8"));
  assert.ok(await waitDead(pid), "the escaped grandchild was killed");
});

test("a command that exits while an escaped grandchild holds its pipes ends after the grace period", async () => {
  const r = await runCommand({
    // The command waits until the grandchild has left its group (it writes its pid after setsid), or on a
    // loaded machine the group kill at exit could reach it before it escaped.
    argv: ["sh", "-c", `setsid sh -c 'echo $$ > escaped.pid.tmp && mv escaped.pid.tmp escaped.pid && exec sleep 300' & while [ ! -e escaped.pid ]; do sleep 0.05; done; ${metric}`],
    cwd: dir,
    env: process.env,
  });
  assert.equal(r.exitCode, 0);
  assert.ok(r.seconds < 20, `took ${r.seconds} s`);
  assert.deepEqual([...r.series.keys()], ["acc"]);
  assert.equal(r.escaped, 1);
  assert.ok(await waitDead(Number(readFileSync(join(dir, "escaped.pid"), "utf8"))));
});

test("100 MB without a newline (and tqdm-style \\r bars): linear time, bounded memory, the log capped and marked", async () => {
  const logDir = join(dir, "flood");
  mkdirSync(logDir, { recursive: true });
  // 100 MB of 'x' with no newline, then tqdm-like bars separated by \r, then a metric line.
  const script = join(dir, "flood.cjs");
  writeFileSync(
    script,
    `const mb = Buffer.alloc(1 << 20, 120);
let i = 0;
function more() {
  while (i < 100) { i++; if (!process.stdout.write(mb)) return process.stdout.once("drain", more); }
  let bars = "";
  for (let k = 0; k <= 1000; k++) bars += "\\r" + k + "/1000 [" + "#".repeat(k % 50) + "]";
  process.stdout.write(bars + "\\n" + JSON.stringify({ step: 3, acc: 0.75 }) + "\\n");
}
more();
`,
  );
  const before = process.memoryUsage().rss;
  const r = await runCommand({ argv: [process.execPath, script], cwd: dir, env: process.env, logDir, maxLogBytes: 1 << 20 });
  const grew = (process.memoryUsage().rss - before) / 2 ** 20;
  assert.equal(r.exitCode, 0);
  assert.ok(r.seconds < 60, `took ${r.seconds} s`);
  assert.ok(grew < 300, `memory grew by ${grew.toFixed(0)} MB`);
  assert.equal(r.series.get("acc")?.[0]?.value, 0.75, "the metric line after the flood is read");
  const log = join(logDir, "stdout.log");
  assert.ok(statSync(log).size < (1 << 20) + 200, `log of ${statSync(log).size} bytes`);
  assert.match(readFileSync(log, "utf8").slice(-200), /\[twin: output cut after 1048576 bytes; \d+ more bytes were not kept\]\n$/);
  assert.ok(r.outputCut > 99 * (1 << 20));
  process.stderr.write(`# 100 MB flood: ${r.seconds.toFixed(2)} s, rss +${grew.toFixed(0)} MB\n`);
});

test("line splitting: \\n, \\r\\n and a lone \\r end lines, across chunk boundaries; long lines are cut and marked", () => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l), 8);
  for (const chunk of ["a\r", "\nb\rc", "\r", "\n", "\n", "0123456789abc", "def\nlast"]) s.push(chunk);
  s.end();
  assert.deepEqual(lines, ["a", "b", "c", "", "01234567 [twin: line cut, 8 more characters in the log file]", "last"]);
});
