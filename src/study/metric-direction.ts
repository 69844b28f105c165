/**
 * The one rule for a metric's direction (is higher better?) and for the
 * default metric of a results table, shared by `twin stats`, the report, the
 * dashboard and sweeps. Names are split into words ("val/top1_err" ->
 * val, top1, err), so "power" is not mistaken for "wer" nor "lower" for "low".
 */

/** Words that make a metric lower-is-better: losses, errors, perplexities, distances. */
const LOWER_WORDS = new Set([
  "loss", "losses", "nll", "error", "errors", "err", "perplexity", "ppl", "mse", "mae", "rmse", "msle", "wer", "cer", "ter",
  "fid", "kid", "bpd", "bpc", "regret", "distance", "dist", "divergence", "kl", "eer", "fpr", "fnr", "latency", "cost",
]);
/** Words that make it higher-is-better even next to a lower word ("accuracy_error_bar" stays higher). */
const HIGHER_WORDS = new Set([
  "acc", "accuracy", "auc", "auroc", "auprc", "ap", "map", "f1", "bleu", "rouge", "meteor", "chrf", "iou", "miou",
  "dice", "precision", "recall", "psnr", "ssim", "r2", "reward", "return", "score", "hit", "hits", "ndcg", "mrr", "tpr",
]);

/** Training bookkeeping, not a result: counters, schedules, timings. */
const BOOKKEEPING = /^(epoch|epochs|step|steps|global_?step|iteration|iterations|iter|it|lr|learning_?rate|lr[-_].*|.*[-_]lr|momentum|weight_?decay|wd|time|wall_?time|elapsed.*|.*[-_]time|duration|throughput|.*per_?sec(ond)?|samples(_seen)?|examples(_seen)?|tokens(_seen)?|batch_?size|seed|status|diverged_at|grad_?norm|memory|mem)$/i;

function words(metric: string): string[] {
  return metric
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export type DirectionSource = "flag" | "name" | "default";

export interface MetricDirection {
  higherIsBetter: boolean;
  /** Where it came from: a --lower/--higher-is-better flag, the metric's name, or the higher-is-better default. */
  source: DirectionSource;
}

/**
 * Direction of `metric`: lower is better when one of its words names a loss,
 * error, perplexity or distance (LOWER_WORDS) and none names a score
 * (HIGHER_WORDS); otherwise higher. `override` (from a flag) wins.
 */
export function metricDirection(metric: string, override?: { higherIsBetter: boolean }): MetricDirection {
  if (override !== undefined) return { higherIsBetter: override.higherIsBetter, source: "flag" };
  const w = words(metric);
  const lower = w.some((x) => LOWER_WORDS.has(x) || x.endsWith("loss"));
  const higher = w.some((x) => HIGHER_WORDS.has(x) || x.startsWith("acc"));
  if (lower && !higher) return { higherIsBetter: false, source: "name" };
  // "top1"/"top5" alone name an accuracy; beside a lower word ("top1_err") the lower word decides.
  if (!higher && w.some((x) => /^top\d+$/.test(x))) return { higherIsBetter: true, source: "name" };
  return { higherIsBetter: true, source: higher ? "name" : "default" };
}

/** True for lower-is-better metrics by name (`metricDirection` without an override). */
export function guessLowerIsBetter(metric: string): boolean {
  return !metricDirection(metric).higherIsBetter;
}

/** Reads a pair of --lower-is-better / --higher-is-better flags into an override (undefined: none given). */
function directionFlags(flags: { lowerIsBetter?: boolean; higherIsBetter?: boolean }): { higherIsBetter: boolean } | undefined {
  if (flags.lowerIsBetter && flags.higherIsBetter) throw new Error("--lower-is-better and --higher-is-better contradict each other; pass one");
  if (flags.lowerIsBetter) return { higherIsBetter: false };
  if (flags.higherIsBetter) return { higherIsBetter: true };
  return undefined;
}

/** The same flags as the `lowerIsBetter` option of the analysis, report and sweep layers (absent: guess from the metric's name). */
export function lowerIsBetterOption(flags: { lowerIsBetter?: boolean; higherIsBetter?: boolean }): { lowerIsBetter?: boolean } {
  const d = directionFlags(flags);
  return d === undefined ? {} : { lowerIsBetter: !d.higherIsBetter };
}

/** The direction as printed next to every verdict: "lower is better (by its name; --higher-is-better to change)". */
export function describeDirection(d: MetricDirection): string {
  const which = d.higherIsBetter ? "higher is better" : "lower is better";
  const flip = d.higherIsBetter ? "--lower-is-better" : "--higher-is-better";
  if (d.source === "flag") return `${which} (as asked)`;
  if (d.source === "name") return `${which} (from its name; ${flip} to change)`;
  return `${which} (the default for names that are not losses or errors; ${flip} to change)`;
}

/** True for training bookkeeping scalars (epoch, step, lr, timings…) and derived paired/ tags: never a default metric. */
export function isBookkeeping(metric: string): boolean {
  if (metric.startsWith("paired/")) return true;
  const last = metric.split("/").pop() ?? metric;
  return BOOKKEEPING.test(last);
}

/**
 * The metric to analyse when none is named: a validation accuracy or other
 * score first, then an evaluation/dev one, then a test one (a test set is
 * reported, never chosen on, so it comes after any validation metric); then
 * any validation/evaluation/test metric, then any other result; never
 * bookkeeping. In twin's own logs `val/*` (the whole validation set) thus wins
 * over `eval/*` (one shared validation batch), as in `twin compare` and the
 * report. Undefined when every name is bookkeeping.
 */
export function defaultMetric(names: readonly string[]): string | undefined {
  const results = names.filter((n) => !isBookkeeping(n));
  const heldOut = [/^(val|valid|validation)$/, /^(eval|dev)$/, /^test$/];
  const held = (n: string, kind: RegExp) => kind.test(words(n)[0] ?? "");
  const score = (n: string) => metricDirection(n).source === "name" && metricDirection(n).higherIsBetter;
  for (const kind of heldOut) {
    const found = results.find((n) => held(n, kind) && score(n));
    if (found !== undefined) return found;
  }
  for (const kind of heldOut) {
    const found = results.find((n) => held(n, kind));
    if (found !== undefined) return found;
  }
  return results.find(score) ?? results[0];
}
