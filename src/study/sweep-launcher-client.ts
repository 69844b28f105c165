/**
 * twin's side of the command launcher (sweep-launcher.ts): starts it once per
 * sweep, hands it runs, and receives their results.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { killTree, type CommandResult, type LiveCommand } from "./sweep-command.ts";
import type { LaunchOptions, LaunchReply, LaunchRequest } from "./sweep-launcher-protocol.ts";

/** The launcher's entry: the TypeScript source, or its compiled copy when twin runs from dist/. */
const LAUNCHER = fileURLToPath(new URL(import.meta.url.endsWith(".js") ? "./sweep-launcher.js" : "./sweep-launcher.ts", import.meta.url));

/**
 * The launcher compiled into one plain JavaScript file, so that it runs on
 * bare Node: no TypeScript loader in the process (a loader thread and its
 * modules make the process 90 MB instead of 55, and every fork of a command
 * copies the larger address space: 7.5 against 4.8 ms a spawn here). Built
 * with esbuild at each sweep's start (tens of ms), kept under the temporary
 * folder by content hash. esbuild is loaded here, not with this module: the
 * commands that import the sweep (\`twin seeds --help\` among them) start
 * without it.
 */
async function launcherBundle(): Promise<string> {
  const { buildSync } = await import("esbuild");
  const { outputFiles } = buildSync({ entryPoints: [LAUNCHER], bundle: true, platform: "node", format: "esm", target: "node20", write: false, logLevel: "silent" });
  const code = outputFiles[0]!.text;
  const file = join(tmpdir(), `twin-sweep-launcher-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    const part = `${file}.${process.pid}.tmp`;
    writeFileSync(part, code);
    renameSync(part, file);
  }
  return file;
}

export interface LaunchResult {
  result: CommandResult;
  /** The run folder's metric files could not be read. */
  readError?: string;
}

interface Pending {
  resolve: (r: LaunchResult) => void;
  reject: (e: Error) => void;
  onOutput?: (line: string, stream: "stdout" | "stderr") => void;
  /** The running command, once the launcher said it started. */
  command?: LiveCommand;
}

export class CommandLauncher {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #gone: Error | undefined;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on("message", (m: LaunchReply) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      if (m.type === "started") return void (p.command = { pid: m.pid, marker: m.marker });
      if (m.type === "output") return p.onOutput?.(m.line, m.stream);
      if (m.type !== "done") return;
      this.#pending.delete(m.id);
      if ("error" in m) p.reject(new Error(m.error));
      else p.resolve({ result: m.result, ...(m.readError !== undefined ? { readError: m.readError } : {}) });
    });
    child.on("exit", (code, sig) => {
      this.#gone = new Error(`twin's command launcher stopped (${sig ? `killed by ${sig}` : `exit code ${code}`}); run the same command again to finish the sweep`);
      // The launcher could not end its commands (killed with -9?): end them from here.
      for (const p of this.#pending.values()) if (p.command) killTree(p.command, "SIGKILL");
      for (const p of this.#pending.values()) p.reject(this.#gone);
      this.#pending.clear();
    });
  }

  /** Starts the launcher process; resolves once it is ready for runs. */
  static async start(): Promise<CommandLauncher> {
    const child = fork(await launcherBundle(), [], {
      execArgv: [],
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    return new CommandLauncher(child);
  }

  run(options: LaunchOptions, onOutput?: (line: string, stream: "stdout" | "stderr") => void): Promise<LaunchResult> {
    if (this.#gone) return Promise.reject(this.#gone);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, ...(onOutput ? { onOutput } : {}) });
      this.#child.send({ type: "run", id, options: { ...options, verbose: onOutput !== undefined } } satisfies LaunchRequest);
    });
  }

  /** Stops every running command (SIGTERM, then SIGKILL after its kill-after); their results come back marked aborted. */
  stopAll(): void {
    if (!this.#gone && this.#child.connected) this.#child.send({ type: "stop" } satisfies LaunchRequest);
  }

  /** Ends the launcher (it ends any command still running) and waits for it. */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once("exit", () => resolve()));
    if (this.#child.connected) this.#child.disconnect();
    await exited;
  }
}
