// The dashboard's pages draw their charts: building a study view as the view
// worker does (its source opened from a spec, its ViewBuilder) imports neither
// Vega nor the rasterizer. Every module the process resolves is traced
// (test/cli/fixtures/trace-imports.mjs).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { writeFixture } from "../report/fixture.ts";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const root = mkdtempSync(join(tmpdir(), "twin-view-imports-"));
const indexDir = mkdtempSync(join(tmpdir(), "twin-view-imports-index-"));
after(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(indexDir, { recursive: true, force: true });
});

test("building a study view loads no Vega and no rasterizer, and gives every chart as a spec", () => {
  writeFixture(root, { seeds: 3, steps: 20 });
  const script = `
    const { ViewBuilder } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "src/serve/view-builder.ts")).href)});
    const { openSourceSpec } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "src/serve/open-source.ts")).href)});
    const b = new ViewBuilder(await openSourceSpec({ kind: "logdir", root: ${JSON.stringify(root)} }));
    const v = await b.view("ab", {});
    await b.close();
    console.log(JSON.stringify({ charts: v.charts.length, specs: (v.html.match(/class="chart-spec"/g) ?? []).length, error: v.error }));
  `;
  const trace = pathToFileURL(join(ROOT, "test/cli/fixtures/trace-imports.mjs")).href;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--import", trace, "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8", timeout: 120_000, env: { ...process.env, TWIN_INDEX_DIR: indexDir } });
  assert.equal(r.status, 0, r.stderr);
  const view = JSON.parse(r.stdout.trim().split("\n").pop()!) as { charts: number; specs: number; error?: string };
  assert.equal(view.error, undefined);
  assert.ok(view.charts >= 6 && view.specs === view.charts, JSON.stringify(view));
  const imports = r.stderr.split("\n").filter((l) => l.startsWith("IMPORT "));
  assert.ok(imports.some((l) => l.endsWith("src/serve/view-builder.ts")), "the trace sees the builder's imports");
  assert.deepEqual(imports.filter((l) => /node_modules\/(vega|@resvg)/.test(l)), []);
});
