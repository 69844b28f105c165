/**
 * Prediction churn between seeds (Milani Fard et al. 2016, "Launch and
 * iterate: reducing prediction churn"): the share of test examples whose
 * predicted class changes from one seed to another, over every pair of
 * seeds, and the share of examples on which the seeds do not all agree.
 */

export interface Churn {
  /** Mean over pairs of seeds of the share of examples predicted differently. */
  mean: number;
  min: number;
  max: number;
  pairs: number;
  /** Share of examples on which not every seed predicts the same class. */
  unstable: number;
  seeds: number;
  examples: number;
}

/** Churn of the predicted classes of several seeds (one Int32Array of classes per seed, same examples). */
export function churn(predicted: readonly ArrayLike<number>[]): Churn {
  if (predicted.length < 2) throw new Error(`stats.churn: needs the predictions of at least 2 seeds, got ${predicted.length}`);
  const E = predicted[0]!.length;
  predicted.forEach((p, i) => {
    if (p.length !== E) throw new Error(`stats.churn: seed ${i} predicts ${p.length} examples, seed 0 predicts ${E}`);
  });
  if (E === 0) throw new Error("stats.churn: no examples");
  const rates: number[] = [];
  for (let i = 0; i < predicted.length; i++) {
    for (let j = i + 1; j < predicted.length; j++) {
      const a = predicted[i]!, b = predicted[j]!;
      let diff = 0;
      for (let e = 0; e < E; e++) if (a[e] !== b[e]) diff++;
      rates.push(diff / E);
    }
  }
  let unstable = 0;
  for (let e = 0; e < E; e++) {
    const c = predicted[0]![e];
    if (predicted.some((p) => p[e] !== c)) unstable++;
  }
  return {
    mean: rates.reduce((s, r) => s + r, 0) / rates.length, min: Math.min(...rates), max: Math.max(...rates), pairs: rates.length,
    unstable: unstable / E, seeds: predicted.length, examples: E,
  };
}
