/**
 * Charts of a factorial verdict (study/factorial-verdict.ts): for each pair
 * of factors an interaction plot (the first factor's levels on the axis, one
 * line per level of the second, each point the mean over seeds with its
 * interval: parallel lines = no interaction), and the effect of each
 * two-level factor under every setting of the others with its interval.
 */
import type { FactorialVerdict } from "../../study/factorial-verdict.ts";
import { pValueClause, pValueText } from "../../stats/p-value-text.ts";
import { signedMetricValueText } from "../../study/metric-units.ts";
import { AS_LOGGED, CONFIG, LEVEL_DASHES, LEVEL_SHAPES, MEAN_MARK, SCHEMA, WIDTH, finite, inUnit, levelGreys, slug, seedsText, type Chart, type ValueUnit } from "./common.ts";


/** The interaction plot of the pair of factors `pair` (from the verdict's interaction_means). */
export function interactionChart(v: FactorialVerdict, pair: FactorialVerdict["interaction_means"][number], unit: ValueUnit = AS_LOGGED): Chart {
  const u = (x: number) => inUnit(x, unit);
  const [a, b] = pair.factors;
  const levelsA = v.factors.find((f) => f.name === a)!.levels;
  const levelsB = v.factors.find((f) => f.name === b)!.levels;
  // Each level of b is dodged sideways from the axis position of its level of a, so that their intervals do not hide each other.
  const dodge = levelsB.length > 1 ? Math.min(0.08, 0.3 / (levelsB.length - 1)) : 0;
  const position = (m: { levels: Record<string, string> }) => levelsA.indexOf(m.levels[a]!) + (levelsB.indexOf(m.levels[b]!) - (levelsB.length - 1) / 2) * dodge;
  const rows = pair.means.filter((m) => finite(m.mean)).map((m) => ({ [a]: m.levels[a], [b]: m.levels[b], at: position(m), mean: u(m.mean), lo: u(m.ci[0]), hi: u(m.ci[1]) }));
  const inter = v.factorial.find((e) => e.name === `${a} × ${b}`);
  const signed = (x: number) => signedMetricValueText(x, unit.factor === 100);
  const subtitle = inter ? (inter.estimate !== null && inter.ci ? `interaction ${signed(inter.estimate)}${unit.after}, ${Math.round(v.level * 100)}% CI [${signed(inter.ci[0])}, ${signed(inter.ci[1])}]${unit.after}, ${pValueClause(inter.p)}` : `interaction F(${inter.df[0]}, ${inter.df[1]}) = ${inter.F.toFixed(2)}${inter.gg ? `, Greenhouse–Geisser ε = ${inter.gg.epsilon.toFixed(2)}` : ""}, ${pValueClause(inter.p)}`) : "";
  const x = {
    field: "at",
    type: "quantitative",
    scale: { domain: [-0.5, levelsA.length - 0.5], nice: false, zero: false },
    title: a,
    axis: { values: levelsA.map((_, i) => i), labelExpr: `${JSON.stringify(levelsA)}[datum.value]`, grid: false, labelAngle: 0 },
  };
  // The levels of b are not variants: greys told apart by shape and dash too, never the variants' colours (one legend).
  const legend = { title: b, orient: "right", direction: "vertical", symbolOpacity: 1, symbolStrokeWidth: 0 };
  const color = { field: b, type: "nominal", scale: { domain: levelsB, range: levelGreys(levelsB.length) }, legend };
  const cycle = <T>(xs: readonly T[]) => levelsB.map((_, i) => xs[i % xs.length]!);
  const shape = { field: b, type: "nominal", scale: { domain: levelsB, range: cycle(LEVEL_SHAPES) }, legend };
  const strokeDash = { field: b, type: "nominal", scale: { domain: levelsB, range: cycle(LEVEL_DASHES) }, legend };
  const title = `Interaction: ${a} × ${b}`;
  return {
    id: `interaction-${slug(a)}-${slug(b)}`,
    title,
    caption:
      `Each point is the mean over ${seedsText(v.seeds.length)} of final ${v.metric} at that level of ${a} (axis) and ${b} (a shade of grey with its own point shape and dash: the levels of a factor are not variants and take none of their colours), averaged over the other factors; ` +
      `the bar is its ${Math.round(v.level * 100)}% t interval over seeds (the levels of ${b} are drawn side by side at each level of ${a}). Parallel lines mean the effect of ${a} does not depend on ${b}; ` +
      `the interaction test uses the per-seed contrasts (paired), which are more precise than these per-point intervals suggest.`,
    series: levelsB.length,
    points: rows.length,
    marks: { lines: levelsB.length, means: rows.length, cis: rows.length },
    spec: {
      $schema: SCHEMA,
      title: { text: title, subtitle },
      config: CONFIG,
      // The page scales every chart to its column: a plot about as wide as the others keeps their font size.
      width: WIDTH - 260,
      height: 300,
      data: { values: rows },
      layer: [
        { name: "lines", mark: { type: "line", strokeWidth: 2 }, encoding: { x, y: { field: "mean", type: "quantitative", scale: { zero: false }, title: `final ${v.metric}${unit.suffix}` }, color, strokeDash } },
        { name: "cis", mark: { type: "rule", strokeWidth: 2, opacity: 1 }, encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color } },
        { name: "means", mark: { type: "point", filled: true, size: 70, opacity: 1 }, encoding: { x, y: { field: "mean", type: "quantitative" }, color, shape, tooltip: [{ field: a }, { field: b }, { field: "mean", format: ".4g" }, { field: "lo", format: ".4g" }, { field: "hi", format: ".4g" }] } },
      ],
    },
  };
}

/** Each two-level factor's effect at each level of the other factors, with intervals; the main effect for comparison. */
export function simpleEffectsChart(v: FactorialVerdict, unit: ValueUnit = AS_LOGGED): Chart | undefined {
  const u = (x: number) => inUnit(x, unit);
  if (v.simple_effects.length === 0) return undefined;
  const label = (factor: string, levels: [string, string], at?: string) => `${factor} (${levels[1]} − ${levels[0]}) ${at ?? "overall"}`;
  // Tooltips carry the factorial verdict's own strings, not a chart format of the same numbers.
  const signed = (x: number) => `${signedMetricValueText(x, unit.factor === 100)}${unit.after}`;
  const texts = (x: number, ci: [number, number]) => ({ effect: signed(x), interval: `[${signed(ci[0])}, ${signed(ci[1])}]` });
  const rows = [
    ...v.factors.filter((f) => f.levels.length === 2).map((f) => {
      const e = v.factorial.find((x) => x.name === f.name)!;
      return { row: label(f.name, [f.levels[0]!, f.levels[1]!]), kind: "main effect (averaged over the other factors)", estimate: u(e.estimate!), lo: u(e.ci![0]), hi: u(e.ci![1]), ...texts(e.estimate!, e.ci!), p: pValueText(e.p) };
    }),
    ...v.simple_effects.map((s) => ({ row: label(s.factor, s.levels, `at ${s.at.factor}=${s.at.level}`), kind: "at one setting of another factor", estimate: u(s.estimate), lo: u(s.ci[0]), hi: u(s.ci[1]), ...texts(s.estimate, s.ci), p: pValueText(s.p) })),
  ];
  const order = v.factors.flatMap((f) => rows.filter((r) => r.row.startsWith(`${f.name} (`)).map((r) => r.row));
  const y = { field: "row", type: "nominal", scale: { domain: order }, title: null, axis: { labelLimit: 400 } };
  const xTitle = `effect on final ${v.metric}${unit.suffix} (${v.higher_is_better ? "positive" : "negative"} = better)`;
  const kinds = ["main effect (averaged over the other factors)", "at one setting of another factor"];
  const tooltip = [{ field: "row" }, { field: "effect" }, { field: "interval", title: `${Math.round(v.level * 100)}% CI` }, { field: "p" }];
  return {
    id: `factorial-effects-${slug(v.metric)}`,
    title: `Effects per setting: final ${v.metric}`,
    caption: `Each bar is an effect (second level − first) with its ${Math.round(v.level * 100)}% interval from the per-seed contrasts over ${seedsText(v.seeds.length)}, the white square on it the estimate: overall (black, averaged over the other factors) and at each level of every other factor (grey). The dashed line is no effect.`,
    series: rows.length,
    points: rows.length,
    marks: { cis: rows.length, estimates: rows.length },
    spec: {
      $schema: SCHEMA,
      title: `Effects per setting: final ${v.metric}`,
      config: CONFIG,
      width: 560,
      height: 26 * rows.length + 10,
      layer: [
        { name: "zero", data: { values: [{ x: 0 }] }, mark: { type: "rule", strokeDash: [4, 3], color: "#555" }, encoding: { x: { field: "x", type: "quantitative" } } },
        // The kinds of effect are not variants: black and grey, never the variants' colours; the estimate is the white square the other charts draw a mean with.
        { name: "cis", data: { values: rows }, mark: { type: "rule", strokeWidth: 3 }, encoding: { x: { field: "lo", type: "quantitative", title: xTitle }, x2: { field: "hi" }, y, color: { field: "kind", type: "nominal", scale: { domain: kinds, range: levelGreys(kinds.length) }, legend: { title: null } }, tooltip } },
        { name: "estimates", data: { values: rows }, mark: { type: "point", ...MEAN_MARK }, encoding: { x: { field: "estimate", type: "quantitative" }, y, tooltip } },
      ],
    },
  };
}

/** Every chart of a factorial verdict: the interaction plots, then the per-setting effects, values in `unit`. */
export function factorialCharts(v: FactorialVerdict, unit: ValueUnit = AS_LOGGED): Chart[] {
  const charts = v.interaction_means.map((pair) => interactionChart(v, pair, unit));
  const effects = simpleEffectsChart(v, unit);
  return effects ? [...charts, effects] : charts;
}
