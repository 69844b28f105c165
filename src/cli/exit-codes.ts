import { resolve } from "node:path";
import { WrongInputError } from "../log/wrong-input.ts";
import { MissingStoreError, NotAStoreFileError } from "../store/errors.ts";
import { NotRegularFileError } from "../log/regular-file.ts";

/**
 * What `twin`'s exit status means (documented in the README):
 * 0 everything ran and every run finished; 1 an error stopped the command;
 * 2 the command line was wrong (unknown option, bad value, a path or study
 * named on it that does not exist or is not what the command reads); 3 the command
 * finished and printed its results, but some runs failed or diverged;
 * 4 `twin verify` re-ran the run and it does not reproduce bit for bit (the
 * run did not fail: its re-run gives other numbers; a status of its own so
 * that a script tells it from a wrong command line and from a failed run);
 * 130 stopped by Ctrl-C (after the verdict on the runs that finished, if
 * there are two or more).
 */
export const EXIT = { ok: 0, error: 1, usage: 2, runsFailed: 3, notReproduced: 4, interrupted: 130 } as const;

/** An error in how the command was called (an option's value): exits with EXIT.usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * The path or study an error says is missing or of the wrong kind: a
 * WrongInputError's, a store path's that is missing or not a store, a path
 * that is a folder or a device where a file is read, or the path of Node's
 * own "no such file" error.
 */
function inputOf(e: unknown): string | undefined {
  if (e instanceof WrongInputError || e instanceof MissingStoreError || e instanceof NotAStoreFileError) return e.input;
  if (e instanceof NotRegularFileError) return e.path;
  const { code, path, cause } = e as NodeJS.ErrnoException;
  if ((code === "ENOENT" || code === "ENOTDIR") && typeof path === "string") return path;
  // A reader's error that wraps Node's ("cannot read NPY file x.npy: ENOENT: …").
  return cause !== undefined && cause !== e ? inputOf(cause) : undefined;
}

/** Whether `input` is one of the arguments (or an --option=value's value), as written or as the same absolute path. */
function onCommandLine(input: string, args: readonly string[]): boolean {
  const values = args.map((a) => (a.startsWith("--") && a.includes("=") ? a.slice(a.indexOf("=") + 1) : a));
  return values.some((v) => v === input || (v !== "" && resolve(v) === resolve(input)));
}

/**
 * Exit status for an error that reached the top: usage errors (UsageError, a
 * message about an --option, or an input named on the command line `args`
 * that is missing or not what the command reads) get EXIT.usage; a missing
 * path named inside a file (a results file's prediction column) is EXIT.error.
 */
export function exitCodeOf(e: unknown, args: readonly string[] = []): number {
  if (e instanceof UsageError) return EXIT.usage;
  const input = inputOf(e);
  if (input !== undefined && onCommandLine(input, args)) return EXIT.usage;
  const message = e instanceof Error ? e.message : String(e);
  return /^--[a-z][a-z-]*\b/.test(message) ? EXIT.usage : EXIT.error;
}

/** Marks the process to exit with EXIT.runsFailed (unless a worse status is already set). */
export function flagFailedRuns(): void {
  if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = EXIT.runsFailed;
}

/** What an exit status means, for a command that ends with it without having said why. */
export function silentExitMessage(code: number): string {
  if (code === EXIT.usage) return "the command line was wrong (exit status 2); twin <command> --help shows how to call it";
  if (code === EXIT.runsFailed) return "some runs failed or diverged (exit status 3): the results say which";
  if (code === EXIT.notReproduced) return "the run does not reproduce bit for bit (exit status 4)";
  if (code > 128) return `stopped by a signal (exit status ${code})`;
  return `stopped with exit status ${code} without saying why; this is a bug in twin: please report it with the command line and what it printed`;
}

const INSTALLED = Symbol.for("twin.exit-explanation");

/**
 * Every non-zero exit says why: when the process ends with a non-zero status
 * and nothing was written to stderr (no error message, no uncaught exception),
 * one line saying what the status means is written there. Installed once per
 * process (the compiled CLI hands training commands over to the sources,
 * which load this module again).
 */
export function explainSilentExits(): void {
  const flags = globalThis as { [INSTALLED]?: boolean };
  if (flags[INSTALLED]) return;
  flags[INSTALLED] = true;
  let said = false;
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (chunk.length > 0) said = true;
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
  // Node reports an uncaught exception (or unhandled rejection) itself, not through process.stderr.write.
  process.on("uncaughtExceptionMonitor", () => {
    said = true;
  });
  process.on("exit", (code) => {
    // 141: a reader closed the pipe (twin --help | head): quiet, as Unix tools are.
    if (code === 0 || code === 141 || said) return;
    write(`twin: ${silentExitMessage(code)}\n`);
  });
}
