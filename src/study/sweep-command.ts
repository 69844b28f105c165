/**
 * Running one external command for a sweep: no shell (the user passes
 * `sh -c` when they want one), its own process group (and a marker in its
 * environment, see process-tree.ts) so that a timeout or a stop ends
 * everything it started, stdout scanned for JSON metric lines, the tail of
 * stderr kept for the record, both streams logged with a cap.
 *
 * The run ends when the command exits, not when its pipes close: whatever it
 * left in its process group is killed at once; when the pipes are still open
 * PIPE_GRACE_MS later, a process that escaped the group holds them: those
 * found (process-tree.ts) are killed and the pipes closed.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { MetricCollector, type MetricSeries } from "./sweep-metrics.ts";
import { CappedLog, LineSplitter, MAX_LINE_CHARS, MAX_LOG_BYTES, utf8Decoder } from "./sweep-output.ts";
import { findEscaped, MARKER_VARIABLE, signal } from "./process-tree.ts";

export const STDERR_TAIL_LINES = 20;
/** How long after the command's exit its output pipes may stay open (ms). */
export const PIPE_GRACE_MS = 1000;

export interface CommandOptions {
  argv: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Seconds; undefined or 0 = none. */
  timeout?: number;
  /** Seconds between SIGTERM and SIGKILL after a timeout or a stop (default 10). */
  killAfter?: number;
  signal?: AbortSignal;
  /** Where stdout.log and stderr.log go (the run folder). */
  logDir?: string;
  /** Bytes of each stream kept in its log file (default MAX_LOG_BYTES). */
  maxLogBytes?: number;
  /** Characters of one line passed to the metric parser (default MAX_LINE_CHARS). */
  maxLineChars?: number;
  /** Each stdout line that is not a metrics record, and each stderr line. */
  onOutput?: (line: string, stream: "stdout" | "stderr") => void;
  /** Called once the command is running: its pid (= its process group) and its marker (process-tree.ts). */
  onStart?: (pid: number, marker: string) => void;
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
  /** Bytes of output not kept in the log files (over the cap). */
  outputCut: number;
  /** Processes that had left the command's process group and were killed with it. */
  escaped: number;
  seconds: number;
}

export interface LiveCommand {
  pid: number;
  marker: string;
}

/** Commands still running, killed (with what they started) if this process goes. */
const live = new Set<LiveCommand>();
let exitHook = false;

/** Kills one command's process group and every descendant found outside it; returns how many escaped ones were signalled. */
export function killTree(cmd: LiveCommand, sig: NodeJS.Signals): number {
  signal(-cmd.pid, sig);
  const escaped = findEscaped(cmd.pid, cmd.marker);
  for (const pid of escaped) signal(pid, sig);
  return escaped.length;
}

/** Ends every command still running (SIGTERM, then SIGKILL after killAfterMs); resolves when done. */
export async function killAllCommands(killAfterMs: number): Promise<void> {
  const cmds = [...live];
  for (const c of cmds) killTree(c, "SIGTERM");
  if (cmds.length === 0) return;
  await new Promise((r) => setTimeout(r, killAfterMs));
  for (const c of cmds) killTree(c, "SIGKILL");
}

function trackLive(cmd: LiveCommand): void {
  live.add(cmd);
  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => {
      for (const c of live) killTree(c, "SIGKILL");
    });
  }
}

function spawnErrorText(e: NodeJS.ErrnoException, file: string): string {
  if (e.code === "ENOENT") return `command not found: ${file}`;
  if (e.code === "EACCES") return `permission denied: ${file}`;
  return e.message;
}

export function runCommand(opts: CommandOptions): Promise<CommandResult> {
  const started = Date.now();
  const collector = new MetricCollector();
  const tail: string[] = [];
  const [file, ...args] = opts.argv;
  if (file === undefined) throw new Error("no command to run");
  const marker = `${process.pid}-${randomBytes(6).toString("hex")}`;
  const maxLog = opts.maxLogBytes ?? MAX_LOG_BYTES;
  const stdoutLog = opts.logDir ? new CappedLog(join(opts.logDir, "stdout.log"), maxLog) : undefined;
  const stderrLog = opts.logDir ? new CappedLog(join(opts.logDir, "stderr.log"), maxLog) : undefined;

  return new Promise<CommandResult>((resolveResult) => {
    let timedOut = false;
    let aborted = false;
    let spawnError: string | undefined;
    let escaped = 0;
    let exit: { code: number | null; sig: NodeJS.Signals | null } | undefined;
    let openPipes = 2;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: { ...opts.env, [MARKER_VARIABLE]: marker },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const cmd: LiveCommand | undefined = child.pid !== undefined ? { pid: child.pid, marker } : undefined;
    if (cmd) {
      trackLive(cmd);
      opts.onStart?.(cmd.pid, marker);
    }

    let stopping = false;
    const stop = () => {
      if (!cmd || stopping || exit) return;
      stopping = true;
      escaped = Math.max(escaped, killTree(cmd, "SIGTERM"));
      const t = setTimeout(() => {
        escaped = Math.max(escaped, killTree(cmd, "SIGKILL"));
      }, Math.max(0, (opts.killAfter ?? 10) * 1000));
      t.unref();
      timers.push(t);
    };
    if (opts.timeout && opts.timeout > 0) {
      timers.push(
        setTimeout(() => {
          timedOut = true;
          stop();
        }, opts.timeout * 1000),
      );
    }
    const onAbort = () => {
      aborted = true;
      stop();
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener("abort", onAbort, { once: true });

    const out = new LineSplitter((line) => {
      if (!collector.addLine(line)) opts.onOutput?.(line, "stdout");
    }, opts.maxLineChars ?? MAX_LINE_CHARS);
    const err = new LineSplitter((line) => {
      if (line.trim() === "") return;
      tail.push(line);
      if (tail.length > STDERR_TAIL_LINES) tail.shift();
      opts.onOutput?.(line, "stderr");
    }, opts.maxLineChars ?? MAX_LINE_CHARS);

    const finish = async () => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      opts.signal?.removeEventListener("abort", onAbort);
      if (cmd) live.delete(cmd);
      child.stdout?.destroy();
      child.stderr?.destroy();
      out.end();
      err.end();
      await Promise.all([stdoutLog?.close(), stderrLog?.close()]);
      resolveResult({
        exitCode: exit?.code ?? null,
        signal: exit?.sig ?? null,
        timedOut,
        aborted,
        ...(spawnError !== undefined ? { spawnError } : {}),
        stderrTail: tail,
        series: collector.series,
        outputCut: (stdoutLog?.dropped ?? 0) + (stderrLog?.dropped ?? 0),
        escaped,
        seconds: (Date.now() - started) / 1000,
      });
    };
    const pipeClosed = () => {
      if (--openPipes === 0 && exit) void finish();
    };

    const pipe = (stream: NodeJS.ReadableStream & { pause(): void; resume(): void }, log: CappedLog | undefined, lines: LineSplitter) => {
      const decoder = utf8Decoder();
      stream.on("data", (chunk: Buffer) => {
        if (log && !log.write(chunk)) {
          stream.pause();
          log.onDrain(() => stream.resume());
        }
        lines.push(decoder.write(chunk));
      });
      stream.on("end", () => lines.push(decoder.end()));
      stream.on("close", pipeClosed);
    };
    pipe(child.stdout, stdoutLog, out);
    pipe(child.stderr, stderrLog, err);

    child.on("error", (e: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return; // an error after a successful start (a kill of a gone process): ignore
      spawnError = spawnErrorText(e, file);
      exit = { code: null, sig: null };
      void finish();
    });
    child.on("exit", (code, sig) => {
      exit = { code, sig };
      // Whatever the command left running in its group goes with it; after a timeout or a stop,
      // so does whatever it started outside the group.
      if (cmd && stopping) escaped = Math.max(escaped, killTree(cmd, "SIGKILL"));
      else if (cmd) signal(-cmd.pid, "SIGKILL");
      if (openPipes === 0) return void finish();
      // A process that left the group may still hold the pipes: after a grace period, end what can be
      // found of it and stop waiting for the pipes.
      const t = setTimeout(() => {
        if (cmd) escaped = Math.max(escaped, killTree(cmd, "SIGKILL"));
        void finish();
      }, PIPE_GRACE_MS);
      timers.push(t);
    });
  });
}
