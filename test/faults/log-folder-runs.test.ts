/**
 * Two different runs of one seed in one study (run again with --allow-changed
 * in the other split mode): each keeps its own log folder. Before, the second
 * run appended to the first's `<variant>/seed-<n>/metrics.jsonl`, so the two
 * runs' lines interleaved (two hparams lines, two ends, curves of both).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runStudy } from "../../src/study/run-study.ts";
import { importStudy } from "../../src/study/study-file.ts";
import { loadStudyDir } from "../../src/report/sources/log-dir.ts";
import { readRunTree } from "../../src/log/event-reader.ts";
import { readMetricsJsonl } from "../../src/log/metrics-jsonl.ts";
import { RUN_MARK } from "../../src/log/run-folder.ts";
import { studyProject, TWIN_BIN } from "../study/fixtures/synthetic-study.ts";

const kinds = (file: string) => readFileSync(file, "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { kind: string }).kind);

test("a different run of the same seed (--allow-changed, the other split) gets its own log folder; the earlier one is kept whole beside it and the report's verdict reads the run trained last", async () => {
  const project = studyProject({ name: "two-runs", steps: 8, evalEvery: 4 });
  try {
    const spec = await importStudy(project.file);
    const logdir = join(project.dir, "runs");
    const base = { cwd: project.dir, studyFile: project.file, record: true, plan: 2, jobs: 1, logdir } as const;
    const shared = await runStudy(spec, { ...base, split: "shared", onWarning: () => {} });
    const warnings: string[] = [];
    const perSeed = await runStudy(spec, { ...base, allowChanged: true, onWarning: (w) => warnings.push(w) });
    const study = join(logdir, "two-runs");
    const earlierId = shared.runIds![1]!, laterId = perSeed.runIds![1]!;
    assert.notEqual(earlierId, laterId, "seed 1 is a different run in the other split mode");
    assert.equal(shared.runIds![0], perSeed.runIds![0], "seed 0 is the same run either way");
    assert.ok(warnings.some((w) => w.includes(`held the logs of another run (${earlierId})`) && w.includes(`seed-1.${earlierId}`)), warnings.join("\n"));
    for (const variant of ["sgd", "adam"]) {
      const now = join(study, variant, "seed-1"), aside = join(study, variant, `seed-1.${earlierId}`);
      // One run per folder: one hparams line and one end each (the interleaved file had two of each).
      for (const dir of [now, aside]) {
        const k = kinds(join(dir, "metrics.jsonl"));
        assert.equal(k.filter((x) => x === "hparams").length, 1, `${dir}: ${k.join(",")}`);
        assert.equal(k.filter((x) => x === "end").length, 1, dir);
      }
      assert.equal(readFileSync(join(now, RUN_MARK), "utf8").trim(), laterId);
      assert.equal(readFileSync(join(aside, RUN_MARK), "utf8").trim(), earlierId);
      assert.equal(readFileSync(join(study, variant, "seed-0", RUN_MARK), "utf8").trim(), perSeed.runIds![0], "seed 0 (the same run) was not moved");
      // The folders hold each run's own final validation loss.
      const lastLoss = (dir: string) => readMetricsJsonl(join(dir, "metrics.jsonl")).scalars.filter((s) => s.tag === "val/loss").at(-1)!.value;
      assert.equal(lastLoss(now), perSeed.runs[1]!.result.variants[variant]!.final!.loss);
      assert.equal(lastLoss(aside), shared.runs[1]!.result.variants[variant]!.final!.loss);
      assert.notEqual(lastLoss(now), lastLoss(aside));
    }
    assert.ok(existsSync(join(study, "_checks", `seed-1.${earlierId}.jsonl`)), "the earlier run's checks file is kept too");
    const checkSteps = readFileSync(join(study, "_checks", "seed-1.jsonl"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { step: number }).step);
    assert.deepEqual(checkSteps, [1, 2, 3, 4, 5, 6, 7, 8], "the checks file holds one run's steps");

    // The report's source reads seed-1/ (the run trained last) and says where the earlier run is.
    const data = loadStudyDir(study);
    assert.deepEqual(data.runs.map((r) => `${r.variant}/${r.seed}`).sort(), ["adam/0", "adam/1", "sgd/0", "sgd/1"]);
    for (const r of data.runs.filter((x) => x.seed === "1")) {
      assert.equal(r.scalars["val/loss"]!.values.at(-1), perSeed.runs[1]!.result.variants[r.variant]!.final!.loss);
      assert.ok(r.notes?.some((n) => n.includes(`an earlier, different run of this seed (${earlierId})`) && n.includes("not in the verdict")), JSON.stringify(r.notes));
    }
    assert.equal(readRunTree(study).length, 4, "twin stats on the folder reads the four current runs");

    // Running the same command again trains nothing and moves nothing.
    await runStudy(spec, { ...base, allowChanged: true, onWarning: () => {} });
    assert.deepEqual(readdirSync(join(study, "sgd")).sort(), ["seed-0", "seed-1", `seed-1.${earlierId}`]);
  } finally {
    project.cleanup();
  }
});

test("a sweep variant swept again with another command (--allow-changed): the earlier runs' folders are moved aside whole, not deleted", () => {
  const dir = mkdtempSync(join(tmpdir(), "twin-sweep-folders-"));
  try {
    const sweep = (...argv: string[]) => {
      const r = spawnSync(process.execPath, [TWIN_BIN, "sweep", "--name", "s", "--variant", "v", "--seeds", "2", "--jobs", "1", ...argv], { cwd: dir, encoding: "utf8", timeout: 120_000 });
      assert.equal(r.status, 0, r.stderr);
      return r.stderr;
    };
    const say = (word: string) => ["--", process.execPath, "-e", `console.log(JSON.stringify({step: 1, acc: 0.5 + Number(process.env.TWIN_SEED) / 10})); console.log("${word}")`];
    sweep(...say("first"));
    const warnings = sweep("--allow-changed", ...say("second"));
    const root = join(dir, ".twin", "sweeps", "s", "v");
    for (const seed of [0, 1]) {
      const now = join(root, `seed-${seed}`);
      const earlierId = readdirSync(root).find((n) => n.startsWith(`seed-${seed}.`))!.slice(`seed-${seed}.`.length);
      assert.ok(earlierId, readdirSync(root).join(","));
      const aside = join(root, `seed-${seed}.${earlierId}`);
      assert.match(readFileSync(join(aside, "stdout.log"), "utf8"), /first/);
      assert.match(readFileSync(join(now, "stdout.log"), "utf8"), /second/);
      assert.doesNotMatch(readFileSync(join(now, "stdout.log"), "utf8"), /first/);
      assert.equal(readFileSync(join(aside, RUN_MARK), "utf8").trim(), earlierId);
      assert.notEqual(readFileSync(join(now, RUN_MARK), "utf8").trim(), earlierId);
      assert.ok(warnings.includes(`held the files of run ${earlierId}`), warnings);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
