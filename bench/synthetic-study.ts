// A synthetic twin study on disk for the report and dashboard benchmarks: two
// variants, `seeds` seeds each, `steps` steps of train/loss (every step),
// eval/accuracy and eval/loss (every 10 steps) and a final val/accuracy, in
// twin's metrics.jsonl layout (hparams line first, `end` line last). Seed 3 of
// every 500 collapses (a black swan). Written once per size and reused.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Xoshiro128 } from "../src/stats/random.ts";

export const VARIANTS = ["baseline", "wider"];

function gauss(r: Xoshiro128): number {
  const u = Math.max(1e-12, r.nextFloat()), v = r.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** One run's metrics.jsonl text. */
export function runLines(variant: string, seed: number, steps: number, from = 1, end = true): string {
  const r = new Xoshiro128(seed * 7 + (variant === VARIANTS[0] ? 0 : 1));
  const seedOffset = 0.006 * gauss(new Xoshiro128(seed));
  const cap = 0.88 + (variant === VARIANTS[0] ? 0 : 0.004) + seedOffset - (seed % 500 === 3 ? 0.1 : 0);
  const lines: string[] = [];
  if (from === 1) lines.push(JSON.stringify({ kind: "hparams", wall_time: 0, hparams: { variant, seed: String(seed), "seeds.init": seed, "seeds.order": seed }, metrics: ["val/accuracy"] }));
  for (let step = from; step <= steps; step++) {
    const acc = cap - (cap - 0.1) * Math.exp(-step / 60) + 0.004 * gauss(r);
    const values: Record<string, number> = { "train/loss": 2.3 * Math.exp(-step / 70) + 0.3 + 0.02 * gauss(r) };
    if (step % 10 === 0) Object.assign(values, { "eval/accuracy": acc, "eval/loss": 2.3 * Math.exp(-step / 70) + 0.32 });
    if (step === steps) values["val/accuracy"] = acc - 0.002;
    lines.push(JSON.stringify({ kind: "scalars", step, wall_time: step, values }));
  }
  if (end) lines.push(JSON.stringify({ kind: "end", wall_time: steps + 1, status: "success" }));
  return lines.join("\n") + "\n";
}

/** Writes `<root>/<study>/<variant>/seed-<n>/metrics.jsonl` unless it is there already; returns the log folder. */
export function writeSyntheticStudy(root: string, study: string, seeds: number, steps: number): string {
  const done = join(root, `.${study}.done`);
  if (existsSync(done)) return root;
  for (let seed = 0; seed < seeds; seed++) {
    for (const v of VARIANTS) {
      const dir = join(root, study, v, `seed-${seed}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "metrics.jsonl"), runLines(v, seed, steps));
    }
  }
  writeFileSync(done, "");
  return root;
}
