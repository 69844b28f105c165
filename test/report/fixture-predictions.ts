/**
 * Per-example predictions for a fixture study's run folders (predictions.npy,
 * labels.npy, test_predictions.npy, test_labels.npy): logits = a shared
 * per-example signal + a variant's skill + a seed's own noise, softmaxed, so
 * that seeds disagree on the hard examples and their ensembles gain.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { writeNpy } from "../../src/data/host/npy.ts";
import { Xoshiro128 } from "../../src/stats/random.ts";

export interface PredictionFixtureOptions {
  validation?: number;
  test?: number;
  classes?: number;
  /** Variant → added weight on the true class (skill). */
  skill?: Record<string, number>;
}

function gauss(r: Xoshiro128): number {
  const u = Math.max(1e-12, r.nextFloat()), v = r.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Labels and per-example class signals of one set (the same for every run: a shared split). */
function examples(n: number, classes: number, seed: number): { labels: Int32Array; signal: Float64Array } {
  const r = new Xoshiro128(seed);
  const labels = new Int32Array(n);
  const signal = new Float64Array(n * classes);
  for (let e = 0; e < n; e++) {
    labels[e] = r.nextInt(classes);
    const difficulty = 5 * r.nextFloat() + 0.3;
    for (let c = 0; c < classes; c++) signal[e * classes + c] = (c === labels[e] ? difficulty : 0) + 0.5 * gauss(r);
  }
  return { labels, signal };
}

function probabilities(signal: Float64Array, labels: Int32Array, classes: number, skill: number, r: Xoshiro128): Float32Array {
  const out = new Float32Array(signal.length);
  for (let e = 0; e < labels.length; e++) {
    let max = -Infinity;
    const z = new Float64Array(classes);
    for (let c = 0; c < classes; c++) {
      z[c] = 2 * (signal[e * classes + c]! + (c === labels[e] ? skill : 0) + 0.25 * gauss(r));
      max = Math.max(max, z[c]!);
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += (z[c] = Math.exp(z[c]! - max));
    for (let c = 0; c < classes; c++) out[e * classes + c] = z[c]! / sum;
  }
  return out;
}

/** Writes the four prediction files into every `<variant>/seed-<n>/` of the study directory. */
export function writePredictionFixture(studyDir: string, options: PredictionFixtureOptions = {}): void {
  const classes = options.classes ?? 10;
  const val = examples(options.validation ?? 600, classes, 11);
  const test = examples(options.test ?? 1000, classes, 12);
  const skill = options.skill ?? { baseline: 0, wider: 0.12, dropout: 0.06 };
  const variants = readdirSync(studyDir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith("_")).map((d) => d.name);
  for (const variant of variants) {
    for (const seedDir of readdirSync(join(studyDir, variant)).filter((s) => /^seed-\d+$/.test(s))) {
      const dir = join(studyDir, variant, seedDir);
      const r = new Xoshiro128(1 + Number(seedDir.slice(5)) * 31 + variant.length * 7);
      const k = skill[variant] ?? 0;
      writeNpy(join(dir, "predictions.npy"), { dtype: "float32", shape: [val.labels.length, classes], data: probabilities(val.signal, val.labels, classes, k, r) });
      writeNpy(join(dir, "labels.npy"), { dtype: "int32", shape: [val.labels.length], data: val.labels });
      writeNpy(join(dir, "test_predictions.npy"), { dtype: "float32", shape: [test.labels.length, classes], data: probabilities(test.signal, test.labels, classes, k, r) });
      writeNpy(join(dir, "test_labels.npy"), { dtype: "int32", shape: [test.labels.length], data: test.labels });
    }
  }
}
