/**
 * Marks: one-line files in a run folder that say whose it is (the run that
 * owns it, `.twin-run`; the process writing it, `.twin-writer`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The first line of the mark file `name` in `dir`, or undefined when there is none (or it is empty). */
export function readMark(dir: string, name: string): string | undefined {
  try {
    const id = readFileSync(join(dir, name), "utf8").trim();
    return id === "" ? undefined : id;
  } catch {
    return undefined;
  }
}
