/** Seed distributions (density + strip plot with black swans and mean ± CI) and per-seed paired differences. */
import type { DifferenceData, DistributionData } from "../model/index.ts";
import { AS_LOGGED, CONFIG, MEAN_MARK, SCHEMA, WIDTH, finite, inUnit, seedsText, slug, variantColors, type Chart, type ValueUnit } from "./common.ts";
import { SWAN_MIN_SEEDS } from "../../stats/swans.ts";
import { pValueText } from "../../stats/p-value-text.ts";
import { signedMetricValueText } from "../../study/metric-units.ts";
import { NO_INTERVAL, robustZText, testName } from "../../study/verdict.ts";

const SEED = "one seed";
const SWAN = "black swan";
const ASIDE = "set aside: not in the verdict (one factor varied at a time, or a grid cell)";
/** Row labels in full: a comparison names two variants, and Vega's default 180 px cut "opt=adam, drop=1 − opt=sgd, drop=0" before its reference. */
const ROW_LABELS = { labelLimit: 400 };

/** "base seed 103 diverged (set aside), wide seed 2 failed" (the first eight, and how many in all). */
function notDrawnText(runs: DistributionData["apart"]): string {
  const shown = runs.slice(0, 8).map((r) => `${r.variant} seed ${r.seed} ${r.outcome}${r.setAside ? " (set aside)" : ""}`).join(", ");
  return shown + (runs.length > 8 ? `, … (${runs.length} in all)` : "");
}

/** Density (top) over a strip plot (bottom) per variant of the final metric, values in `unit` (percentage points for an accuracy of fractions). */
export function distributionChart(d: DistributionData, unit: ValueUnit = AS_LOGGED, variants: readonly string[] = []): Chart {
  const u = (x: number) => inUnit(x, unit);
  const names = d.variants.map((v) => v.name);
  const swanLabel = "black swan";
  const cutoffs = d.variants.filter((v) => v.threshold !== null).map((v) => `${v.name} (${v.n} seeds) ${v.threshold!.toFixed(2)}`);
  const tooFew = d.variants.filter((v) => v.threshold === null && v.n > 0).map((v) => `${v.name} (${v.n} seed${v.n === 1 ? "" : "s"})`);
  const points = d.variants.flatMap((v) => v.points.filter((p) => finite(p.value)).map((p) => ({ variant: v.name, seed: p.seed, value: u(p.value), z: p.z, kind: p.blackSwan ? swanLabel : SEED })));
  // Runs set aside are drawn apart (hollow diamonds, in the legend); runs that diverged or failed have no result to draw and are named in the caption.
  const aside = d.apart.filter((r) => r.value !== null && finite(r.value)).map((r) => ({ variant: r.variant, seed: r.seed, value: u(r.value!), kind: ASIDE }));
  const ended = d.apart.filter((r) => r.value === null);
  const asideSampled = Object.entries(d.setAsideCounts).filter(([v, n]) => aside.filter((r) => r.variant === v).length < n);
  const counts = [...new Set(d.variants.map((v) => v.n))].sort((a, b) => a - b);
  const ciLabel = `mean with 95% CI (t), ${counts.length === 1 ? seedsText(counts[0]!) : `${counts.slice(0, -1).join(", ")} or ${counts.at(-1)} seeds per variant`}`;
  const ciRows = d.variants.filter((v) => v.ci && finite(v.ci[0])).map((v) => ({ variant: v.name, mean: u(v.mean), lo: u(v.ci![0]), hi: u(v.ci![1]), what: ciLabel }));
  const density = d.variants.flatMap((v) => v.density.map((p) => ({ variant: v.name, x: u(p.x), density: p.density / unit.factor })));
  // The legend's swatches as dark as the seeds (the density's fill, 0.3, had made them pale).
  const color = { field: "variant", type: "nominal", scale: variantColors(names, variants), title: "variant", legend: { symbolOpacity: 0.8 } };
  const x = { field: "value", type: "quantitative", title: `final ${d.metric}${unit.suffix} (${d.higherIsBetter ? "higher" : "lower"} is better)`, scale: { zero: false } };
  const densityVariants = new Set(density.map((r) => r.variant)).size;
  // One legend ("seed") for the seeds, black swans and runs set aside: shape and size on one field with one title merge into it
  // (a size legend set to null had dropped the merged legend, black swans included).
  const shapes = aside.length
    ? { domain: [SEED, swanLabel, ASIDE], range: ["circle", "cross", "diamond"], size: [60, 200, 70] }
    : { domain: [SEED, swanLabel], range: ["circle", "cross"], size: [60, 200] };
  // The legend draws the runs set aside as the chart does, hollow (its symbols are otherwise all filled, as the seeds are).
  const isAside = `datum.value === ${JSON.stringify(ASIDE)}`;
  const hollowAsideLegend = {
    encoding: { symbols: { fill: { condition: { test: isAside, value: "transparent" }, value: "black" }, stroke: { condition: { test: isAside, value: "black" }, value: "transparent" }, strokeWidth: { value: 1.5 } } },
  };
  return {
    id: `distribution-${slug(d.metric)}`,
    title: `Seed distribution: final ${d.metric}`,
    caption:
      `Top: kernel density of each variant's final ${d.metric} over seeds (Gaussian kernel, Silverman bandwidth), overlaid (not stacked): each curve is that variant's own density. ` +
      `Bottom: one mark per seed; crosses are black swans: modified z-score (Iglewicz & Hoaglin) beyond a cut-off that depends on the number of seeds, set so that ${Math.round(d.falseAlarm * 100)}% of normal samples of that size have one` +
      (cutoffs.length ? ` (|z| > ${cutoffs.join(", ")})` : "") +
      (tooFew.length ? `; ${tooFew.join(", ")}: too few seeds to detect a black swan (needs n ≥ ${SWAN_MIN_SEEDS})` : "") + "; " +
      `the bar is the ${ciLabel}, the white square on it the mean.` +
      (aside.length
        ? ` Hollow diamonds are runs the verdict sets aside (one factor varied at a time, or grid cells: not independent seeds), drawn apart and left out of the density, the black swans and the interval` +
          (asideSampled.length ? ` (${asideSampled.map(([v, n]) => `${v}: ${aside.filter((r) => r.variant === v).length.toLocaleString("en")} of ${n.toLocaleString("en")} drawn, by seed hash`).join("; ")})` : "") + "."
        : "") +
      (ended.length ? ` Not drawn, having no result (the last value logged before the end is not one): ${notDrawnText(ended)}.` : "") +
      (d.summarised
        ? ` Summarised: ${d.variants.map((v) => `${v.name} ${v.points.length.toLocaleString("en")} of ${v.n.toLocaleString("en")} seeds drawn`).join(", ")} (a fixed sample by seed hash, plus every black swan: ${d.variants.map((v) => `${v.swans} in ${v.name}`).join(", ")}); the density and the interval use every seed.`
        : ""),
    series: names.length,
    points: points.length,
    marks: { density: densityVariants, seedpoints: points.length, ci: ciRows.length, ...(aside.length ? { aside: aside.length } : {}) },
    spec: {
      $schema: SCHEMA,
      title: `Seed distribution: final ${d.metric}`,
      config: CONFIG,
      vconcat: [
        {
          width: WIDTH,
          height: 120,
          data: { values: density },
          mark: { type: "area", opacity: 0.3, line: true, interpolate: "monotone" },
          name: "density",
          encoding: { x: { field: "x", type: "quantitative", title: null, scale: { zero: false } }, y: { field: "density", type: "quantitative", title: "density", stack: null, axis: { labels: false, ticks: false } }, color },
        },
        {
          width: WIDTH,
          height: 40 * Math.max(1, names.length) + 10,
          layer: [
            {
              name: "ci",
              data: { values: ciRows },
              mark: { type: "rule", strokeWidth: 2.5 },
              encoding: {
                x: { field: "lo", type: "quantitative", title: x.title, scale: { zero: false } },
                x2: { field: "hi" },
                y: { field: "variant", type: "nominal", scale: { domain: names }, title: null, axis: ROW_LABELS },
                color: { value: "#222" },
                strokeDash: { field: "what", type: "nominal", scale: { domain: [ciLabel], range: [[1, 0]] }, legend: { title: "interval", labelLimit: 500 } },
              },
            },
            {
              name: "seedpoints",
              data: { values: points },
              mark: { type: "point", filled: true, size: 70, opacity: 0.8 },
              encoding: {
                x,
                y: { field: "variant", type: "nominal", scale: { domain: names }, title: null, axis: ROW_LABELS },
                yOffset: { field: "seed", type: "nominal", scale: { paddingOuter: 0.6 } },
                color,
                shape: { field: "kind", type: "nominal", scale: { domain: shapes.domain, range: shapes.range }, title: "seed", ...(aside.length ? { legend: hollowAsideLegend } : {}) },
                size: { field: "kind", type: "ordinal", scale: { domain: shapes.domain, range: shapes.size }, title: "seed" },
                tooltip: [{ field: "variant" }, { field: "seed" }, { field: "value", format: ".5g" }, { field: "z", title: "robust z", format: ".2f" }],
              },
            },
            {
              name: "meantick",
              data: { values: ciRows },
              // Centred on the bar (a tick mark sits above it where the seeds are offset by yOffset).
              mark: { type: "point", ...MEAN_MARK },
              encoding: { x: { field: "mean", type: "quantitative" }, y: { field: "variant", type: "nominal", scale: { domain: names } } },
            },
            ...(aside.length
              ? [{
                  name: "aside",
                  data: { values: aside },
                  mark: { type: "point", filled: false, strokeWidth: 1.5, opacity: 0.9 },
                  encoding: {
                    x,
                    y: { field: "variant", type: "nominal", scale: { domain: names }, title: null, axis: ROW_LABELS },
                    yOffset: { field: "seed", type: "nominal", scale: { paddingOuter: 0.6 } },
                    color,
                    shape: { field: "kind", type: "nominal", scale: { domain: shapes.domain, range: shapes.range }, title: "seed" },
                    size: { field: "kind", type: "ordinal", scale: { domain: shapes.domain, range: shapes.size }, title: "seed" },
                    tooltip: [{ field: "variant" }, { field: "seed" }, { field: "value", format: ".5g" }, { field: "kind", title: "run" }],
                  },
                }]
              : []),
          ],
        },
      ],
      resolve: { scale: { x: "shared", color: "shared" } },
    },
  };
}

/** Per-seed differences b − a of the final metric with the mean difference and its CI, one row per comparison, in `unit`; a seed whose difference is a black swan is a cross, with its robust z. */
export function differenceChart(d: DifferenceData, unit: ValueUnit = AS_LOGGED, variants: readonly string[] = []): Chart {
  const u = (x: number) => inUnit(x, unit);
  // Tooltips carry the verdict's own strings (sign, digits, pp), not a chart format of the same number.
  const text = (x: number) => `${signedMetricValueText(x, unit.factor === 100)}${unit.after}`;
  const rows = d.comparisons.map((c) => `${c.b} − ${c.a}`);
  const variantOf = new Map(d.comparisons.map((c) => [`${c.b} − ${c.a}`, c.b]));
  const swanZ = (c: DifferenceData["comparisons"][number], seed: string) => c.swans.find((s) => s.seed === seed)?.z;
  const dots = d.comparisons.flatMap((c) => c.points.filter((p) => finite(p.diff)).map((p) => ({ comparison: `${c.b} − ${c.a}`, seed: p.seed, diff: u(p.diff), difference: text(p.diff), z: swanZ(c, p.seed) })));
  const points = dots.filter((p) => p.z === undefined).map(({ z: _, ...p }) => p);
  const swans = dots.filter((p) => p.z !== undefined).map((p) => ({ ...p, z: robustZText(p.z!), kind: SWAN }));
  // The legend names n when every comparison has the same: entries that differ by n alone would be swatches alike (n is in each bar's tooltip).
  const oneN = new Set(d.comparisons.map((c) => c.n)).size === 1;
  const ciRows = d.comparisons.filter((c) => finite(c.ci[0]) && finite(c.ci[1])).map((c) => ({
    comparison: `${c.b} − ${c.a}`,
    diff: u(c.diff),
    lo: u(c.ci[0]),
    hi: u(c.ci[1]),
    difference: text(c.diff),
    // Every seed the same difference: the verdict prints no interval, and neither does the legend.
    interval: c.ci[0] === c.ci[1] ? NO_INTERVAL : `[${text(c.ci[0])}, ${text(c.ci[1])}]`,
    // The test as the verdict names it ("paired t", "paired sign (exact)").
    what: `${c.ci[0] === c.ci[1] ? `mean difference, ${NO_INTERVAL}` : `mean difference with ${Math.round(d.level * 100)}% CI`} (${testName(c)}${oneN ? `, n = ${c.n}` : ""})`,
    n: c.n,
    p: pValueText(c.p),
  }));
  const whats = [...new Set(ciRows.map((r) => r.what))];
  const y = { field: "comparison", type: "nominal", scale: { domain: rows }, title: null, axis: ROW_LABELS };
  // Seeds in one order in every layer: without a sort of its own, Vega-Lite sorts a layer's offsets by its colour
  // domain (the comparisons, which no seed is), and the dots and the crosses would ask one scale for two orders.
  const yOffset = { field: "seed", type: "nominal", sort: [...new Set(dots.map((p) => p.seed))], scale: { paddingOuter: 0.8 } };
  const xTitle = `difference in final ${d.metric}${unit.suffix} (${d.higherIsBetter ? "positive" : "negative"} = better than the reference)`;
  const swanText = d.comparisons.filter((c) => c.swans.length > 0).map((c) => `${c.b} − ${c.a}: ${c.swans.map((s) => `seed ${s.seed} (robust z ${robustZText(s.z)})`).join(", ")}`);
  return {
    id: `differences-${slug(d.metric)}`,
    title: `Differences: final ${d.metric}`,
    caption:
      (dots.length === 0
        ? `Runs are unpaired, so no seed has a difference: only the ${Math.round(d.level * 100)}% confidence interval of each mean difference is drawn (the bar`
        : `Each dot is one seed's difference (${d.twinTrained === undefined ? "same seed" : d.twinTrained ? "same seed, twin-trained on the same batches" : "separate runs that share the seed"}) in final ${d.metric}; the bar is the ${Math.round(d.level * 100)}% confidence interval of the mean difference`) +
      ` from the test named in the legend, the white square on it the mean difference${dots.length === 0 ? ")" : ""}; the dashed line is no difference.` +
      (swanText.length ? ` Crosses are black swans among the paired differences, as the verdict names them (robust z beyond the cut-off for that many seeds): ${swanText.join("; ")}.` : "") +
      d.comparisons.filter((c) => c.paired && c.points.length < c.n).map((c) => ` ${c.b} − ${c.a}: ${c.points.length.toLocaleString("en")} of ${c.n.toLocaleString("en")} seeds drawn (a fixed sample by seed hash, plus every black swan); the interval uses every seed.`).join(""),
    series: rows.length,
    points: dots.length,
    marks: { diffs: points.length, swans: swans.length, ci: ciRows.length },
    spec: {
      $schema: SCHEMA,
      title: `Differences: final ${d.metric}`,
      config: CONFIG,
      width: WIDTH,
      height: 54 * Math.max(1, rows.length) + 10,
      layer: [
        { name: "zero", data: { values: [{ x: 0 }] }, mark: { type: "rule", strokeDash: [4, 3], color: "#555" }, encoding: { x: { field: "x", type: "quantitative" } } },
        {
          name: "diffs",
          data: { values: points },
          mark: { type: "point", filled: true, size: 55, opacity: 0.75 },
          encoding: {
            x: { field: "diff", type: "quantitative", title: xTitle },
            y,
            yOffset,
            // Each comparison's seeds in its variant's colour, as in the curves (the rows name them: no legend).
            color: { field: "comparison", type: "nominal", scale: variantColors(rows, variants, (r) => variantOf.get(r)!), legend: null },
            tooltip: [{ field: "comparison" }, { field: "seed" }, { field: "difference" }],
          },
        },
        ...(swans.length
          ? [{
              name: "swans",
              data: { values: swans },
              mark: { type: "point", filled: true, size: 200, opacity: 0.9, color: "#d62728" },
              encoding: {
                x: { field: "diff", type: "quantitative", title: xTitle },
                y,
                yOffset,
                shape: { field: "kind", type: "nominal", scale: { domain: [SWAN], range: ["cross"] }, legend: { title: "seed" } },
                tooltip: [{ field: "comparison" }, { field: "seed" }, { field: "difference" }, { field: "z", title: "robust z" }],
              },
            }]
          : []),
        {
          name: "ci",
          data: { values: ciRows },
          mark: { type: "rule", strokeWidth: 3, color: "#222" },
          encoding: {
            x: { field: "lo", type: "quantitative", title: xTitle },
            x2: { field: "hi" },
            y,
            strokeDash: { field: "what", type: "nominal", scale: { domain: whats, range: whats.map(() => [1, 0]) }, legend: { title: "interval", labelLimit: 600 } },
            tooltip: [{ field: "comparison" }, { field: "difference" }, { field: "interval", title: `${Math.round(d.level * 100)}% CI` }, { field: "p" }, { field: "n" }],
          },
        },
        // The mean as a white square centred on its bar, as in the seed distribution (a stroke across a narrow bar drew a "+", a black swan's cross).
        { name: "meantick", data: { values: ciRows }, mark: { type: "point", ...MEAN_MARK }, encoding: { x: { field: "diff", type: "quantitative" }, y } },
      ],
    },
  };
}
