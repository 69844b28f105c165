/**
 * What a report page needs to draw its charts in the reader's browser: the
 * vega and vega-lite runtimes (their minified UMD builds, read as text from
 * the installed packages) and the script that draws each figure from its
 * spec. Inlined into the page, so the report stays one file that loads nothing
 * from the network; reading them costs milliseconds, where importing Vega and
 * drawing the charts here cost seconds of start-up.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { VlSpec } from "./charts/common.ts";

const require = createRequire(import.meta.url);

/** A package's file next to its resolved entry point (vega and vega-lite export only their entry, so the path is taken from there). */
function packageBuildFile(pkg: string, file: string): string {
  return readFileSync(join(dirname(require.resolve(pkg)), file), "utf8");
}

let runtime: string | undefined;

/** The `<script>` elements that draw the page's charts (read once per process). */
export function chartRuntimeScripts(): string {
  runtime ??= [
    packageBuildFile("vega", "vega.min.js"),
    packageBuildFile("vega-lite", "vega-lite.min.js"),
    readFileSync(fileURLToPath(new URL("./assets/report-charts.js", import.meta.url)), "utf8"),
  ]
    .map((code) => `<script>${code.replace(/<\/(script)/gi, "<\\/$1")}</script>`)
    .join("\n");
  return runtime;
}

/**
 * A spec as the text of a `<script type="application/json">` element: `<`
 * escaped so that no `</script>` in a label ends the element; `$schema`
 * left out (an identifier the runtime does not need, and the only URL a page
 * would otherwise carry).
 */
export function specScriptText(spec: VlSpec): string {
  const { $schema: _schema, ...rest } = spec;
  return JSON.stringify(rest).replace(/</g, "\\u003c");
}
