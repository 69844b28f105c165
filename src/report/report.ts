/** `twin report`: a study → one self-contained HTML file (and PNGs of its charts). */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderReportPage, renderStudyBody } from "./html.ts";
import { streamReportModel, studyStream, type ReportModel, type ReportOptions } from "./model/index.ts";
import type { StudyData, StudyStream } from "./types.ts";

export interface ReportResult {
  html: string;
  model: ReportModel;
  /** Chart ids in page order. */
  charts: string[];
  /** PNG files written (with `png`). */
  pngs: string[];
}

/**
 * Builds the report page of a study (in memory, or read seed by seed): the
 * charts are carried as specs and drawn by the reader's browser. With `png`,
 * writes each chart as `<png>/<chart id>.png`, drawn here (Vega is loaded only
 * then).
 */
export async function buildReport(study: StudyData | StudyStream, options: ReportOptions & { png?: string } = {}): Promise<ReportResult> {
  const model = await streamReportModel("groups" in study ? study : studyStream(study), options);
  const body = renderStudyBody(model);
  const pngs: string[] = [];
  if (options.png !== undefined) {
    const { renderSvg, svgToPng } = await import("./render.ts");
    mkdirSync(options.png, { recursive: true });
    for (const r of body.charts) {
      const path = join(options.png, `${r.chart.id}.png`);
      writeFileSync(path, svgToPng(await renderSvg(r.chart.spec)));
      pngs.push(path);
    }
  }
  return { html: renderReportPage(model, body.html), model, charts: body.charts.map((c) => c.chart.id), pngs };
}
