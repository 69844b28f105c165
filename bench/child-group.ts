/**
 * A benchmark's child process that never outlives the benchmark: it is started
 * in its own process group (so its own children go with it) and, on Linux,
 * under `setpriv --pdeathsig KILL` (the kernel kills it when the benchmark
 * dies, even by SIGKILL); the group is killed when the benchmark exits, is
 * interrupted or throws (an uncaught error also ends in the 'exit' event).
 * Used by bench/serve.ts.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from "node:child_process";

const live = new Set<number>();
let hooked = false;

/** SIGKILL to every process group still alive (exit handlers may not wait). */
function killAll(): void {
  for (const pid of live) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  live.clear();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

const hasSetpriv = process.platform === "linux" && spawnSync("setpriv", ["--help"], { stdio: "ignore" }).status === 0;

/** Spawns `file args` as the leader of its own process group, killed with the benchmark (see the file's comment). */
export function spawnGroup(file: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess & { stop(): void } {
  hook();
  // setpriv execs the command: the child's pid is the command's.
  const child = hasSetpriv ? spawn("setpriv", ["--pdeathsig", "KILL", "--", file, ...args], { ...options, detached: true }) : spawn(file, args, { ...options, detached: true });
  const pid = child.pid;
  // Kept after the leader exits: the group's other members are killed too.
  if (pid !== undefined) live.add(pid);
  return Object.assign(child, {
    stop(): void {
      if (pid === undefined) return;
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
      live.delete(pid);
    },
  });
}
