/**
 * HTML assembly: the report body (verdict table, charts with their captions,
 * reproducibility status) and the self-contained report page. The same body
 * is what the dashboard shows for a study. Each chart is carried as its spec
 * and drawn by the reader's browser (see chart-runtime.ts).
 */
import { allCharts, reportCharts, type Chart, type ChartSections } from "./charts/index.ts";
import { deploymentSection } from "./deployment-html.ts";
import { spreadLine } from "../study/spread-fields.ts";
import { pValueClause, pValueText } from "../stats/p-value-text.ts";
import { metricValueText, signedMetricValueText } from "../study/metric-units.ts";
import { effectSizeText, failureComparisonText, NO_INTERVAL, pairingGainText, restsOnText, robustVerdictText, testName } from "../study/verdict.ts";
import type { ReportModel } from "./model/index.ts";
import { MIN_BAND_RUNS, NO_METRIC } from "./model/index.ts";
import { seedsText } from "../study/seeds-text.ts";
import type { SetAside } from "../study/not-independent.ts";
import { chartRuntimeScripts, specScriptText } from "./chart-runtime.ts";
import { factorialSection } from "./factorial-section.ts";
import { REPORT_CSS } from "./css.ts";
import { keepFlagsWhole } from "./whole-flags.ts";
import { esc } from "./escape.ts";
import { cutSharesNote, NO_FACTOR_SPREAD, sharesSentence as sharesText, shareText } from "../study/variance-shares.ts";

export { esc, REPORT_CSS };

export interface RenderedChart {
  chart: Chart;
  /** The spec as the page carries it (specScriptText). */
  specText: string;
}

/** A number that is not the metric's (an effect size, a variance): four decimals, three significant digits in exponent form below 1e-3 or from 1e5; "n/a" when not finite, as the verdict says it; "–" when absent. */
export function num(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return "–";
  if (!Number.isFinite(x)) return "n/a";
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(2);
  return x.toFixed(digits);
}

/**
 * How the verdict metric's values are printed: as `twin stats`/`twin compare`
 * print them (`metricValueText`, `signedMetricValueText`: in percentage points
 * when the model says so, an accuracy of fractions: 0.7303 → 73.03,
 * differences in pp; "n/a" when not finite), with "–" for a missing value.
 * `variance` is in the square of those units.
 */
export function metricFormat(percent: boolean): { value: (x: number | null | undefined) => string; diff: (x: number) => string; variance: (x: number | null | undefined, digits?: number) => string; unit: string } {
  const value = (x: number | null | undefined): string => (x === null || x === undefined ? num(x) : metricValueText(x, percent));
  return {
    value,
    diff: (x) => signedMetricValueText(x, percent),
    variance: percent ? (x, digits = 4) => (x === null || x === undefined ? num(x) : num(x * 1e4, digits)) : (x, digits = 6) => num(x, digits),
    unit: percent ? " pp" : "",
  };
}

/** Every chart of the sections with its spec's text, by chart id. */
function renderCharts(sections: ChartSections): Map<string, RenderedChart> {
  return new Map(allCharts(sections).map((chart) => [chart.id, { chart, specText: specScriptText(chart.spec) }]));
}

function figure(r: RenderedChart | undefined): string {
  if (!r) return "";
  const c = r.chart;
  return (
    `<figure class="chart" id="chart-${esc(c.id)}" data-chart="${esc(c.id)}" data-series="${c.series}" data-points="${c.points}" data-marks="${esc(JSON.stringify(c.marks))}">` +
    `<div class="chart-view"></div><script type="application/json" class="chart-spec">${r.specText}</script>` +
    `<figcaption>${esc(c.caption)}</figcaption></figure>`
  );
}

/** What pairing by seed did to the variance of the difference, in the CLI's words (study/verdict.ts), or "unpaired". */
export function pairingText(gain: number | null, ci: [number, number] | null, paired: boolean, noInterval: string | null = null, level = 0.95): string {
  if (!paired) return "unpaired";
  if (gain === null) return "–";
  return pairingGainText(gain, ci, noInterval, level);
}

const percent = (x: number): string => `${Math.round(x * 100)}%`;

/** "1 diverged, 1 failed of 6 · failure rate 33% (95% CI 4%–78%)", or "–" when every run finished. */
function notFinishedText(v: NonNullable<ReportModel["analysis"]>["variants"][number]): string {
  const parts = [v.diverged ? `${v.diverged} diverged` : "", v.failed ? `${v.failed} failed` : "", v.unfinished ? `${v.unfinished} unfinished` : ""].filter(Boolean);
  if (parts.length === 0) return "–";
  const rate = v.failure_rate !== null && v.failure_rate_ci ? ` of ${v.n + v.diverged + v.failed} · failure rate ${percent(v.failure_rate)} (95% CI ${percent(v.failure_rate_ci[0])}–${percent(v.failure_rate_ci[1])})` : "";
  return parts.join(", ") + rate;
}

/**
 * The comparison in words, naming a winner only where the data support it:
 * the interval excludes 0 and the comparison's own test agrees (p < alpha);
 * an interval without width (every seed gives the same difference) is not
 * evidence by itself, the exact test's p is. Said too: a Holm-adjusted p that
 * is not significant, and robust comparisons that disagree with the plain one.
 */
export function verdictWords(c: NonNullable<ReportModel["analysis"]>["comparisons"][number], a: NonNullable<ReportModel["analysis"]>): string {
  const alpha = 1 - a.level;
  const alphaText = String(Number(alpha.toPrecision(6)));
  const level = `${Math.round(a.level * 100)}%`;
  const better = a.higher_is_better ? c.diff > 0 : c.diff < 0;
  const excludesZero = c.ci[0] > 0 || c.ci[1] < 0;
  const units = `${c.paired ? c.n_pairs ?? c.n : c.n} ${c.paired ? "pairs" : "runs"}`;
  const p = `${testName(c)} ${pValueClause(c.p)}`;
  // A difference without spread has no interval to read: the exact test's p decides.
  const noSpread = c.ci[0] === c.ci[1];
  const why = c.test === "none" ? "identical results on every seed" : noSpread ? "every seed gives the same difference, without an interval" : `the ${level} interval of the difference ${excludesZero ? "excludes" : "includes"} 0`;
  let words: string;
  if (excludesZero && c.p < alpha) {
    words = `${better ? "better" : "worse"} than ${c.a}: ${why} (${p})`;
    if (a.comparisons.length > 1 && c.p_adjusted >= alpha) words += `, but not after Holm's adjustment for ${a.comparisons.length} comparisons (${pValueClause(c.p_adjusted)})`;
  } else if (c.test === "none") words = `not distinguishable from ${c.a} with ${units}: ${why} (${pValueClause(c.p)})`;
  else words = `not distinguishable from ${c.a} with ${units}: ${why}${excludesZero || noSpread ? `, and the ${p} is not below ${alphaText}` : ""}`;
  if (c.robust?.disagree) words += `; the robust comparisons disagree (below)`;
  else if (c.robust?.warning && excludesZero && c.p < alpha) words += `; read the plain p with care (below)`;
  return words;
}

function verdictSection(m: ReportModel): string {
  const a = m.analysis;
  const f = metricFormat(m.percent);
  const unitHead = m.percent ? " (pp)" : "";
  const parts: string[] = [`<section id="verdict"><h2>Verdict: final ${esc(m.metric)}</h2>`];
  const setAside = m.setAside ? `<p class="note" id="set-aside">${esc(m.setAside.note)}</p>` : "";
  if (!a) {
    parts.push(`<p class="muted">No verdict: ${esc(m.analysisError ?? "not enough runs")}.</p>${setAside}`);
    const rows = m.final.variants.map((v) => `<tr><td>${esc(v.name)}</td><td>${v.values.length}</td><td>${v.values.slice(0, 50).map((x) => f.value(x.value)).join(", ")}${v.values.length > 50 ? ", …" : ""}</td></tr>`);
    parts.push(`<table class="verdict"><thead><tr><th>variant</th><th>n</th><th>values${unitHead}</th></tr></thead><tbody>${rows.join("")}</tbody></table></section>`);
    return parts.join("");
  }
  // Paired or not as the analysis decided it (and `twin stats` says it), also when no comparison could be made.
  const paired = a.paired;
  parts.push(
    `<p>${esc(m.study)} · ${seedCountText(m.runs)} · ${paired ? (m.twinTrained ? "twin-trained, paired by seed" : "separate runs, paired by seed") : "unpaired"} · ${esc(m.metric)} (${a.higher_is_better ? "higher" : "lower"} is better) · reference <b>${esc(m.reference)}</b></p>`,
  );
  if (!paired || /given/.test(a.pairing)) parts.push(`<p class="note" id="pairing">${paired ? "paired" : "unpaired"}: ${esc(a.pairing)}</p>`);
  parts.push(setAside);
  parts.push(`<table class="verdict" id="variants-table"><thead><tr><th>variant</th><th>n</th><th>mean ± sd${unitHead}</th><th>min</th><th>max</th><th>median</th><th>range</th><th>did not finish</th></tr></thead><tbody>`);
  for (const v of a.variants) {
    const values = v.n > 0 ? `<td>${f.value(v.mean)} ± ${f.value(v.sd)}</td><td>${f.value(v.min)}</td><td>${f.value(v.max)}</td><td>${f.value(v.median)}</td><td>${f.value(v.max - v.min)}</td>` : `<td colspan="5" class="muted">no finished run</td>`;
    parts.push(`<tr data-variant="${esc(v.name)}"><td>${esc(v.name)}</td><td>${v.n}</td>${values}<td class="failures">${esc(notFinishedText(v))}</td></tr>`);
  }
  parts.push(`</tbody></table>`);
  if (a.comparisons.length > 0) parts.push(
    `<table class="verdict" id="comparisons-table"><thead><tr><th>comparison</th><th>difference</th><th>95% CI</th><th>test</th><th>p</th>${a.comparisons.length > 1 ? "<th>p (Holm)</th>" : ""}<th>P(better) [95% CI]</th><th>effect size</th><th>pairing</th></tr></thead><tbody>`,
  );
  for (const c of a.comparisons) {
    const sig = c.p_adjusted < 0.05;
    const pairing = pairingText(c.pairing_gain, c.pairing_gain_ci, c.paired, c.pairing_gain_ci_note, a.level);
    parts.push(
      `<tr data-comparison="${esc(c.b)}" class="${sig ? "sig" : "nonsig"}"><td>${esc(c.b)} − ${esc(c.a)}</td><td>${f.diff(c.diff)}${f.unit}</td><td>${c.ci[0] === c.ci[1] ? esc(NO_INTERVAL) : `[${f.diff(c.ci[0])}, ${f.diff(c.ci[1])}]${f.unit}`}</td>` +
        `<td>${esc(testName(c))}</td><td>${esc(pValueText(c.p))}</td>${a.comparisons.length > 1 ? `<td>${esc(pValueText(c.p_adjusted))}</td>` : ""}` +
        `<td>${c.prob_improvement.toFixed(2)}${c.prob_improvement_ci ? ` [${c.prob_improvement_ci[0].toFixed(2)}, ${c.prob_improvement_ci[1].toFixed(2)}]` : ""}</td><td>${esc(effectSizeText(c))}</td><td>${esc(pairing)}</td></tr>`,
    );
  }
  parts.push(`${a.comparisons.length > 0 ? "</tbody></table>" : ""}<ul class="sentences">`);
  for (const c of a.comparisons) {
    parts.push(`<li><b>${esc(c.b)}</b> is ${esc(verdictWords(c, a))}; P(${esc(c.b)} better on a new seed) = ${c.prob_improvement.toFixed(2)}; ${esc(restsOnText(c))}.</li>`);
    const robust = robustVerdictText(c, m.percent);
    if (robust.swans) parts.push(`<li class="note warning swans">${esc(c.b)}: ${esc(robust.swans)}</li>`);
    if (robust.check) parts.push(`<li class="note robust-check">${esc(c.b)}: ${esc(robust.check)}</li>`);
    if (robust.warning) parts.push(`<li class="note warning">${esc(c.b)}: ${esc(robust.warning)}${robust.reasons.length ? `: ${esc(robust.reasons.join("; "))}` : ""}</li>`);
    if (robust.caveat) parts.push(`<li class="note">${esc(c.b)}: ${esc(robust.caveat)}</li>`);
    for (const n of c.notes) parts.push(`<li class="note">${esc(c.b)}: ${esc(n)}</li>`);
    const spread = c.variance_ratio === undefined ? undefined : spreadLine(c.a, c.b, c, a.level);
    if (spread) parts.push(`<li class="spread">${esc(spread)}</li>`);
  }
  for (const f of a.failure_comparisons) parts.push(`<li class="note">${esc(failureComparisonText(f))}</li>`);
  for (const nc of a.not_compared) parts.push(`<li class="note">${esc(nc.b)} − ${esc(nc.a)}: not compared: ${esc(nc.reason)}</li>`);
  parts.push(`</ul></section>`);
  return parts.join("");
}

function reproSection(m: ReportModel): string {
  const r = m.repro;
  const cls = r.status === "consistent" ? "ok" : r.status === "not recorded" ? "muted" : "bad";
  const parts = [`<section id="repro"><h2>Reproducibility</h2><p><span class="badge ${cls}" id="repro-status">${esc(r.status)}</span> ${esc(r.summary)}</p>`];
  if (r.seeds.length > 0) {
    const shown = listed(r.seeds, (s) => s.problems.length > 0);
    if (shown.length < r.seeds.length) parts.push(`<p class="muted">${shown.length} of ${r.seeds.length.toLocaleString("en")} seeds listed, those with problems first (${r.seeds.filter((s) => s.problems.length > 0).length} have problems).</p>`);
    parts.push(`<table class="small"><thead><tr><th>seed</th><th>variants</th><th>steps recorded</th><th>last step</th><th>runs reach</th><th>streams</th><th>batch checksums</th><th>problems</th></tr></thead><tbody>`);
    for (const s of shown) {
      parts.push(
        `<tr><td>${esc(s.seed)}</td><td>${esc(s.variants.join(", "))}</td><td>${s.steps}</td><td>${s.lastStep}</td><td>${s.runLastStep}</td><td>${esc(s.streams.join(", ") || "–")}</td>` +
          `<td>${s.batchChecksums ? "yes" : "no"}</td><td>${esc(s.problems.join("; ") || "none")}</td></tr>`,
      );
    }
    parts.push(`</tbody></table>`);
  }
  for (const n of r.notes) parts.push(`<p class="note">${esc(n)}</p>`);
  if (r.fingerprints.length === 0) parts.push(`<p class="muted">Fingerprint: none recorded in these runs.</p>`);
  else if (r.fingerprints.length === 1) parts.push(`<p>Fingerprint: <code>${esc(r.fingerprints[0]!.fingerprint.slice(0, 80))}</code> (${r.fingerprints[0]!.runs} runs)</p>`);
  else parts.push(`<p>Fingerprints:</p><ul id="fingerprints">${r.fingerprints.map((f) => `<li><code>${esc(f.fingerprint.slice(0, 80))}</code>: ${f.runs} run${f.runs === 1 ? "" : "s"}, ${esc(seedsText(f.seeds))}</li>`).join("")}</ul>`);
  parts.push(`</section>`);
  return parts.join("");
}

/** Whether the factors' shares add up to 100%, and why not (study/variance-shares.ts). */
export function sharesSentence(factors: readonly { variance: number }[], total: { total: number; lo: number | null; hi: number | null }, percent = false): string {
  const ci: [number, number] | null = total.lo !== null && total.hi !== null ? [total.lo, total.hi] : null;
  return sharesText({ sum: factors.reduce((a, f) => a + f.variance, 0), total: total.total, totalCi: ci, level: 0.95 }, metricFormat(percent).value);
}

/** "wider: total variance 1.21 pp² from 12 all-varied runs; the total less the factors' sum (interaction and nondeterminism) -0.34 pp², below 0: the factors varied one at a time vary more in sum than all together". */
export function totalVarianceText(t: { variant: string; total: number; interaction: number | null; allRuns: number }, percent: boolean): string {
  const f = metricFormat(percent);
  const unit = percent ? " pp²" : "";
  const from = t.allRuns ? ` from ${t.allRuns} all-varied runs` : " (sum of factors: no all-varied runs)";
  const rest = t.interaction === null ? "" : `; the total less the factors' sum (interaction and nondeterminism) ${f.variance(t.interaction)}${unit}${t.interaction < 0 ? ", below 0: the factors varied one at a time vary more in sum than all together" : ""}`;
  return `${t.variant}: total variance ${f.variance(t.total)}${unit}${from}${rest}.`;
}

function varianceSection(m: ReportModel, rendered: Map<string, RenderedChart>, sections: ChartSections): string {
  const v = m.variance;
  const f = metricFormat(m.percent);
  const parts = [`<section id="variance"><h2>Variance by random factor</h2>`];
  if (!v.available || !sections.variance) {
    parts.push(`<p class="muted" id="variance-unavailable">Not available: ${esc(v.reason ?? "no one-factor-at-a-time runs")}.</p>${v.notes.map((n) => `<p class="note">${esc(n)}</p>`).join("")}</section>`);
    return parts.join("");
  }
  parts.push(figure(rendered.get(sections.variance.id)));
  parts.push(`<table class="small"><thead><tr><th>variant</th><th>factor</th><th>runs</th><th>sd${m.percent ? " (pp)" : ""}</th><th>variance${m.percent ? " (pp²)" : ""} [95% CI]</th><th>share of total [95% CI]</th></tr></thead><tbody>`);
  for (const x of v.factors) {
    if (x.variance === 0) {
      parts.push(`<tr class="no-spread"><td>${esc(x.variant)}</td><td>${esc(x.factor)}</td><td>${x.n}</td><td colspan="3">${esc(NO_FACTOR_SPREAD)}</td></tr>`);
      continue;
    }
    const share = Number.isFinite(x.share) ? shareText(x) : "–";
    parts.push(`<tr><td>${esc(x.variant)}</td><td>${esc(x.factor)}</td><td>${x.n}</td><td>${f.value(x.sd)}</td><td>${f.variance(x.variance)} [${f.variance(x.lo)}, ${f.variance(x.hi)}]</td><td>${share}</td></tr>`);
  }
  parts.push(`</tbody></table>`);
  const cut = cutSharesNote(v.factors.filter((x) => x.variance > 0).map((x) => ({ ...x, label: `${x.variant} ${x.factor}` })), 0.95);
  if (cut) parts.push(`<p class="note" id="shares-cut">${esc(cut)}</p>`);
  for (const t of v.totals) {
    parts.push(`<p>${esc(totalVarianceText(t, m.percent))}</p>`);
    parts.push(`<p class="shares" data-variant="${esc(t.variant)}">${esc(sharesSentence(v.factors.filter((x) => x.variant === t.variant), t, m.percent))}</p>`);
  }
  for (const n of v.notes) parts.push(`<p class="note">${esc(n)}</p>`);
  parts.push(`</section>`);
  return parts.join("");
}

/** Rows listed in the runs and reproducibility tables; the rest are counted (the page stays small at any scale). */
export const MAX_TABLE_ROWS = 200;

/** The first MAX_TABLE_ROWS items, those that need attention first. */
function listed<T>(items: readonly T[], attention: (x: T) => boolean): T[] {
  if (items.length <= MAX_TABLE_ROWS) return [...items];
  return [...items.filter(attention), ...items.filter((x) => !attention(x))].slice(0, MAX_TABLE_ROWS);
}

/**
 * What a study without a result metric (NO_METRIC) shows in place of a verdict:
 * why there is none, from its runs' statuses ("2 of 2 runs failed"), and where
 * their errors are.
 */
export function noMetricText(m: Pick<ReportModel, "runs" | "tags">, errorsWhere = "in the table below"): string {
  const byStatus = new Map<string, number>();
  for (const r of m.runs) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  const statuses = [...byStatus].sort((a, b) => b[1] - a[1]).map(([status, n]) => `${status} ${n}`).join(", ");
  const logged = m.tags.length > 0 ? `only ${m.tags.join(", ")} logged, no result metric` : "nothing logged";
  return `No verdict: no run has logged a result metric (${logged}). Runs by status: ${statuses}; each run's status and error are ${errorsWhere}.`;
}

function runsSection(m: ReportModel, open = false): string {
  const shown = listed(m.runs, (r) => !["finished", "success"].includes(r.status));
  const what = shown.length < m.runs.length ? `; ${shown.length} listed, runs that did not finish first (twin runs --json lists all)` : "";
  const rows = shown.map(
    (r) =>
      `<tr data-run="${esc(r.variant)}/${esc(r.seed)}"><td>${esc(r.variant)}</td><td>${esc(r.seed)}</td><td>${esc(r.status)}</td><td>${r.lastStep}</td><td>${metricFormat(m.percent).value(r.final)}</td><td class="path">${esc(r.where)}</td><td>${esc([...(r.setAside ? ["set aside: not an independent seed (one factor varied at a time, or a grid cell)"] : []), ...r.notes].join("; "))}</td></tr>`,
  );
  return `<section id="runs"><details${open ? " open" : ""}><summary>Runs (${m.runs.length.toLocaleString("en")}${what})</summary><table class="small"><thead><tr><th>variant</th><th>seed</th><th>status</th><th>last step</th><th>${m.metric === NO_METRIC ? "final value" : `final ${esc(m.metric)}${m.percent ? " (pp)" : ""}`}</th><th>where</th><th>notes</th></tr></thead><tbody>${rows.join("")}</tbody></table></details></section>`;
}

/** The report body for a study (also the dashboard's study view); its charts are drawn by the reader's browser (renderReportPage and the dashboard page add what it needs). */
export function renderStudyBody(m: ReportModel): { html: string; charts: RenderedChart[] } {
  if (m.metric === NO_METRIC) {
    return { html: keepFlagsWhole([`<section id="verdict"><h2>Verdict</h2><p class="warnings">${esc(noMetricText(m))}</p></section>`, reproSection(m), runsSection(m, true)].join("\n")), charts: [] };
  }
  const sections = reportCharts(m);
  const rendered = renderCharts(sections);
  const fig = (c: Chart | undefined): string => (c ? figure(rendered.get(c.id)) : "");
  const parts: string[] = [];
  // Every run set aside: the views that rest on the verdict's seeds say why they are empty.
  const noneKept = m.setAside?.kept_seeds === 0;
  if (m.warnings.length > 0) parts.push(`<section id="warnings" class="warnings">${m.warnings.map((w) => `<p>⚠ ${esc(w)}</p>`).join("")}</section>`);
  parts.push(verdictSection(m));
  parts.push(factorialSection(m, sections.factorial.map(fig).join("")));
  if (m.finalValuesOnly) {
    parts.push(`<section id="curves"><h2>Learning curves</h2><p class="muted">None: ${esc(m.source)} gives each run's final values only, no steps. The seed distributions and the paired differences of the final values are below.</p></section>`);
  } else {
    parts.push(`<section id="curves"><h2>Learning curves</h2><p class="muted">Runs are aligned by step. Bands are ${Math.round(95)}% t intervals of the mean over seeds, drawn only where at least ${MIN_BAND_RUNS} runs reach the step.</p>${m.setAside ? `<p class="note" id="curves-set-aside">${esc(curvesSetAsideText(m.setAside))}</p>` : ""}${sections.curves.map(fig).join("")}</section>`);
    parts.push(
      `<section id="paired"><h2>Paired differences over steps</h2>` +
        (sections.paired.length > 0
          ? sections.paired.map(fig).join("")
          : `<p class="muted">Not available: ${noneKept ? esc(noneKeptText(m.setAside!)) : "the study has a single variant, or no variant shares seeds with the reference"}.</p>`) +
        `</section>`,
    );
  }
  const none = (what: string): string => `<p class="muted">${what}: ${esc(noneKeptText(m.setAside!))}.</p>`;
  parts.push(`<section id="distribution"><h2>Seed distributions</h2>${noneKept ? none("None") : sections.distribution.map(fig).join("")}${m.distribution.notes.map((n) => `<p class="note">${esc(n)}</p>`).join("")}</section>`);
  m.deployments.forEach((d, i) => parts.push(deploymentSection(d, sections.deployment[i]!.map(fig).join(""), m.deployments.length > 1 ? i + 1 : undefined)));
  parts.push(varianceSection(m, rendered, sections));
  parts.push(
    `<section id="power"><h2>How many seeds?</h2>` +
      (sections.power ? fig(sections.power) : noneKept ? none("Power curve not available") : `<p class="muted">Power curve not available: ${esc(m.power.reason ?? "")}.</p>`) +
      `</section>`,
  );
  parts.push(
    `<section id="expected-max"><h2>Expected best of n runs</h2>${noneKept ? none("None") : sections.expectedMax ? fig(sections.expectedMax) : `<p class="muted">None: no run has a final ${esc(m.metric)}.</p>`}</section>`,
  );
  parts.push(reproSection(m));
  parts.push(runsSection(m));
  return { html: keepFlagsWhole(parts.join("\n")), charts: [...rendered.values()] };
}

/** What a section that rests on the verdict's seeds says when every run is set aside. */
function noneKeptText(setAside: SetAside): string {
  return `the verdict sets every run aside (${setAside.runs} run${setAside.runs === 1 ? "" : "s"}, ${seedsText(setAside.seeds)}: one factor varied at a time, or grid cells), so no seed is left to draw`;
}

/** The line above the learning curves of a study with runs set aside: the curves rest on the seeds the verdict counts. */
export function curvesSetAsideText(setAside: SetAside): string {
  const n = setAside.kept_seeds;
  if (n === 0) return `No learning curves: ${noneKeptText(setAside)}.`;
  return `The curves, their bands and the paired differences over steps rest on the ${n} seed${n === 1 ? "" : "s"} the verdict counts: the ${setAside.runs} run${setAside.runs === 1 ? "" : "s"} it sets aside (${seedsText(setAside.seeds)}) are left out of them.`;
}

/** Statuses of a run that ended (logs: success/failure; the store: finished/failed/diverged). */
const ENDED = new Set(["success", "failure", "finished", "failed", "diverged"]);

/**
 * "5 seeds", or "4 seeds finished, 1 unfinished" when some seed has a run that has not ended (still running, or stopped by Ctrl-C);
 * seeds the verdict sets aside (not independent: one factor varied at a time, grid cells) are counted apart: "3 seeds (+ 6 seeds set aside)".
 */
export function seedCountText(runs: readonly { seed: string; status: string; setAside?: boolean }[]): string {
  const aside = new Set(runs.filter((r) => r.setAside).map((r) => r.seed));
  const counted = runs.filter((r) => !r.setAside);
  const seeds = new Set(counted.map((r) => r.seed));
  const unfinished = new Set(counted.filter((r) => !ENDED.has(r.status)).map((r) => r.seed));
  const finished = seeds.size - unfinished.size;
  const apart = aside.size > 0 ? ` (+ ${aside.size} seed${aside.size === 1 ? "" : "s"} set aside)` : "";
  if (unfinished.size === 0) return `${seeds.size} seed${seeds.size === 1 ? "" : "s"}${apart}`;
  return `${finished} seed${finished === 1 ? "" : "s"} finished, ${unfinished.size} unfinished${apart}`;
}

const NO_SCRIPT = `<noscript><p class="warnings">The charts are drawn by this page's script, which is blocked here: allow JavaScript for this file, or write the charts as PNG files with <code>twin report STUDY <span class="flag">--png</span> DIR</code>.</p></noscript>`;

/** The whole self-contained page (no external resources), with the scripts that draw its charts. */
export function renderReportPage(m: ReportModel, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="twin report"><title>twin report · ${esc(m.study)}</title>
<style>${REPORT_CSS}</style></head>
<body><main>
<header><h1>${esc(m.study)}</h1><p class="muted">${m.variants.length} variant${m.variants.length === 1 ? "" : "s"} · ${seedCountText(m.runs)} · ${m.runs.length} runs · from ${esc(m.source)} · generated ${esc(m.generatedAt)} by twin</p></header>
${NO_SCRIPT}
${body}
</main>
${chartRuntimeScripts()}</body></html>
`;
}
