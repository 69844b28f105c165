/** Variance by random factor, power curve, expected-maximum curve. */
import type { ExpectedMaxData, PowerData, VarianceData } from "../model/index.ts";
import { AS_LOGGED, CONFIG, HEIGHT, SCHEMA, WIDTH, finite, fmtNum, inUnit, layeredSpec, PERCENT_POINTS, seedsText, slug, variantColors, type Chart, type ValueUnit } from "./common.ts";

/**
 * Each factor's seed-to-seed sd with its 95% chi-square interval, as dots and
 * lines on a log scale (undefined when not available), one row per factor and
 * one for the all-varied runs. Standard deviations are in the metric's units;
 * the log scale keeps the wide intervals of a few runs from flattening the
 * estimates (on a linear variance scale a 3-run interval spans 80× its
 * estimate). A factor with no spread at all cannot sit on a log scale: the
 * caption names it. Values in `unit` (pp for an accuracy of fractions).
 */
export function varianceChart(d: VarianceData, unit: ValueUnit = AS_LOGGED, all: readonly string[] = []): Chart | undefined {
  if (!d.available) return undefined;
  const u = (x: number) => inUnit(x, unit);
  const ciLabel = "95% interval (chi-square, normal runs)";
  const ALL = "all varied";
  const rows = [
    ...d.factors.map((f) => ({ variant: f.variant, factor: f.factor, n: f.n, sd: u(f.sd), lo: u(Math.sqrt(f.lo)), hi: u(Math.sqrt(f.hi)), share: finite(f.share) ? Math.min(f.share, 1) : null, what: ciLabel })),
    ...d.totals.filter((t) => t.lo !== null && t.hi !== null).map((t) => ({ variant: t.variant, factor: ALL, n: t.allRuns, sd: u(Math.sqrt(t.total)), lo: u(Math.sqrt(t.lo!)), hi: u(Math.sqrt(t.hi!)), share: 1, what: ciLabel })),
  ];
  const drawn = rows.filter((r) => r.sd > 0 && r.lo > 0);
  const flat = rows.filter((r) => !(r.sd > 0 && r.lo > 0)).map((r) => `${r.factor} (${r.variant})`);
  const variants = [...new Set(rows.map((r) => r.variant))];
  const factors = [...new Set(drawn.map((r) => r.factor))].sort((p, q) => (p === ALL ? 1 : q === ALL ? -1 : 0));
  const y = { field: "factor", type: "nominal", title: "random factor varied alone", sort: factors, axis: { labelFontSize: 12 } };
  const yOffset = { field: "variant", type: "nominal", scale: { domain: variants, paddingInner: 0.2 } };
  const color = { field: "variant", type: "nominal", scale: variantColors(variants, all), title: "variant" };
  const x = { type: "quantitative", scale: { type: "log" }, title: `seed-to-seed sd of final ${d.metric}${unit.suffix} (log scale)` };
  const tooltip = [{ field: "variant" }, { field: "factor" }, { field: "n", title: "runs" }, { field: "sd", format: ".3g" }, { field: "lo", title: "sd low", format: ".3g" }, { field: "hi", title: "sd high", format: ".3g" }, { field: "share", title: "share of all-varied variance (cut at 100%, as in the table)", format: ".1%" }];
  return {
    id: `variance-${slug(d.metric)}`,
    title: `Spread by random factor: final ${d.metric}`,
    caption:
      `Each dot is the sd of final ${d.metric} over runs where only that factor's seed changed (one factor at a time; "${ALL}": every seed changed); ` +
      `the line is its ${ciLabel}. The scale is logarithmic: with few runs per factor the intervals span an order of magnitude or more. ` +
      `Shares of the all-varied variance, with their intervals, are in the table.` +
      (flat.length ? ` Not drawn (no spread at all: every run gave the same value): ${flat.join(", ")}.` : ""),
    series: variants.length,
    points: drawn.length,
    marks: { ci: drawn.length, sd: drawn.length },
    spec: layeredSpec(
      `Spread by random factor: final ${d.metric}`,
      [
        {
          name: "ci",
          data: { values: drawn },
          mark: { type: "rule", strokeWidth: 2.5 },
          encoding: {
            y, yOffset, color,
            x: { field: "lo", ...x },
            x2: { field: "hi" },
            strokeDash: { field: "what", type: "nominal", scale: { domain: [ciLabel], range: [[1, 0]] }, legend: { title: "line", labelLimit: 500, symbolType: "stroke" } },
            tooltip,
          },
        },
        { name: "sd", data: { values: drawn }, mark: { type: "point", filled: true, size: 70, opacity: 1 }, encoding: { y, yOffset, color, x: { field: "sd", ...x }, tooltip } },
      ],
      Math.max(HEIGHT, factors.length * variants.length * 22 + 40),
    ),
  };
}

/** Smallest detectable difference against the number of seeds, from the observed spread, in `unit`. */
export function powerChart(d: PowerData, unit: ValueUnit = AS_LOGGED, variants: readonly string[] = []): Chart | undefined {
  if (!d.available) return undefined;
  const u = (x: number) => inUnit(x, unit);
  const label = (c: PowerData["comparisons"][number]): string => `${c.b} − ${c.a}`;
  const curveLabel = `detectable with ${Math.round(d.power * 100)}% power (α = ${d.alpha}, two-sided)`;
  const obsLabel = "observed |difference|";
  const rows = d.comparisons.flatMap((c) => c.curve.map((p) => ({ comparison: label(c), seeds: p.seeds, detectable: u(p.detectable), what: curveLabel })));
  const current = d.comparisons.flatMap((c) => {
    const detectable = inUnit(c.now, unit);
    return finite(detectable) ? [{ comparison: label(c), seeds: c.n, detectable }] : [];
  });
  // Seeds beyond the curve's last (it stops at 64): the dot would be off the axis, so the caption gives the figure.
  const lastSeeds = Math.max(...d.comparisons.map((c) => c.curve.at(-1)?.seeds ?? 0));
  const pastAxis = current.filter((r) => r.seeds > lastSeeds);
  const pastText = pastAxis.length
    ? ` The axis stops at ${lastSeeds} seeds: ${pastAxis.map((r) => `${r.comparison} has ${seedsText(r.seeds)}, where ${fmtNum(r.detectable, 3)}${unit.after} is detectable`).join("; ")} (no dot drawn).`
    : "";
  const observed = d.comparisons.map((c) => ({ comparison: label(c), observed: u(c.observed), what: obsLabel }));
  const names = d.comparisons.map(label);
  // Each comparison in the colour of its variant (as in the curves).
  const variantOf = new Map(d.comparisons.map((c) => [label(c), c.b]));
  const color = { field: "comparison", type: "nominal", scale: variantColors(names, variants, (s) => variantOf.get(s)!), title: "comparison" };
  const dash = { scale: { domain: [curveLabel, obsLabel], range: [[1, 0], [5, 4]] }, legend: { title: "lines", labelLimit: 600, symbolType: "stroke" } };
  // A difference of fractions shown in pp cannot exceed 100 pp: the axis stops there (it reached 1,000 pp for 2 seeds of a collapsed
  // run), and a comparison whose current seeds need more is named in the caption instead of drawn off the chart.
  const cap = unit.factor === PERCENT_POINTS.factor ? 100 : undefined;
  const beyond = cap === undefined ? [] : current.filter((r) => r.detectable > cap);
  const capText =
    cap === undefined || !rows.some((r) => r.detectable > cap)
      ? ""
      : ` The axis stops at ${cap} pp, the largest difference two values of ${d.metric} can have: where a curve leaves it, that few seeds detect no difference at all` +
        (beyond.length ? ` (${beyond.map((r) => `${r.comparison} at its ${seedsText(r.seeds)}: ${fmtNum(r.detectable, 3)} pp needed`).join("; ")}, so its dot is not drawn)` : "") + ".";
  const dots = current.filter((r) => !beyond.includes(r) && !pastAxis.includes(r));
  const sds = d.comparisons.map((c) => `${label(c)}: ${c.design} sd ${fmtNum(u(c.sd), 3)}${unit.after} from ${seedsText(c.n)}`).join("; ");
  return {
    id: `power-${slug(d.metric)}`,
    title: `Power: seeds against detectable difference (${d.metric})`,
    caption:
      `For each comparison, the smallest true difference in final ${d.metric} that a ${d.comparisons[0]?.design === "paired" ? "paired" : "two-sample"} t-test detects with ` +
      `${Math.round(d.power * 100)}% power at two-sided α = ${d.alpha}, as a function of the number of seeds, using the observed sd (${sds}). ` +
      `The dot is the current number of seeds; the dashed line is the difference observed. The sd from few seeds is itself uncertain.` + pastText + capText,
    series: names.length,
    points: rows.length,
    marks: { mde: names.length, current: dots.length },
    spec: layeredSpec(`Power: seeds against detectable difference (${d.metric})`, [
      {
        name: "mde",
        data: { values: rows },
        mark: { type: "line", strokeWidth: 2, clip: true },
        encoding: {
          x: { field: "seeds", type: "quantitative", title: "seeds (pairs)", axis: { format: "d", tickMinStep: 1 } },
          y: { field: "detectable", type: "quantitative", title: `detectable difference in ${d.metric}${unit.suffix}, log scale`, scale: { type: "log", ...(capText ? { domainMax: cap } : {}) } },
          color,
          strokeDash: { field: "what", type: "nominal", ...dash },
          tooltip: [{ field: "comparison" }, { field: "seeds" }, { field: "detectable", format: ".3g" }],
        },
      },
      { name: "observed", data: { values: observed.filter((o) => o.observed > 0) }, mark: { type: "rule", strokeWidth: 1.5 }, encoding: { y: { field: "observed", type: "quantitative" }, color, strokeDash: { field: "what", type: "nominal", ...dash } } },
      { name: "current", data: { values: dots }, mark: { type: "point", filled: true, size: 90 }, encoding: { x: { field: "seeds", type: "quantitative" }, y: { field: "detectable", type: "quantitative" }, color, tooltip: [{ field: "comparison" }, { field: "seeds", title: "current seeds" }, { field: "detectable", format: ".3g" }] } },
    ]),
  };
}

/** Expected best final metric over n runs (Dodge et al. 2019) with the middle 68% of the best of n as its band, in `unit`. */
export function expectedMaxChart(d: ExpectedMaxData, unit: ValueUnit = AS_LOGGED, variants: readonly string[] = []): Chart {
  const u = (x: number) => inUnit(x, unit);
  const bandLabel = "middle 68% of the best of n runs";
  const rows = d.variants.flatMap((v) => v.curve.map((p) => ({ variant: v.name, n: p.n, mean: u(p.mean), lo: u(p.lo), hi: u(p.hi), band: bandLabel })));
  const names = d.variants.map((v) => v.name);
  const color = { field: "variant", type: "nominal", scale: variantColors(names, variants), title: "variant" };
  const best = d.higherIsBetter ? "maximum" : "minimum";
  // The line is a mean, the band quantiles: one collapsed seed pulls the expected best of few runs outside the band
  // (swp's wide at n = 1: 81.9 below a band of 87.8 to 91.2), which reads as a contradiction unless the caption says why.
  const outside = d.variants.filter((v) => v.curve.some((p) => p.mean < p.lo || p.mean > p.hi)).map((v) => v.name);
  const outsideText = outside.length
    ? ` Where the line leaves its band (${outside.join(", ")}), one or a few far-off seeds pull the expected value (a mean over draws) past the middle 68% of the draws: the best of that many runs is usually in the band, and now and then far off it.`
    : "";
  // A variant's curve ends at its seeds with a final value: a shorter one (mixed's wide: 5 of 6, one failed) needs saying.
  const lengths = d.variants.map((v) => `${v.name} ${v.curve.length}`);
  const lengthText = new Set(d.variants.map((v) => v.curve.length)).size > 1
    ? ` The curves end at different n (${lengths.join(", ")}): a curve goes no further than its variant's seeds with a final value, and runs that failed or diverged are not among the draws.`
    : "";
  return {
    id: `expected-max-${slug(d.metric)}`,
    title: `Expected ${best}: final ${d.metric}`,
    caption:
      `Expected ${best} of final ${d.metric} over n runs drawn from the observed seeds (with replacement; Dodge et al., "Show Your Work", 2019); ` +
      `the band holds the ${bandLabel} (15.9th to 84.1st percentile: what ±1 sd holds for normal seeds, and within the seeds' range when they are skewed). It shows what a "best of n seeds" number is worth: a variant that needs many seeds to look good is fragile.` + outsideText + lengthText,
    series: names.length,
    points: rows.length,
    marks: { emax: names.length, band: names.length },
    spec: {
      $schema: SCHEMA,
      title: `Expected ${best}: final ${d.metric}`,
      config: CONFIG,
      width: WIDTH,
      height: HEIGHT,
      data: { values: rows },
      layer: [
        {
          name: "band",
          mark: { type: "area" },
          encoding: {
            x: { field: "n", type: "quantitative", title: "runs (seeds)", axis: { format: "d", tickMinStep: 1 } },
            y: { field: "lo", type: "quantitative", title: `expected ${best} of final ${d.metric}${unit.suffix}`, scale: { zero: false } },
            y2: { field: "hi" },
            color,
            opacity: { field: "band", type: "ordinal", scale: { type: "ordinal", domain: [bandLabel], range: [0.18] }, legend: { title: "band", symbolType: "square", symbolOpacity: 0.35, labelLimit: 600 } },
          },
        },
        {
          name: "emax",
          mark: { type: "line", strokeWidth: 2, point: true },
          encoding: { x: { field: "n", type: "quantitative" }, y: { field: "mean", type: "quantitative" }, color, tooltip: [{ field: "variant" }, { field: "n" }, { field: "mean", format: ".4g" }, { field: "lo", format: ".4g" }, { field: "hi", format: ".4g" }] },
        },
      ],
    },
  };
}
