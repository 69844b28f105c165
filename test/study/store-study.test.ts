/**
 * Studies in the store: what `twin compare`/`twin seeds` record, `twin runs`,
 * `twin verify` (bit-identical, and planted changes found with their step and
 * stream), `twin diff`, the fingerprint guard, and bad input.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { openStore } from "../../src/store/index.ts";
import { rewriteStudy, studyProject } from "./fixtures/synthetic-study.ts";
import { dumpStore, storePath, twin } from "./fixtures/store-dump.ts";

const STUDY = { name: "stored", steps: 48, evalEvery: 16 };
const COMPARE = ["compare", "study.mts", "--seeds", "2", "--jobs", "1", "--json", "--logdir", "runs"];

let project: ReturnType<typeof studyProject>;
let runIds: string[] = [];

function runsJson(args: string[] = []): { id: string; status: string; rootSeed: string; seeds: Record<string, string>; config: Record<string, unknown> }[] {
  const r = twin(project.dir, ["runs", "--json", ...args]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

before(() => {
  project = studyProject(STUDY);
  const r = twin(project.dir, COMPARE);
  assert.equal(r.status, 0, r.stderr);
  runIds = runsJson().map((x) => x.id);
});

after(() => project.cleanup());

describe("a study in the store", () => {
  it("records the study, its variants, one run per seed with every factor's seed, metrics, sums, checksums, weights and fingerprint", async () => {
    const store = await openStore(undefined, { cwd: project.dir });
    try {
      const study = await store.getStudy("stored");
      assert.ok(study && study.fingerprintHash && /^[0-9a-f]{64}$/.test(study.specHash));
      assert.deepEqual((study.spec as { studyFile: string }).studyFile, "study.mts");
      assert.deepEqual((await store.listVariants("stored")).map((v) => v.name), ["sgd", "adam"]);
      const runs = await store.listRuns({ study: "stored" });
      assert.equal(runs.length, 2);
      for (const run of runs) {
        assert.equal(run.status, "finished");
        assert.deepEqual(run.variants, ["sgd", "adam"]);
        assert.deepEqual(Object.keys(run.seeds).sort(), ["augment", "dropout", "eval", "init", "order", "split"]);
        assert.ok(run.startedAt! <= run.finishedAt!);
        const metrics = await store.metrics({ runId: run.id });
        const names = new Set(metrics.map((m) => m.name));
        for (const n of ["train/loss", "val/accuracy", "val/loss", "final/accuracy", "final/loss", "status"]) assert.ok(names.has(n), `metric ${n}`);
        assert.equal(metrics.filter((m) => m.name === "train/loss" && m.variant === "sgd").length, 48, "the whole train-loss curve");
        assert.equal((await store.batchChecksums(run.id)).length, 48);
        const sums = await store.controlSums(run.id);
        assert.ok(sums.some((s) => s.stream === "augment" && s.step === 1));
        assert.ok(sums.some((s) => s.stream === "dropout@adam"));
        const artifacts = await store.artifacts(run.id);
        assert.deepEqual(artifacts.filter((a) => a.kind === "weights").map((a) => a.path).sort(), ["adam/final", "sgd/final"]);
        const preds = await store.predictions(run.id);
        assert.deepEqual(preds.map((p) => `${p.variant}/${p.split}`), ["adam/validation", "sgd/validation"], "each variant's validation predictions");
        for (const p of preds) {
          assert.ok(p.examples > 0 && p.probabilities.length === p.examples * p.classes);
          let correct = 0;
          for (let e = 0; e < p.examples; e++) {
            const row = p.probabilities.subarray(e * p.classes, (e + 1) * p.classes);
            const sum = row.reduce((a, v) => a + v, 0);
            assert.ok(Math.abs(sum - 1) < 0.01, `row ${e} sums to ${sum}`);
            if (row.indexOf(Math.max(...row)) === p.labels[e]) correct++;
          }
          const final = metrics.find((m) => m.name === "final/accuracy" && m.variant === p.variant)!.value;
          assert.ok(Math.abs(correct / p.examples - final) <= 2 / p.examples, `${p.variant}: accuracy from stored predictions ${correct / p.examples} vs ${final}`);
        }
        const fp = (await store.getFingerprint(run.fingerprintHash!))!.fingerprint as Record<string, any>;
        assert.ok(fp.files["study.mts"], "the study file is hashed");
        assert.ok(fp.files["twin/src/twin/trainer.ts"], "twin's training code is hashed");
        assert.ok(fp.files["twin/src/torch/nn/index.ts"], "the sources the study imports are hashed");
        assert.ok(!Object.keys(fp.files).some((k) => k.startsWith("twin/src/cli/")), "not the CLI");
        assert.match(fp.versions.libtorch, /^\d+\.\d+/);
        assert.equal(fp.threads, 1);
        assert.match(fp.data.train, /^[0-9a-f]{64}$/);
        assert.match(fp.split, /^[0-9a-f]{64}$/);
        assert.ok("lockfile" in fp && "git" in fp && "cpu" in fp && "os" in fp);
      }
      const fps = await Promise.all(runs.map(async (r) => ((await store.getFingerprint(r.fingerprintHash!))!.fingerprint as { split: string }).split));
      assert.notEqual(fps[0], fps[1], "each run has its own split");
    } finally {
      await store.close();
    }
  });

  it("twin runs lists runs with status and seeds (text and JSON), filtered by study and status", () => {
    const all = runsJson(["--study", "stored"]);
    assert.deepEqual(all.map((r) => [r.status, r.rootSeed, r.seeds.init]), [["finished", "0", "0"], ["finished", "1", "1"]]);
    assert.deepEqual(runsJson(["--status", "queued"]), []);
    const text = twin(project.dir, ["runs", "--study", "stored"]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /stored-twin-s0-[0-9a-f]{8}\s+finished\s+all #0\s+0/);
    assert.match(text.stdout, /2 run\(s\): 2 finished/);
    const bad = twin(project.dir, ["runs", "--study", "nope"]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /no study 'nope'.*studies: stored/);
  });

  it("running the same command again trains nothing and changes nothing", () => {
    const before = dumpStore(storePath(project.dir));
    const r = twin(project.dir, COMPARE);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(dumpStore(storePath(project.dir)), before);
  });

  it("twin verify: bit-identical for a CPU run", () => {
    const r = twin(project.dir, ["verify", runIds[0]!]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /bit-identical \(48 steps: \d+ control sums, 48 batch checksums, \d+ metrics, 2 final weight hashes\)/);
  });

  it("twin verify finds a planted batch checksum (step 3) and a planted control sum (step 5, order stream) in the store", () => {
    const db = new Database(storePath(project.dir));
    const id = runIds[1]!;
    const saved = db.prepare("SELECT checksum FROM batch_checksums WHERE run_id = ? AND step = 3").get(id) as { checksum: string };
    db.prepare("UPDATE batch_checksums SET checksum = 'planted' WHERE run_id = ? AND step = 3").run(id);
    try {
      const r = twin(project.dir, ["verify", id, "--json"]);
      // 4: does not reproduce (2 is a wrong command line: test/cli/bad-input.test.ts).
      assert.equal(r.status, 4, r.stderr);
      assert.match(r.stderr, /does not reproduce bit for bit \(exit status 4; "first" in the JSON says where\)/);
      const report = JSON.parse(r.stdout);
      assert.equal(report.identical, false);
      assert.deepEqual([report.first.kind, report.first.step, report.first.stored], ["batch", 3, "planted"]);
      assert.equal(report.counts.batch, 1);
      assert.equal(report.counts["control-sum"], 0);
    } finally {
      db.prepare("UPDATE batch_checksums SET checksum = ? WHERE run_id = ? AND step = 3").run(saved.checksum, id);
    }
    const sum = db.prepare("SELECT state_hash FROM control_sums WHERE run_id = ? AND step = 5 AND stream = 'order'").get(id) as { state_hash: string };
    db.prepare("UPDATE control_sums SET state_hash = 'planted' WHERE run_id = ? AND step = 5 AND stream = 'order'").run(id);
    try {
      const r = twin(project.dir, ["verify", id]);
      assert.equal(r.status, 4, r.stderr);
      assert.match(r.stdout, /first divergence: step 5, stream order: control sum differs/);
    } finally {
      db.prepare("UPDATE control_sums SET state_hash = ? WHERE run_id = ? AND step = 5 AND stream = 'order'").run(sum.state_hash, id);
      db.close();
    }
  });

  it("twin diff: two seeds of the study differ in seeds and split only", () => {
    const r = twin(project.dir, ["diff", runIds[0]!, runIds[1]!, "--json"]);
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.deepEqual(d.config.map((x: { key: string }) => x.key), ["label"]);
    assert.deepEqual(d.seeds.map((x: { key: string }) => x.key), ["augment", "dropout", "eval", "init", "order", "root", "split"]);
    assert.deepEqual(d.code, []);
    assert.deepEqual(d.environment, []);
    assert.deepEqual(d.data.map((x: { key: string }) => x.key), ["split"]);
    const text = twin(project.dir, ["diff", runIds[0]!, runIds[0]!]);
    assert.match(text.stdout, /the runs have the same config, seeds, code, data and environment/);
  });

  it("a changed study file: compare refuses (naming the file), nothing stored changes; --allow-changed continues; verify names the step and stream where the change shows", () => {
    const original = readFileSync(project.file, "utf8");
    const before = dumpStore(storePath(project.dir));
    rewriteStudy(project.file, { ...STUDY, extraDraw: true });
    try {
      const refused = twin(project.dir, COMPARE);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /study 'stored' began with another fingerprint/);
      assert.match(refused.stderr, /its code changed since its runs were made:\n  code · files\.study\.mts: "[0-9a-f]+\.\.\. → "[0-9a-f]+/);
      // What the flag would do, said before it is passed: a changed study file makes new runs; the old ones stay.
      assert.match(refused.stderr, /With --allow-changed, the changed study file makes 2 new run\(s\) under the same study name \(the file is part of a run's identity\) and trains them all; the 2 run\(s\) made with earlier versions stay in the store/);
      assert.deepEqual(dumpStore(storePath(project.dir)), before, "nothing stored was touched");

      // verify re-runs the stored run with the changed file: the augment stream draws more at step 1.
      const v = twin(project.dir, ["verify", runIds[0]!]);
      assert.equal(v.status, 4, v.stderr);
      assert.match(v.stdout, /first divergence: step 1, stream augment: control sum differs \(stored draws 1, state [0-9a-f]+…?; now draws 1, state [0-9a-f]+…?\)\n  also at that step: step 1: batch checksum differs/);
      assert.match(v.stdout, /note: the study file changed since the run/);
      assert.match(v.stdout, /files\.study\.mts/);

      const allowed = twin(project.dir, [...COMPARE, "--allow-changed"]);
      assert.equal(allowed.status, 0, allowed.stderr);
      assert.match(allowed.stderr, /continues with a changed fingerprint/);
      const runs = runsJson(["--study", "stored"]);
      assert.equal(runs.length, 4, "the changed study file makes new runs (another spec hash); the old ones are kept");
      const d = JSON.parse(twin(project.dir, ["diff", runIds[0]!, runs.find((x) => !runIds.includes(x.id) && x.rootSeed === "0")!.id, "--json"]).stdout);
      assert.ok(d.code.some((x: { key: string }) => x.key === "files.study.mts"));
      assert.ok(d.config.some((x: { key: string }) => x.key === "studyFileHash"));
      assert.deepEqual(d.seeds, []);
    } finally {
      rewriteStudy(project.file, STUDY);
      assert.equal(readFileSync(project.file, "utf8"), original);
    }
  });

  it("twin seeds records one-factor-at-a-time runs with their factor seeds", () => {
    const r = twin(project.dir, ["seeds", "study.mts", "--n", "2", "--vary", "init", "--steps", "16", "--jobs", "1", "--json", "--logdir", "runs"]);
    assert.equal(r.status, 0, r.stderr);
    const runs = runsJson(["--study", "stored"]).filter((x) => x.config.group === "init");
    // In init seed order: runs planned in the same millisecond are listed by id, whose hash moves with the code's fingerprint.
    assert.deepEqual(runs.map((x) => [x.rootSeed, x.seeds.init, x.seeds.order]).sort((a, b) => Number(a[1]) - Number(b[1])), [["0", "0", "0"], ["0", "1", "0"]]);
  });
});

describe("bad input", () => {
  it("an unknown run id", () => {
    for (const args of [["verify", "no-such-run"], ["diff", "no-such-run", "other"]]) {
      const r = twin(project.dir, args);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /unknown run 'no-such-run' in the store at .*twin\.db; list the stored runs with `twin runs`/);
    }
  });

  it("an unreachable store or queue", () => {
    const r = twin(project.dir, ["runs", "--store", "postgres://twin@127.0.0.1:1/twin"]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cannot open the store at postgres:\/\/twin@127\.0\.0\.1:1\/twin: .*ECONNREFUSED.*scripts\/services\.sh start postgres/);
    const q = twin(project.dir, ["worker", "--queue", "redis://127.0.0.1:1", "--store", "postgres://twin@127.0.0.1:1/twin"]);
    assert.equal(q.status, 1);
    assert.match(q.stderr, /cannot reach the queue at redis:\/\/127\.0\.0\.1:1: ECONNREFUSED.*scripts\/services\.sh start redis/);
    const c = twin(project.dir, [...COMPARE, "--queue", "redis://127.0.0.1:1"]);
    assert.equal(c.status, 2, "a wrong combination of options is a usage error");
    assert.match(c.stderr, /--queue needs a store every worker can reach/);
  });

  it("a study file that throws: a clear error, the store unharmed", () => {
    const before = dumpStore(storePath(project.dir));
    rewriteStudy(project.file, { ...STUDY, throws: true });
    try {
      const r = twin(project.dir, COMPARE);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /study file study\.mts failed to load: this study file is broken on purpose/);
      const v = twin(project.dir, ["verify", runIds[0]!]);
      assert.equal(v.status, 1);
      assert.match(v.stderr, /failed to load: this study file is broken on purpose/);
    } finally {
      rewriteStudy(project.file, STUDY);
    }
    assert.deepEqual(dumpStore(storePath(project.dir)), before);
  });
});
