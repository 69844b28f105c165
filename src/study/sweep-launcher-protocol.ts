/** Messages between twin and its command launcher (sweep-launcher.ts), over Node's IPC channel. */
import type { CommandResult } from "./sweep-command.ts";

export interface LaunchOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /** The run folder: emptied before the command starts; its logs and metric files. */
  runDir: string;
  /** The run's id, written in its folder (log/run-folder.ts). */
  runId: string;
  timeout?: number;
  killAfter?: number;
  maxLogBytes?: number;
  /** Send each output line back (for --verbose). */
  verbose?: boolean;
}

export type LaunchRequest = { type: "run"; id: number; options: LaunchOptions } | { type: "stop" };

export type LaunchReply =
  | { type: "started"; id: number; pid: number; marker: string }
  | { type: "output"; id: number; line: string; stream: "stdout" | "stderr" }
  | { type: "done"; id: number; result: CommandResult; readError?: string }
  | { type: "done"; id: number; error: string };
