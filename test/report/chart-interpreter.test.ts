/**
 * The dashboard draws its charts in the page with Vega's expressions
 * evaluated by vega-interpreter (its Content-Security-Policy allows no eval),
 * loaded as the plain script the dashboard serves (chart-runtime.ts
 * interpreterScript). Each chart of a study view (curves, a one-step chart,
 * paired differences, distributions with a black swan, power, expected
 * maximum, a factorial study's interaction plot) drawn that way gives the very
 * SVG that Vega's compiled expressions give: every mark, label, axis and
 * accessible description (the tooltips' text) is the same.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInThisContext } from "node:vm";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { allCharts, buildReportModel, loadStudyDir, reportCharts } from "../../src/report/index.ts";
import { interpreterScript } from "../../src/report/chart-runtime.ts";
import { writeFixture, writeOfatFixture } from "./fixture.ts";

const root = mkdtempSync(join(tmpdir(), "twin-interp-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** The served script run as the page runs it: with the vega runtime as the global `vega`. */
function servedInterpreter(): unknown {
  const self: { vega: typeof vega; vegaInterpreter?: unknown } = { vega };
  const script = interpreterScript(readFileSync(createRequire(import.meta.url).resolve("vega-interpreter"), "utf8"));
  (runInThisContext(`(function (self) {\n${script}\n})`) as (s: typeof self) => void)(self);
  assert.ok(self.vegaInterpreter, "the script sets self.vegaInterpreter");
  return self.vegaInterpreter;
}

/**
 * The SVG with its clip paths numbered in order of appearance: Vega's SVG
 * renderer numbers them from one counter for the whole process, so the same
 * chart drawn twice names its clip "clip1" and then "clip3".
 */
function clipsNumberedInOrder(svgText: string): string {
  const ids = new Map<string, string>();
  return svgText.replace(/\bclip\d+\b/g, (id) => ids.get(id) ?? ids.set(id, `clip-${ids.size + 1}`).get(id)!);
}

async function svg(spec: object, expr?: unknown): Promise<string> {
  const compiled = compile(spec as TopLevelSpec).spec;
  const view = expr ? new vega.View(vega.parse(compiled, undefined, { ast: true }), { renderer: "none", expr: expr as never }) : new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return clipsNumberedInOrder(await view.toSVG());
  } finally {
    view.finalize();
  }
}

test("every chart drawn with the served vega-interpreter is the SVG drawn with compiled expressions", async () => {
  writeFixture(join(root, "logs"), { seeds: 6, steps: 20, epochSteps: 20, blackSwan: { variant: "wider", seed: 2 } });
  writeOfatFixture(join(root, "logs"));
  const expr = servedInterpreter();
  let charts = 0;
  for (const study of ["ab", "seeds"]) {
    const model = buildReportModel(loadStudyDir(join(root, "logs", study)));
    for (const c of allCharts(reportCharts(model))) {
      const plain = await svg(c.spec);
      assert.match(plain, /aria-label|<text/, `${c.id} draws labels`);
      assert.equal(await svg(c.spec, expr), plain, `${study} ${c.id}`);
      charts++;
    }
  }
  assert.ok(charts >= 10, `${charts} charts`);
});

test("a vega-interpreter build of another shape is refused with what to do", () => {
  assert.throws(() => interpreterScript("import { a } from 'vega-util';\nexport default a;\n"), /vega-interpreter's build is not the one expected[\s\S]*package\.json/);
  assert.throws(() => interpreterScript("import { a } from 'vega-util';\nimport b from 'x';\nexport { a as expressionInterpreter };\n"), /not the one expected/);
});
