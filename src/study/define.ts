/**
 * A study: variants × a seed plan, plus the data and training setup they share.
 * Study files default-export `defineStudy({...})`.
 */
import type { Dataset } from "../data/host/dataset.ts";
import type { Normalize } from "../data/to-tensor.ts";
import type { Augment, MetricAccumulator, TargetKind, VariantFactory, VariantParts } from "../twin/types.ts";
import type { SeedPlan } from "./seed-plan.ts";
import { parseSplitMode, type SplitMode } from "./split-mode.ts";
import { expandFactors, type FactorialDesign, type FactorLevels, type LevelValues } from "./factorial-design.ts";
import { similarName } from "./similar-name.ts";

/** Where a study's data comes from; the validation part is split off per run from the split stream. */
export interface DataSpec {
  name: string;
  load(): { train: Dataset; test?: Dataset };
  /** Held-out validation size (count or fraction of train). */
  validation: number;
  stratified?: boolean;
  normalize?: Normalize;
}

export interface StudySpec {
  name: string;
  data: DataSpec;
  variants: Record<string, VariantFactory>;
  reference?: string;
  augment?: Augment;
  testAugment?: Augment;
  batchSize: number;
  epochs?: number;
  steps?: number;
  evalEvery?: number;
  /** Default seed plan (`twin seeds --n/--vary` and `twin compare --seeds` override it). */
  seeds?: SeedPlan;
  /**
   * "per-seed" (default): each run draws its own train/validation split from
   * its split stream. "shared": one split seed for the whole study, so every
   * seed validates on the same examples and seed ensembles can be chosen on
   * validation (docs/deployment.md). `--split` on compare and seeds overrides it.
   */
  split?: SplitMode;
  /** "labels" (default) or "masks" (segmentation: losses and accuracy per pixel). */
  target?: TargetKind;
  /** Extra evaluation metrics (e.g. segmentationMetrics); worker threads read the same export's `metrics`. */
  metrics?: () => MetricAccumulator;
  /** Intra-op threads per run (default 1: see docs/engine.md, "Threads"). */
  threads?: number;
  /** Set by defineStudy for a study with factors: which levels each combination's variant has. */
  design?: FactorialDesign;
}

/**
 * What a study file gives defineStudy: variants, or factors with levels and a
 * `variant` builder (every combination becomes a variant; factorial-design.ts), or both.
 */
export type StudyInput<F extends FactorLevels = FactorLevels> = Omit<StudySpec, "variants" | "design"> & {
  variants?: Record<string, VariantFactory>;
  factors?: F;
  variant?: (levels: LevelValues<F>) => VariantParts;
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Every setting a study file may give defineStudy (a study file runs through tsx, which does not type-check it). */
const SETTINGS: readonly (keyof StudyInput)[] = [
  "name", "data", "variants", "factors", "variant", "reference", "augment", "testAugment", "batchSize",
  "epochs", "steps", "evalEvery", "seeds", "split", "target", "metrics", "threads",
];

/** Where a setting put at the top of a study belongs instead. */
const BELONGS_ELSEWHERE: Record<string, string> = {
  limit: "it is an option of the data: fashionMnistData({ validation: 5000, limit: 10000 })",
  validation: "it is an option of the data: fashionMnistData({ validation: 5000 })",
  lr: "the learning rate is an option of each variant's optimizer: optim.adam(p, { lr: 1e-3 })",
  model: "a model belongs to a variant: variants: { name: () => ({ model, optimizer }) }",
  optimizer: "an optimizer belongs to a variant: variants: { name: () => ({ model, optimizer }) }",
  schedule: "a learning-rate schedule belongs to a variant: variants: { name: () => ({ model, optimizer, schedule }) }",
  loss: "a loss belongs to a variant: variants: { name: () => ({ model, optimizer, loss }) }",
};

/** A misspelt or misplaced setting would be ignored without a word (a wrong `epoch: 10` trains the default length): refuse it, naming it. */
function checkSettings(input: Record<string, unknown>): void {
  const unknown = Object.keys(input).filter((k) => !(SETTINGS as readonly string[]).includes(k));
  if (unknown.length === 0) return;
  const meant = (k: string): string => {
    const near = similarName(k, SETTINGS);
    return near === undefined ? "" : ` (did you mean '${near}'?)`;
  };
  const named = unknown.map((k) => (BELONGS_ELSEWHERE[k] ? `'${k}' (${BELONGS_ELSEWHERE[k]})` : `'${k}'${meant(k)}`)).join(", ");
  throw new Error(`defineStudy '${String(input.name)}': unknown setting${unknown.length > 1 ? "s" : ""} ${named}; a study's settings are ${SETTINGS.join(", ")}`);
}

export function defineStudy<F extends FactorLevels = FactorLevels>(input: StudyInput<F>): StudySpec {
  if (!NAME.test(input.name)) throw new Error(`defineStudy: name '${input.name}' must be letters, digits, '.', '_' or '-' (it names log folders)`);
  checkSettings(input as unknown as Record<string, unknown>);
  const { factors, variant, ...rest } = input;
  if (variant !== undefined && factors === undefined) throw new Error(`defineStudy '${input.name}': variant() builds the combinations of factors; give factors: { name: { level: value, … } } or use variants`);
  const expanded = factors === undefined ? undefined : expandFactors(input.name, factors, variant!, Object.keys(input.variants ?? {}));
  const spec: StudySpec = { ...rest, variants: { ...input.variants, ...expanded?.variants }, ...(expanded ? { design: expanded.design } : {}) };
  const names = Object.keys(spec.variants);
  if (names.length === 0) throw new Error(`defineStudy '${spec.name}': give at least one variant`);
  for (const n of names) if (!NAME.test(n)) throw new Error(`defineStudy '${spec.name}': variant name '${n}' must be letters, digits, '.', '_' or '-'`);
  if (spec.reference !== undefined && !names.includes(spec.reference)) {
    throw new Error(`defineStudy '${spec.name}': reference '${spec.reference}' is not a variant (${names.join(", ")})`);
  }
  if (spec.split !== undefined) parseSplitMode(spec.split, `defineStudy '${spec.name}'`);
  if (!Number.isInteger(spec.batchSize) || spec.batchSize < 1) throw new Error(`defineStudy '${spec.name}': batchSize must be a positive integer`);
  return spec;
}
