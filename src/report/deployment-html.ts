/**
 * The report's "What to deploy" section: both of seed article 002's choices
 * (the best ensemble; the best worst case, then the smallest range, for one
 * seed) with their uncertainty, a table per variant (single seeds, the
 * ensemble, its gain and churn on validation and test), then the charts.
 * One line instead when no run kept predictions.
 */
import { ensembleSentences, singleSeedSentences, type DeploymentChoice } from "../study/deployment.ts";
import type { DeploymentData } from "./model/index.ts";
import { esc } from "./html.ts";
import { metricValueText, signedMetricValueText } from "../study/metric-units.ts";

// Accuracies in pp, signed and formatted as the verdict and `twin stats` print them (metric-units.ts).
const pct = (x: number): string => metricValueText(x, true);
const signed = (x: number): string => signedMetricValueText(x, true);

function ensembleChoice(c: DeploymentChoice, suffix: string): string {
  return `<p class="choice" id="choice-ensemble${suffix}"><b>As an ensemble: ${esc(c.variant)}</b>. ${ensembleSentences(c).map(esc).join(" ")}</p>`;
}

function singleChoice(c: DeploymentChoice, suffix: string): string {
  return `<p class="choice" id="choice-single${suffix}"><b>As one seed: ${esc(c.variant)}</b>. ${singleSeedSentences(c).map(esc).join(" ")}</p>`;
}

function setCells(s: { mean: number; min: number; max: number; range: number; ensemble: number } | undefined): string {
  if (!s) return `<td colspan="3" class="muted">no predictions</td>`;
  return `<td>${pct(s.mean)}</td><td>${pct(s.min)}–${pct(s.max)} (${pct(s.range)})</td><td>${Number.isNaN(s.ensemble) ? "–" : pct(s.ensemble)}</td>`;
}

/**
 * The section; `charts` is the rendered figures of the section's charts.
 * `section`: its number in a view of several studies (one section per study,
 * named in its heading; ids get the number so that they stay unique).
 */
export function deploymentSection(d: DeploymentData, charts: string, section?: number): string {
  const suffix = section === undefined ? "" : `-${section}`;
  const from = d.study === undefined ? "" : ` from ${esc(d.study)}`;
  const parts = [`<section id="deployment${suffix}" class="deployment"${d.study === undefined ? "" : ` data-study="${esc(d.study)}"`}><h2>What to deploy${from}: seed ensembles, validation against test</h2>`];
  if (d.study !== undefined) parts.push(`<p class="muted">Only the runs of study ${esc(d.study)}: ensembles, churn and the choices do not mix the two studies, whose examples and splits may differ.</p>`);
  if (!d.available || !d.analysis) {
    parts.push(`<p class="muted" id="deployment-unavailable${suffix}">Not available: ${esc(d.reason ?? "the deployment analysis failed")}.</p>`);
    for (const n of d.notes) parts.push(`<p class="note">${esc(n)}</p>`);
    parts.push(`</section>`);
    return parts.join("");
  }
  const a = d.analysis;
  const sampled = d.variants.filter((v) => v.ensembleSeeds < v.seeds);
  parts.push(
    `<p class="muted">From each run's per-example class probabilities (accuracy of the most probable class, in percentage points (pp) as in the verdict; churn in % of examples). Choices are made on validation; the held-out test set is shown beside them and never used to choose.` +
      (sampled.length ? ` Ensembles use a fixed sample of at most ${d.maxEnsembleSeeds} seeds per variant (by seed hash; ${sampled.map((v) => `${esc(v.name)} ${v.ensembleSeeds} of ${v.seeds.toLocaleString("en")}`).join(", ")}), so that memory stays bounded: the table and the choices use that sample, the validation–test scatter every seed.` : "") +
      `</p>`,
  );
  if (a.ensemble) parts.push(ensembleChoice(a.ensemble, suffix));
  if (a.singleSeed) parts.push(singleChoice(a.singleSeed, suffix));
  parts.push(
    `<table class="small" id="deployment-table${suffix}"><thead><tr><th rowspan="2">variant</th><th rowspan="2">seeds</th><th colspan="3">validation (pp)</th><th colspan="3">test (pp)</th><th rowspan="2">ensemble gain (pp) [95% CI]</th><th rowspan="2">churn</th></tr>` +
      `<tr><th>mean seed</th><th>min–max (range)</th><th>ensemble</th><th>mean seed</th><th>min–max (range)</th><th>ensemble</th></tr></thead><tbody>`,
  );
  for (const v of a.variants) {
    const g = v.gain;
    const gain = g ? `${signed(g.estimate)}${Number.isNaN(g.lo) ? " (no interval: 2 seeds)" : ` [${signed(g.lo)}, ${signed(g.hi)}]`} (${g.set})` : "–";
    const churn = v.churn ? `${pct(v.churn.mean)}% (${v.churn.set})` : "–";
    parts.push(`<tr data-variant="${esc(v.variant)}"><td>${esc(v.variant)}</td><td>${v.seeds}</td>${setCells(v.validation)}${setCells(v.test)}<td>${gain}</td><td>${churn}</td></tr>`);
  }
  parts.push(`</tbody></table>`);
  parts.push(charts);
  for (const n of d.notes) parts.push(`<p class="note">${esc(n)}</p>`);
  parts.push(`</section>`);
  return parts.join("");
}
