/** Which metric the verdict is on, when the user did not say, and which way is better. */
const PRIMARY_METRICS = ["val/accuracy", "eval/accuracy", "val/acc", "accuracy"];

/**
 * Default metric: val/accuracy, else eval/accuracy, …, else a validation
 * accuracy by any spelling (val_accuracy), else any accuracy, else a
 * validation metric, else the first tag that is not a paired difference.
 */
export function defaultMetric(tags: readonly string[]): string {
  for (const m of PRIMARY_METRICS) if (tags.includes(m)) return m;
  const plain = tags.filter((t) => !t.startsWith("paired/") && t !== "epoch");
  if (plain.length === 0) throw new Error("the runs have no scalar metrics yet");
  const validation = /^(val|valid|validation|eval|test)\b|^(val|valid|eval|test)[_.-]/i;
  return plain.find((t) => validation.test(t) && /acc/i.test(t)) ?? plain.find((t) => /acc/i.test(t)) ?? plain.find((t) => validation.test(t)) ?? plain[0]!;
}

export function guessLowerIsBetter(metric: string): boolean {
  return /loss|error|err\b|perplexity|ppl|mse|mae|rmse|nll/i.test(metric);
}
