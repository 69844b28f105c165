// Module resolution hook for study files anywhere on disk:
// - `import ... from "twin"` (and "twin/<path>") resolves to the twin
//   installation that is running, so a study file needs no node_modules of its
//   own and shares one copy of twin's modules with the command that loads it;
// - a TypeScript file outside any package that declares its module type is an
//   ES module (Node would otherwise take it for CommonJS, and its `import`s
//   of twin's ES modules would fail as a require() cycle).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = new URL("../../", import.meta.url);
const TYPESCRIPT = /\.(ts|tsx)$/;
/** What "twin" resolves to: the sources, or the compiled CLI's bundled API (register.mjs). */
let api = new URL("src/index.ts", ROOT).href;

export function initialize(data) {
  if (data?.api) api = data.api;
}

/** The "type" of the nearest package.json above a file, or undefined when none says. */
function packageType(file) {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        return JSON.parse(readFileSync(manifest, "utf8")).type;
      } catch {
        return undefined;
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The file a resolved URL names. Imported from a module-typescript file, tsx
 * resolves a CommonJS-looking TypeScript file to a URL that carries its
 * export pre-parsing queries ("helper.ts%3Ftsx-commonjs-export-preparse=1?…");
 * a helper module of a study file ("./blobs.ts") comes this way.
 */
function fileUrl(url) {
  const plain = url.split("?")[0];
  const tsxQuery = plain.indexOf("%3Ftsx-");
  return tsxQuery < 0 ? plain : plain.slice(0, tsxQuery);
}

export async function resolve(specifier, context, nextResolve) {
  const target = specifier === "twin" ? api : specifier.startsWith("twin/") ? new URL(specifier.slice("twin/".length), ROOT).href : specifier;
  const resolved = await nextResolve(target, context);
  if (resolved.format !== "commonjs" || !resolved.url.startsWith("file:")) return resolved;
  const url = fileUrl(resolved.url);
  if (TYPESCRIPT.test(url) && packageType(fileURLToPath(url)) === undefined) {
    return { ...resolved, url, format: "module-typescript" };
  }
  return resolved;
}
