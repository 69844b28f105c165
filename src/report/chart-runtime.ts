/**
 * What a page needs to draw its charts in the reader's browser: the vega and
 * vega-lite runtimes (their minified UMD builds, read as text from the
 * installed packages) and the script that draws each figure from its spec.
 * The report inlines them, so it stays one file that loads nothing from the
 * network; the dashboard serves them from its own address (its
 * Content-Security-Policy allows scripts from 'self' only, and no eval: it
 * draws with vega-interpreter, see dashboardScripts). Reading them costs
 * milliseconds, where importing Vega and drawing the charts on the server
 * cost seconds.
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

const asset = (f: string): string => readFileSync(fileURLToPath(new URL(`./assets/${f}`, import.meta.url)), "utf8");

let runtime: string | undefined;

/** The `<script>` elements that draw the page's charts (read once per process). */
export function chartRuntimeScripts(): string {
  runtime ??= [
    packageBuildFile("vega", "vega.min.js"),
    packageBuildFile("vega-lite", "vega-lite.min.js"),
    // The drawing script, with the function it uses to read a spec's data columns.
    ["spec-columns.js", "report-charts.js"].map(asset).join("\n"),
  ]
    .map((code) => `<script>${code.replace(/<\/(script)/gi, "<\\/$1")}</script>`)
    .join("\n");
  return runtime;
}

/**
 * vega-interpreter's build (an ES module importing three names from
 * vega-util) as a plain script: the names taken from the `vega` global that
 * vega.min.js defines (it re-exports vega-util), the interpreter left as the
 * global `vegaInterpreter`. A build of another shape is refused by name
 * rather than served broken.
 */
export function interpreterScript(moduleText: string): string {
  const imports = /^import \{([\w\s,]+)\} from 'vega-util';$/m;
  const exports = /^export \{ (\w+) as expressionInterpreter \};$/m;
  const names = imports.exec(moduleText)?.[1];
  const entry = exports.exec(moduleText)?.[1];
  if (!names || !entry || /^\s*(import|export)\b/m.test(moduleText.replace(imports, "").replace(exports, ""))) {
    throw new Error("vega-interpreter's build is not the one expected (one import from 'vega-util', one export of expressionInterpreter): the dashboard cannot serve it; install the version in package.json");
  }
  const body = moduleText.replace(imports, "").replace(exports, "").replace(/^\/\/# sourceMappingURL=.*$/m, "");
  return `// vega-interpreter ${packageVersion("vega-interpreter")} (BSD-3-Clause), as a plain script: twin's src/report/chart-runtime.ts.\n(function (vega) {\n"use strict";\nconst {${names}} = vega;\n${body}\nself.vegaInterpreter = ${entry};\n})(self.vega);\n`;
}

function packageVersion(pkg: string): string {
  return (JSON.parse(readFileSync(join(dirname(require.resolve(pkg)), "..", "package.json"), "utf8")) as { version: string }).version;
}

/**
 * The scripts the dashboard page loads, in order, by file name: vega,
 * vega-lite, vega-interpreter (Vega's way to evaluate a chart's expressions
 * without `new Function`, which the dashboard's Content-Security-Policy
 * forbids), the spec-columns reader and the dashboard's own script.
 */
export function dashboardScripts(): Map<string, string> {
  return new Map([
    ["vega.min.js", packageBuildFile("vega", "vega.min.js")],
    ["vega-lite.min.js", packageBuildFile("vega-lite", "vega-lite.min.js")],
    ["vega-interpreter.js", interpreterScript(readFileSync(require.resolve("vega-interpreter"), "utf8"))],
    ["spec-columns.js", asset("spec-columns.js")],
    ["dashboard.js", asset("dashboard.js")],
  ]);
}

/**
 * Spec texts made before, by spec object: a dashboard update hands over the
 * very chart object of a curve whose runs did not change (charts/index.ts),
 * and its text (the largest of a view: a curve of every variant) is not made again.
 */
const specTexts = new WeakMap<VlSpec, string>();

/**
 * A spec as the text of a `<script type="application/json">` element: `<`
 * escaped so that no `</script>` in a label ends the element; data written
 * by columns (spec-columns.ts) and fractions rounded (chartPrecision); `$schema`
 * left out (an identifier the runtime does not need, and the only URL a page
 * would otherwise carry). Made once per spec object.
 */
export function specScriptText(spec: VlSpec): string {
  let text = specTexts.get(spec);
  if (text === undefined) {
    const { $schema: _schema, ...rest } = spec;
    specTexts.set(spec, (text = JSON.stringify(packSpecData(rest), chartPrecision).replace(/</g, "\\u003c")));
  }
  return text;
}

/** The text specScriptText made of this very spec object, if it made one (nothing is made here). */
export function madeSpecText(spec: VlSpec): string | undefined {
  return specTexts.get(spec);
}

/** Takes `text` as specScriptText's text of `spec`: a spec restored with the text made of it before (serve/saved-accumulator.ts). */
export function adoptSpecText(spec: VlSpec, text: string): void {
  specTexts.set(spec, text);
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
