/**
 * Shared pieces of the chart specs. A chart is a pure function from report
 * data to a Vega-Lite spec plus what a reader (or a test) should find in it:
 * the number of series and points, and the mark groups by name.
 */

/** A Vega-Lite spec as plain JSON (compiled by vega-lite at render time). */
export type VlSpec = Record<string, unknown>;

export interface Chart {
  /** Stable id (file name of the PNG, DOM id). */
  id: string;
  title: string;
  /** What every line, band and bar is, in words (shown under the chart). */
  caption: string;
  spec: VlSpec;
  /** Series drawn (variants, comparisons…). */
  series: number;
  /** Data points drawn (per-seed values, steps…). */
  points: number;
  /**
   * Expected SVG elements per named mark (`<name>_marks` group in the SVG):
   * e.g. `{ mean: 3 }` = three mean lines.
   */
  marks: Record<string, number>;
}

export const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
/** Plot width in px: with axes and padding the SVG fills the report's 1,050 px column. */
export const WIDTH = 900;
export const HEIGHT = 280;

/** Series colours, in order (the charts' category range). */
export const CATEGORY = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac", "#eeca3b"];

/**
 * Colours of series that are not variants (the levels of a factor in the
 * factorial charts): greys from near-black to mid-grey, in the levels' order.
 * `CATEGORY` is the variants' on every page, and a colour means one thing on
 * a page, so a level of dropout never wears the colour of a variant.
 */
export function levelGreys(n: number): string[] {
  const hex = (v: number) => Math.round(v).toString(16).padStart(2, "0");
  return Array.from({ length: n }, (_, i) => {
    const v = n === 1 ? 0x22 : 0x22 + ((0x88 - 0x22) * i) / (n - 1);
    return `#${hex(v)}${hex(v)}${hex(v)}`;
  });
}

/** Point shapes of the levels beside their greys (no cross: a cross is a black swan). */
export const LEVEL_SHAPES = ["circle", "square", "triangle-up", "diamond", "triangle-down", "triangle-right", "triangle-left"];
/** Line dashes of the levels beside their greys. */
export const LEVEL_DASHES = [[1, 0], [7, 3], [2, 2], [9, 3, 2, 3], [4, 4], [12, 3], [1, 3]];

/** A mean drawn on its interval: a white square with a dark edge (a stroke across a narrow bar would draw a "+", a black swan's cross). */
export const MEAN_MARK = { shape: "square", size: 90, strokeWidth: 2, stroke: "#222", fill: "white", filled: true, fillOpacity: 1, opacity: 1 };

export const CONFIG = {
  font: "Helvetica, Arial, sans-serif",
  view: { stroke: "#ddd" },
  // labelSeparation: a label closer than 6 px to the next counts as overlapping (the first, flushed left, touched the second).
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: "#eee", labelSeparation: 6 },
  legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 600, orient: "bottom", direction: "vertical", symbolSize: 220, symbolStrokeWidth: 3 },
  title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: "#555", anchor: "start" },
  range: { category: CATEGORY },
};

/**
 * The colour scale of a chart whose series are variants (or comparisons
 * `variant − reference`, named by `variantOf`): each takes the colour of its
 * variant's place among the study's variants `all`, so that a variant keeps
 * one colour in every chart, also where the reference is left out (paired
 * curves, comparisons) or a variant has not logged the metric yet. Without a
 * place for every series, or where two series share a variant, the series
 * take the colours in their own order.
 */
export function variantColors(domain: readonly string[], all: readonly string[], variantOf: (series: string) => string = (s) => s): { domain: string[]; range?: string[] } {
  const places = domain.map((s) => all.indexOf(variantOf(s)));
  if (places.some((i) => i < 0) || new Set(places).size < places.length) return { domain: [...domain] };
  return { domain: [...domain], range: places.map((i) => CATEGORY[i % CATEGORY.length]!) };
}

/** The spec of a layered chart of the report's standard size (the layers share the x axis). */
export function layeredSpec(title: string, layer: VlSpec[], height = HEIGHT): VlSpec {
  return { $schema: SCHEMA, title, config: CONFIG, width: WIDTH, height, layer };
}

/**
 * How a chart shows a metric's values: multiplied by `factor`, with `suffix`
 * after the axis title. An accuracy of fractions is drawn in percentage
 * points, as every table and command prints it (study/metric-units.ts), so a
 * reader sees one number for one thing.
 */
export interface ValueUnit {
  factor: number;
  /** After an axis title: " (pp)". */
  suffix: string;
  /** After a number in a caption or subtitle: " pp". */
  after: string;
}

export const AS_LOGGED: ValueUnit = { factor: 1, suffix: "", after: "" };
export const PERCENT_POINTS: ValueUnit = { factor: 100, suffix: " (pp)", after: " pp" };

/** The unit of a metric printed in percentage points when `percent` (the report model's `percent`, metric-units.ts's rule). */
export function valueUnit(percent: boolean): ValueUnit {
  return percent ? PERCENT_POINTS : AS_LOGGED;
}

/** A value in the chart's unit (null and NaN stay as they are, for `finite` to drop). */
export function inUnit<T extends number | null | undefined>(x: T, unit: ValueUnit): T {
  return (typeof x === "number" ? x * unit.factor : x) as T;
}

/** Keeps only finite numbers (Vega-Lite would draw NaN as gaps or fail the scale). */
export function finite(x: number | null | undefined): x is number {
  return typeof x === "number" && Number.isFinite(x);
}

/** `n seeds` / `1 seed`. */
export function seedsText(n: number): string {
  return `${n} seed${n === 1 ? "" : "s"}`;
}

export function fmtNum(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(2);
  return Number(x.toPrecision(digits)).toString();
}

/** Safe id from a tag (`eval/accuracy` → `eval-accuracy`). */
export function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase() || "chart";
}
