/** Every study is reportable by name: a sweep (runs and curves in the store) through the same path as log folders. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { buildReport, locateStudy, LogDirSource, StoreSource } from "../../src/report/index.ts";
import { runSweep } from "../../src/study/sweep.ts";
import { openStore } from "../../src/store/index.ts";
import { ViewBuilder } from "../../src/serve/view-builder.ts";
import { WRITER_MARK } from "../../src/log/run-writer.ts";
import { writeFixture } from "./fixture.ts";
import { studyProject } from "../study/fixtures/synthetic-study.ts";
import { importStudy } from "../../src/study/study-file.ts";
import { runStudy } from "../../src/study/run-study.ts";

const dir = mkdtempSync(join(tmpdir(), "twin-store-report-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

/** A training script stand-in: 20 steps of a loss and an accuracy that depend on the seed and a --gain flag. */
const script = join(dir, "train.mjs");
writeFileSync(
  script,
  `const seed = Number(process.env.TWIN_SEED ?? 0), gain = Number(process.argv[2] ?? 0);
for (let step = 1; step <= 20; step++) {
  const acc = 0.5 + 0.02 * step + gain + 0.003 * Math.sin(seed * 7.1 + step);
  console.log(JSON.stringify({ step, train_loss: 1 / step + 0.01 * Math.cos(seed), val_accuracy: acc }));
}
`,
);

test("twin report <sweep>: a sweep's runs and curves come from the store; captions do not call them twin-trained", async () => {
  const cwd = join(dir, "project");
  const r = await runSweep({ cwd, name: "sw", seeds: 4, onWarning: () => {}, variants: [{ name: "base", command: [process.execPath, script, "0"] }, { name: "better", command: [process.execPath, script, "0.01"] }] });
  assert.ok(r.runs.every((x) => x.status === "finished"), JSON.stringify(r.runs.map((x) => x.error)));
  const source = new StoreSource(await openStore(undefined, { cwd }));
  try {
    const found = await locateStudy("sw", { logdir: join(cwd, "runs"), store: source });
    assert.equal(found.source, source);
    const study = (await found.source.openStudy(found.name))!;
    assert.equal(study.twinTrained, false);
    const report = await buildReport(study);
    const m = report.model;
    assert.equal(m.metric, "val_accuracy");
    assert.equal(m.twinTrained, false);
    assert.deepEqual(m.variants, ["base", "better"]);
    const curve = m.curves.find((c) => c.tag === "val_accuracy")!;
    assert.equal(curve.stats.filter((s) => s.variant === "base").length, 20, "every step of the curve, from the store");
    assert.ok(m.analysis!.comparisons[0]!.paired);
    assert.doesNotMatch(report.html, /twin-trained/);
    assert.match(report.html, /separate runs that share the seed/);
    assert.match(report.html, /separate runs, paired by seed/);
  } finally {
    await source.close();
  }
});

test("locateStudy: a folder, a name in the log folder, or an error that lists the studies there are", async () => {
  const logdir = join(dir, "logs");
  const studyDir = writeFixture(logdir, { study: "ab", seeds: 3, steps: 10 });
  assert.equal((await locateStudy(studyDir, { logdir: "nowhere" })).name, "ab");
  const byName = await locateStudy("ab", { logdir });
  assert.equal(byName.name, "ab");
  assert.equal((await byName.source.openStudy("ab"))!.twinTrained, undefined);
  await assert.rejects(locateStudy("abc", { logdir }), /abc: not found: no folder abc; no study abc in .*; no store here.*Studies: ab \(log folder/);
});

test("a twin study's report says twin-trained", async () => {
  const logdir = join(dir, "logs2");
  const studyDir = writeFixture(logdir, { study: "ab", seeds: 3, steps: 10 });
  const found = await locateStudy(studyDir, { logdir });
  const r = await buildReport((await found.source.openStudy(found.name))!);
  assert.equal(r.model.twinTrained, true);
  assert.match(r.html, /twin-trained, paired by seed/);
});

test("a twin study's report from the store draws metrics only: no chart of the record's status codes, no final/* twin of a val/* curve", async () => {
  const p = studyProject({ name: "stored-twin", steps: 6, evalEvery: 3 });
  try {
    await runStudy(await importStudy(p.file), { record: true, cwd: p.dir, studyFile: p.file, plan: 2, jobs: 1 });
    const store = await openStore(undefined, { cwd: p.dir, existing: true });
    try {
      const r = await buildReport((await new StoreSource(store).openStudy("stored-twin"))!);
      const tags = r.model.curves.map((c) => c.tag);
      assert.ok(tags.includes("val/accuracy") && tags.includes("train/loss"), tags.join(", "));
      assert.deepEqual(tags.filter((t) => t === "status" || t === "diverged_at" || t.startsWith("final/")), []);
    } finally {
      await store.close();
    }
  } finally {
    p.cleanup();
  }
});

test("a stopped run: the report header counts finished seeds apart; the sidebar says stopped when its writer is gone (store and log folder)", async () => {
  // A log folder: three runs without their end line (stopped by Ctrl-C or a crash, or still running). The
  // writer mark (.twin-writer) says which: a gone process (stopped), this live one (running), none (no end record).
  const logdir = join(dir, "stopped-logs");
  const studyDir = writeFixture(logdir, { study: "cut", seeds: 3, steps: 10, variants: ["a", "b"] });
  const cut = (run: string, writer: string | null) => {
    const metrics = join(studyDir, run, "metrics.jsonl");
    writeFileSync(metrics, readFileSync(metrics, "utf8").replace(/^\{"kind":"end".*\n/m, ""));
    if (writer === null) rmSync(join(studyDir, run, WRITER_MARK));
    else writeFileSync(join(studyDir, run, WRITER_MARK), writer);
  };
  const dead = spawnSync(process.execPath, ["-e", ""]).pid;
  cut("b/seed-2", `log:${hostname()}:${dead}`);
  cut("a/seed-1", `log:${hostname()}:${process.pid}`);
  cut("a/seed-2", null);
  const logs = new LogDirSource(logdir);
  try {
    const [listing] = await logs.listStudies();
    assert.deepEqual(listing!.status, { success: 3, running: 1, "no end record": 1, stopped: 1 });
    const report = await buildReport((await logs.openStudy("cut"))!);
    assert.match(report.html, /<header><h1>cut<\/h1><p class="muted">2 variants · 1 seed finished, 2 unfinished · 6 runs/);
    // The dashboard's view header says the same.
    const views = new ViewBuilder(logs);
    assert.equal((await views.view("cut", {}))!.seedsText, "1 seed finished, 2 unfinished");
    await views.close();
  } finally {
    await logs.close();
  }
  // The store: a running run whose worker process is gone is stopped, as `twin runs` says.
  const cwd = join(dir, "stopped-project");
  await runSweep({ cwd, name: "cut", seeds: 2, onWarning: () => {}, variants: [{ name: "base", command: [process.execPath, script, "0"] }, { name: "better", command: [process.execPath, script, "0.01"] }] });
  const store = await openStore(undefined, { cwd });
  const [run] = await store.listRuns({ study: "cut" });
  assert.equal(await store.reopenRun(run!.id, `local:${hostname()}:${dead}`), true);
  const source = new StoreSource(store);
  try {
    const [listing] = await source.listStudies();
    assert.deepEqual(listing!.status, { finished: 3, stopped: 1 });
    const report = await buildReport((await source.openStudy("cut"))!);
    assert.match(report.html, /2 variants · 1 seed finished, 1 unfinished · 4 runs/);
  } finally {
    await source.close();
  }
});
