#!/usr/bin/env node
// The `twin` command. Runs the compiled CLI (dist/, built by `npm run build` or
// scripts/setup.sh) when it is at least as new as every source file, and the
// TypeScript sources through tsx otherwise (a checkout being edited).
import { readdirSync, statSync } from "node:fs";

const root = new URL("../", import.meta.url);
const stamp = new URL("dist/.built", root);

/** Newest modification time (ms) of the files under src/ (0 when there is no src/: an installation of dist/ only). */
function newestSource() {
  const src = new URL("src/", root);
  let newest = 0;
  try {
    for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) newest = Math.max(newest, statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).mtimeMs);
    }
  } catch {
    return 0;
  }
  return newest;
}

function compiledIsFresh() {
  try {
    return statSync(stamp).mtimeMs >= newestSource();
  } catch {
    return false;
  }
}

if (compiledIsFresh()) {
  await import(new URL("dist/cli/main.js", root).href);
} else {
  // tsx, and "twin" in study files anywhere resolved to this installation.
  const { registerTwin } = await import(new URL("src/boot/register.mjs", root).href);
  registerTwin();
  await import(new URL("src/cli/main.ts", root).href);
}
