/** Every chart of a report, in reading order: pure functions of the report model. */
import type { ReportModel } from "../model/index.ts";
import { showsPercentPoints } from "../../study/metric-units.ts";
import { metricDirection } from "../../study/metric-direction.ts";
import type { CurveData } from "../model/index.ts";
import { valueUnit, type Chart, type ValueUnit } from "./common.ts";
import { curveChart, type CurveContext } from "./curves.ts";
import { differenceChart, distributionChart } from "./distribution.ts";
import { deploymentCharts } from "./ensembles.ts";
import { factorialCharts } from "./factorial.ts";
import { expectedMaxChart, powerChart, varianceChart } from "./planning.ts";

export * from "./common.ts";
export * from "./curves.ts";
export * from "./distribution.ts";
export * from "./ensembles.ts";
export * from "./factorial.ts";
export * from "./planning.ts";

/** Sections of the report and the charts in each. */
export interface ChartSections {
  curves: Chart[];
  paired: Chart[];
  distribution: Chart[];
  /** Seed ensembles, validation against test, gain and churn (none without predictions), per deployment section of the model. */
  deployment: Chart[][];
  /** A factorial study: the interaction plots and the per-setting effects. */
  factorial: Chart[];
  variance: Chart | undefined;
  power: Chart | undefined;
  expectedMax: Chart | undefined;
}

/**
 * The unit of each tag's curves: percentage points for an accuracy whose
 * logged values are fractions (study/metric-units.ts). A paired curve takes the
 * unit of its tag's own curve: its differences alone cannot tell fractions
 * from percent.
 */
function curveUnits(curves: readonly CurveData[]): (tag: string) => ValueUnit {
  const percent = new Set(curves.filter((c) => showsPercentPoints(c.tag, c.seeds.map((p) => p.value))).map((c) => c.tag));
  return (tag) => valueUnit(percent.has(tag));
}

/**
 * Curve charts made before, by curve object and unit: a dashboard update
 * hands over the very curve object of a tag whose runs did not change
 * (model/curve-columns.ts), and its chart (a spec of megabytes at 10,000 runs)
 * is then not made again, nor hashed again to find its drawing.
 */
const curveCharts = new WeakMap<CurveData, Map<string, Chart>>();

function curveChartOf(c: CurveData, unit: ValueUnit, context: CurveContext): Chart {
  let byUnit = curveCharts.get(c);
  if (!byUnit) curveCharts.set(c, (byUnit = new Map()));
  const key = JSON.stringify([unit, context.variants, context.higherIsBetter]);
  let chart = byUnit.get(key);
  if (!chart) byUnit.set(key, (chart = curveChart(c, unit, context)));
  return chart;
}

/** The charts made of this very curve object so far, by their key (unit and context): what a dashboard saves with the curve (serve/saved-accumulator.ts). */
export function curveChartsMade(c: CurveData): [string, Chart][] {
  return [...(curveCharts.get(c) ?? [])];
}

/** Takes `charts` (curveChartsMade of this curve before it was saved) as the charts made of `c`, a curve restored: they are not made again. */
export function adoptCurveCharts(c: CurveData, charts: readonly [string, Chart][]): void {
  curveCharts.set(c, new Map(charts));
}

/**
 * Which way a tag is better: the verdict's direction for its metric (a flag
 * may have set it), the name's for other tags (`loss`, `acc`…), undefined
 * where the name does not say.
 */
function tagDirection(m: ReportModel): (tag: string) => boolean | undefined {
  return (tag) => {
    if (tag === m.distribution.metric) return m.distribution.higherIsBetter;
    const d = metricDirection(tag);
    return d.source === "default" ? undefined : d.higherIsBetter;
  };
}

export function reportCharts(m: ReportModel): ChartSections {
  const unit = valueUnit(m.percent);
  const curveUnit = curveUnits(m.curves);
  const better = tagDirection(m);
  const curveOf = (c: CurveData): Chart => curveChartOf(c, curveUnit(c.tag), { variants: m.variants, ...(c.paired ? { higherIsBetter: better(c.tag) } : {}) });
  const diff = m.differences.comparisons.length > 0 ? differenceChart(m.differences, unit, m.variants) : undefined;
  const dist = distributionChart(m.distribution, unit, m.variants);
  return {
    curves: m.curves.map(curveOf),
    paired: m.pairedCurves.map(curveOf),
    distribution: diff ? [dist, diff] : [dist],
    deployment: m.deployments.map((d, i) => deploymentCharts(d, m.variants, m.deployments.length > 1 ? i + 1 : undefined)),
    factorial: m.factorial ? factorialCharts(m.factorial, unit) : [],
    variance: varianceChart(m.variance, unit, m.variants),
    power: powerChart(m.power, unit, m.variants),
    expectedMax: m.expectedMax.variants.length > 0 ? expectedMaxChart(m.expectedMax, unit, m.variants) : undefined,
  };
}

export function allCharts(s: ChartSections): Chart[] {
  return [...s.factorial, ...s.curves, ...s.paired, ...s.distribution, ...s.deployment.flat(), ...(s.variance ? [s.variance] : []), ...(s.power ? [s.power] : []), ...(s.expectedMax ? [s.expectedMax] : [])];
}
