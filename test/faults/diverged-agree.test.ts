/**
 * A run that diverged before any logged metric went NaN: twin logs the change
 * ("diverged at step 11: loss NaN") and ends the run as a failure. `twin
 * compare` counted such runs as diverged; `twin stats` on the log folder and
 * the report counted them as failed (a diverged run is the black swan of the
 * seed papers, not a crash). All three now agree, and a run that failed says why.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RunLogger } from "../../src/log/run-logger.ts";
import { readResults } from "../../src/study/results-file.ts";
import { analyzeResults } from "../../src/study/analyze.ts";
import { loadStudyDir } from "../../src/report/sources/log-dir.ts";
import { buildReportModel } from "../../src/report/model/build.ts";

test("a run that diverged with no NaN logged is diverged in twin stats and in the report, as in twin compare; a failed run keeps its error", () => {
  const logdir = mkdtempSync(join(tmpdir(), "twin-diverged-"));
  try {
    for (const variant of ["a", "b"]) {
      for (const seed of [0, 1, 2, 3]) {
        const log = new RunLogger({ logdir, study: "d", variant, seed });
        log.hparams({ variant, seed }, ["val/accuracy"]);
        log.log(10, { "val/accuracy": 0.8 + seed / 100 + (variant === "b" ? 0.01 : 0) });
        if (variant === "b" && seed === 1) {
          log.logText("status", "diverged at step 11: loss NaN", 11);
          log.close("failure");
        } else if (variant === "b" && seed === 2) {
          log.logText("status", "failed at step 12: CUDA out of memory", 12);
          log.close("failure");
        } else {
          log.log(20, { "val/accuracy": 0.85 + seed / 100 + (variant === "b" ? 0.01 : 0) });
          log.close("success");
        }
      }
    }
    const study = join(logdir, "d");
    const stats = analyzeResults(readResults(study), { metric: "val/accuracy" });
    const b = stats.variants.find((v) => v.name === "b")!;
    assert.deepEqual([b.n, b.diverged, b.failed], [2, 1, 1]);
    assert.deepEqual(b.errors.map((e) => e.error).sort(), ["diverged at step 11: loss NaN", "failed at step 12: CUDA out of memory"]);
    const report = buildReportModel(loadStudyDir(study), { metric: "val/accuracy" });
    const rb = report.analysis!.variants.find((v) => v.name === "b")!;
    assert.deepEqual([rb.n, rb.diverged, rb.failed], [2, 1, 1]);
    assert.deepEqual(report.analysis!.comparisons[0]!.excluded.map((e) => `${e.seed}:${e.outcome}`), stats.comparisons[0]!.excluded.map((e) => `${e.seed}:${e.outcome}`));
    assert.equal(report.analysis!.comparisons[0]!.diff, stats.comparisons[0]!.diff);
  } finally {
    rmSync(logdir, { recursive: true, force: true });
  }
});

test("a twin log folder whose reference is not first by name: stats and the report take the reference twin trained against (the variant without paired series), as twin compare does", () => {
  const logdir = mkdtempSync(join(tmpdir(), "twin-reference-"));
  try {
    for (const seed of [0, 1, 2]) {
      const ref = 0.8 + seed / 100, other = ref + 0.01 + seed / 1000;
      const z = new RunLogger({ logdir, study: "r", variant: "zz-base", seed });
      z.log(10, { "val/accuracy": ref });
      z.close("success");
      const a = new RunLogger({ logdir, study: "r", variant: "aa-new", seed });
      a.log(10, { "val/accuracy": other, "paired/val/accuracy": other - ref });
      a.close("success");
    }
    const study = join(logdir, "r");
    const stats = analyzeResults(readResults(study), { metric: "val/accuracy" });
    assert.deepEqual([stats.comparisons[0]!.a, stats.comparisons[0]!.b], ["zz-base", "aa-new"]);
    assert.ok(stats.comparisons[0]!.diff > 0);
    const report = buildReportModel(loadStudyDir(study), { metric: "val/accuracy" });
    assert.deepEqual([report.analysis!.comparisons[0]!.a, report.analysis!.comparisons[0]!.b], ["zz-base", "aa-new"]);
    assert.equal(report.analysis!.comparisons[0]!.diff, stats.comparisons[0]!.diff);
  } finally {
    rmSync(logdir, { recursive: true, force: true });
  }
});
