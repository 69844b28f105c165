/**
 * A log folder written before each plan's runs got labels of their own
 * (study/run-labels.ts): `twin compare` wrote root 3 to `seed-3/`, then a
 * one-factor run (root 0, init seed 1) labelled 3 moved it aside. The report's
 * source and twin stats must not drop it silently: the run in `seed-3/` says a
 * run of other seeds was set aside, where, and how to read it; twin stats
 * names the folders set aside; renamed as they say, the run is read.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claimSeedFolders } from "../../src/log/run-folder.ts";
import { RunLogger, studyDir } from "../../src/log/run-logger.ts";
import { FACTORS } from "../../src/rng/factors.ts";
import { loadStudyDir } from "../../src/report/sources/log-dir.ts";
import { readResults } from "../../src/study/results-file.ts";

const VARIANTS = ["sgd", "adam"];

/** One twin run's folders as the executor and the run recorder write them: claimed, then one logger per variant. */
function writeRun(logdir: string, label: number, runId: string, seeds: Record<string, number>, loss: number): void {
  claimSeedFolders(studyDir(logdir, "s"), `seed-${label}`, VARIANTS, runId);
  for (const variant of VARIANTS) {
    const log = new RunLogger({ logdir, study: "s", variant, seed: label, events: false });
    log.hparams({ study: "s", variant, seed: String(label), seeds }, ["val/loss"], { updateExperiment: false });
    log.log(10, { "val/loss": loss + (variant === "adam" ? 0.01 : 0) });
    log.close();
  }
}

test("a run of other seeds set aside by a label it shared is reported with how to read it, and read once renamed", () => {
  const logdir = mkdtempSync(join(tmpdir(), "twin-aside-"));
  try {
    const seedsOf = (root: number, over: Record<string, number> = {}) => Object.fromEntries(FACTORS.map((f) => [f, over[f] ?? root]));
    writeRun(logdir, 3, "compare-s3", seedsOf(3), 0.5);
    writeRun(logdir, 3, "vary-init1", seedsOf(0, { init: 1 }), 0.7);
    const dir = join(logdir, "s");
    const before = loadStudyDir(dir);
    assert.equal(before.runs.length, 2);
    for (const r of before.runs) {
      const note = r.notes?.find((n) => n.startsWith("a run of other seeds"));
      assert.ok(note, JSON.stringify(r.notes));
      assert.match(note, /compare-s3: augment=3 \(this run: 0\), dropout=3 \(this run: 0\), eval=3 \(this run: 0\), init=3 \(this run: 1\), order=3 \(this run: 0\)/);
      assert.ok(note.includes(join(dir, r.variant, "seed-3.compare-s3")) && note.includes("_checks/seed-3.compare-s3.jsonl") && /not read here/.test(note), note);
      assert.ok(!/earlier, different run of this seed/.test(note));
    }
    // twin stats (which reads seed-<n>/ only) says so too.
    const stats = readResults(dir).notes ?? [];
    const line = stats.find((n) => n.startsWith("2 run folders set aside and not read:"));
    assert.ok(line && VARIANTS.every((v) => line.includes(join(dir, v, "seed-3.compare-s3"))) && line.includes(`twin report ${dir}`), stats.join("\n"));
    // Renamed as the note says, the run is read as a seed of its own.
    for (const v of VARIANTS) renameSync(join(dir, v, "seed-3.compare-s3"), join(dir, v, "seed-5"));
    const after = loadStudyDir(dir);
    assert.deepEqual(after.runs.map((r) => `${r.variant}/${r.seed}/${r.factorSeeds!.init}`).sort(), ["adam/3/1", "adam/5/3", "sgd/3/1", "sgd/5/3"]);
    assert.ok(after.runs.every((r) => !r.notes?.length), "nothing set aside any more");
    const table = readResults(dir);
    assert.deepEqual(table.notes ?? [], []);
    // The compare run is the verdict's seed; the one-factor run is read too, and set aside from the verdict as not an independent seed (not-independent.ts).
    assert.deepEqual(table.rows.map((r) => `${r.variant}/${r.seed}`).sort(), ["adam/5", "sgd/5"]);
    assert.deepEqual(table.setAside?.seeds, ["3"]);
  } finally {
    rmSync(logdir, { recursive: true, force: true });
  }
});
