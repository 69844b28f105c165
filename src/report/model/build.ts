/**
 * From a study's runs to the report model, one seed at a time: every run is
 * folded into running aggregates (curve statistics, a sample of per-run
 * lines, final values, the control-sum audit) and dropped, so memory is
 * bounded by the aggregates, not by the number of runs. Both data sources
 * (log folders, the store) and in-memory studies go through this one path.
 */
import { NONE_INDEPENDENT, setAsideNotAllVaried, type EndedRun, type SetAside } from "../../study/not-independent.ts";
import { fingerprintRuns, fingerprintsNote } from "../../study/fingerprints-note.ts";
import { referenceFromPairedTags } from "../../log/twin-reference.ts";
import { analyzeCells, type Analysis } from "../../study/analyze.ts";
import type { Cell } from "../../study/results-file.ts";
import { cellsFactorialVerdict } from "../../study/factorial-study-verdict.ts";
import { showsPercentPoints } from "../../study/metric-units.ts";
import { ControlSumAudit, type AuditSnapshot } from "../../study/control-sum-audit.ts";
import { lastStep, lastValue } from "../series.ts";
import type { RunData, SeedGroup, Series, StudyData, StudyStream } from "../types.ts";
import { CurveColumns, type CurveSnapshot } from "./curve-columns.ts";
import { CurveAccumulator, smoothSeries } from "./curves.ts";
import { DeploymentAccumulator, type DeploymentSnapshot } from "./ensembles.ts";
import { differenceData, distributionData } from "./finals.ts";
import { defaultMetric, metricDirection, NO_METRIC } from "./metric.ts";
import { expectedMaxData, powerData, varianceData, type FactorRun } from "./planning.ts";
import type { CurveData, FinalSample, ReportModel } from "./types.ts";

/** A report option (metric, reference) that names nothing in the study: the CLI says it as a wrong command line. */
export class ReportOptionError extends Error {
  constructor(readonly option: "metric" | "reference", readonly value: string, message: string) {
    super(message);
    this.name = "ReportOptionError";
  }
}

/** At most this many learning-curve charts (the verdict metric and the standard twin tags first). */
export const MAX_CURVES = 10;
const STANDARD_CURVES = ["eval/accuracy", "eval/loss", "val/accuracy", "val/loss", "train/loss"];

export interface ReportOptions {
  /** Metric of the verdict and the distributions (default val/accuracy, else eval/accuracy, else the first tag). */
  metric?: string;
  lowerIsBetter?: boolean;
  /** Reference variant (default the first). */
  reference?: string;
  /** Tags drawn as learning curves (default: the standard twin tags present). */
  curveTags?: string[];
  /** Curve smoothing weight in [0, 1) (TensorBoard's moving average); 0, the default, draws the logged values. */
  smoothing?: number;
}

/** What is kept of a run once its series are folded in. */
export interface RunSummary extends FactorRun {
  status: string;
  lastStep: number;
  /** Last value of every tag. */
  finals: Map<string, number>;
  where: string;
  notes: string[];
  fingerprint?: string;
}

/** Seeds sort by length, then text: "2" before "10". */
export function compareSeeds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function lastStepOf(r: RunData): number {
  let last = 0;
  for (const s of Object.values(r.scalars)) {
    const step = lastStep(s);
    if (step !== undefined && step > last) last = step;
  }
  return last;
}

type Curve = CurveAccumulator | CurveColumns;

/** Learning curves by tag: of the raw series and of the paired differences. */
interface CurveFamily {
  curves: Map<string, Curve>;
  paired: Map<string, Curve>;
}

/**
 * What decides whether the verdict sets a seed aside, whatever the other
 * seeds turn out to be: each run's variant and which of its factor seeds are
 * equal to one another (runsNotAllVaried reads nothing else of a run). Seeds
 * of one kind are all kept or all set aside.
 */
export function seedKind(runs: readonly Pick<RunData, "variant" | "factorSeeds">[]): string {
  return runs
    .map((r) => {
      const fs = r.factorSeeds;
      if (!fs) return `${r.variant}\u0000-`;
      const block = new Map<string, number>();
      const blockOf = (v: string): number => block.get(v) ?? (block.set(v, block.size), block.size - 1);
      return `${r.variant}\u0000${Object.keys(fs).sort().map((k) => `${k}=${blockOf(fs[k]!)}`).join(",")}`;
    })
    .sort()
    .join("\u0001");
}

/** Whether two step lists are the same, each step given once (ascending). */
function sameAscendingSteps(b: Float64Array, a: Float64Array): boolean {
  if (b.length !== a.length) return false;
  for (let i = 0; i < b.length; i++) if (b[i] !== a[i] || (i > 0 && !(b[i]! > b[i - 1]!))) return false;
  return true;
}

/** b − a at the steps both series have (both sorted by step; a merge, no lookup table). */
export function stepDifferences(b: Series, a: Series): Series {
  const bs = b.steps, bv = b.values, as = a.steps, av = a.values;
  if (sameAscendingSteps(bs, as)) {
    // Every run of a study usually logs the same steps: b − a value by value, b's steps shared (a series' arrays are never changed).
    const values = new Float64Array(bs.length);
    for (let i = 0; i < bs.length; i++) values[i] = bv[i]! - av[i]!;
    return { steps: bs, values };
  }
  const steps = new Float64Array(bs.length), values = new Float64Array(bs.length);
  let n = 0, j = 0;
  for (let i = 0; i < bs.length; i++) {
    const step = bs[i]!;
    while (j < as.length && as[j]! < step) j++;
    // A step given twice: the value given last (as a lookup table keyed by step would keep).
    while (j + 1 < as.length && as[j + 1] === step) j++;
    if (j < as.length && as[j] === step) {
      steps[n] = step;
      values[n++] = bv[i]! - av[j]!;
    }
  }
  return { steps: steps.subarray(0, n), values: values.subarray(0, n) };
}

/** A "replace" accumulator's state as plain data (StudyAccumulator.snapshot). */
export interface AccumulatorSnapshot {
  header: Omit<StudyStream, "groups">;
  options: ReportOptions;
  seeds?: number;
  curves: CurveSnapshot[];
  pairedCurves: CurveSnapshot[];
  /** The curves of the seeds the verdict set aside when last finished (`curvesAside`), kept apart from the others'. */
  asideCurves: CurveSnapshot[];
  asidePairedCurves: CurveSnapshot[];
  curvesAside: readonly string[];
  bySeed: ReadonlyMap<string, RunSummary[]>;
  variantsSeen: readonly string[];
  audit: AuditSnapshot;
  deployments: [string, DeploymentSnapshot][];
  anyChecks: boolean;
  anyPaired: boolean;
  runsEdits: number;
  finalEdits: ReadonlyMap<string, number>;
  reference?: string;
  derived?: { key: string; value: FinalsDerived };
  verdictAside?: { key: string; setAside: SetAside | null };
}

type FinalsDerived = Pick<ReportModel, "analysis" | "analysisError" | "factorial" | "factorialError" | "distribution" | "differences" | "variance" | "power" | "expectedMax">;

/**
 * Folds a study's seed groups into the report model. "stream" (the report)
 * keeps bounded summaries and takes every seed once; "replace" (the
 * dashboard) keeps every run's curve values, so that a seed's runs can be
 * replaced or taken out when they change and the model is updated for those
 * runs only.
 *
 * The learning curves rest on the seeds the verdict counts, which are known
 * only once every run is in (a run that makes a factor vary sets others
 * aside). "stream" folds each kind of seed (seedKind) into its own curves and
 * joins the kinds kept at the end; "replace" keeps the curves of the seeds set
 * aside apart and moves a seed's runs between the two when the set changes,
 * so that a change costs the runs it moves.
 */
export class StudyAccumulator {
  /** "replace": the curves of the seeds not set aside at the last finish (and of every seed come since, until the next). */
  private readonly curves = new Map<string, Curve>();
  private readonly pairedCurves = new Map<string, Curve>();
  /** "replace": the curves of the seeds in `curvesAside`. */
  private readonly aside: CurveFamily = { curves: new Map(), paired: new Map() };
  private readonly curvesAside = new Set<string>();
  /** "stream": the curves of each kind of seed, with one seed of that kind. */
  private readonly kinds = new Map<string, { seed: string; family: CurveFamily }>();
  /** Run summaries by seed, in the order the seeds came. */
  private readonly bySeed = new Map<string, RunSummary[]>();
  private readonly variantsSeen: string[] = [];
  private audit = new ControlSumAudit();
  /** One deployment section per study (a view of one study has one, keyed ""), in the order the studies came. */
  private readonly deployments = new Map<string, DeploymentAccumulator>();
  private anyChecks = false;
  private derived: { key: string; value: FinalsDerived } | undefined;
  /** What the verdict sets aside, while no run's variant, seed or factor seeds changed ("replace" mode; see notAllVaried). */
  private verdictAside: { key: string; setAside: SetAside | null } | undefined;
  /** "replace" mode: edits of the runs that the final-value views read besides the final values (runs, statuses, factor seeds, notes), and per tag, edits of its final values. */
  private runsEdits = 0;
  private readonly finalEdits = new Map<string, number>();
  private anyPaired = false;
  private reference: string | undefined;

  private readonly smoothing: number;

  /** `seeds`: in "replace" mode, the seeds expected (the curve columns are made for that many runs per variant at once). */
  constructor(private readonly header: Omit<StudyStream, "groups">, private readonly options: ReportOptions = {}, private readonly mode: "stream" | "replace" = "stream", private readonly seeds?: number) {
    this.reference = options.reference ?? header.variantOrder?.[0];
    this.smoothing = options.smoothing ?? 0;
    if (!(this.smoothing >= 0 && this.smoothing < 1)) throw new Error(`smoothing must be in [0, 1) (0 = off), got ${options.smoothing}`);
  }

  /** The series drawn as a curve (smoothed when asked; final values always use the logged ones). */
  private drawn(series: Series): Series {
    return this.smoothing > 0 ? smoothSeries(series, this.smoothing) : series;
  }

  private curve(map: Map<string, Curve>, tag: string, paired: boolean, runsPerVariant = this.seeds): Curve {
    let c = map.get(tag);
    if (!c) map.set(tag, (c = this.mode === "replace" ? new CurveColumns(tag, paired, runsPerVariant) : new CurveAccumulator(tag, paired)));
    return c;
  }

  /** The curves a seed's runs are folded into (see the class's comment). */
  private familyOf(group: SeedGroup): CurveFamily {
    if (this.mode === "replace") return this.curvesAside.has(group.seed) ? this.aside : { curves: this.curves, paired: this.pairedCurves };
    const key = seedKind(group.runs);
    let kind = this.kinds.get(key);
    if (!kind) this.kinds.set(key, (kind = { seed: group.seed, family: { curves: new Map(), paired: new Map() } }));
    return kind.family;
  }

  /**
   * The curves of the seeds not in `asideSeeds`. "replace": the runs of seeds
   * that joined or left the set are moved between the two families first;
   * "stream": the kinds kept, joined (CurveAccumulator.union) when more than one.
   */
  private keptCurves(asideSeeds: ReadonlySet<string>): CurveFamily {
    if (this.mode === "replace") {
      const main: CurveFamily = { curves: this.curves, paired: this.pairedCurves };
      for (const seed of [...this.curvesAside]) {
        if (asideSeeds.has(seed)) continue;
        this.moveCurves(seed, this.aside, main);
        this.curvesAside.delete(seed);
      }
      for (const seed of asideSeeds) {
        if (this.curvesAside.has(seed) || !this.bySeed.has(seed)) continue;
        this.moveCurves(seed, main, this.aside);
        this.curvesAside.add(seed);
      }
      return main;
    }
    const kept = [...this.kinds.values()].filter((k) => !asideSeeds.has(k.seed)).map((k) => k.family);
    if (kept.length === 1) return kept[0]!;
    const join = (maps: Map<string, Curve>[]): Map<string, Curve> => {
      const tags = [...new Set(maps.flatMap((m) => [...m.keys()]))];
      return new Map(tags.map((t) => [t, CurveAccumulator.union(maps.flatMap((m) => (m.has(t) ? [m.get(t) as CurveAccumulator] : [])))]));
    };
    return { curves: join(kept.map((f) => f.curves)), paired: join(kept.map((f) => f.paired)) };
  }

  /** Moves the runs of `seed` from one family of curves to the other ("replace" mode). */
  private moveCurves(seed: string, from: CurveFamily, to: CurveFamily): void {
    const runs = this.bySeed.get(seed) ?? [];
    for (const [source, target, paired] of [[from.curves, to.curves, false], [from.paired, to.paired, true]] as const) {
      for (const [tag, c] of source) {
        for (const r of runs) {
          const series = (c as CurveColumns).take(r.variant, seed);
          if (series) this.curve(target, tag, paired, to === this.aside ? undefined : this.seeds).add(r.variant, seed, series);
        }
      }
    }
  }

  private deploymentOf(study: string): DeploymentAccumulator {
    let d = this.deployments.get(study);
    if (!d) this.deployments.set(study, (d = new DeploymentAccumulator()));
    return d;
  }

  /** Takes out every run of a seed and its records ("replace" mode only). */
  removeSeed(seed: string): void {
    // A streamed study's curves fold each kind of seed into summaries (and none while it has no curve yet): none can be taken out.
    if (this.mode !== "replace") throw new Error('a streamed study cannot take a seed out: build it in "replace" mode');
    if (!this.bySeed.has(seed)) return;
    this.takeOutCurves(seed);
    this.curvesAside.delete(seed);
    this.audit.removeSeed(seed);
    for (const d of this.deployments.values()) d.removeSeed(seed);
    this.noteEdits(this.bySeed.get(seed)!, []);
    this.bySeed.delete(seed);
  }

  /** Counts what changed between a seed's runs before and after ("replace" mode), for fromFinals' key. */
  private noteEdits(before: readonly RunSummary[], after: readonly RunSummary[]): void {
    const runKey = (r: RunSummary): string => `${r.variant}\u0000${r.seed}`;
    if (before.map(runKey).join("\u0001") !== after.map(runKey).join("\u0001")) this.runsEdits++;
    const old = new Map(before.map((r) => [runKey(r), r]));
    const tags = new Set<string>();
    for (const r of after) {
      const o = old.get(runKey(r));
      old.delete(runKey(r));
      if (!o || o.status !== r.status || JSON.stringify(o.factorSeeds ?? null) !== JSON.stringify(r.factorSeeds ?? null) || o.notes.join("\n") !== r.notes.join("\n")) this.runsEdits++;
      for (const [tag, v] of r.finals) if (!o || !Object.is(o.finals.get(tag), v)) tags.add(tag);
      if (o) for (const tag of o.finals.keys()) if (!r.finals.has(tag)) tags.add(tag);
    }
    for (const o of old.values()) for (const tag of o.finals.keys()) tags.add(tag);
    for (const tag of tags) this.finalEdits.set(tag, (this.finalEdits.get(tag) ?? 0) + 1);
  }

  private takeOutCurves(seed: string): void {
    const runs = this.bySeed.get(seed) ?? [];
    for (const map of [this.curves, this.pairedCurves, this.aside.curves, this.aside.paired]) {
      for (const c of map.values()) {
        if (!(c instanceof CurveColumns)) throw new Error('a streamed study cannot take a seed out: build it in "replace" mode');
        for (const r of runs) c.remove(r.variant, seed);
      }
    }
  }

  /** Folds in every run of one seed and the seed's records; a seed folded in before is replaced ("replace" mode). */
  addGroup(group: SeedGroup): void {
    const previous = this.bySeed.get(group.seed);
    if (previous && this.mode !== "replace") throw new Error('a streamed study cannot take a seed out: build it in "replace" mode');
    // A seed folded in again: its series are replaced in place (only the steps whose values changed are recomputed), and the curves it has no longer are taken out after.
    const touched = previous ? new Set<string>() : undefined;
    const family = this.familyOf(group);
    const runsPerVariant = family === this.aside ? undefined : this.seeds;
    const put = (map: Map<string, Curve>, tag: string, paired: boolean, variant: string, seed: string, series: Series): void => {
      this.curve(map, tag, paired, runsPerVariant).add(variant, seed, this.drawn(series));
      touched?.add(`${paired}\u0000${tag}\u0000${variant}`);
    };
    for (const d of this.deployments.values()) d.removeSeed(group.seed);
    const summaries: RunSummary[] = [];
    this.bySeed.set(group.seed, summaries);
    for (const r of group.runs) if (!this.variantsSeen.includes(r.variant)) this.variantsSeen.push(r.variant);
    this.reference ??= referenceFromPairedTags(group.runs.map((r) => ({ variant: r.variant, tags: Object.keys(r.scalars) }))) ?? this.variantsSeen[0];
    const ref = group.runs.find((r) => r.variant === this.reference);
    for (const r of group.runs) {
      const finals = new Map<string, number>();
      for (const [tag, pts] of Object.entries(r.scalars)) {
        const last = lastValue(pts);
        if (last === undefined) continue;
        finals.set(tag, last);
        if (tag.startsWith("paired/")) {
          this.anyPaired = true;
          put(family.paired, tag.slice("paired/".length), true, r.variant, r.seed, pts);
        } else put(family.curves, tag, false, r.variant, r.seed, pts);
      }
      // variant − reference from the raw series where the run logged no paired series of a tag.
      if (ref && r !== ref) {
        for (const [tag, pts] of Object.entries(r.scalars)) {
          if (tag.startsWith("paired/") || r.scalars[`paired/${tag}`]?.steps.length || !ref.scalars[tag]) continue;
          const diffs = stepDifferences(pts, ref.scalars[tag]!);
          if (diffs.steps.length > 0) put(family.paired, tag, true, r.variant, r.seed, diffs);
        }
      }
      this.deploymentOf(r.study ?? "").add(r);
      const summary: RunSummary = { variant: r.variant, seed: r.seed, status: r.status ?? "unknown", lastStep: lastStepOf(r), finals, where: r.where, notes: r.notes ?? [] };
      if (r.factorSeeds) summary.factorSeeds = r.factorSeeds;
      if (r.fingerprint) summary.fingerprint = r.fingerprint;
      summaries.push(summary);
    }
    if (previous) {
      for (const [map, paired] of [[family.curves, false], [family.paired, true]] as const) {
        for (const [tag, c] of map) {
          for (const r of previous) if (!touched!.has(`${paired}\u0000${tag}\u0000${r.variant}`)) (c as CurveColumns).remove(r.variant, group.seed);
        }
      }
      this.audit.removeSeed(group.seed);
    }
    if (this.mode === "replace") this.noteEdits(previous ?? [], summaries);
    if (group.checks.some((c) => c.lines.length > 0)) this.anyChecks = true;
    this.audit.addSeed(group.seed, group.checks, { variants: group.runs.map((r) => r.variant), lastStep: Math.max(0, ...group.runs.map(lastStepOf)) });
  }

  /** Every number the report shows (`metric`: another metric than the one the accumulator was made with). */
  finish(metricOverride?: string): ReportModel {
    const name = this.header.name;
    // Seeds in seed order (a study updated in "replace" mode gets new seeds at the end).
    const seedOrder = this.mode === "replace" ? [...this.bySeed.keys()].sort(compareSeeds) : [...this.bySeed.keys()];
    const runs = seedOrder.flatMap((s) => this.bySeed.get(s)!);
    if (runs.length === 0) throw new Error(`study ${name} has no runs yet`);
    const options = metricOverride === undefined ? this.options : { ...this.options, metric: metricOverride };
    const warnings: string[] = [];
    const variants = this.variantOrder();
    const reference = variants[0]!;
    const tagSet = new Set<string>();
    for (const r of runs) for (const t of r.finals.keys()) tagSet.add(t);
    const tags = [...tagSet].sort();
    const metric = options.metric ?? defaultMetric(tags);
    if (metric !== NO_METRIC && !tags.includes(metric)) throw new ReportOptionError("metric", metric, `no runs have the metric "${metric}"; available: ${tags.join(", ")}`);
    const higherIsBetter = metricDirection(metric, options.lowerIsBetter === undefined ? undefined : { higherIsBetter: !options.lowerIsBetter }).higherIsBetter;
    const twinTrained = this.header.twinTrained ?? (this.anyChecks || this.anyPaired);
    // One-factor-at-a-time runs and grid cells are not independent seeds: the verdict and every final-value view but the variance by factor rest on the others.
    const ended = (r: RunSummary): EndedRun["outcome"] | undefined => {
      if (r.status === "running") return undefined;
      const o = runOutcome(r, r.finals.get(metric));
      return o === "finished" ? undefined : o;
    };
    const { kept, setAside } = this.notAllVaried(runs, metric, ended);
    const asideSeeds = new Set(setAside?.seeds ?? []);
    // Runs that diverged or failed; those among them that vary one factor at a time also feed the variance by factor.
    const endedRuns: (EndedRun & { setAside: boolean })[] = [], endedWithFactors: (EndedRun & { setAside: boolean })[] = [];
    for (const r of runs) {
      const outcome = ended(r);
      if (!outcome) continue;
      const run = { variant: r.variant, seed: r.seed, outcome, setAside: asideSeeds.has(r.seed) };
      endedRuns.push(run);
      if (r.factorSeeds !== undefined) endedWithFactors.push(run);
    }

    // Final values: the runs the verdict counts as finished (verdictCells), so that the distributions, the
    // differences, power and expected maximum rest on the same runs as the verdict's table; a run that diverged
    // or failed is counted there per variant and leaves its seed out only of the comparisons it belongs to.
    const finals = new Map<string, Map<string, number>>();
    for (const r of runs) {
      const v = r.finals.get(metric);
      // A run that has not ended (still running, or stopped before its end) has no final value yet.
      if (v === undefined || r.status === "running") continue;
      const outcome = runOutcome(r, v);
      if (outcome !== "finished") {
        if (!asideSeeds.has(r.seed)) warnings.push(`${r.variant} seed ${r.seed}: ${outcome}${Number.isFinite(v) ? ` (status "${r.status}")` : ` (final ${metric} is ${v})`}; counted as ${outcome} in the verdict, left out of the comparisons with ${r.variant} on seed ${r.seed} and of the final-value charts`);
        continue;
      }
      let m = finals.get(r.variant);
      if (!m) finals.set(r.variant, (m = new Map()));
      m.set(r.seed, v);
    }
    // Without a metric there is no verdict to count a run in: the report lists the runs and their errors (noMetricText).
    for (const r of metric === NO_METRIC ? [] : kept) {
      const outcome = r.finals.get(metric) === undefined && r.status !== "running" ? runOutcome(r, undefined) : "finished";
      if (outcome !== "finished") warnings.push(`${r.variant} seed ${r.seed}: ${outcome} (status "${r.status}") before logging ${metric}; counted as ${outcome} in the verdict`);
    }
    const running = kept.filter((r) => r.status === "running").length;
    const runningAside = runs.filter((r) => r.status === "running" && asideSeeds.has(r.seed)).length;
    if (running > 0) warnings.push(`${running} run(s) not finished (still running, or stopped before their end): left out of the verdict and the final values until they end; their curves are shown`);
    if (runningAside > 0) warnings.push(`${runningAside} of the runs set aside ${runningAside === 1 ? "is" : "are"} not finished (still running, or stopped before ${runningAside === 1 ? "its" : "their"} end): the variance by factor reads ${runningAside === 1 ? "it" : "them"} once ended; like every run set aside, ${runningAside === 1 ? "its curve is" : "their curves are"} not drawn`);

    const sample = (keep: (seed: string) => boolean): FinalSample => ({
      metric,
      higherIsBetter,
      reference,
      variants: variants.map((v) => ({
        name: v,
        values: [...(finals.get(v) ?? new Map<string, number>()).keys()]
          .filter(keep)
          .sort(compareSeeds)
          .map((seed) => ({ seed, value: finals.get(v)!.get(seed)! })),
      })),
    });
    const final = sample((seed) => !asideSeeds.has(seed));
    const everyRun = setAside ? sample(() => true) : final;
    const { analysis, analysisError, factorial, factorialError, distribution, differences, variance, power, expectedMax } = this.fromFinals({ kept, all: runs, ended: endedWithFactors, endedAll: endedRuns }, { final, everyRun }, metric, variants, twinTrained, setAside);
    const curveTags = this.header.finalValuesOnly ? [] : options.curveTags ?? (() => {
      const std = STANDARD_CURVES.filter((t) => tags.includes(t));
      // final/<m> of a twin run is val/<m> at its last evaluation: one chart of it is enough.
      const others = tags.filter((t) => !t.startsWith("paired/") && t !== "epoch" && !std.includes(t) && !(t.startsWith("final/") && tags.includes(`val/${t.slice(6)}`)));
      return [...new Set([metric, ...std, ...others])].slice(0, MAX_CURVES);
    })();
    // The curves rest on the seeds the verdict counts, as every other view but the variance by factor.
    const keptCurves = this.keptCurves(asideSeeds);
    const build = (map: Map<string, Curve>, order: string[]): CurveData[] =>
      curveTags.map((t) => map.get(t)?.finish(order, reference, twinTrained, this.smoothing)).filter((c): c is CurveData => c !== undefined);

    const fingerprints = fingerprintRuns(runs);
    const audit = this.audit.finish();
    if (this.mode === "replace") audit.seeds.sort((a, b) => compareSeeds(a.seed, b.seed));
    if (fingerprints.length > 1) audit.notes.unshift(fingerprintsNote(fingerprints));

    return {
      study: name,
      source: this.header.source,
      generatedAt: new Date().toISOString(),
      variants,
      reference,
      seeds: [...new Set(runs.map((r) => r.seed))].sort(compareSeeds),
      runs: runs.map((r) => ({ variant: r.variant, seed: r.seed, status: r.status, lastStep: r.lastStep, final: r.finals.get(metric) ?? null, where: r.where, notes: r.notes, ...(asideSeeds.has(r.seed) ? { setAside: true } : {}) })),
      metric,
      higherIsBetter,
      percent: finalPercent(final),
      tags,
      twinTrained,
      ...(this.header.finalValuesOnly ? { finalValuesOnly: true as const } : {}),
      // Without a metric the verdict has nothing to compare: the body says why from the runs (noMetricText).
      analysis: metric === NO_METRIC ? null : analysis,
      ...(metric === NO_METRIC ? { analysisError: "no run has logged a result metric" } : analysisError !== undefined ? { analysisError } : {}),
      factorial,
      ...(factorialError !== undefined ? { factorialError } : {}),
      curves: build(keptCurves.curves, variants),
      pairedCurves: build(keptCurves.paired, variants.filter((v) => v !== reference)),
      final,
      distribution,
      differences,
      variance,
      power,
      expectedMax,
      deployments: [...this.deployments].map(([study, d]) => (study === "" ? d.finish(variants, asideSeeds) : { ...d.finish(variants, asideSeeds), study })),
      repro: { ...audit, fingerprints },
      setAside,
      warnings,
    };
  }

  /**
   * The runs the verdict rests on and what it sets aside (setAsideNotAllVaried).
   * In "replace" mode what is set aside is kept while the runs' variants, seeds,
   * statuses and factor seeds (runsEdits) and the metric's final values
   * (finalEdits: which runs set aside did not finish) stay: a line appended to
   * one run's curve does not test every run's factor seeds again (30–50 ms an
   * update at 10,000 runs).
   */
  private notAllVaried(runs: RunSummary[], metric: string, ended: (r: RunSummary) => EndedRun["outcome"] | undefined): { kept: RunSummary[]; setAside: SetAside | null } {
    const key = this.mode === "replace" ? JSON.stringify([this.runsEdits, metric, this.finalEdits.get(metric) ?? 0]) : undefined;
    const last = key !== undefined && this.verdictAside?.key === key ? this.verdictAside : undefined;
    if (last) {
      if (!last.setAside) return { kept: [...runs], setAside: null };
      const seeds = new Set(last.setAside.seeds);
      return { kept: runs.filter((r) => !seeds.has(r.seed)), setAside: last.setAside };
    }
    const out = setAsideNotAllVaried(runs, "and the section on variance by factor reads them", ended);
    if (key !== undefined) this.verdictAside = { key, setAside: out.setAside };
    return out;
  }

  /**
   * Everything computed from the final values: the verdict, distributions,
   * variance by factor, power, expected maximum. In "replace" mode the last
   * result is kept with a key made of counts of edits (noteEdits), so that an
   * update that leaves every final value of the metric, status, factor seed and
   * note as it was (a line appended to a running run's curve) does not redo the
   * tests, nor hash every run to find that out.
   */
  private fromFinals(runs: { kept: RunSummary[]; all: RunSummary[]; ended: (EndedRun & { setAside: boolean })[]; endedAll: (EndedRun & { setAside: boolean })[] }, samples: { final: FinalSample; everyRun: FinalSample }, metric: string, variants: string[], twinTrained: boolean, setAside: SetAside | null): FinalsDerived {
    const final = samples.final;
    const key = this.mode === "replace" ? JSON.stringify([metric, final.higherIsBetter, final.reference, variants, twinTrained, this.runsEdits, this.finalEdits.get(metric) ?? 0]) : undefined;
    if (key !== undefined && this.derived?.key === key) return this.derived.value;
    const cells = verdictCells(runs.kept, metric, variants);
    const { analysis, analysisError } = verdict(final, final.reference, cells, setAside);
    const { factorial, factorialError } = this.factorialOf(cells, final);
    const value: FinalsDerived = {
      // Without a metric the verdict has nothing to compare: the body says why from the runs (noMetricText).
      analysis: metric === NO_METRIC ? null : analysis,
      ...(metric === NO_METRIC ? { analysisError: "no run has logged a result metric" } : analysisError !== undefined ? { analysisError } : {}),
      factorial,
      ...(factorialError !== undefined ? { factorialError } : {}),
      distribution: distributionData(final, undefined, { everyRun: samples.everyRun, ended: runs.endedAll }),
      differences: differenceData(final, analysis, twinTrained),
      variance: varianceData(runs.all, samples.everyRun, runs.ended),
      power: powerData(final, analysis),
      expectedMax: expectedMaxData(final),
    };
    if (key !== undefined) this.derived = { key, value };
    return value;
  }

  /** The factorial verdict of a study whose design was recorded (the same function as the CLI's), or why there is none. */
  private factorialOf(cells: Map<string, Map<string, Cell>>, final: FinalSample): Pick<ReportModel, "factorial" | "factorialError"> {
    if (this.header.designError !== undefined) return { factorial: null, factorialError: this.header.designError };
    const design = this.header.design;
    if (!design) return { factorial: null };
    try {
      // The direction as given (a flag) or left to the metric's name, so that the verdict says which.
      const higherIsBetter = this.options.lowerIsBetter === undefined ? undefined : !this.options.lowerIsBetter;
      return { factorial: cellsFactorialVerdict(cells, design, { metric: final.metric, ...(higherIsBetter !== undefined ? { higherIsBetter } : {}), percent: finalPercent(final) }) };
    } catch (e) {
      return { factorial: null, factorialError: (e as Error).message };
    }
  }

  /**
   * Everything folded in so far ("replace" mode), as plain data that
   * v8.serialize can store (typed arrays are not copied here): restored with
   * {@link StudyAccumulator.restore}, it finishes to the same model and is
   * updated as this one would be. What is derived from it (the final-value
   * views, drawn curves) is computed again when first asked.
   */
  snapshot(): AccumulatorSnapshot {
    if (this.mode !== "replace") throw new Error('only an accumulator in "replace" mode can be saved');
    const curves = (map: Map<string, Curve>): CurveSnapshot[] => [...map.values()].map((c) => (c as CurveColumns).snapshot());
    return {
      header: this.header,
      options: this.options,
      ...(this.seeds !== undefined ? { seeds: this.seeds } : {}),
      curves: curves(this.curves),
      pairedCurves: curves(this.pairedCurves),
      asideCurves: curves(this.aside.curves),
      asidePairedCurves: curves(this.aside.paired),
      curvesAside: [...this.curvesAside],
      bySeed: this.bySeed,
      variantsSeen: this.variantsSeen,
      audit: this.audit.snapshot(),
      deployments: [...this.deployments].map(([study, d]) => [study, d.snapshot()]),
      anyChecks: this.anyChecks,
      anyPaired: this.anyPaired,
      runsEdits: this.runsEdits,
      finalEdits: this.finalEdits,
      ...(this.reference !== undefined ? { reference: this.reference } : {}),
      ...(this.derived ? { derived: this.derived } : {}),
      ...(this.verdictAside ? { verdictAside: this.verdictAside } : {}),
    };
  }

  /** The accumulator a snapshot was taken of ("replace" mode). */
  static restore(s: AccumulatorSnapshot): StudyAccumulator {
    const acc = new StudyAccumulator(s.header, s.options, "replace", s.seeds);
    for (const c of s.curves) acc.curves.set(c.tag, CurveColumns.restore(c));
    for (const c of s.pairedCurves) acc.pairedCurves.set(c.tag, CurveColumns.restore(c));
    for (const c of s.asideCurves) acc.aside.curves.set(c.tag, CurveColumns.restore(c));
    for (const c of s.asidePairedCurves) acc.aside.paired.set(c.tag, CurveColumns.restore(c));
    for (const seed of s.curvesAside) acc.curvesAside.add(seed);
    for (const [seed, runs] of s.bySeed) acc.bySeed.set(seed, runs);
    acc.variantsSeen.push(...s.variantsSeen);
    acc.audit = ControlSumAudit.restore(s.audit);
    for (const [study, d] of s.deployments) acc.deployments.set(study, DeploymentAccumulator.restore(d));
    acc.anyChecks = s.anyChecks;
    acc.anyPaired = s.anyPaired;
    acc.runsEdits = s.runsEdits;
    for (const [tag, n] of s.finalEdits) acc.finalEdits.set(tag, n);
    acc.reference = s.reference;
    // Kept under the same key of edit counts: the tests, distributions and power are not computed again while the final values stay.
    acc.derived = s.derived;
    // Kept under the same count of run edits: the set-aside test is not run again over every run while the runs stay.
    acc.verdictAside = s.verdictAside;
    return acc;
  }

  /** Variants in the source's order (else as first seen), the reference first. */
  private variantOrder(): string[] {
    const seen = this.variantsSeen;
    const known = this.header.variantOrder;
    const order = known ? [...known.filter((v) => seen.includes(v)), ...seen.filter((v) => !known.includes(v))] : seen;
    // The reference given, else the one the first seed showed (twin-trained logs: the variant without paired series).
    const reference = this.options.reference ?? this.reference;
    if (reference === undefined) return order;
    if (!order.includes(reference)) throw new ReportOptionError("reference", reference, `reference "${reference}": no such variant (variants: ${order.join(", ")})`);
    return [reference, ...order.filter((v) => v !== reference)];
  }
}

/**
 * Whether twin logged the run's divergence ("status (step 11): diverged at step
 * 11: loss NaN", as log-dir.ts and the dashboard's index word a status text): a
 * run that diverged before any logged metric went NaN ends as a plain "failure".
 */
function saidDiverged(r: RunSummary): boolean {
  return r.notes.some((n) => /^status \(step \d+\): diverged at step /.test(n));
}

/**
 * How a run that ended counts in the verdict, by `twin stats`'s rule on the same
 * log folder (results-file.ts): a non-finite final value, a "diverged" status, or a
 * failure after any value went non-finite (or logged as a divergence) is diverged;
 * another failure is failed; else finished with its final value `v`.
 */
function runOutcome(r: RunSummary, v: number | undefined): "finished" | "diverged" | "failed" {
  // Every final value looked at only for a failed run (the finish asks this of every run, at each dashboard update).
  if (r.status === "failed" || r.status === "failure") return [...r.finals.values()].some((x) => !Number.isFinite(x)) || saidDiverged(r) ? "diverged" : "failed";
  if (r.status === "diverged" || (v !== undefined && !Number.isFinite(v))) return "diverged";
  return "finished";
}

/**
 * Each run's outcome for the verdict, as `twin stats` and the study verdict see
 * it: a run that diverged (non-finite value or status) or failed is a result,
 * counted per variant with its failure rate, and only the comparisons it
 * belongs to leave its seed out; a run that has not ended is unfinished (counted,
 * not compared), never compared on its latest value.
 */
function verdictCells(runs: readonly RunSummary[], metric: string, variants: readonly string[]): Map<string, Map<string, Cell>> {
  const out = new Map(variants.map((v) => [v, new Map<string, Cell>()]));
  for (const r of runs) {
    const cells = out.get(r.variant);
    const v = r.finals.get(metric);
    if (!cells) continue;
    const where = `${r.variant} seed ${r.seed}`;
    if (r.status === "running") cells.set(r.seed, { outcome: "unfinished", where });
    else {
      const outcome = runOutcome(r, v);
      if (outcome !== "finished") cells.set(r.seed, { outcome, where });
      else if (v !== undefined) cells.set(r.seed, { outcome, value: v, where });
    }
  }
  for (const [v, cells] of out) if (cells.size === 0) out.delete(v);
  return out;
}

function verdict(final: FinalSample, reference: string, cells: Map<string, Map<string, Cell>>, setAside: SetAside | null): { analysis: Analysis | null; analysisError?: string } {
  if (setAside?.kept_seeds === 0) return { analysis: null, analysisError: `${NONE_INDEPENDENT}; the section on variance by factor reads them` };
  if (cells.size < 2) return { analysis: null, analysisError: "a verdict needs at least two variants with a final value or a failed run" };
  if (!cells.has(reference)) return { analysis: null, analysisError: `the reference variant "${reference}" has no final ${final.metric} yet` };
  try {
    return { analysis: analyzeCells(cells, { metric: final.metric, lowerIsBetter: !final.higherIsBetter, reference, percent: finalPercent(final), setAside }) };
  } catch (e) {
    return { analysis: null, analysisError: (e as Error).message };
  }
}

/** The seed groups of an in-memory study, in seed order. */
export function* seedGroups(study: StudyData): Iterable<SeedGroup> {
  const groups = new Map<string, SeedGroup>();
  const group = (seed: string): SeedGroup => {
    let g = groups.get(seed);
    if (!g) groups.set(seed, (g = { seed, runs: [], checks: [] }));
    return g;
  };
  for (const r of study.runs) group(r.seed).runs.push(r);
  for (const c of study.checks) group(c.seed).checks.push(c);
  for (const seed of [...groups.keys()].sort(compareSeeds)) yield groups.get(seed)!;
}

/** An in-memory study as a stream. */
export function studyStream(study: StudyData): StudyStream {
  const { runs: _runs, checks: _checks, ...header } = study;
  return { ...header, groups: seedGroups(study) };
}

/** The report model of an in-memory study. */
export function buildReportModel(study: StudyData, options: ReportOptions = {}): ReportModel {
  const { groups, ...header } = studyStream(study);
  const acc = new StudyAccumulator(header, options);
  for (const g of groups as Iterable<SeedGroup>) acc.addGroup(g);
  return acc.finish();
}

/** Seed groups folded between two turns of the event loop (a dashboard keeps answering while it rebuilds). */
const GROUPS_PER_TURN = 25;

/** The report model of a study read seed by seed (from a log folder or the store). */
export async function streamReportModel(stream: StudyStream, options: ReportOptions = {}): Promise<ReportModel> {
  const { groups, ...header } = stream;
  const acc = new StudyAccumulator(header, options);
  let n = 0;
  for await (const g of groups) {
    acc.addGroup(g);
    if (++n % GROUPS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return acc.finish();
}

/** Whether the final values are printed in percentage points (an accuracy of fractions: the CLI's rule). */
function finalPercent(final: FinalSample): boolean {
  return showsPercentPoints(final.metric, final.variants.flatMap((v) => v.values.map((x) => x.value)));
}
