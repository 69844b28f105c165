/**
 * The process that starts a sweep's commands: a small Node process that does
 * not load libtorch, so each command is forked from a light address space
 * (forking twin itself, libtorch mapped, cost 17–19 ms a command against
 * 9–10 ms). It also owns the commands' output (splitting, logs, metric files),
 * so twin's main thread only talks to the store.
 *
 * It runs commands on request over the IPC channel and reports their results.
 * When twin goes away, however it goes (kill -9 included), the channel closes
 * and the launcher ends every command it started, then exits. It ignores
 * SIGINT and SIGHUP, which reach it with twin's terminal: twin decides what
 * they mean and tells it.
 */
import { mkdirSync, rmSync } from "node:fs";
import { markRunFolder } from "../log/run-folder.ts";
import { killAllCommands, runCommand, type CommandResult } from "./sweep-command.ts";
import { mergeSeries, readRunDirMetrics } from "./sweep-metrics.ts";
import type { LaunchReply, LaunchRequest } from "./sweep-launcher-protocol.ts";

if (!process.send) {
  process.stderr.write("sweep-launcher: start it through CommandLauncher (it needs an IPC channel)\n");
  process.exit(2);
}
/** Sends to twin; a channel that closed meanwhile (twin gone) is not an error: "disconnect" ends the commands. */
function send(reply: LaunchReply): void {
  if (process.connected) process.send?.(reply, undefined, {}, () => {});
}

const running = new Map<number, AbortController>();
let killAfterMs = 10_000;

async function launch(req: Extract<LaunchRequest, { type: "run" }>): Promise<void> {
  const { id, options } = req;
  killAfterMs = Math.max(killAfterMs, (options.killAfter ?? 10) * 1000);
  const stop = new AbortController();
  running.set(id, stop);
  let result: CommandResult;
  let readError: string | undefined;
  try {
    rmSync(options.runDir, { recursive: true, force: true });
    mkdirSync(options.runDir, { recursive: true });
    markRunFolder(options.runDir, options.runId);
    result = await runCommand({
      argv: options.argv,
      cwd: options.cwd,
      env: options.env,
      timeout: options.timeout,
      killAfter: options.killAfter,
      maxLogBytes: options.maxLogBytes,
      signal: stop.signal,
      logDir: options.runDir,
      onOutput: options.verbose ? (line, stream) => send({ type: "output", id, line, stream } satisfies LaunchReply) : undefined,
      onStart: (pid, marker) => send({ type: "started", id, pid, marker } satisfies LaunchReply),
    });
    try {
      result.series = mergeSeries(result.series, readRunDirMetrics(options.runDir));
    } catch (e) {
      readError = `could not read the metrics files under ${options.runDir}: ${(e as Error).message}`;
    }
  } catch (e) {
    send({ type: "done", id, error: (e as Error).message } satisfies LaunchReply);
    return;
  } finally {
    running.delete(id);
  }
  send({ type: "done", id, result, ...(readError !== undefined ? { readError } : {}) } satisfies LaunchReply);
}

process.on("message", (req: LaunchRequest) => {
  if (req.type === "run") void launch(req);
  else if (req.type === "stop") for (const c of running.values()) c.abort();
});

let ending = false;
async function endAll(code: number): Promise<never> {
  if (!ending) {
    ending = true;
    await killAllCommands(killAfterMs);
  }
  process.exit(code);
}
// twin is gone (exited, crashed or killed): nothing may outlive it.
process.on("disconnect", () => void endAll(0));
process.on("SIGTERM", () => void endAll(143));
process.on("SIGINT", () => {});
process.on("SIGHUP", () => {});
