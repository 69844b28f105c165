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
 * Calls `onImport` with each import of `file` and of the files it brings in
 * (comments and type-only imports left out: they bring no code), following
 * an import where `follow` says so; stops when `onImport` returns true.
 */
function walkImports(file: string, follow: (spec: string, hit: string) => boolean, onImport: (from: string, spec: string, hit: string | undefined) => boolean = () => false): string[] {
  const seen = new Set<string>();
  const visit = (path: string): boolean => {
    if (seen.has(path)) return false;
    seen.add(path);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      return false;
    }
    text = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|\s)\/\/.*$/gm, "$1");
    text = text.replace(/\b(?:import|export)\s+type\s[^;]*?from\s*["'][^"']+["']/g, "");
    for (const m of text.matchAll(IMPORT)) {
      const hit = resolveSpecifier(path, m[1]!);
      if (onImport(path, m[1]!, hit)) return true;
      if (hit && follow(m[1]!, hit) && visit(hit)) return true;
    }
    return false;
  };
  visit(resolve(file));
  return [...seen];
}

/**
 * The first file of a study's own code that imports twin other than as
 * "twin" (a "twin/<path>" specifier, or a file of twin's sources by its path),
 * or undefined. Such a study shares modules with twin's sources, not with the
 * compiled CLI's bundle, so the compiled CLI hands it over to the sources.
 */
export function importsTwinSources(file: string): string | undefined {
  const src = join(TWIN_ROOT, "src") + sep;
  let found: string | undefined;
  walkImports(
    file,
    (spec, hit) => spec !== "twin" && !hit.includes(`${sep}node_modules${sep}`),
    (from, spec, hit) => {
      if (spec.startsWith("twin/") || (spec !== "twin" && hit?.startsWith(src))) found = from;
      return found !== undefined;
    },
  );
  return found;
}

/**
 * The study file and the source files it imports, followed transitively:
 * relative and absolute specifiers and twin itself ("twin"); other packages
 * are covered by the lockfile.
 */
export function localImports(file: string): string[] {
  // Other packages are covered by the lockfile; twin itself may live in node_modules.
  return walkImports(file, (_spec, hit) => !hit.includes(`${sep}node_modules${sep}`) || hit.startsWith(TWIN_ROOT + sep));
}
