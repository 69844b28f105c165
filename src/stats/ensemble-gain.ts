/**
 * Gain of the full seed ensemble over the average single seed:
 * G = acc(ensemble of all n) − mean_i acc(seed i) = mean_e d_e with
 * d_e = [ensemble right on e] − (share of seeds right on e).
 *
 * Its uncertainty has two parts: the test examples (Var(d̄) = s²_d/E, the
 * seeds held fixed) and the seeds (the delete-one jackknife of G over seeds,
 * Efron & Stein 1981: it overestimates rather than underestimates a variance).
 * Their sum gives a t interval with Satterthwaite's degrees of freedom. With 2
 * seeds the jackknife is undefined: no interval (lo = hi = NaN, said in
 * `method`). Coverage by simulation: bench/ensemble-gain.ts.
 */
import { checkPredictions, predictedClasses, type Predictions } from "./ensemble.ts";
import { satterthwaiteDf, tBounds, type SatterthwaiteInterval } from "./satterthwaite.ts";
import { checkLevel } from "./validate.ts";

/** `estimate`: ensemble accuracy minus the mean accuracy of the members; `lo`, `hi` NaN with 2 members. */
export interface EnsembleGain extends SatterthwaiteInterval {
  ensemble: number;
  meanMember: number;
  members: number;
  /** Variance of the estimate from the test examples and from the seeds (jackknife; NaN with 2 seeds). */
  parts: { examples: number; seeds: number };
}

function argmaxRow(sum: Float64Array, off: number, nCls: number): number {
  let best = 0, bv = sum[off]!;
  for (let c = 1; c < nCls; c++) if (sum[off + c]! > bv) { bv = sum[off + c]!; best = c; }
  return best;
}

/** The gain of the ensemble of all seeds over the average seed, with a two-part interval. */
export function ensembleGain(preds: readonly Predictions[], labels: ArrayLike<number>, level = 0.95): EnsembleGain {
  checkLevel("ensembleGain", level);
  const [E, C] = checkPredictions("ensembleGain", preds, labels);
  const n = preds.length;
  if (n < 2) throw new Error(`stats.ensembleGain: an ensemble needs at least 2 seeds, got ${n}`);
  const correct = preds.map((_, i) => predictedClasses(preds, [i]).map((c, e) => (c === labels[e] ? 1 : 0)));
  const total = new Float64Array(E * C);
  for (const p of preds) for (let j = 0; j < total.length; j++) total[j] = total[j]! + p.data[j]!;
  const ensRight = new Uint8Array(E);
  for (let e = 0; e < E; e++) ensRight[e] = argmaxRow(total, e * C, C) === labels[e] ? 1 : 0;
  const rightCount = new Float64Array(E);
  for (const c of correct) for (let e = 0; e < E; e++) rightCount[e] = rightCount[e]! + c[e]!;
  // Example part: the mean of d_e over the test set.
  const d = new Float64Array(E);
  for (let e = 0; e < E; e++) d[e] = ensRight[e]! - rightCount[e]! / n;
  const estimate = d.reduce((s, v) => s + v, 0) / E;
  const varEx = E > 1 ? d.reduce((s, v) => s + (v - estimate) ** 2, 0) / (E - 1) / E : 0;
  // Seed part: delete-one jackknife of G (leave-one-out sums from the total).
  let varSeeds = NaN;
  if (n >= 3) {
    const loo = new Float64Array(n);
    const sum = new Float64Array(C);
    for (let i = 0; i < n; i++) {
      let g = 0;
      const p = preds[i]!.data;
      for (let e = 0; e < E; e++) {
        const off = e * C;
        for (let c = 0; c < C; c++) sum[c] = total[off + c]! - p[off + c]!;
        const ens = argmaxRow(sum, 0, C) === labels[e] ? 1 : 0;
        g += ens - (rightCount[e]! - correct[i]![e]!) / (n - 1);
      }
      loo[i] = g / E;
    }
    const m = loo.reduce((s, v) => s + v, 0) / n;
    varSeeds = ((n - 1) / n) * loo.reduce((s, v) => s + (v - m) ** 2, 0);
  }
  const seedVar = Number.isNaN(varSeeds) ? 0 : varSeeds;
  const variance = varEx + seedVar;
  const df = satterthwaiteDf([...(E > 1 ? [{ coef: 1, ms: varEx, df: E - 1 }] : []), ...(n >= 3 ? [{ coef: 1, ms: seedVar, df: n - 1 }] : [])]);
  const se = Math.sqrt(variance);
  const { lo, hi } = n >= 3 ? tBounds(estimate, se, df, level) : { lo: NaN, hi: NaN };
  const meanMember = correct.reduce((s, c) => s + c.reduce((a, v) => a + v, 0) / E, 0) / n;
  return {
    estimate, lo, hi, level, se, df,
    ensemble: estimate + meanMember, meanMember, members: n, parts: { examples: varEx, seeds: varSeeds },
    method: n >= 3 ? `test examples + seed jackknife, Satterthwaite t(${df === Infinity ? "∞" : df.toFixed(1)})` : "no interval: the seeds' part needs 3 or more members",
  };
}
