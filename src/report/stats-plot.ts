/** `twin stats FILE --plot out.png`: seed distributions and differences for results from anywhere. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Analysis } from "../study/analyze.ts";
import { pivot, type ResultTable } from "../study/results-file.ts";
import { showsPercentPoints } from "../study/metric-units.ts";
import { valueUnit, type Chart } from "./charts/common.ts";
import { differenceChart, distributionChart } from "./charts/distribution.ts";
import { differenceData, distributionData, type FinalSample } from "./model/index.ts";
import { renderSvg, svgToPng } from "./render.ts";

/** The figure's charts for an analysed results table: distributions, then differences, in the unit `twin stats` prints (metric-units.ts). */
export function statsPlotCharts(table: ResultTable, analysis: Analysis): Chart[] {
  const byVariant = pivot(table, analysis.metric);
  const names = analysis.variants.map((v) => v.name);
  const sample: FinalSample = {
    metric: analysis.metric,
    higherIsBetter: analysis.higher_is_better,
    reference: analysis.comparisons[0]?.a ?? names[0]!,
    variants: names.map((name) => ({ name, values: [...(byVariant.get(name) ?? new Map<string, number>()).entries()].map(([seed, value]) => ({ seed, value })) })),
  };
  const unit = valueUnit(showsPercentPoints(analysis.metric, sample.variants.flatMap((v) => v.values.map((x) => x.value))));
  const dist = distributionChart(distributionData(sample), unit);
  const diff = analysis.comparisons.length > 0 ? differenceChart(differenceData(sample, analysis), unit) : undefined;
  return diff ? [dist, diff] : [dist];
}

/** Writes the PNG (or SVG when the name ends in .svg); returns its absolute path. */
export async function writeStatsPlot(table: ResultTable, analysis: Analysis, out: string): Promise<string> {
  const svgs = [];
  for (const c of statsPlotCharts(table, analysis)) svgs.push(await renderSvg(c.spec));
  const svg = stackSvgs(svgs);
  const path = resolve(out);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, /\.svg$/i.test(path) ? svg : svgToPng(svg));
  return path;
}

/** Stacks SVG documents vertically into one (nested <svg> elements). */
export function stackSvgs(svgs: readonly string[], gap = 16): string {
  let y = 0, width = 0;
  const parts: string[] = [];
  for (const s of svgs) {
    const w = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(s)?.[1] ?? 600);
    const h = Number(/<svg[^>]*\sheight="([\d.]+)"/.exec(s)?.[1] ?? 400);
    parts.push(s.replace(/^<svg/, `<svg x="0" y="${y}"`));
    y += h + gap;
    width = Math.max(width, w);
  }
  const height = Math.max(0, y - gap);
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="${width}" height="${height}" fill="white"/>${parts.join("")}</svg>`;
}
