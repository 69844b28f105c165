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
import { packSpecData } from "./spec-columns.ts";

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
    // The drawing script, with the function it uses to read a spec's data columns.
    ["spec-columns.js", "report-charts.js"].map((f) => readFileSync(fileURLToPath(new URL(`./assets/${f}`, import.meta.url)), "utf8")).join("\n"),
  ]
    .map((code) => `<script>${code.replace(/<\/(script)/gi, "<\\/$1")}</script>`)
    .join("\n");
  return runtime;
}

/**
 * A spec as the text of a `<script type="application/json">` element: `<`
 * escaped so that no `</script>` in a label ends the element; data written
 * by columns (spec-columns.ts) and fractions rounded (chartPrecision); `$schema`
 * left out (an identifier the runtime does not need, and the only URL a page
 * would otherwise carry).
 */
export function specScriptText(spec: VlSpec): string {
  const { $schema: _schema, ...rest } = spec;
  return JSON.stringify(packSpecData(rest), chartPrecision).replace(/</g, "\\u003c");
}

/** Significant digits kept of a chart's non-integer numbers: far finer than a pixel of a 280 px plot or a tooltip's 4 digits. */
export const SPEC_DIGITS = 6;

/**
 * JSON.stringify replacer: non-integer numbers rounded to SPEC_DIGITS
 * significant digits (a double's 17 digits made a 100-run report 2.35 MB);
 * integers (steps, seeds, counts) are kept exact. Numbers printed in the
 * page's text never pass here.
 */
function chartPrecision(_key: string, value: unknown): unknown {
  return typeof value === "number" && Number.isFinite(value) && !Number.isInteger(value) ? Number(value.toPrecision(SPEC_DIGITS)) : value;
}
