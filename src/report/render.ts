/** Vega-Lite spec → SVG (vega's headless renderer) → PNG (resvg). */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { Resvg } from "@resvg/resvg-js";
import type { VlSpec } from "./charts/common.ts";

/** Compiles a Vega-Lite spec and renders it to an SVG string (no browser, no canvas). */
export async function renderSvg(spec: VlSpec, warnings: string[] = []): Promise<string> {
  const logger = {
    level: () => logger,
    error: (...a: unknown[]) => { throw new Error(a.map(String).join(" ")); },
    warn: (...a: unknown[]) => { warnings.push(a.map(String).join(" ")); return logger; },
    info: () => logger,
    debug: () => logger,
  };
  const compiled = compile(spec as unknown as TopLevelSpec, { logger: logger as never }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterizes an SVG to PNG bytes (white background, `scale`× its size). */
export function svgToPng(svg: string, scale = 2): Buffer {
  const r = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
  });
  return Buffer.from(r.render().asPng());
}
