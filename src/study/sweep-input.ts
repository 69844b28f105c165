/** What a sweep is given on the command line or in a variants file, checked with a clear error for each mistake. */
import { basename, extname } from "node:path";
import { FACTORS } from "../rng/factors.ts";

/** A positive integer from CLI text, or a clear error. */
export function parseCount(text: string, what: string): number {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new Error(`${what} must be a positive integer (got '${text}')`);
  }
  return Number(text);
}

/** A seed (non-negative integer) from CLI text. */
export function parseSeed(text: string, what: string): number {
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(Number(text))) throw new Error(`${what} must be a non-negative integer (got '${text}')`);
  return Number(text);
}

/** Seconds (> 0) from CLI text. */
export function parseSeconds(text: string, what: string, allowZero = false): number {
  const v = Number(text);
  if (text.trim() === "" || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new Error(`${what} must be a number of seconds${allowZero ? "" : " above 0"} (got '${text}')`);
  }
  return v;
}

export function checkFactor(factor: string): string {
  const f = factor.trim().toLowerCase();
  if (!(FACTORS as readonly string[]).includes(f)) {
    throw new Error(`--vary ${factor}: unknown factor; the factors are ${FACTORS.join(", ")}`);
  }
  return f;
}

export function checkVariantName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new Error(`variant name '${name}' cannot be used: use letters, digits, '.', '_' and '-' (it names a folder)`);
  }
  return name;
}

export function checkCommand(command: unknown, where: string): string[] {
  if (typeof command === "string") {
    if (command.trim() === "") throw new Error(`${where}: empty command`);
    return ["sh", "-c", command];
  }
  if (!Array.isArray(command) || command.length === 0 || !command.every((a) => typeof a === "string") || command[0] === "") {
    throw new Error(`${where}: a command is a non-empty list of strings (run as is) or a string (run with sh -c)`);
  }
  return command as string[];
}

/** A study name from the command: `python train.py` → "train". */
export function defaultSweepName(command: readonly string[]): string {
  const candidate = command.slice(1).find((a) => !a.startsWith("-") && !/\s/.test(a)) ?? command[0] ?? "sweep";
  const base = basename(candidate, extname(candidate)).replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._-]+/, "");
  return base || "sweep";
}
