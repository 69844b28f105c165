/**
 * The local pool: a study's runs spread over worker processes on this
 * machine. Each process claims runs from the store itself (compare-and-set),
 * so the pool composes with anything else working on the same study (another
 * session, distributed workers); progress comes back over IPC into one
 * combined display.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Progress } from "../twin/types.ts";

export type ParentMessage =
  | {
      type: "start";
      storeUrl?: string;
      cwd: string;
      runIds: string[];
      checkpointDir?: string;
      checkpointEvery?: number;
      logdir?: string;
      schedule?: "sequential" | "parallel";
      workers?: number;
    }
  | { type: "stop" }
  /** A variant left out of the runs that start from now on (dead-variants.ts), with the reason. */
  | { type: "skip"; variant: string; reason: string }
  /** Claim no further run (every variant of the study is dead); the current one finishes. */
  | { type: "halt" };

export type ChildMessage =
  | { type: "run-start"; id: string }
  | { type: "progress"; id: string; progress: Progress }
  | { type: "run-end"; id: string; status: string; error?: string }
  | { type: "error"; message: string }
  | { type: "note"; text: string }
  | { type: "done" };

export interface PoolOptions {
  jobs: number;
  start: Omit<Extract<ParentMessage, { type: "start" }>, "type">;
  signal?: AbortSignal;
  /** slot: which worker process (0..jobs-1). */
  onRunStart?: (id: string, slot: number) => void;
  onProgress?: (id: string, p: Progress, slot: number) => void;
  onRunEnd?: (id: string, status: string, error: string | undefined, slot: number) => void;
  onNote?: (text: string) => void;
  /** Given, once the processes start, a function that sends a message (skip, halt) to every one still running. */
  control?: (send: (m: ParentMessage) => void) => void;
}

// The workers run twin's sources through tsx, whether this process runs them or the compiled CLI (dist/ has no boot file).
const BOOT = fileURLToPath(new URL("../../src/study/executor-child-boot.mjs", import.meta.url));

/** Runs the given runs on `jobs` worker processes; resolves when every process has exited. Throws when one crashed. */
export async function runPool(options: PoolOptions): Promise<void> {
  const children: ChildProcess[] = [];
  const failures: string[] = [];
  const stopAll = () => {
    for (const c of children) if (c.connected) c.send({ type: "stop" } satisfies ParentMessage);
  };
  options.signal?.addEventListener("abort", stopAll, { once: true });
  // twin quitting at once (a second Ctrl-C: process.exit) takes its worker processes with it: one busy in a
  // variant's code that never yields cannot hear the disconnect and would run on, orphaned.
  const killAll = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  };
  process.on("exit", killAll);
  options.control?.((m) => {
    for (const c of children) if (c.connected) c.send(m);
  });
  try {
    await Promise.all(
      Array.from({ length: options.jobs }, (_, slot) =>
        new Promise<void>((resolveChild) => {
          const child = spawn(process.execPath, [BOOT], { stdio: ["ignore", "inherit", "pipe", "ipc"], cwd: options.start.cwd, env: process.env });
          children.push(child);
          let stderr = "";
          let reportedError = "";
          // The run this process is training (a crash names it).
          let current: string | undefined;
          child.stderr!.on("data", (d: Buffer) => {
            stderr = (stderr + d.toString()).slice(-4000);
          });
          child.on("message", (m: ChildMessage) => {
            if (m.type === "run-start") {
              current = m.id;
              options.onRunStart?.(m.id, slot);
            } else if (m.type === "progress") options.onProgress?.(m.id, m.progress, slot);
            else if (m.type === "run-end") {
              current = undefined;
              options.onRunEnd?.(m.id, m.status, m.error, slot);
            }
            else if (m.type === "error") reportedError = m.message;
            else if (m.type === "note") options.onNote?.(m.text);
          });
          child.on("exit", (code, sig) => {
            if (code !== 0) {
              // A process killed while training (a native crash in libtorch or an addon, the OOM killer, kill -9): its run stays
              // to be continued, and the same crash would come back, so say which run it was and how to see its output.
              const during = current === undefined ? "" : ` while training run ${current} (it is kept and continued by the same command; if the crash comes back, run that seed alone to see its output: --first <its seed> --seeds 1 --jobs 1)`;
              failures.push(`worker process ${slot + 1} ${sig ? `was killed (${sig})` : `exited with code ${code}`}${during}: ${reportedError || stderr.trim().split("\n").slice(-5).join("\n") || "no output"}`);
            }
            resolveChild();
          });
          child.on("error", (e) => {
            failures.push(`worker process ${slot + 1} could not start: ${e.message}`);
            resolveChild();
          });
          child.send({ type: "start", ...options.start } satisfies ParentMessage);
        }),
      ),
    );
  } finally {
    options.signal?.removeEventListener("abort", stopAll);
    process.off("exit", killAll);
  }
  if (failures.length) throw new Error(failures.join("\n"));
}
