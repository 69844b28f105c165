// What every twin entry point (the CLI, variant worker threads, local pool
// worker processes) registers before loading TypeScript: tsx, then the
// resolution of "twin" to this installation (boot/resolve-twin.mjs).
import { register as registerModuleHooks } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

/**
 * `api`: the URL "twin" resolves to (default: src/index.ts). The compiled CLI
 * gives its bundled API (dist/api/index.js), so that a study file and the
 * command share one copy of every module.
 */
export function registerTwin(api) {
  registerTsx();
  registerModuleHooks("./resolve-twin.mjs", import.meta.url, { data: { api } });
}
