// A generated twin log tree for the log-folder readers' tests (run-finals.test.ts)
// and for comparing `twin stats` on it before and after a change: runs with
// event files and metrics.jsonl, event files only (no metrics.jsonl), metrics.jsonl
// only, resumed runs that log a step again (a non-finite value overwritten, or
// written last), NaN and ±Infinity at the end or in the middle, failed and
// diverged runs with their status text, a cut-off last line, a damaged line in
// a run with event files (read from them instead), a tag that is an array index,
// factor seeds in hparams, and a folder set aside (seed-<n>.<run id>).
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RunLogger } from "../../src/log/run-logger.ts";
import { Xoshiro128 } from "../../src/stats/random.ts";

const SPECIAL = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

/** Writes a study `study` of `seeds` seeds × 3 variants under `logdir`, each run's kind drawn from `seed`'s stream. */
export function writeRunTree(logdir: string, study: string, seeds: number, seed: number): void {
  const r = new Xoshiro128(seed);
  for (const variant of ["base", "wide", "deep"]) {
    for (let s = 0; s < seeds; s++) {
      const kind = r.nextInt(10);
      const events = kind !== 1;
      const jsonl = kind !== 2;
      const log = new RunLogger({ logdir, study, variant, seed: s, events, jsonl });
      log.hparams({ variant, "seeds.init": kind === 3 ? 0 : s, "seeds.order": s }, ["val/acc"]);
      const steps = 5 + r.nextInt(20);
      let bad: number | undefined;
      for (let step = 0; step < steps; step++) {
        const values: Record<string, number> = { "train/loss": 2 / (step + 1) + r.nextFloat() * 0.1 };
        if (step % 3 === 0 || step === steps - 1) values["val/acc"] = 0.5 + step / 100 + r.nextFloat() * 0.05;
        if (r.nextInt(8) === 0) values["7"] = r.nextFloat();
        if (kind === 4 && step === steps - 1) values["train/loss"] = SPECIAL[r.nextInt(3)]!;
        if (kind === 5 && step === 2) values["val/acc"] = SPECIAL[r.nextInt(3)]!;
        log.log(step, values);
      }
      if (kind === 6) {
        // A resumed run: step 1 again, its first value non-finite and overwritten, or the other way round.
        log.close("success");
        const again = new RunLogger({ logdir, study, variant, seed: s, events, jsonl });
        const over = r.nextInt(2) === 0;
        again.log(1, { "train/loss": over ? 0.25 : Number.NaN });
        again.log(steps - 1, { "val/acc": over ? 0.75 : Number.POSITIVE_INFINITY });
        again.close(r.nextInt(2) === 0 ? "success" : "failure");
        continue;
      }
      if (kind === 7) {
        bad = r.nextInt(3);
        log.logText("status", bad === 0 ? "diverged at step 3: loss NaN" : "failed: out of memory", steps);
      }
      if (kind === 8 && r.nextInt(2) === 0) {
        log.close();
        // A cut-off last line (killed while writing): the line is not read.
        if (jsonl) appendFileSync(join(logdir, study, variant, `seed-${s}`, "metrics.jsonl"), '{"kind":"scalars","step":99,"wall_time":1,"values":{"train/l');
        continue;
      }
      if (kind === 9) {
        log.close();
        // A damaged line in the middle: read from the event files, with a note (a run without event files has none).
        if (events && jsonl) appendFileSync(join(logdir, study, variant, `seed-${s}`, "metrics.jsonl"), "not json\n" + JSON.stringify({ kind: "end", wall_time: 1, status: "success" }) + "\n");
        continue;
      }
      if (kind === 0 && r.nextInt(3) === 0) continue; // never closed: running, or killed
      log.close(bad === undefined ? "success" : "failure");
    }
  }
  // An earlier run of a seed, set aside by a later one: listed, not read.
  const aside = join(logdir, study, "base", "seed-0.r1");
  mkdirSync(aside, { recursive: true });
  writeFileSync(join(aside, "metrics.jsonl"), JSON.stringify({ kind: "scalars", step: 0, wall_time: 0, values: { "val/acc": 0.1 } }) + "\n");
}
