import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import {
  flattenHParams,
  HParamDataType,
  readEventDir,
  readMetricsJsonl,
  readRunTree,
  RunLogger,
  runDir,
  updateStudyExperiment,
} from "../../src/log/index.ts";
import { writerOf } from "../../src/log/run-writer.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "twin-log-"));

/** A fake training curve for (variant, seed). */
function curve(variant: string, seed: number, step: number): { "train/loss": number; "val/acc": number } {
  const offset = variant === "dropout" ? 0.01 : 0;
  return { "train/loss": 1 / (1 + step) + seed * 1e-3, "val/acc": 0.8 + offset + seed * 1e-3 + step * 1e-4 };
}

test("run logger: writes event file and metrics.jsonl with the same numbers", () => {
  const logdir = tmp();
  const log = new RunLogger({ logdir, study: "s", variant: "v", seed: 3 });
  assert.equal(log.dir, join(logdir, "s", "v", "seed-3"));
  log.hparams({ lr: 0.001, opt: { name: "adam", betas: [0.9, 0.999] }, bn: true }, ["val/acc"]);
  log.log(0, { "train/loss": 2.3, "val/acc": 0.1 });
  log.log(10, { "train/loss": NaN, "val/acc": Infinity });
  log.logText("fingerprint", "abc", 0);
  log.close("failure");

  const ev = readEventDir(log.dir);
  const js = readMetricsJsonl(join(log.dir, "metrics.jsonl"));
  assert.equal(ev.scalars.length, 4);
  assert.equal(js.scalars.length, 4);
  for (const [i, s] of js.scalars.entries()) {
    const e = ev.scalars[i]!;
    assert.equal(e.tag, s.tag);
    assert.equal(e.step, s.step);
    assert.equal(e.wallTime, s.wallTime);
    assert.ok(Object.is(e.value, Math.fround(s.value)), `${s.tag}@${s.step}: ${e.value} vs ${s.value}`);
  }
  assert.ok(Number.isNaN(js.scalars[2]!.value));
  assert.equal(js.scalars[3]!.value, Infinity);
  assert.deepEqual(ev.texts.map((t) => t.text), ["abc"]);
  assert.deepEqual(js.texts.map((t) => t.text), ["abc"]);
  const expectedHp = { lr: 0.001, "opt.name": "adam", "opt.betas": "[0.9,0.999]", bn: true };
  assert.deepEqual(ev.sessionStart?.hparams, expectedHp);
  assert.equal(ev.sessionStart?.groupName, "s/v");
  assert.deepEqual(js.hparams, { hparams: expectedHp, metrics: ["val/acc"], group: "s/v" });
  assert.equal(ev.sessionEnd?.status, "failure");
  assert.equal(js.status, "failure");

  // The experiment summary lives at the study root.
  const study = readEventDir(join(logdir, "s"));
  assert.deepEqual(study.experiment?.metricInfos, [{ tag: "val/acc" }]);
  assert.deepEqual(study.experiment?.hparamInfos.map((h) => h.name), ["bn", "lr", "opt.betas", "opt.name"]);
});

test("run logger: a value beyond float32's range is logged, not a crash: metrics.jsonl keeps the float64, the event file ±Infinity", () => {
  const logdir = tmp();
  const log = new RunLogger({ logdir, study: "s", variant: "v", seed: 0 });
  log.log(0, { "train/loss": 7.749e299, "val/acc": 0.5 });
  log.log(1, { "train/loss": -1e300, "val/acc": NaN });
  log.close("failure");
  const js = readMetricsJsonl(join(log.dir, "metrics.jsonl")).scalars.map((s) => s.value);
  const ev = readEventDir(log.dir).scalars.map((s) => s.value);
  assert.deepEqual(js, [7.749e299, 0.5, -1e300, NaN]);
  assert.deepEqual(ev, [Infinity, 0.5, -Infinity, NaN]);
});

test("run logger: study experiment merges the hparams of every variant", () => {
  const logdir = tmp();
  for (const [variant, lr] of [["a", 0.1], ["b", 0.01]] as const) {
    for (const seed of [0, 1]) {
      const log = new RunLogger({ logdir, study: "st", variant, seed });
      log.hparams({ lr, variant }, ["val/acc"]);
      log.close();
    }
  }
  const files = readdirSync(join(logdir, "st")).filter((n) => n.includes("tfevents"));
  assert.equal(files.length, 1, "older experiment files are replaced");
  const exp = readEventDir(join(logdir, "st")).experiment!;
  assert.deepEqual(exp.hparamInfos, [
    { name: "lr", type: HParamDataType.FLOAT64, domainInterval: { min: 0.01, max: 0.1 } },
    { name: "variant", type: HParamDataType.STRING, domainDiscrete: ["a", "b"] },
  ]);
  // An explicit experiment written up front is extended, not replaced.
  const again = updateStudyExperiment(logdir, "st", { hparamInfos: [], metricInfos: [{ tag: "train/loss" }] });
  assert.deepEqual(again.metricInfos, [{ tag: "val/acc" }, { tag: "train/loss" }]);
  assert.ok(!existsSync(join(logdir, "st", ".twin-hparams.lock")));
});

test("readRunTree: 2 variants x 3 seeds", () => {
  const logdir = tmp();
  const steps = [0, 50, 100, 150];
  for (const variant of ["baseline", "dropout"]) {
    for (const seed of [0, 1, 2]) {
      const log = new RunLogger({ logdir, study: "fmnist", variant, seed });
      log.hparams({ dropout: variant === "dropout" ? 0.2 : 0 }, ["val/acc"]);
      for (const step of steps) log.log(step, curve(variant, seed, step));
      log.close();
    }
  }
  // Something that is not a run: ignored.
  mkdirSync(join(logdir, "other", "x", "seed-0"), { recursive: true });

  for (const prefer of ["events", "jsonl"] as const) {
    const runs = readRunTree(logdir, { prefer });
    assert.deepEqual(
      runs.map((r) => `${r.study}/${r.variant}/${r.seed}`),
      ["fmnist/baseline/0", "fmnist/baseline/1", "fmnist/baseline/2", "fmnist/dropout/0", "fmnist/dropout/1", "fmnist/dropout/2"],
    );
    for (const r of runs) {
      assert.equal(r.source, prefer);
      assert.equal(r.dir, runDir(logdir, r.study, r.variant, r.seed));
      assert.equal(r.status, "success");
      assert.deepEqual(r.hparams, { dropout: r.variant === "dropout" ? 0.2 : 0 });
      assert.deepEqual(Object.keys(r.scalars), ["train/loss", "val/acc"]);
      for (const tag of ["train/loss", "val/acc"] as const) {
        const series = r.scalars[tag]!;
        assert.deepEqual(series.map((p) => p.step), steps);
        for (const p of series) {
          const want = curve(r.variant, r.seed, p.step)[tag];
          assert.equal(p.value, prefer === "events" ? Math.fround(want) : want);
        }
      }
    }
  }
  // Pointing at the study or a variant directory works too.
  assert.equal(readRunTree(join(logdir, "fmnist")).length, 6);
  assert.equal(readRunTree(join(logdir, "fmnist", "dropout")).length, 3);
  assert.equal(readRunTree(join(logdir, "fmnist", "dropout", "seed-1"))[0]!.seed, 1);
  assert.deepEqual(readRunTree(join(logdir, "missing")), []);
});

test("readRunTree: a resumed run (re-logged steps in a second file) keeps the last value", () => {
  const logdir = tmp();
  const a = new RunLogger({ logdir, study: "s", variant: "v", seed: 0 });
  a.log(0, { x: 1 });
  a.log(1, { x: 2 });
  a.close();
  const b = new RunLogger({ logdir, study: "s", variant: "v", seed: 0 });
  b.log(1, { x: 20 });
  b.log(2, { x: 30 });
  b.close();
  for (const prefer of ["events", "jsonl"] as const) {
    const [run] = readRunTree(logdir, { prefer });
    assert.deepEqual(run!.scalars["x"]!.map((p) => [p.step, p.value]), [[0, 1], [1, 20], [2, 30]]);
  }
});

test("run logger: names are validated; flattenHParams", () => {
  assert.throws(() => new RunLogger({ logdir: tmp(), study: "../x", variant: "v", seed: 0 }), /study name/);
  assert.throws(() => new RunLogger({ logdir: tmp(), study: "s", variant: "v", seed: -1 }), /seed/);
  assert.deepEqual(flattenHParams({ a: { b: { c: 1 } }, d: null, e: 10n, f: [1, "x"] }), { "a.b.c": 1, e: "10", f: '[1,"x"]' });
});

test("run logger: buffered data is flushed at process.exit; flushed data survives SIGKILL", () => {
  const logdir = tmp();
  const src = new URL("../../src/log/index.ts", import.meta.url).href;
  const script = (exit: string) => `
    import { RunLogger } from ${JSON.stringify(src)};
    const log = new RunLogger({ logdir: ${JSON.stringify(logdir)}, study: "s", variant: "v", seed: ${exit === "exit" ? 0 : 1}, flushEvery: 1000, flushSecs: 3600 });
    for (let i = 0; i < 10; i++) log.log(i, { x: i });
    ${exit === "exit" ? "process.exit(0);" : "log.flush(); log.log(10, { x: 10 }); process.kill(process.pid, 'SIGKILL');"}
  `;
  for (const mode of ["exit", "kill"]) {
    const res = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script(mode)], { encoding: "utf8" });
    assert.equal(res.stderr.trim(), "", res.stderr);
  }
  const runs = readRunTree(logdir);
  assert.equal(runs.length, 2);
  for (const prefer of ["events", "jsonl"] as const) {
    const [exited, killed] = readRunTree(logdir, { prefer });
    assert.deepEqual(exited!.scalars["x"]!.map((p) => p.value), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(exited!.status, undefined, "no end status without close()");
    assert.deepEqual(killed!.scalars["x"]!.map((p) => p.value), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  }
});

test("run logger: marks its run folder with the process writing it (a reader tells a stopped run from a running one)", () => {
  const logdir = tmp();
  const log = new RunLogger({ logdir, study: "s", variant: "v", seed: 1 });
  assert.equal(writerOf(log.dir), `log:${hostname()}:${process.pid}`);
  log.close();
  assert.equal(writerOf(join(logdir, "s", "v", "seed-2")), undefined);
});
