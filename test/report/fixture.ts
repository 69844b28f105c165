/**
 * A synthetic twin log tree written with RunLogger (no training): variants ×
 * seeds × steps with realistic curves and noise, paired tags, `_checks`
 * control sums; optionally one-factor-at-a-time runs for the variance view.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RunLogger } from "../../src/log/index.ts";
import { Xoshiro128 } from "../../src/stats/random.ts";

export interface FixtureOptions {
  study?: string;
  variants?: string[];
  seeds?: number;
  steps?: number;
  evalEvery?: number;
  /** Steps per epoch (val/* logged at epoch ends). */
  epochSteps?: number;
  /** Variant and seed of a run that stops early (runs of different lengths), with its last step. */
  shortRun?: { variant: string; seed: number; steps: number };
  /** Variant and seed whose final accuracy collapses (a black swan). */
  blackSwan?: { variant: string; seed: number };
  /** Write _checks/seed-<n>.jsonl. */
  checks?: boolean;
  /** Each variant's gain in final accuracy over the baseline (default: baseline 0, wider 0.012, dropout 0.006, others 0.003). */
  effects?: Record<string, number>;
}

function gauss(r: Xoshiro128): number {
  const u = Math.max(1e-12, r.nextFloat()), v = r.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const EFFECT: Record<string, number> = { baseline: 0, wider: 0.012, dropout: 0.006 };

/** Writes the study under `<logdir>/<study>/` and returns the study directory. */
export function writeFixture(logdir: string, options: FixtureOptions = {}): string {
  const study = options.study ?? "ab";
  const variants = options.variants ?? ["baseline", "wider", "dropout"];
  const seeds = options.seeds ?? 5;
  const steps = options.steps ?? 50;
  const evalEvery = options.evalEvery ?? 5;
  const epochSteps = options.epochSteps ?? 25;
  const checks = options.checks ?? true;
  for (let seed = 0; seed < seeds; seed++) {
    const r = new Xoshiro128(1000 + seed);
    const seedOffset = 0.006 * gauss(r); // shared by every variant of the seed: what pairing removes
    const loggers = variants.map((v) => new RunLogger({ logdir, study, variant: v, seed, flushSecs: 0 }));
    variants.forEach((v, i) => loggers[i]!.hparams({ study, variant: v, seed: String(seed), batch_size: 64, steps }, ["val/accuracy", "val/loss"]));
    const lines: string[] = [];
    const value = (variant: string, step: number, noise: number): { acc: number; loss: number } => {
      const cap = 0.88 + (options.effects?.[variant] ?? EFFECT[variant] ?? 0.003) + seedOffset;
      const acc = cap - (cap - 0.1) * Math.exp(-step / 9) + noise;
      const swan = options.blackSwan && options.blackSwan.variant === variant && options.blackSwan.seed === seed && step > steps * 0.6 ? -0.06 : 0;
      return { acc: acc + swan, loss: 2.3 * Math.exp(-step / 11) + 0.32 - (acc - 0.85) * 0.5 - noise * 2 - swan };
    };
    for (let step = 1; step <= steps; step++) {
      const evalNoise = 0.004 * gauss(r); // same eval batch for every variant
      const vals: Record<string, { acc: number; loss: number }> = {};
      variants.forEach((v, i) => {
        const short = options.shortRun && options.shortRun.variant === v && options.shortRun.seed === seed;
        if (short && step > options.shortRun!.steps) return;
        const trainNoise = 0.02 * gauss(r);
        const cur = value(v, step, evalNoise + 0.002 * gauss(r));
        vals[v] = cur;
        const lg = loggers[i]!;
        lg.log(step, { "train/loss": cur.loss + trainNoise, epoch: Math.ceil(step / epochSteps) });
        if (step % evalEvery === 0) lg.log(step, { "eval/accuracy": cur.acc, "eval/loss": cur.loss });
        const lastOfRun = short ? step === options.shortRun!.steps : step === steps;
        if (step % epochSteps === 0 || lastOfRun) lg.log(step, { "val/accuracy": cur.acc - 0.002, "val/loss": cur.loss + 0.01 });
      });
      const ref = vals[variants[0]!];
      variants.slice(1).forEach((v, k) => {
        const cur = vals[v];
        if (!ref || !cur) return;
        const lg = loggers[k + 1]!;
        lg.log(step, { "paired/train/loss": cur.loss - ref.loss });
        if (step % evalEvery === 0) lg.log(step, { "paired/eval/accuracy": cur.acc - ref.acc, "paired/eval/loss": cur.loss - ref.loss });
      });
      lines.push(JSON.stringify({ step, batch: `b${seed}-${step}`, streams: [{ stream: "order", draws: step, state: `o${seed}-${step}` }, { stream: "augment", draws: 2 * step, state: `a${seed}-${step}` }] }));
    }
    loggers.forEach((l) => l.close());
    if (checks) {
      mkdirSync(join(logdir, study, "_checks"), { recursive: true });
      writeFileSync(join(logdir, study, "_checks", `seed-${seed}.jsonl`), lines.join("\n") + "\n");
    }
  }
  return join(logdir, study);
}

/**
 * A seed study of one configuration varying one factor at a time: root seeds
 * 0–5 vary every factor, 10–15 only `init`, 20–25 only `order` (their other
 * factors stay at seed 0), recorded as `seeds.<factor>` hparams.
 */
export function writeOfatFixture(logdir: string, study = "seeds"): string {
  const factors = ["init", "order", "augment"];
  const sets: { root: number; seeds: Record<string, number> }[] = [];
  for (let k = 0; k < 6; k++) sets.push({ root: k, seeds: { init: k, order: k, augment: k } });
  for (let k = 0; k < 6; k++) sets.push({ root: 10 + k, seeds: { init: 10 + k, order: 0, augment: 0 } });
  for (let k = 0; k < 6; k++) sets.push({ root: 20 + k, seeds: { init: 0, order: 20 + k, augment: 0 } });
  const sd: Record<string, number> = { init: 0.006, order: 0.003, augment: 0.001 };
  for (const s of sets) {
    const lg = new RunLogger({ logdir, study, variant: "base", seed: s.root, flushSecs: 0 });
    lg.hparams({ seeds: s.seeds, lr: 0.001 }, ["val/accuracy"]);
    let acc = 0.87;
    for (const f of factors) acc += sd[f]! * gauss(new Xoshiro128(7919 * (s.seeds[f]! + 1) + f.length));
    for (let step = 10; step <= 30; step += 10) lg.log(step, { "val/accuracy": acc - 0.3 * Math.exp(-step / 8), "train/loss": 0.4 + Math.exp(-step / 8) });
    lg.close();
  }
  return join(logdir, study);
}
