/**
 * The comparison as pictures: the static HTML report and the live dashboard.
 * Data (sources) → numbers (model, via src/stats) → Vega-Lite specs (charts,
 * pure) → SVG/PNG (render) → HTML (html) / HTTP (server).
 */
export * from "./types.ts";
export * from "./source.ts";
export * from "./locate.ts";
export * from "./model/index.ts";
export * from "./charts/index.ts";
export * from "./render.ts";
export * from "./html.ts";
export * from "./report.ts";
export * from "./server.ts";
export * from "./stats-plot.ts";
