/**
 * A factorial study's design as the report and the dashboard read it back:
 * stored with the study's specification in the store (`design`), and written
 * as `<logdir>/<study>/_design.json` beside its log folders. Both hold the
 * factors with their levels in order (the order sets each effect's sign) and
 * which levels every variant has.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FactorialDesign } from "./factorial-design.ts";

/** File of a log folder's study that holds its factorial design. */
export const DESIGN_FILE = "_design.json";

/** The design checked: every factor has 2+ distinct levels, every variant a level of each factor. Throws naming what is wrong. */
export function parseDesign(raw: unknown, where: string): FactorialDesign {
  const bad = (what: string): never => {
    throw new Error(`${where}: the factorial design ${what}; it is written by twin for a study with factors (remove it to report the study without the factorial analysis)`);
  };
  if (typeof raw !== "object" || raw === null) return bad("is not a JSON object");
  const { factors, cells } = raw as { factors?: unknown; cells?: unknown };
  if (!Array.isArray(factors) || factors.length === 0) return bad("has no list of factors");
  const out: FactorialDesign = { factors: [], cells: {} };
  for (const f of factors as unknown[]) {
    const { name, levels } = (f ?? {}) as { name?: unknown; levels?: unknown };
    if (typeof name !== "string" || !Array.isArray(levels) || !levels.every((l) => typeof l === "string")) return bad(`has a factor without a name and a list of level names (${JSON.stringify(f)})`);
    if (levels.length < 2 || new Set(levels).size !== levels.length) return bad(`gives factor "${name}" ${levels.length} level(s) (${levels.join(", ")}); it needs 2 or more distinct levels`);
    out.factors.push({ name, levels: [...(levels as string[])] });
  }
  if (typeof cells !== "object" || cells === null) return bad("has no cells (variant -> levels)");
  for (const [variant, levels] of Object.entries(cells as Record<string, unknown>)) {
    const l = (levels ?? {}) as Record<string, unknown>;
    for (const f of out.factors) {
      if (typeof l[f.name] !== "string" || !f.levels.includes(l[f.name] as string)) return bad(`gives variant "${variant}" no level of factor "${f.name}" among ${f.levels.join(", ")}`);
    }
    out.cells[variant] = Object.fromEntries(out.factors.map((f) => [f.name, l[f.name] as string]));
  }
  return out;
}

/** Writes the design into the study's log folder (`<logdir>/<study>/_design.json`). */
export function writeDesignFile(studyDir: string, design: FactorialDesign): void {
  mkdirSync(studyDir, { recursive: true });
  writeFileSync(join(studyDir, DESIGN_FILE), JSON.stringify(design, null, 2) + "\n");
}

/** The design of a log folder's study, or undefined when it has none (not a factorial study). */
export function readDesignFile(studyDir: string): FactorialDesign | undefined {
  const path = join(studyDir, DESIGN_FILE);
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message}); it holds the study's factorial design (remove it to report the study without the factorial analysis)`);
  }
  return parseDesign(raw, path);
}
