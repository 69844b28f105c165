// bench/child-group.ts: a benchmark's children (and theirs) never outlive it,
// whether it throws, is interrupted or is killed with SIGKILL.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const helper = fileURLToPath(new URL("../../bench/child-group.ts", import.meta.url));

/** A benchmark stand-in: starts a child group (a shell with a background grandchild), prints both pids, then ends as `how` says. */
const script = (how: string): string => `
import { spawnGroup } from ${JSON.stringify(helper)};
const child = spawnGroup("bash", ["-c", "sleep 300 & echo $! ; sleep 300"], { stdio: ["ignore", "pipe", "ignore"] });
child.stdout.once("data", (d) => {
  console.log(JSON.stringify({ child: child.pid, grandchild: Number(String(d).trim()) }));
  ${how}
});
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}

async function runBench(how: string, killWith?: NodeJS.Signals): Promise<{ child: number; grandchild: number }> {
  const bench = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script(how)], { stdio: ["ignore", "pipe", "ignore"] });
  const pids = await new Promise<{ child: number; grandchild: number }>((resolve, reject) => {
    let out = "";
    bench.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve(JSON.parse(line) as { child: number; grandchild: number });
    });
    bench.once("exit", () => reject(new Error(`the bench stand-in ended before printing its children: ${out}`)));
  });
  if (killWith) bench.kill(killWith);
  await new Promise((r) => bench.once("exit", r));
  return pids;
}

for (const [name, how, signal] of [
  ["throws", 'throw new Error("bench failed");', undefined],
  ["rejects at the top level", "Promise.reject(new Error('bench failed'));", undefined],
  ["is interrupted (SIGINT)", "setTimeout(() => {}, 60000);", "SIGINT"],
  ["is killed (SIGKILL)", "setTimeout(() => {}, 60000);", "SIGKILL"],
] as const) {
  test(`no child or grandchild is left when the benchmark ${name}`, async () => {
    const { child, grandchild } = await runBench(how, signal);
    assert.ok(await gone(child), `child ${child} still runs`);
    if (signal !== "SIGKILL") assert.ok(await gone(grandchild), `grandchild ${grandchild} still runs`);
    else if (alive(grandchild)) {
      // SIGKILL leaves no handler to kill the group: only the child has the kernel's parent-death signal.
      process.kill(grandchild, "SIGKILL");
    }
  });
}
