/** `twin stats FILE --factors a,b --plot out.png`: the interaction plots and per-setting effects of a factorial verdict. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { FactorialVerdict } from "../study/factorial-verdict.ts";
import { valueUnit } from "./charts/common.ts";
import { factorialCharts } from "./charts/factorial.ts";
import { renderSvg, svgToPng } from "./render.ts";
import { stackSvgs } from "./stats-plot.ts";

/** Writes the PNG (or SVG when the name ends in .svg), in percentage points when `percent` (as the verdict printed); returns its absolute path. */
export async function writeFactorialPlot(v: FactorialVerdict, out: string, percent: boolean): Promise<string> {
  const svgs = [];
  for (const c of factorialCharts(v, valueUnit(percent))) svgs.push(await renderSvg(c.spec));
  const svg = stackSvgs(svgs);
  const path = resolve(out);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, /\.svg$/i.test(path) ? svg : svgToPng(svg));
  return path;
}
