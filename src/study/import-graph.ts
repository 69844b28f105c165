/**
 * The source files a study file brings in: its imports followed transitively
 * (relative and absolute specifiers, and twin itself), so the fingerprint
 * hashes the code a run really executes.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The root of the running twin installation (what `import ... from "twin"` resolves to). */
export const TWIN_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g;

function resolveSpecifier(from: string, spec: string): string | undefined {
  let base: string;
  if (spec === "twin") base = join(TWIN_ROOT, "src", "index.ts");
  else if (spec.startsWith("twin/")) base = join(TWIN_ROOT, spec.slice(5));
  else if (spec.startsWith(".") || spec.startsWith("/")) base = resolve(dirname(from), spec);
  else if (spec.startsWith("file://")) base = fileURLToPath(spec);
  else return undefined;
  const candidates = [base, base.replace(/\.js$/, ".ts"), base.replace(/\.mjs$/, ".mts"), `${base}.ts`, `${base}.js`, join(base, "index.ts")];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/**
 * The study file and the source files it imports, followed transitively:
 * relative and absolute specifiers and twin itself ("twin"); other packages
 * are covered by the lockfile.
 */
export function localImports(file: string): string[] {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      return;
    }
    // Comments (examples in doc comments) and type-only imports bring no code.
    text = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|\s)\/\/.*$/gm, "$1");
    text = text.replace(/\b(?:import|export)\s+type\s[^;]*?from\s*["'][^"']+["']/g, "");
    for (const m of text.matchAll(IMPORT)) {
      const hit = resolveSpecifier(path, m[1]!);
      // Other packages are covered by the lockfile; twin itself may live in node_modules.
      if (hit && (!hit.includes(`${sep}node_modules${sep}`) || hit.startsWith(TWIN_ROOT + sep))) visit(hit);
    }
  };
  visit(resolve(file));
  return [...seen];
}
