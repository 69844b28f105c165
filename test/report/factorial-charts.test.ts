// The factorial verdict's charts: interaction plot (one line per level of the second factor, a mean and an interval per cell) and per-setting effects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readResults } from "../../src/study/results-file.ts";
import { factorialVerdict } from "../../src/study/factorial-verdict.ts";
import { factorialCharts } from "../../src/report/charts/factorial.ts";
import { markItems, legendSymbols } from "./scenegraph.ts";
import { CATEGORY } from "../../src/report/charts/common.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-factorial-charts-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

const rows = ["seed,optimizer,dropout,accuracy"];
for (let s = 0; s < 5; s++) {
  for (const [o, oi] of [["sgd", 0], ["adam", 1]] as const) {
    for (const [d, di] of [["0", 0], ["0.2", 1]] as const) rows.push(`${s},${o},${d},${(0.86 + 0.002 * s + 0.004 * oi + 0.005 * di - 0.004 * oi * di + 0.0003 * ((s * 7 + oi * 3 + di) % 5)).toFixed(5)}`);
  }
}

test("interaction plot: two lines, a mean and an interval per cell at the verdict's values; effects chart: main and per-setting effects", async () => {
  const file = join(dir, "g.csv");
  writeFileSync(file, rows.join("\n"));
  const v = factorialVerdict(readResults(file, { factors: ["optimizer", "dropout"] }), { metric: "accuracy", factors: ["optimizer", "dropout"] });
  const [interaction, effects] = factorialCharts(v);
  assert.equal(interaction!.title, "Interaction: optimizer × dropout");
  const lines = await markItems(interaction!.spec, "lines");
  assert.equal(lines.length, 2, "one line per dropout level");
  const means = (await markItems(interaction!.spec, "means")).flat();
  assert.equal(means.length, 4);
  const drawn = means.map((m) => m.datum!.mean as number).sort();
  assert.deepEqual(drawn, v.interaction_means[0]!.means.map((m) => m.mean).sort());
  assert.equal((await markItems(interaction!.spec, "cis")).flat().length, 4);
  assert.equal((await markItems(effects!.spec, "cis")).flat().length, 2 + v.simple_effects.length);
});

test("the factorial charts wear none of the variants' colours: a level of a factor and a kind of effect are not variants (a colour means one thing on a page)", async () => {
  const file = join(dir, "g3.csv");
  // Three levels of dropout: three greys, three shapes, three dashes.
  const three = ["seed,optimizer,dropout,accuracy"];
  for (let s = 0; s < 5; s++) for (const o of [0, 1]) for (const d of [0, 1, 2]) three.push(`${s},${o ? "adam" : "sgd"},${d / 5},${(0.86 + 0.002 * s + 0.004 * o + 0.003 * d + 0.0003 * ((s * 7 + o * 3 + d) % 5)).toFixed(5)}`);
  writeFileSync(file, three.join("\n"));
  const v = factorialVerdict(readResults(file, { factors: ["optimizer", "dropout"] }), { metric: "accuracy", factors: ["optimizer", "dropout"] });
  const variantColours = new Set(CATEGORY.map((c) => c.toLowerCase()));
  for (const chart of factorialCharts(v)) {
    const drawn = new Set<string>();
    for (const name of Object.keys(chart.marks)) {
      for (const item of (await markItems(chart.spec, name)).flat()) for (const c of [item.fill, item.stroke]) if (typeof c === "string" && c.startsWith("#")) drawn.add(c.toLowerCase());
    }
    for (const item of (await legendSymbols(chart.spec)).values()) for (const c of [item.fill, item.stroke]) if (typeof c === "string" && c.startsWith("#")) drawn.add(c.toLowerCase());
    assert.ok(drawn.size > 0, chart.id);
    assert.deepEqual([...drawn].filter((c) => variantColours.has(c)), [], `${chart.id} draws in a variant's colour`);
  }
  const [interaction] = factorialCharts(v);
  const shapes = (await markItems(interaction!.spec, "means")).flat().map((m) => `${m.datum!.dropout} ${m.shape}`);
  assert.equal(new Set(shapes).size, 3, `each level its own shape: ${shapes.join(", ")}`);
});
