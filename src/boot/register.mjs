// What every twin entry point (the CLI, variant worker threads, local pool
// worker processes) registers before loading TypeScript: tsx, then the
// resolution of "twin" to this installation (boot/resolve-twin.mjs).
import { register as registerModuleHooks } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

export function registerTwin() {
  registerTsx();
  registerModuleHooks("./resolve-twin.mjs", import.meta.url);
}
