/**
 * Running one external command for a sweep: no shell (the user passes
 * `sh -c` when they want one), its own process group so that a timeout or
 * Ctrl-C stops everything it started, stdout scanned for JSON metric lines,
 * the tail of stderr kept for the record.
 */
import { spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import { MetricCollector, type MetricSeries } from "./sweep-metrics.ts";

export const STDERR_TAIL_LINES = 20;

export interface CommandOptions {
  argv: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Seconds; undefined or 0 = none. */
  timeout?: number;
  /** Seconds between SIGTERM and SIGKILL after a timeout or an abort (default 10). */
  killAfter?: number;
  signal?: AbortSignal;
  /** Where stdout.log and stderr.log go (the run folder). */
  logDir?: string;
  /** Each stdout line that is not a metrics record, and each stderr line. */
  onOutput?: (line: string, stream: "stdout" | "stderr") => void;
  /** Each metrics record as it arrives. */
  onMetrics?: (values: Record<string, number>) => void;
}

export interface CommandResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** The command could not be started at all (ENOENT, EACCES…). */
  spawnError?: string;
  /** Last lines of stderr. */
  stderrTail: string[];
  /** Metrics printed on stdout. */
  series: MetricSeries;
  seconds: number;
}

/** Splits a byte stream into lines, calling fn for each complete one (and the rest at end()). */
class LineSplitter {
  #rest = "";
  constructor(private readonly fn: (line: string) => void) {}
  push(chunk: string): void {
    const text = this.#rest + chunk;
    const parts = text.split("\n");
    this.#rest = parts.pop()!;
    for (const p of parts) this.fn(p.endsWith("\r") ? p.slice(0, -1) : p);
  }
  end(): void {
    if (this.#rest !== "") this.fn(this.#rest);
    this.#rest = "";
  }
}

/** Process groups of commands still running, killed if twin itself exits. */
const live = new Set<number>();
let exitHook = false;
function track(pid: number): void {
  live.add(pid);
  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => {
      for (const p of live) killGroup(p, "SIGKILL");
    });
  }
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  // The command leads its own process group (spawned detached): signal the whole group.
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

export function runCommand(opts: CommandOptions): Promise<CommandResult> {
  const started = Date.now();
  const collector = new MetricCollector();
  const tail: string[] = [];
  const [file, ...args] = opts.argv;
  if (file === undefined) throw new Error("no command to run");
  const logs: WriteStream[] = [];
  const stdoutLog = opts.logDir ? createWriteStream(join(opts.logDir, "stdout.log")) : undefined;
  const stderrLog = opts.logDir ? createWriteStream(join(opts.logDir, "stderr.log")) : undefined;
  if (stdoutLog) logs.push(stdoutLog);
  if (stderrLog) logs.push(stderrLog);
  for (const l of logs) l.on("error", () => {}); // a full disk must not stop the sweep

  return new Promise<CommandResult>((resolveResult) => {
    let timedOut = false;
    let aborted = false;
    let spawnError: string | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;

    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const pid = child.pid;
    if (pid !== undefined) track(pid);

    const stop = () => {
      if (pid === undefined || killTimer !== undefined) return;
      killGroup(pid, "SIGTERM");
      killTimer = setTimeout(() => killGroup(pid, "SIGKILL"), Math.max(0, (opts.killAfter ?? 10) * 1000));
      killTimer.unref();
    };
    if (opts.timeout && opts.timeout > 0) {
      timeoutTimer = setTimeout(() => {
        timedOut = true;
        stop();
      }, opts.timeout * 1000);
    }
    const onAbort = () => {
      aborted = true;
      stop();
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener("abort", onAbort, { once: true });

    const out = new LineSplitter((line) => {
      if (collector.addLine(line)) {
        const last: Record<string, number> = {};
        for (const [name, points] of collector.series) last[name] = points[points.length - 1]!.value;
        opts.onMetrics?.(last);
      } else opts.onOutput?.(line, "stdout");
    });
    const err = new LineSplitter((line) => {
      tail.push(line);
      if (tail.length > STDERR_TAIL_LINES) tail.shift();
      opts.onOutput?.(line, "stderr");
    });
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (c: string) => {
      stdoutLog?.write(c);
      out.push(c);
    });
    child.stderr.on("data", (c: string) => {
      stderrLog?.write(c);
      err.push(c);
    });
    child.on("error", (e: NodeJS.ErrnoException) => {
      spawnError = e.code === "ENOENT" ? `command not found: ${file}` : e.code === "EACCES" ? `permission denied: ${file}` : e.message;
    });
    child.on("close", (code, sig) => {
      out.end();
      err.end();
      if (pid !== undefined) {
        live.delete(pid);
        // Whatever the command left running in its group goes with it.
        killGroup(pid, "SIGKILL");
      }
      clearTimeout(timeoutTimer);
      clearTimeout(killTimer);
      opts.signal?.removeEventListener("abort", onAbort);
      let pending = logs.length;
      const done = () =>
        resolveResult({
          exitCode: code,
          signal: sig,
          timedOut,
          aborted,
          ...(spawnError !== undefined ? { spawnError } : {}),
          stderrTail: tail.filter((l, i) => !(i === tail.length - 1 && l.trim() === "")),
          series: collector.series,
          seconds: (Date.now() - started) / 1000,
        });
      if (pending === 0) done();
      for (const l of logs) l.end(() => --pending === 0 && done());
    });
  });
}
