/** Learning curves (mean with a confidence band over seeds, each seed a thin line) and paired-difference curves. */
import { SAMPLED_LINE_STEPS, type CurveData } from "../model/index.ts";
import { AS_LOGGED, finite, inUnit, layeredSpec, slug, variantColors, type Chart, type ValueUnit } from "./common.ts";
import { runSetParts, type RunSetChange, type RunSetParts } from "./run-sets.ts";

const SEED_LINE = "one run (seed)";
/** Up to this many logged steps, the step axis ticks exactly at them. */
const MAX_STEP_TICKS = 12;
/**
 * Positive values spanning at least this many decades get a log axis: on a linear one everything
 * under a thousandth of the top (a loss of 0.3 beside a diverged run's 10^6) is a flat line at 0.
 */
const LOG_AXIS_DECADES = 3;

/**
 * The decades a curve's values span when they call for a log axis (all positive: a log axis cannot draw 0 or
 * below; spanning LOG_AXIS_DECADES or more), with the smallest value; null for a linear axis.
 */
function logAxisSpan(values: readonly number[]): { decades: number; smallest: number; ticks: number[] } | null {
  if (values.length === 0) return null;
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (!(v > 0)) return null;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const decades = Math.log10(hi / lo);
  return decades >= LOG_AXIS_DECADES ? { decades, smallest: lo, ticks: decadeTicks(lo, hi) } : null;
}

/** The powers of ten from below `lo` to above `hi`: a log axis's ticks and grid lines (Vega's default adds 2…9 of every decade). */
function decadeTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) out.push(Number(`1e${k}`));
  return out;
}

/** The step axis: ticks at the logged steps when there are few (4 evaluations: 4 ticks), else about 10 whole-number ticks. */
function stepAxis(steps: ReadonlySet<number>): Record<string, unknown> {
  if (steps.size <= MAX_STEP_TICKS) return { format: "d", values: [...steps].sort((a, b) => a - b) };
  return { format: "d", tickMinStep: 1, tickCount: 10 };
}

/** What a curve chart takes from its study beyond the curve: its variants (for their colours) and which way its tag is better, when known. */
export interface CurveContext {
  /** The study's variants in order: each variant is drawn in the colour of its place (common.ts variantColors). */
  variants?: readonly string[];
  /** Which way the tag is better (undefined: not known, and a paired chart does not say). */
  higherIsBetter?: boolean;
}

/** Curve of one tag per variant, or of variant − reference when `data.paired`; values in `unit` (percentage points for an accuracy of fractions). */
export function curveChart(data: CurveData, unit: ValueUnit = AS_LOGGED, context: CurveContext = {}): Chart {
  const u = (x: number | null | undefined) => inUnit(x, unit);
  const meanLabel = data.paired ? "mean difference over seeds" : "mean over seeds";
  const seedRows = data.seeds.filter((p) => finite(p.value)).map((p) => ({ variant: p.variant, seed: p.seed, step: p.step, value: u(p.value) }));
  // Each stretch of steps over the same number of runs is a part of its own: no line joins a mean over 10 seeds to one over 9 (run-sets.ts).
  const runSets = runSetParts(data.stats);
  const partOf = new Map(data.stats.map((s, i) => [s, runSets.parts[i]!]));
  const meanRows = data.stats.map((s) => ({ variant: s.variant, step: s.step, value: u(s.mean), n: s.n, part: partOf.get(s)! }));
  // A log axis for a learning curve whose positive values span decades; a t band's lower end below the smallest
  // value drawn (a band of a skewed positive metric can reach below 0) is cut there, and the caption says so.
  // Every value drawn as a point or line (the quantile bands' ends too, at scale: runs not drawn as lines lie in them).
  const drawnValues = [
    ...seedRows.map((r) => r.value),
    ...meanRows.map((r) => r.value),
    ...(data.summarised ? data.stats.flatMap((s) => (s.q ?? []).map((q) => inUnit(q, unit))) : []),
  ].filter(finite);
  const logSpan = data.paired ? null : logAxisSpan(drawnValues);
  const logAxis = logSpan !== null;
  const floor = logSpan?.smallest ?? -Infinity;
  const bandRows = data.stats
    .filter((s) => finite(s.lo) && finite(s.hi))
    .map((s) => {
      const lo = inUnit(s.lo as number, unit);
      return { variant: s.variant, step: s.step, lo: Math.max(lo, floor), hi: u(s.hi), n: s.n, band: data.bandLabel, part: partOf.get(s)!, ...(lo < floor ? { cut: true } : {}) };
    });
  const bandsCut = bandRows.some((r) => r.cut);
  const yScale = logAxis ? { type: "log" } : { zero: false };
  // Summarised (many runs): where the runs lie, 5–95% and 25–75% of them at each step.
  const outerLabel = "5–95% of runs", innerLabel = "25–75% of runs";
  const quantileRows = data.summarised
    ? data.stats.filter((s) => s.q && s.q.every(finite)).flatMap((s) => [
        { variant: s.variant, step: s.step, lo: u(s.q![0]), hi: u(s.q![3]), n: s.n, band: outerLabel, part: partOf.get(s)! },
        { variant: s.variant, step: s.step, lo: u(s.q![1]), hi: u(s.q![2]), n: s.n, band: innerLabel, part: partOf.get(s)! },
      ])
    : [];
  const color = { field: "variant", type: "nominal", scale: variantColors(data.variants, context.variants ?? data.variants), title: data.paired ? `variant − ${data.reference}` : "variant" };
  // A metric logged at one step only (e.g. val/* of runs shorter than an epoch)
  // would make invisible one-point lines and bands: draw each variant's seeds as
  // points, its mean as a tick and its interval as a bar, side by side.
  const steps = new Set(seedRows.map((r) => r.step));
  const oneStep = steps.size <= 1;
  const x = oneStep
    ? { field: "variant", type: "nominal", scale: { domain: data.variants }, title: `step ${[...steps][0] ?? ""}`, axis: { labelAngle: 0 } }
    : { field: "step", type: "quantitative", title: "step", scale: { nice: false, zero: false }, axis: stepAxis(steps) };
  // A difference says on a second line which side of 0 is better (a loss: below), where the tag's direction is known
  // (one line that long would not fit the plot's height: Vega would push the plot down and cut the title).
  const what = data.paired ? `${data.tag}: variant − ${data.reference}${unit.suffix}` : data.tag + unit.suffix;
  const yTitle = data.paired && context.higherIsBetter !== undefined ? [what, `${context.higherIsBetter ? "above" : "below"} 0: variant better`] : what;
  // Lines (thin: a seed, thick: the mean) exist only over several steps; at one step the caption says what dots, ticks and bars are.
  const strokeWidth = (label: string) =>
    oneStep
      ? {}
      : { strokeWidth: { datum: label, type: "nominal", scale: { domain: [SEED_LINE, meanLabel], range: [1, 2.6] }, legend: { title: "lines", symbolType: "stroke", symbolStrokeColor: "#444", symbolOpacity: 1 } } };
  // The bands share one opacity scale (two layers encoding it with scales of their own would be merged into one
  // whose range is the first layer's, drawing the CI as light as the 5–95% band), and one legend whose dark
  // swatches are told apart by their opacity, the darkest being the interval of the mean.
  const bandLabels = quantileRows.length > 0 ? [outerLabel, innerLabel, data.bandLabel] : [data.bandLabel];
  const opacity = {
    field: "band",
    type: "ordinal",
    scale: { type: "ordinal", domain: bandLabels, range: quantileRows.length > 0 ? [0.08, 0.2, 0.4] : [0.22] },
    legend: oneStep ? null : { title: quantileRows.length > 0 ? "bands" : "band", symbolType: "square", symbolFillColor: "#222", symbolStrokeWidth: 0, labelLimit: 700 },
  };
  // Rows lo..hi per variant and step: an area over the steps, or a bar `ruleWidth` px wide at a single step.
  const bandLayer = (name: string, values: object[], ruleWidth: number, encoding: Record<string, unknown>) => ({
    name,
    data: { values },
    mark: oneStep ? { type: "rule", strokeWidth: ruleWidth } : { type: "area", interpolate: "linear" },
    encoding: { x, y: { field: "lo", type: "quantitative", title: yTitle, ...(logAxis ? { scale: yScale } : {}) }, y2: { field: "hi" }, color, ...encoding },
  });
  const meanTooltip = [{ field: "variant" }, { field: "step" }, { field: "value", title: "mean", format: ".4g" }, { field: "n", title: "runs" }];
  const layer: Record<string, unknown>[] = [
    bandLayer("quantiles", quantileRows, 14, {
      detail: [{ field: "band", type: "nominal" }, { field: "part", type: "nominal" }],
      opacity,
      tooltip: [{ field: "variant" }, { field: "step" }, { field: "band" }, { field: "lo", format: ".4g" }, { field: "hi", format: ".4g" }, { field: "n", title: "runs" }],
    }),
    {
      name: "seeds",
      data: { values: seedRows },
      mark: oneStep ? { type: "point", opacity: 0.6, filled: true } : { type: "line", opacity: 0.45, interpolate: "linear" },
      encoding: { x, y: { field: "value", type: "quantitative", title: yTitle, scale: yScale, ...(logSpan ? { axis: { values: logSpan.ticks } } : {}) }, color: { ...color, legend: oneStep ? { symbolType: "circle", symbolOpacity: 1, symbolSize: 90 } : { symbolType: "stroke", symbolStrokeWidth: 3, symbolOpacity: 1 } }, detail: { field: "seed", type: "nominal" }, ...strokeWidth(SEED_LINE) },
    },
    bandLayer("band", bandRows, 8, {
      opacity,
      detail: { field: "part", type: "nominal" },
      tooltip: [{ field: "variant" }, { field: "step" }, { field: "n", title: "runs" }, { field: "lo", format: ".4g" }, { field: "hi", format: ".4g" }],
    }),
    {
      name: "mean",
      data: { values: meanRows },
      mark: oneStep ? { type: "tick", thickness: 3, size: 24 } : { type: "line", interpolate: "linear" },
      encoding: { x, y: { field: "value", type: "quantitative", title: yTitle }, color, detail: { field: "part", type: "nominal" }, ...strokeWidth(meanLabel), tooltip: meanTooltip },
    },
  ];
  // A part of one step has no line to draw: its mean is a dot.
  const partSizes = new Map<string, number>();
  for (const r of meanRows) partSizes.set(r.part, (partSizes.get(r.part) ?? 0) + 1);
  const lonePoints = oneStep ? [] : meanRows.filter((r) => partSizes.get(r.part) === 1);
  if (lonePoints.length > 0) {
    layer.push({ name: "meanpoints", data: { values: lonePoints }, mark: { type: "point", filled: true, size: 40, opacity: 1 }, encoding: { x, y: { field: "value", type: "quantitative" }, color, tooltip: meanTooltip } });
  }
  const unitWord = data.paired ? "seeds" : "runs";
  const changeRows = oneStep ? [] : runSets.changes.map((c) => ({ variant: c.variant, step: c.step, label: `${c.after} of ${data.runs[c.variant]}`, what: changeText(c, data.runs[c.variant]!, unitWord), row: data.variants.indexOf(c.variant) }));
  if (changeRows.length > 0) {
    const changeLabel = `the mean's ${unitWord} change (n of all)`;
    layer.push(
      {
        name: "runsets",
        data: { values: changeRows },
        mark: { type: "rule", strokeWidth: 1.5 },
        encoding: {
          x,
          color,
          strokeDash: { datum: changeLabel, type: "nominal", scale: { domain: [changeLabel], range: [[2, 3]] }, legend: { title: unitWord, symbolType: "stroke", symbolStrokeColor: "#444", symbolOpacity: 1, labelLimit: 600 } },
          tooltip: [{ field: "what", title: unitWord }],
        },
      },
      {
        name: "runsetlabels",
        data: { values: changeRows.map((r) => ({ ...r, y: 2 + 14 * Math.max(0, r.row) })) },
        mark: { type: "text", align: "left", baseline: "top", dx: 3, fontSize: 11, fontWeight: "bold" },
        encoding: { x, y: { field: "y", type: "quantitative", scale: null }, color, text: { field: "label" }, tooltip: [{ field: "what", title: unitWord }] },
      },
    );
  }
  if (data.paired) {
    layer.push({ name: "zero", data: { values: [{ y: 0 }] }, mark: { type: "rule", color: "#333", strokeDash: [4, 3] }, encoding: { y: { field: "y", type: "quantitative" } } });
  }
  const runs = new Set(seedRows.map((r) => `${r.variant}\u0000${r.seed}`)).size;
  // One line or area per part (a mark per variant at a single step).
  const bands = oneStep ? new Set(bandRows.map((r) => r.variant)).size : new Set(bandRows.map((r) => r.part)).size;
  const quantileBands = new Set(quantileRows.map((r) => `${r.part}\u0000${r.band}`)).size;
  const means = oneStep ? new Set(meanRows.map((r) => r.variant)).size : partSizes.size;
  const title = data.paired ? `Paired difference: ${data.tag}, variant − ${data.reference}` : `Learning curve: ${data.tag}`;
  const total = Object.values(data.runs).reduce((a, b) => a + b, 0);
  const drawnRuns = Object.values(data.drawn).reduce((a, b) => a + b, 0);
  const summary = data.summarised
    ? ` Summarised: ${drawnRuns.toLocaleString("en")} of ${total.toLocaleString("en")} runs are drawn as thin lines (the same seeds in every variant, chosen by a hash of the seed)` +
      ` at up to ${SAMPLED_LINE_STEPS} evenly spaced steps; the light bands hold ${outerLabel} and ${innerLabel} at each step` +
      `${total > data.quantileSample ? ` (quantiles from a uniform sample of at most ${data.quantileSample} runs per step and variant)` : ""}.`
    : "";
  const smoothing = data.smoothing > 0 ? ` Smoothed: exponential moving average with weight ${data.smoothing} (as TensorBoard), applied to every run before the statistics; final values are not smoothed.` : "";
  const logNote = logSpan
    ? ` Log axis: the values span ${Math.floor(logSpan.decades)} decades${bandsCut ? `; where a band reaches below the smallest value drawn (${floor.toPrecision(3)}) it is cut there (a mean's t interval over skewed seeds can reach below 0)` : ""}.`
    : "";
  // A variant of fewer runs than a band needs has its mean where all its runs reach (model/curves.ts).
  const fewRuns = data.variants.filter((v) => (data.runs[v] ?? 0) > 0 && data.runs[v]! < data.minRuns).map((v) => `${v} (${data.runs[v]} run${data.runs[v] === 1 ? "" : "s"})`);
  const caption = oneStep
    ? `Logged at one step only, so each dot is one run (seed) at that step, the tick is the ${meanLabel}, and the bar is the ${data.bandLabel.replace(/; where ≥ (\d+) runs$/, "")}.` + summary + logNote
    : `${data.paired ? `Each thin line is one seed's difference variant − ${data.reference} at the same step${data.twinTrained ? " (twin-trained: same batches, same evaluation batch)" : " (separate runs that share the seed)"}` : "Each thin line is one run (seed)"}; ` +
    `the thick line is the ${meanLabel} and the band the ${data.bandLabel.replace(/; where ≥ (\d+) runs$/, "")}, both drawn only at steps that at least ${data.minRuns} runs reach` +
    (fewRuns.length ? ` (the mean of ${fewRuns.join(", ")}: where all its runs do)` : `, so where fewer ${data.paired ? "seeds" : "runs"} go on they are thin lines alone`) +
    `. Runs of different lengths are aligned by step` +
    (data.thinned ? "; long runs are drawn at evenly spaced steps." : ".") + runSetsText(runSets.changes, runSets.varying, data.runs, unitWord) + summary + smoothing + logNote;
  return {
    id: `${data.paired ? "paired" : "curve"}-${slug(data.tag)}`,
    title,
    caption,
    series: data.variants.length,
    points: seedRows.length,
    marks: {
      ...(quantileBands > 0 ? { quantiles: quantileBands } : {}),
      seeds: runs, band: bands, mean: means,
      ...(lonePoints.length > 0 ? { meanpoints: lonePoints.length } : {}),
      ...(changeRows.length > 0 ? { runsets: changeRows.length } : {}),
    },
    spec: layeredSpec(title, layer.filter((l) => (l.name !== "band" || bandRows.length > 0) && (l.name !== "quantiles" || quantileRows.length > 0))),
  };
}

/** A change of the runs behind a mean, in words: "dropout: 9 of 10 seeds from step 35 (10 before)". */
function changeText(c: RunSetChange, all: number, unitWord: string): string {
  return `${c.variant}: ${c.after} of ${all} ${unitWord} from step ${c.step} (${c.before} before)`;
}

/** At most this many changes are named in a caption (each has its tooltip). */
const CHANGES_NAMED = 6;

/** The caption's sentences on where the runs behind a mean change, and on variants whose count changes from step to step. */
function runSetsText(changes: readonly RunSetChange[], varying: RunSetParts["varying"], runs: Readonly<Record<string, number>>, unitWord: string): string {
  let out = "";
  if (changes.length > 0) {
    const named = changes.slice(0, CHANGES_NAMED).map((c) => changeText(c, runs[c.variant]!, unitWord));
    const more = changes.length > CHANGES_NAMED ? `, and ${changes.length - CHANGES_NAMED} more (each in its tooltip)` : "";
    out +=
      ` Where the ${unitWord} behind a mean change (a run stopped: diverged, failed or shorter), its line and band are broken and a dotted line marks the first step over the new set, with how many go on at its top: ` +
      `${named.join("; ")}${more}. The means on either side are over different ${unitWord}, so a jump there is not a change in training.`;
  }
  for (const v of varying) {
    out +=
      ` ${v.variant}: the number of ${unitWord} behind the mean changes at ${v.changes} steps (between ${v.least} and ${v.most}: ${unitWord} that stop at different steps, or log at steps of their own), ` +
      "too often to break its line at each: the count at each step is in its tooltip.";
  }
  return out;
}
