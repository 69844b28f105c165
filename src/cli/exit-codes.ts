/**
 * What `twin`'s exit status means (documented in the README):
 * 0 everything ran and every run finished; 1 an error stopped the command;
 * 2 the command line was wrong (unknown option, bad value); 3 the command
 * finished and printed its results, but some runs failed or diverged;
 * 130 stopped by Ctrl-C before there was anything to report.
 */
export const EXIT = { ok: 0, error: 1, usage: 2, runsFailed: 3, interrupted: 130 } as const;

/** An error in how the command was called (an option's value): exits with EXIT.usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Exit status for an error that reached the top: usage errors (UsageError, or a message about an --option) get EXIT.usage. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof UsageError) return EXIT.usage;
  const message = e instanceof Error ? e.message : String(e);
  return /^--[a-z][a-z-]*\b/.test(message) ? EXIT.usage : EXIT.error;
}

/** Marks the process to exit with EXIT.runsFailed (unless a worse status is already set). */
export function flagFailedRuns(): void {
  if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = EXIT.runsFailed;
}
