/**
 * The factorial section of the report and of the dashboard's study view: the
 * factorial verdict of a study with factors (study/factorial-verdict.ts, the
 * numbers `twin compare` and `twin stats --factors` print): plain answers,
 * main effects and interactions with intervals and tests, the interaction
 * plots, the effect of each two-level factor under every setting of the
 * others, and the cells' means.
 */
import type { FactorialVerdict } from "../study/factorial-verdict.ts";
import { combinationName } from "../study/factorial-design.ts";
import type { ReportModel } from "./model/index.ts";
import { esc, metricFormat } from "./html.ts";
import { pValueText } from "../stats/p-value-text.ts";
import { signedMetricValueText } from "../study/metric-units.ts";

/** An estimate and its interval as the factorial verdict of `twin stats --factors` and `twin compare` prints them (signedMetricValueText; in percentage points when `percent`). */
const estimateCells = (x: number, ci: [number, number], percent: boolean): string => {
  const signed = (y: number) => signedMetricValueText(y, percent);
  const unit = percent ? " pp" : "";
  return `<td>${signed(x)}${unit}</td><td>[${signed(ci[0])}, ${signed(ci[1])}]${unit}</td>`;
};
const df = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(2));

/** The effects table: one row per main effect and interaction; factors with more levels add a row per level against the first. */
function effectsTable(v: FactorialVerdict, percent: boolean): string {
  const pct = `${Math.round(v.level * 100)}%`;
  const rows: string[] = [];
  for (const e of v.factorial) {
    const kind = e.name.includes(" × ") ? "interaction" : "main effect";
    const levels = Object.entries(e.levels).map(([f, l]) => (l.length === 2 ? `${f}: ${l[1]} − ${l[0]}` : `${f}: ${l.length} levels`)).join("; ");
    if (e.estimate !== null && e.ci !== null) {
      rows.push(`<tr data-effect="${esc(e.name)}"><td>${esc(e.name)}</td><td>${kind}</td><td>${esc(levels)}</td>${estimateCells(e.estimate, e.ci, percent)}<td>paired t(${e.df[1]})</td><td>${esc(pValueText(e.p))}</td></tr>`);
    } else {
      const gg = e.gg ? `; Greenhouse–Geisser ε = ${e.gg.epsilon.toFixed(3)}: F(${df(e.gg.df[0])}, ${df(e.gg.df[1])})` : "";
      rows.push(`<tr data-effect="${esc(e.name)}"><td>${esc(e.name)}</td><td>${kind}</td><td>${esc(levels)}</td><td colspan="2">F = ${e.F.toFixed(3)}</td><td>repeated-measures F(${e.df[0]}, ${e.df[1]})${gg}</td><td>${esc(pValueText(e.p))}</td></tr>`);
      for (const c of e.contrasts) {
        rows.push(`<tr class="contrast"><td></td><td>level vs first</td><td>${esc(`${c.levels[1]} − ${c.levels[0]}`)}</td>${estimateCells(c.estimate, c.ci, percent)}<td>paired t(${v.seeds.length - 1})</td><td>${esc(pValueText(c.p))}</td></tr>`);
      }
    }
  }
  return `<table class="verdict" id="factorial-effects"><thead><tr><th>effect</th><th>kind</th><th>levels</th><th>estimate</th><th>${pct} CI</th><th>test</th><th>p</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function simpleEffectsTable(v: FactorialVerdict, percent: boolean): string {
  if (v.simple_effects.length === 0) return "";
  const rows = v.simple_effects.map(
    (s) =>
      `<tr data-simple="${esc(`${s.factor}@${s.at.factor}=${s.at.level}`)}"><td>${esc(`${s.factor} (${s.levels[1]} − ${s.levels[0]})`)}</td><td>${esc(`${s.at.factor} = ${s.at.level}`)}</td>${estimateCells(s.estimate, s.ci, percent)}<td>${esc(pValueText(s.p))}</td></tr>`,
  );
  return `<table class="small" id="factorial-simple"><thead><tr><th>effect</th><th>setting</th><th>estimate</th><th>${Math.round(v.level * 100)}% CI</th><th>p (paired t)</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function cellsTable(v: FactorialVerdict, percent: boolean): string {
  const f = metricFormat(percent);
  const rows = v.cells.map((c) => `<tr><td>${esc(combinationName(c.levels))}</td><td>${f.value(c.mean)} ± ${f.value(c.sd)}</td></tr>`);
  return `<details><summary>Cells: mean ± sd over the ${v.seeds.length} seeds analysed</summary><table class="small" id="factorial-cells"><thead><tr><th>combination</th><th>mean ± sd${percent ? " (pp)" : ""}</th></tr></thead><tbody>${rows.join("")}</tbody></table></details>`;
}

/** The section's HTML; `figures` are the rendered interaction plots and per-setting chart. */
export function factorialSection(m: ReportModel, figures: string): string {
  const v = m.factorial;
  if (!v) {
    return m.factorialError === undefined ? "" : `<section id="factorial"><h2>Factorial analysis</h2><p class="muted" id="factorial-unavailable">Not available: ${esc(m.factorialError)}.</p></section>`;
  }
  const parts = [`<section id="factorial"><h2>Factorial analysis: final ${esc(v.metric)}</h2>`];
  parts.push(
    `<p>${v.factors.map((f) => `<b>${esc(f.name)}</b> (${f.levels.map(esc).join(", ")})`).join(" × ")} · ${v.seeds.length} seeds, every combination on every seed, paired by seed · ${esc(v.direction)}. ` +
      `Each effect is the mean over seeds of a per-seed contrast (a main effect: second level − first, averaged over the other factors; an interaction: the first factor's effect at the second's second level minus at its first).</p>`,
  );
  parts.push(`<ul class="sentences" id="factorial-statements">${v.statements.map((s) => `<li>${esc(s)}</li>`).join("")}</ul>`);
  parts.push(effectsTable(v, m.percent));
  parts.push(figures);
  parts.push(simpleEffectsTable(v, m.percent));
  parts.push(cellsTable(v, m.percent));
  for (const n of v.notes) parts.push(`<p class="note">${esc(n)}</p>`);
  parts.push(`</section>`);
  return parts.join("");
}
