/**
 * CPU pinning for benchmarks that compare twin with a Python reference on a
 * shared machine: left to the scheduler, the two processes land on different
 * cores with different neighbours, and 1-thread ratios swung from 0.67 to
 * 1.65 between two runs here; pinned to the same core they held at
 * 0.98–1.02. `taskset` (util-linux) sets the affinity; without it (or with
 * one core) nothing is pinned and the results say so.
 */
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";

/** The core both sides of a 1-thread comparison run on. */
export const PIN_CORE = 1;

function hasTaskset(): boolean {
  try {
    execFileSync("taskset", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export const canPin = cpus().length > PIN_CORE && hasTaskset();

/** Pins every thread of this process to `cores` ("1", "0-1"); false when pinning is not possible. */
export function pinSelf(cores: string): boolean {
  if (!canPin) return false;
  execFileSync("taskset", ["-a", "-p", "-c", cores, String(process.pid)], { stdio: "ignore" });
  return true;
}

/** Lets this process run on every core again. */
export function unpinSelf(): void {
  if (canPin) pinSelf(`0-${cpus().length - 1}`);
}

/** argv that runs the command pinned to `cores` (unchanged when pinning is not possible). */
export function pinnedCommand(cores: string | undefined, argv: readonly string[]): string[] {
  return cores !== undefined && canPin ? ["taskset", "-c", cores, ...argv] : [...argv];
}

/** min and max of the per-round ratios: the spread to print next to a ratio. */
export function spread(ratios: readonly number[]): { min: number; max: number } {
  return { min: Math.min(...ratios), max: Math.max(...ratios) };
}
