/** A sweep's variants from a JSON file (`twin sweep --variants-file`). */
import { readFileSync } from "node:fs";
import { checkCommand, checkVariantName } from "./sweep-input.ts";
import type { SweepVariant } from "./sweep-types.ts";

/**
 * A variants file (JSON): `{"a": ["python", "train.py"], "b": "python train.py --wide"}`
 * or `{"variants": {...}}`; a variant may also be `{"command": [...], "env": {"K": "V"}}`.
 * A string command runs with `sh -c`; a list runs as is.
 */
export function readVariantsFile(path: string): SweepVariant[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === "ENOENT" ? `--variants-file ${path}: no such file` : `--variants-file ${path}: not valid JSON (${(e as Error).message})`);
  }
  if (data && typeof data === "object" && !Array.isArray(data) && "variants" in data) data = (data as { variants: unknown }).variants;
  if (!data || typeof data !== "object" || Array.isArray(data) || Object.keys(data).length === 0) {
    throw new Error(`--variants-file ${path}: expected an object of variants, e.g. {"base": ["python", "train.py"], "wide": "python train.py --width 512"}`);
  }
  return Object.entries(data as Record<string, unknown>).map(([name, spec]) => {
    const where = `--variants-file ${path}, variant '${name}'`;
    checkVariantName(name);
    if (spec && typeof spec === "object" && !Array.isArray(spec)) {
      const { command, env } = spec as { command?: unknown; env?: unknown };
      if (env !== undefined && (typeof env !== "object" || env === null || Object.values(env).some((v) => typeof v !== "string"))) {
        throw new Error(`${where}: env must map names to strings`);
      }
      return { name, command: checkCommand(command, where), ...(env ? { env: env as Record<string, string> } : {}) };
    }
    return { name, command: checkCommand(spec, where) };
  });
}
