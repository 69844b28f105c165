/**
 * What identifies the code that draws curves and their charts, for drawings
 * saved with an accumulator (saved-accumulator.ts): a drawing saved by other
 * code (twin built again, or a source edited) is not used, the curve is
 * drawn again. Compiled (dist/, scripts/build.sh), it is the build's mark
 * (dist/.built, made anew by every build); run from the sources, the newest
 * modification time and the number of the files under src/report/ (the model,
 * the charts and their texts live there).
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

let stamp: string | undefined;

/** The stamp of the code running now (taken once). */
export function drawingCodeStamp(): string {
  return (stamp ??= takeStamp());
}

function takeStamp(): string {
  // This file is src/serve/drawing-code.ts, or in a build dist/<folder>/… (its URL rewritten so: scripts/bundle.mjs): one folder up is src/ or dist/.
  const root = fileURLToPath(new URL("../", import.meta.url));
  try {
    const built = statSync(join(root, ".built"));
    return `built ${built.mtimeMs} ${built.size}`;
  } catch {
    // Not a build: the sources.
  }
  const report = join(root, "report");
  let newest = 0;
  let files = 0;
  for (const f of readdirSync(report, { recursive: true, encoding: "utf8" })) {
    if (!f.endsWith(".ts")) continue;
    newest = Math.max(newest, statSync(join(report, f)).mtimeMs);
    files++;
  }
  return `sources ${newest} ${files}`;
}
