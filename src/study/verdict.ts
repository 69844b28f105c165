/**
 * The verdict of a twin study over seeds: per-variant distributions and each
 * variant against the reference, paired by seed (each seed is one twin run of
 * all variants), with Holm-adjusted p-values when there are several.
 */
import { comparePaired, describe, holm, seedsNeeded, type Description, type Verdict } from "../stats/index.ts";

/** Beyond this many seeds, advice says the difference is too small to chase. */
const MANY_SEEDS = 100;

export interface SeedResults {
  /** Variant name -> the metric per seed, in the same seed order for every variant (NaN: diverged or failed). */
  values: Record<string, number[]>;
  seeds: string[];
}

export interface StudyVerdict {
  metric: string;
  higherIsBetter: boolean;
  reference: string;
  seeds: string[];
  variants: (Description & { name: string; excluded: number })[];
  comparisons: (Verdict & { name: string; pAdjusted: number })[];
  advice: string[];
}

function finitePairs(a: number[], b: number[]): [number[], number[]] {
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < a.length; i++) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) {
      x.push(a[i]);
      y.push(b[i]);
    }
  }
  return [x, y];
}

export function studyVerdict(results: SeedResults, options: { metric: string; reference: string; higherIsBetter?: boolean }): StudyVerdict {
  const names = Object.keys(results.values);
  const variants = names.map((name) => {
    const finite = results.values[name].filter(Number.isFinite);
    if (finite.length === 0) throw new Error(`variant '${name}' has no finished run to describe (all diverged or failed)`);
    return { name, excluded: results.values[name].length - finite.length, ...describe(finite) };
  });
  const comparisons: (Verdict & { name: string })[] = [];
  const advice: string[] = [];
  for (const name of names) {
    if (name === options.reference) continue;
    const [a, b] = finitePairs(results.values[options.reference], results.values[name]);
    if (a.length < 2) {
      advice.push(`${name}: fewer than 2 seeds where both it and ${options.reference} finished; run more seeds to compare them`);
      continue;
    }
    comparisons.push({ name, ...comparePaired(a, b) });
  }
  const adjusted = comparisons.length > 1 ? holm(comparisons.map((c) => c.p)) : comparisons.map((c) => c.p);
  const withAdjusted = comparisons.map((c, i) => ({ ...c, pAdjusted: adjusted[i] }));
  const refRange = variants.find((v) => v.name === options.reference)?.range ?? 0;
  for (const c of withAdjusted) {
    if (c.ci[0] <= 0 && c.ci[1] >= 0 && Math.abs(c.diff) < refRange) {
      const [a, b] = finitePairs(results.values[options.reference], results.values[c.name]);
      let more = "";
      try {
        // Seeds for 80% power to detect a difference as large as the one observed, from these runs as a pilot.
        const plan = seedsNeeded({ a, b, paired: true }, Math.abs(c.diff), { power: 0.8 });
        if (Number.isFinite(plan.n) && plan.n > MANY_SEEDS) more = `; a difference this small would take more than ${MANY_SEEDS} seeds to detect: at this precision the two are indistinguishable`;
        else if (Number.isFinite(plan.n) && plan.n > a.length) more = `; about ${plan.n - a.length} more seeds (${plan.n} in all) would detect a difference this large 80% of the time`;
      } catch {
        // zero spread or no difference: nothing to plan
      }
      advice.push(`${c.name}: the difference (${c.diff.toFixed(4)}) is smaller than the seed range (${refRange.toFixed(4)}) and its interval includes 0${more}`);
    }
  }
  return { metric: options.metric, higherIsBetter: options.higherIsBetter ?? true, reference: options.reference, seeds: results.seeds, variants, comparisons: withAdjusted, advice };
}

const pct = (x: number) => (x * 100).toFixed(2);
const signedPct = (x: number) => (x >= 0 ? "+" : "") + (x * 100).toFixed(2);

/** The verdict as the text table twin prints (metric values in [0, 1] shown as percentages). */
export function formatVerdict(study: string, v: StudyVerdict, asPercent = true): string {
  const f = asPercent ? pct : (x: number) => x.toFixed(4);
  const sf = asPercent ? signedPct : (x: number) => (x >= 0 ? "+" : "") + x.toFixed(4);
  const unit = asPercent ? " pp" : "";
  const lines = [`${study} · ${v.seeds.length} seeds · twin-paired · ${v.metric}`];
  const w = Math.max(8, ...v.variants.map((x) => x.name.length));
  lines.push(`${"variant".padEnd(w)}  ${"mean ± sd".padEnd(16)} ${"min".padStart(7)} ${"max".padStart(7)} ${"range".padStart(6)}`);
  for (const x of v.variants) {
    const excluded = x.excluded ? `  (${x.excluded} diverged/failed runs excluded)` : "";
    lines.push(`${x.name.padEnd(w)}  ${`${f(x.mean)} ± ${Number.isNaN(x.sd) ? "n/a" : f(x.sd)}`.padEnd(16)} ${f(x.min).padStart(7)} ${f(x.max).padStart(7)} ${f(x.range).padStart(6)}${excluded}`);
  }
  for (const c of v.comparisons) {
    const p = c.p < 0.001 ? c.p.toExponential(1) : c.p.toFixed(3);
    const adj = v.comparisons.length > 1 ? `, Holm-adjusted p = ${c.pAdjusted < 0.001 ? c.pAdjusted.toExponential(1) : c.pAdjusted.toFixed(3)}` : "";
    lines.push(`${c.name} − ${v.reference}  ${sf(c.diff)}${unit}  ${Math.round(c.level * 100)}% CI [${sf(c.ci[0])}, ${sf(c.ci[1])}]  ${c.test}${c.df !== undefined ? `(${c.df})` : ""}, p = ${p}${adj}`);
    const gain = c.pairing ? `; pairing cut the variance of the difference ${c.pairing.varianceRatio.toFixed(1)}×` : "";
    lines.push(`  P(${c.name} > ${v.reference}) = ${c.prob_improvement.estimate.toFixed(2)}${gain}`);
    for (const note of [...c.notes, ...c.warnings]) lines.push(`  note: ${note}`);
  }
  for (const a of v.advice) lines.push(`advice: ${a}`);
  return lines.join("\n");
}
