/**
 * Seed ensembles and what to deploy: the ensemble-size curve, validation
 * against test (one dot per seed, the full ensemble beside), and the gain of
 * the full ensemble with the churn between seeds. Accuracies in percentage
 * points, as the tables print them (churn is a share of examples, in %); the
 * variants keep the colours they have in every other chart of the report.
 */
import type { DeploymentData } from "../model/index.ts";
import { CONFIG, PERCENT_POINTS, SCHEMA, WIDTH, finite, inUnit, layeredSpec, seedsText, type Chart } from "./common.ts";

/** Accuracies, gains and churn are fractions; shown ×100 (accuracies in pp, churn in %). */
const pct = (x: number): number => inUnit(x, PERCENT_POINTS);
const ACCURACY = `accuracy${PERCENT_POINTS.suffix}`;
const SETS = ["validation", "test"] as const;

/** "a 5 seeds, b 5 seeds" (with "(ensembles: 20 of them, a fixed sample)" where the sample is smaller). */
function seedCounts(d: DeploymentData): string {
  return d.variants
    .map((v) => `${v.name} ${v.ensembleSeeds < v.seeds ? `${v.ensembleSeeds} of ${v.seeds.toLocaleString("en")} seeds (a fixed sample by seed hash)` : seedsText(v.seeds)}`)
    .join(", ");
}

/** Accuracy of an ensemble of k seeds against k, per variant, on validation (shared split only) and test: mean over subsets, band min–max. */
export function ensembleCurveChart(d: DeploymentData, variants: readonly string[]): Chart | undefined {
  const a = d.analysis;
  if (!a) return undefined;
  const rows = a.variants.flatMap((v) =>
    SETS.flatMap((set) => {
      const s = set === "validation" ? v.validation : v.test;
      return (s?.curve ?? []).map((p) => ({ variant: v.variant, set, k: p.k, mean: pct(p.mean), min: pct(p.min), max: pct(p.max), subsets: p.subsets, exhaustive: p.exhaustive ? "all" : "random sample" }));
    }),
  );
  if (rows.length === 0) return undefined;
  const series = new Set(rows.map((r) => `${r.variant}\u0000${r.set}`)).size;
  const sets = SETS.filter((s) => rows.some((r) => r.set === s));
  const color = { field: "variant", type: "nominal", scale: { domain: [...variants] }, title: "variant" };
  const strokeDash = { field: "set", type: "nominal", scale: { domain: [...sets], range: sets.map((s) => (s === "validation" ? [1, 0] : [6, 4])) }, title: "scored on" };
  const x = { field: "k", type: "quantitative", title: "seeds in the ensemble (k)", axis: { tickMinStep: 1, format: "d" }, scale: { nice: false } };
  const sampled = rows.some((r) => r.exhaustive !== "all");
  const sharedNote = d.sharedValidation
    ? ""
    : " No validation curve: the seeds were validated on different splits (the split seed varies), so their validation predictions cannot be averaged; fix the split seed to get one.";
  return {
    id: "ensemble-curve",
    title: "Seed ensembles: accuracy against ensemble size",
    caption:
      `Accuracy of an ensemble of k seeds (their class probabilities averaged, the most probable class predicted) for k = 1 to the number of seeds: ` +
      `the line is the mean over subsets of k seeds, the shaded band their min–max; k = 1 is the single seeds, the last point the ensemble of all of them. ` +
      `Every subset is scored when there are at most ${d.subsets} of them, else ${d.subsets} drawn at random (seeded)${sampled ? ", as for some points here" : ""}. ` +
      `Solid: validation (what a choice may use); dashed: the held-out test set (never used to choose). Seeds: ${seedCounts(d)}.` + sharedNote,
    series,
    points: rows.length,
    marks: { band: series, mean: series, curvepoints: rows.length },
    spec: layeredSpec("Seed ensembles: accuracy against ensemble size", [
      {
        name: "band",
        data: { values: rows },
        mark: { type: "area", opacity: 0.14 },
        encoding: { x, y: { field: "min", type: "quantitative", title: ACCURACY, scale: { zero: false } }, y2: { field: "max" }, color: { ...color, legend: { symbolOpacity: 1, symbolType: "stroke", symbolStrokeWidth: 3 } }, detail: { field: "set" } },
      },
      {
        name: "mean",
        data: { values: rows },
        mark: { type: "line", strokeWidth: 2.2 },
        encoding: { x, y: { field: "mean", type: "quantitative" }, color, strokeDash },
      },
      {
        name: "curvepoints",
        data: { values: rows },
        mark: { type: "point", filled: true, size: 36 },
        encoding: {
          x, y: { field: "mean", type: "quantitative" }, color,
          tooltip: [{ field: "variant" }, { field: "set" }, { field: "k" }, { field: "mean", format: ".2f" }, { field: "min", format: ".2f" }, { field: "max", format: ".2f" }, { field: "subsets" }, { field: "exhaustive", title: "subsets scored" }],
        },
      },
    ]),
  };
}

/** Test accuracy against validation accuracy: one dot per seed, a diamond for the ensemble of all seeds, and the line test = validation. */
export function validationTestChart(d: DeploymentData, variants: readonly string[]): Chart | undefined {
  if (d.scatter.length === 0) return undefined;
  const SEED = "one seed";
  const ENSEMBLE = "ensemble of all seeds";
  const seeds = d.scatter.map((p) => ({ variant: p.variant, seed: p.seed, validation: pct(p.validation), test: pct(p.test), kind: SEED }));
  const ensembles = (d.analysis?.variants ?? [])
    .filter((v) => v.test && finite(v.validation.ensemble) && finite(v.test.ensemble))
    .map((v) => ({ variant: v.variant, seed: `all ${v.seeds}`, validation: pct(v.validation.ensemble), test: pct(v.test!.ensemble), kind: ENSEMBLE }));
  const all = [...seeds, ...ensembles];
  const lo = Math.min(...all.map((p) => Math.min(p.validation, p.test)));
  const hi = Math.max(...all.map((p) => Math.max(p.validation, p.test)));
  const pad = Math.max(0.05, (hi - lo) * 0.05);
  const diagonal = [{ v: lo - pad, t: lo - pad, what: "test = validation" }, { v: hi + pad, t: hi + pad, what: "test = validation" }];
  const color = { field: "variant", type: "nominal", scale: { domain: [...variants] }, title: "variant" };
  const shape = { field: "kind", type: "nominal", scale: { domain: [SEED, ENSEMBLE], range: ["circle", "diamond"] }, title: "point" };
  const scale = { zero: false, domain: [lo - pad, hi + pad], nice: false };
  const agreement = (d.analysis?.variants ?? []).filter((v) => v.validationVsTest).map((v) => {
    const s = v.validationVsTest!.seeds;
    const rho = Number.isNaN(s.spearman) ? "ρ n/a" : `Spearman ρ = ${s.spearman.toFixed(2)}`;
    const best = s.bestOnValidationIsBestOnTest ? "its best seed on validation is also best on test" : `its best seed on validation is ${s.testRankOfBestOnValidation} of ${s.n} on test (${(100 * s.testRegret).toFixed(2)} pp below the best)`;
    const k = v.validationVsTest!.ensembles.find((e) => e.k > 1 && !Number.isNaN(e.spearman));
    const ensembles = k ? `; across ensembles of ${k.k} seeds (${k.n} of them) ρ = ${k.spearman.toFixed(2)}` : "";
    return `${v.variant} (${s.n} seeds): ${rho}, ${best}${ensembles}`;
  });
  return {
    id: "validation-test",
    title: "Validation against test",
    caption:
      `Each dot is one seed: its accuracy on the validation split (x, where choices are made) against the held-out test set (y). ` +
      `A seed lucky on validation can be unlucky on test: where a variant's dots rise from left to right, validation ranks its seeds as test does; the dashed line is test = validation. ` +
      (ensembles.length ? `Diamonds: each variant's ensemble of its seeds, on both sets. ` : d.sharedValidation ? "" : "No ensemble diamonds: the seeds were validated on different splits. ") +
      (agreement.length ? `${agreement.join("; ")}. ` : "Rank agreement needs 3 or more seeds with test predictions. ") +
      (d.scatterSummarised ? `Summarised: a fixed sample of at most ${Math.max(...d.variants.map((v) => seeds.filter((p) => p.variant === v.name).length))} seeds per variant drawn (by seed hash).` : `Seeds: ${d.variants.map((v) => `${v.name} ${v.testSeeds}`).join(", ")}.`),
    series: new Set(all.map((p) => p.variant)).size,
    points: all.length,
    marks: { diagonal: 1, seeds: seeds.length, ensembles: ensembles.length },
    spec: {
      $schema: SCHEMA,
      title: "Validation against test",
      config: CONFIG,
      width: WIDTH,
      height: 360,
      layer: [
        {
          name: "diagonal",
          data: { values: diagonal },
          mark: { type: "line", strokeDash: [5, 4], color: "#777", strokeWidth: 1.2 },
          encoding: { x: { field: "v", type: "quantitative", scale }, y: { field: "t", type: "quantitative", scale } },
        },
        {
          name: "seeds",
          data: { values: seeds },
          mark: { type: "point", filled: true, size: 80, opacity: 0.8 },
          encoding: {
            x: { field: "validation", type: "quantitative", title: `validation ${ACCURACY}`, scale, axis: { tickCount: 10 } },
            y: { field: "test", type: "quantitative", title: `test ${ACCURACY}`, scale },
            color, shape,
            tooltip: [{ field: "variant" }, { field: "seed" }, { field: "validation", format: ".2f" }, { field: "test", format: ".2f" }],
          },
        },
        {
          name: "ensembles",
          data: { values: ensembles },
          mark: { type: "point", filled: true, size: 260, stroke: "#222", strokeWidth: 1.2 },
          encoding: {
            x: { field: "validation", type: "quantitative", scale }, y: { field: "test", type: "quantitative", scale }, color, shape,
            tooltip: [{ field: "variant" }, { field: "seed", title: "seeds" }, { field: "validation", format: ".2f" }, { field: "test", format: ".2f" }],
          },
        },
      ],
    },
  };
}

/** Per variant: the gain of the ensemble of all seeds over the average seed with its interval (top), and the churn between seeds (bottom). */
export function gainChurnChart(d: DeploymentData, variants: readonly string[]): Chart | undefined {
  const vs = (d.analysis?.variants ?? []).filter((v) => v.gain || v.churn);
  if (vs.length === 0) return undefined;
  const names = vs.map((v) => v.variant);
  const gainLabel = (set: string) => `gain, ${set}: ensemble of all seeds − mean seed`;
  const gains = vs.filter((v) => v.gain).map((v) => {
    const g = v.gain!;
    return { variant: v.variant, what: gainLabel(g.set), gain: pct(g.estimate), lo: finite(g.lo) ? pct(g.lo) : null, hi: finite(g.hi) ? pct(g.hi) : null, ensemble: pct(g.ensemble), mean: pct(g.meanMember), seeds: g.members, method: g.method };
  });
  const intervals = gains.filter((g) => g.lo !== null && g.hi !== null);
  const noInterval = gains.filter((g) => g.lo === null).map((g) => g.variant);
  const PAIRS = "mean over pairs of seeds (line: min–max)";
  const UNSTABLE = "examples on which not every seed agrees";
  const churnRows = vs.filter((v) => v.churn).flatMap((v) => {
    const c = v.churn!;
    return [
      { variant: v.variant, what: PAIRS, value: pct(c.mean), min: pct(c.min), max: pct(c.max), set: c.set, seeds: c.seeds, pairs: c.pairs },
      { variant: v.variant, what: UNSTABLE, value: pct(c.unstable), min: null, max: null, set: c.set, seeds: c.seeds, pairs: c.pairs },
    ];
  });
  const ranges = churnRows.filter((r) => r.what === PAIRS);
  const color = { field: "variant", type: "nominal", scale: { domain: [...variants] }, title: "variant" };
  const y = { field: "variant", type: "nominal", scale: { domain: names }, title: null };
  const sets = [...new Set(vs.map((v) => v.gain?.set ?? v.churn?.set))];
  const level = Math.round(100 * (vs.find((v) => v.gain)?.gain?.level ?? 0.95));
  const height = 34 * names.length + 10;
  return {
    id: "ensemble-gain-churn",
    title: "Ensemble gain and churn between seeds",
    caption:
      `Top: how many percentage points (pp) of accuracy the ensemble of all seeds gains over the average single seed, on ${sets.join(" / ")}, with its ${level}% interval ` +
      `(test examples plus a seed jackknife, Satterthwaite t)` + (noInterval.length ? `; no interval for ${noInterval.join(", ")}: 2 seeds are too few for the seeds' part` : "") + ". " +
      `Bottom: churn, the share of examples whose predicted class changes from one seed to another (dot: mean over pairs of seeds, line: min–max over pairs), ` +
      `and the share on which not every seed agrees (diamond): the prediction differences a deployed single seed would show on retraining. ` +
      `Seeds: ${vs.map((v) => `${v.variant} ${seedsText(v.seeds)}`).join(", ")}.`,
    series: names.length,
    points: gains.length + churnRows.length,
    marks: { gain: gains.length, gainci: intervals.length, churnrange: ranges.length, churn: churnRows.length },
    spec: {
      $schema: SCHEMA,
      title: "Ensemble gain and churn between seeds",
      config: CONFIG,
      vconcat: [
        {
          width: WIDTH,
          height,
          layer: [
            { name: "zero", data: { values: [{ x: 0 }] }, mark: { type: "rule", strokeDash: [4, 3], color: "#555" }, encoding: { x: { field: "x", type: "quantitative" } } },
            {
              name: "gainci",
              data: { values: intervals },
              mark: { type: "rule", strokeWidth: 2.5 },
              encoding: { x: { field: "lo", type: "quantitative", title: `accuracy gain of the full ensemble over the mean seed${PERCENT_POINTS.suffix}, ${level}% interval` }, x2: { field: "hi" }, y, color },
            },
            {
              name: "gain",
              data: { values: gains },
              mark: { type: "point", filled: true, size: 110 },
              encoding: {
                x: { field: "gain", type: "quantitative" }, y, color,
                tooltip: [{ field: "variant" }, { field: "what" }, { field: "gain", format: "+.2f" }, { field: "lo", format: "+.2f" }, { field: "hi", format: "+.2f" }, { field: "ensemble", format: ".2f" }, { field: "mean", title: "mean seed", format: ".2f" }, { field: "seeds" }, { field: "method" }],
              },
            },
          ],
        },
        {
          width: WIDTH,
          height,
          layer: [
            {
              name: "churnrange",
              data: { values: ranges },
              mark: { type: "rule", strokeWidth: 2.5 },
              encoding: { x: { field: "min", type: "quantitative", title: "examples predicted differently (%)", scale: { zero: true } }, x2: { field: "max" }, y, color },
            },
            {
              name: "churn",
              data: { values: churnRows },
              mark: { type: "point", filled: true, size: 110 },
              encoding: {
                x: { field: "value", type: "quantitative" }, y, color,
                shape: { field: "what", type: "nominal", scale: { domain: [PAIRS, UNSTABLE], range: ["circle", "diamond"] }, title: "churn", legend: { labelLimit: 600 } },
                tooltip: [{ field: "variant" }, { field: "what" }, { field: "value", format: ".2f" }, { field: "min", format: ".2f" }, { field: "max", format: ".2f" }, { field: "set" }, { field: "seeds" }, { field: "pairs" }],
              },
            },
          ],
        },
      ],
      resolve: { scale: { x: "independent", color: "shared" } },
    },
  };
}

/**
 * The deployment section's charts (none without predictions). `section`: its
 * number in a view of several studies, appended to the chart ids (they stay
 * unique on the page); the study's name leads each title.
 */
export function deploymentCharts(d: DeploymentData, variants: readonly string[], section?: number): Chart[] {
  if (!d.available) return [];
  const charts = [ensembleCurveChart(d, variants), validationTestChart(d, variants), gainChurnChart(d, variants)].filter((c): c is Chart => c !== undefined);
  if (section === undefined) return charts;
  return charts.map((c) => {
    const title = d.study === undefined ? c.title : `${d.study}: ${c.title}`;
    return { ...c, id: `${c.id}-${section}`, title, spec: { ...c.spec, title } };
  });
}
