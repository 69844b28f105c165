/**
 * The store test suite, run unchanged against SQLite (sqlite.test.ts) and a
 * real PostgreSQL server (postgres.test.ts).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { openStore, runToJson, StoreError, UnknownRunError, type MetricInput, type RunInput, type Store } from "../../src/store/index.ts";
import type { SqlStore } from "../../src/store/sql-store.ts";

export interface Backend {
  /** A new, empty store location: url (undefined = the default SQLite file) and project folder. */
  fresh(): Promise<{ url: string | undefined; cwd: string }>;
}

/** A deterministic pseudo-random double generator (xorshift), covering many magnitudes. */
function doubles(seed: number): () => number {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
  return () => (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20) + next() * 1e-3;
}

const BIG_SEED = (1n << 64n) - 1n;

function runInput(study: string, variants: string | string[], root: number | bigint, extra: Partial<RunInput> = {}): RunInput {
  return {
    study,
    variants,
    specHash: "spec-1",
    rootSeed: root,
    seeds: { init: root, order: root, augment: root, dropout: root, split: root, eval: root },
    config: { lr: 0.1, layers: [64, 32], variant: variants },
    ...extra,
  };
}

export function storeSuite(backend: Backend): void {
  const open = async (loc: { url: string | undefined; cwd: string }, now?: () => number): Promise<Store> =>
    openStore(loc.url, { cwd: loc.cwd, now });

  async function withStudy(store: Store, name = "mnist"): Promise<void> {
    await store.putStudy({ name, specHash: "spec-1", spec: { variants: ["A", "B"], seeds: 3 } });
  }

  it("stores runs and lists them with status and seeds", async () => {
    const loc = await backend.fresh();
    const store = await open(loc);
    try {
      const fp = await store.putFingerprint({ git: { commit: "abc" }, node: "v20" });
      const { created } = await store.putStudy({ name: "mnist", specHash: "spec-1", fingerprintHash: fp, spec: { seeds: 3 } });
      assert.equal(created, true);
      await store.putVariants("mnist", [{ name: "A", config: { dropout: 0 } }, { name: "B", config: { dropout: 0.5 } }]);
      assert.deepEqual(
        (await store.listVariants("mnist")).map((v) => [v.name, v.position, v.config]),
        [["A", 0, { dropout: 0 }], ["B", 1, { dropout: 0.5 }]],
      );

      const a1 = await store.submitRun(runInput("mnist", "A", 1, { fingerprintHash: fp }));
      const b1 = await store.submitRun(runInput("mnist", "B", 1));
      const twin = await store.submitRun({
        ...runInput("mnist", ["A", "B"], BIG_SEED),
        seeds: { init: 7, order: BIG_SEED, augment: "18446744073709551614", dropout: 3n, split: 0, eval: 1, noise: 42 },
      });
      assert.match(a1.run.id, /^mnist-A-s1-[0-9a-f]{8}$/);
      assert.match(twin.run.id, new RegExp(`^mnist-twin-s${BIG_SEED}-[0-9a-f]{8}$`));
      assert.notEqual(a1.run.id, b1.run.id);

      const got = await store.getRun(twin.run.id);
      assert.equal(got.status, "queued");
      assert.equal(got.attempts, 0);
      assert.deepEqual(got.variants, ["A", "B"]);
      assert.equal(got.rootSeed, BIG_SEED);
      assert.deepEqual(got.seeds, { augment: BIG_SEED - 1n, dropout: 3n, eval: 1n, init: 7n, noise: 42n, order: BIG_SEED, split: 0n });
      assert.deepEqual(got.config, { lr: 0.1, layers: [64, 32], variant: ["A", "B"] });
      assert.equal((await store.getRun(a1.run.id)).fingerprintHash, fp);
      const json = JSON.parse(JSON.stringify(runToJson(got)));
      assert.equal(json.rootSeed, BIG_SEED.toString());
      assert.equal(json.seeds.augment, (BIG_SEED - 1n).toString());
      assert.equal(json.status, "queued");

      assert.equal(await store.claimRun(a1.run.id, "w1"), true);
      await store.finishRun(a1.run.id, { worker: "w1" });
      assert.equal(await store.claimRun(b1.run.id, "w1"), true);

      const all = await store.listRuns();
      assert.deepEqual(all.map((r) => r.id), [a1.run.id, b1.run.id, twin.run.id]);
      assert.deepEqual(all.map((r) => r.status), ["finished", "running", "queued"]);
      assert.deepEqual((await store.listRuns({ status: "running" })).map((r) => r.id), [b1.run.id]);
      assert.deepEqual((await store.listRuns({ study: "mnist", status: ["queued", "finished"] })).map((r) => r.id), [a1.run.id, twin.run.id]);
      assert.deepEqual(await store.listRuns({ study: "other" }), []);
      const finished = await store.getRun(a1.run.id);
      assert.equal(finished.worker, "w1");
      assert.ok(finished.startedAt !== null && finished.finishedAt !== null && finished.finishedAt >= finished.startedAt);

      const studies = await store.listStudies();
      assert.equal(studies.length, 1);
      assert.equal(studies[0]!.name, "mnist");
      assert.equal(studies[0]!.fingerprintHash, fp);
      assert.deepEqual(studies[0]!.runs, { queued: 1, running: 1, finished: 1, failed: 0, diverged: 0 });
      assert.deepEqual(studies[0]!.spec, { seeds: 3 });
    } finally {
      await store.close();
    }
  });

  it("detects the same run submitted twice", async () => {
    const loc = await backend.fresh();
    const store = await open(loc);
    try {
      await withStudy(store);
      const first = await store.submitRun(runInput("mnist", "A", 5));
      const again = await store.submitRun(runInput("mnist", "A", 5));
      assert.equal(first.created, true);
      assert.equal(again.created, false);
      assert.equal(again.run.id, first.run.id);
      // Same seeds written in another order / as other types: still the same run.
      const reordered = await store.submitRun({
        ...runInput("mnist", "A", 5n),
        seeds: { eval: "5", split: 5, dropout: 5n, augment: 5, order: 5, init: 5 },
      });
      assert.equal(reordered.created, false);
      assert.equal(reordered.run.id, first.run.id);
      // Another variant, another factor seed or another spec is another run.
      assert.equal((await store.submitRun(runInput("mnist", "B", 5))).created, true);
      assert.equal((await store.submitRun({ ...runInput("mnist", "A", 5), seeds: { ...runInput("mnist", "A", 5).seeds, order: 6 } })).created, true);
      assert.equal((await store.submitRun(runInput("mnist", "A", 5, { specHash: "spec-2" }))).created, true);
      assert.equal((await store.listRuns()).length, 4);
      // A finished run submitted again stays finished (never redone).
      assert.equal(await store.claimRun(first.run.id, "w"), true);
      await store.finishRun(first.run.id);
      const resubmitted = await store.submitRun(runInput("mnist", "A", 5));
      assert.equal(resubmitted.created, false);
      assert.equal(resubmitted.run.status, "finished");
      // Concurrent duplicate submissions: one is created.
      const results = await Promise.all(Array.from({ length: 5 }, () => store.submitRun(runInput("mnist", "A", 99))));
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(new Set(results.map((r) => r.run.id)).size, 1);
      await assert.rejects(store.submitRun(runInput("nope", "A", 1)), /unknown study 'nope'/);
      await assert.rejects(store.submitRun(runInput("mnist", "A", -1)), /root seed must be a non-negative integer/);
    } finally {
      await store.close();
    }
  });

  it("claimRun: of two concurrent claims on two connections exactly one wins", async () => {
    const loc = await backend.fresh();
    const s1 = await open(loc);
    const s2 = await open(loc);
    try {
      await withStudy(s1);
      const ids: string[] = [];
      for (let seed = 0; seed < 20; seed++) ids.push((await s1.submitRun(runInput("mnist", "A", seed))).run.id);
      for (const id of ids) {
        const [a, b] = await Promise.all([s1.claimRun(id, "w1"), s2.claimRun(id, "w2")]);
        assert.equal(Number(a) + Number(b), 1, `run ${id}: claims ${a} ${b}`);
        const run = await s1.getRun(id);
        assert.equal(run.status, "running");
        assert.equal(run.attempts, 1);
        assert.equal(run.worker, a ? "w1" : "w2");
        assert.equal(await s2.claimRun(id, "w3"), false);
      }
      // claimNext from both connections at once: every queued run goes to exactly one worker.
      for (let seed = 100; seed < 130; seed++) await s1.submitRun(runInput("mnist", "B", seed));
      const claimed: string[] = [];
      const worker = async (s: Store, name: string) => {
        for (;;) {
          const run = await s.claimNext(name, "mnist");
          if (!run) {
            if ((await s.listRuns({ status: "queued" })).length === 0) return;
            continue;
          }
          assert.equal(run.worker, name);
          assert.equal(run.status, "running");
          claimed.push(run.id);
        }
      };
      await Promise.all([worker(s1, "w1"), worker(s2, "w2"), worker(s1, "w3"), worker(s2, "w4")]);
      assert.equal(claimed.length, 30);
      assert.equal(new Set(claimed).size, 30);
      assert.equal(await s1.claimNext("w1"), undefined);
    } finally {
      await s1.close();
      await s2.close();
    }
  });

  it("finishes, fails, heartbeats and requeues stale runs", async () => {
    const loc = await backend.fresh();
    let clock = 1_000_000;
    const store = await open(loc, () => clock);
    try {
      await withStudy(store);
      const [r1, r2, r3, r4] = await Promise.all([1, 2, 3, 4].map((s) => store.submitRun(runInput("mnist", "A", s)).then((r) => r.run.id)));
      for (const id of [r1!, r2!, r3!, r4!]) assert.equal(await store.claimRun(id, "w1"), true);

      clock += 1000;
      assert.equal(await store.heartbeat(r1!, "w1"), true);
      assert.equal(await store.heartbeat(r1!, "w2"), false);
      await store.finishRun(r1!, { worker: "w1" });
      await assert.rejects(store.finishRun(r1!), /cannot mark run '.*' finished: it is finished, not running/);
      assert.equal(await store.heartbeat(r1!), false);
      await assert.rejects(store.finishRun(r2!, { worker: "w9" }), /it is running by worker 'w1', not 'w9'/);
      await store.failRun(r2!, "RuntimeError: CUDA out of memory\n  at step 12", { worker: "w1" });
      await store.failRun(r3!, "loss is NaN at step 40", { diverged: true });
      const failed = await store.getRun(r2!);
      assert.equal(failed.status, "failed");
      assert.equal(failed.error, "RuntimeError: CUDA out of memory\n  at step 12");
      assert.equal((await store.getRun(r3!)).status, "diverged");
      await assert.rejects(store.failRun(r1!, "late"), /it is finished/);

      // r4's worker went silent: its heartbeat is 1000 ms old.
      clock += 10_000;
      assert.deepEqual(await store.requeueStale(60_000), { requeued: [], failed: [] });
      const res = await store.requeueStale(5_000);
      assert.deepEqual(res, { requeued: [r4], failed: [] });
      const requeued = await store.getRun(r4!);
      assert.equal(requeued.status, "queued");
      assert.equal(requeued.worker, null);
      assert.equal(await store.heartbeat(r4!, "w1"), false, "the old worker learns its run is gone");
      assert.equal(await store.claimRun(r4!, "w2"), true);
      assert.equal((await store.getRun(r4!)).attempts, 2);
      clock += 10_000;
      const gaveUp = await store.requeueStale(5_000, { maxAttempts: 2, study: "mnist" });
      assert.deepEqual(gaveUp, { requeued: [], failed: [r4] });
      const lost = await store.getRun(r4!);
      assert.equal(lost.status, "failed");
      assert.match(lost.error!, /gave up after 2 attempts: worker w2 stopped sending heartbeats/);
      // Finished, failed and diverged runs are untouched.
      assert.deepEqual((await store.listRuns()).map((r) => r.status).sort(), ["diverged", "failed", "failed", "finished"]);
    } finally {
      await store.close();
    }
  });

  it("bulk-inserts thousands of metrics and reads them back exactly", async () => {
    const loc = await backend.fresh();
    const store = await open(loc);
    try {
      await withStudy(store);
      const run = (await store.submitRun(runInput("mnist", ["A", "B"], 3))).run.id;
      const other = (await store.submitRun(runInput("mnist", "A", 4))).run.id;
      const rnd = doubles(12345);
      const rows: MetricInput[] = [];
      for (const variant of ["A", "B"]) {
        for (const name of ["loss", "acc", "grad_norm"]) {
          for (let step = 0; step < 2000; step++) rows.push({ runId: run, variant, step, name, value: rnd() });
        }
      }
      const specials = [NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 0.1 + 0.2, 1 / 3, 2 ** 53 + 2];
      specials.forEach((value, i) => rows.push({ runId: run, variant: "A", step: 10_000 + i, name: "special", value }));
      const t0 = performance.now();
      await store.addMetrics(rows);
      const ms = performance.now() - t0;
      assert.ok(ms < 10_000, `bulk insert of ${rows.length} rows took ${ms.toFixed(0)} ms`);
      await store.addMetrics([{ runId: other, variant: "A", step: 0, name: "loss", value: 2.5 }]);

      const back = await store.metrics({ runId: run });
      assert.equal(back.length, rows.length);
      const expected = [...rows].sort((a, b) =>
        a.variant < b.variant ? -1 : a.variant > b.variant ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : a.step - b.step,
      );
      for (let i = 0; i < expected.length; i++) {
        const e = expected[i]!;
        const g = back[i]!;
        assert.equal(g.runId, e.runId);
        assert.equal(g.variant, e.variant);
        assert.equal(g.name, e.name);
        assert.equal(g.step, e.step);
        assert.ok(Object.is(g.value, e.value), `${e.variant}/${e.name}@${e.step}: wrote ${e.value}, read ${g.value}`);
      }
      const lossB = await store.metrics({ runId: run, variant: "B", name: "loss" });
      assert.equal(lossB.length, 2000);
      assert.deepEqual(lossB.map((m) => m.step), Array.from({ length: 2000 }, (_, i) => i));

      // Written again (a resumed run re-logs a step): overwritten, never counted twice.
      await store.addMetrics([{ runId: run, variant: "B", step: 1999, name: "loss", value: 0.25 }]);
      assert.equal((await store.metrics({ runId: run, variant: "B", name: "loss" })).length, 2000);

      const finals = await store.finalMetrics({ study: "mnist" });
      assert.deepEqual(
        finals.map((m) => [m.runId, m.variant, m.name, m.step]),
        [
          ...[run, other].sort().flatMap((id) =>
            id === other
              ? [[other, "A", "loss", 0]]
              : [
                  [run, "A", "acc", 1999],
                  [run, "A", "grad_norm", 1999],
                  [run, "A", "loss", 1999],
                  [run, "A", "special", 10_008],
                  [run, "B", "acc", 1999],
                  [run, "B", "grad_norm", 1999],
                  [run, "B", "loss", 1999],
                ],
          ),
        ],
      );
      assert.equal(finals.find((m) => m.runId === run && m.variant === "B" && m.name === "loss")!.value, 0.25);
      assert.deepEqual(
        (await store.finalMetrics({ runIds: [other], name: "loss" })).map((m) => m.value),
        [2.5],
      );
      assert.deepEqual(await store.finalMetrics({ study: "none" }), []);
    } finally {
      await store.close();
    }
  });

  it("stores control sums, batch checksums, artifacts, checkpoints and deduplicated fingerprints", async () => {
    const loc = await backend.fresh();
    const store = await open(loc);
    try {
      await withStudy(store);
      const run = (await store.submitRun(runInput("mnist", "A", 1))).run.id;
      for (let step = 0; step < 3; step++) {
        await store.addControlSums(run, step, [
          { stream: "order", draws: step + 1, state: `s-order-${step}`, chain: `c-order-${step}` },
          { stream: "init", draws: 1, state: "s-init", chain: "c-init" },
        ]);
      }
      const sums = await store.controlSums(run);
      assert.equal(sums.length, 6);
      assert.deepEqual(sums[0], { runId: run, step: 0, stream: "init", draws: 1, state: "s-init", chain: "c-init" });
      assert.deepEqual(sums[5], { runId: run, step: 2, stream: "order", draws: 3, state: "s-order-2", chain: "c-order-2" });

      await store.addBatchChecksums(run, Array.from({ length: 500 }, (_, step) => ({ step, checksum: `b${step.toString(16)}` })));
      const checks = await store.batchChecksums(run);
      assert.equal(checks.length, 500);
      assert.deepEqual(checks[255], { runId: run, step: 255, checksum: "bff" });

      await store.addArtifact({ runId: run, kind: "weights", path: "runs/a/final.pt", sha256: "ab".repeat(32), bytes: 123_456_789_012 });
      await store.addArtifact({ runId: run, kind: "events", path: "runs/a/events.out.tfevents.1", sha256: "cd".repeat(32), bytes: 10 });
      const arts = await store.artifacts(run);
      assert.deepEqual(arts.map((a) => [a.kind, a.path, a.bytes]), [
        ["events", "runs/a/events.out.tfevents.1", 10],
        ["weights", "runs/a/final.pt", 123_456_789_012],
      ]);

      assert.equal(await store.latestCheckpoint(run), undefined);
      await store.addCheckpoint({ runId: run, step: 100, path: "ckpt/100.pt" });
      await store.addCheckpoint({ runId: run, step: 200, path: "ckpt/200.pt", sha256: "ee" });
      assert.deepEqual((await store.checkpoints(run)).map((c) => c.step), [100, 200]);
      const last = await store.latestCheckpoint(run);
      assert.equal(last!.path, "ckpt/200.pt");
      assert.equal(last!.sha256, "ee");

      const fp = { git: { commit: "a".repeat(40), dirty: false }, versions: { node: "v20" }, datasets: { "x.csv": "ff" } };
      const h1 = await store.putFingerprint(fp);
      const h2 = await store.putFingerprint({ versions: { node: "v20" }, datasets: { "x.csv": "ff" }, git: { dirty: false, commit: "a".repeat(40) } });
      assert.equal(h1, h2, "same content, other key order: same fingerprint");
      assert.match(h1, /^[0-9a-f]{64}$/);
      assert.deepEqual((await store.getFingerprint(h1))!.fingerprint, fp);
      assert.notEqual(await store.putFingerprint({ ...fp, argv: ["x"] }), h1);
      assert.equal(await store.getFingerprint("0".repeat(64)), undefined);
      const drv = (store as SqlStore).driver;
      assert.equal((await drv.query<{ n: number }>("SELECT COUNT(*) AS n FROM fingerprints")).rows[0]!.n, 2);
    } finally {
      await store.close();
    }
  });

  it("gives a clear error for an unknown run id", async () => {
    const loc = await backend.fresh();
    const store = await open(loc);
    try {
      await withStudy(store);
      const missing = "mnist-A-s1-deadbeef";
      const check = (err: unknown) => {
        assert.ok(err instanceof UnknownRunError, String(err));
        assert.equal(err.runId, missing);
        assert.match(err.message, /unknown run 'mnist-A-s1-deadbeef' in the store at .*twin runs/);
        return true;
      };
      await assert.rejects(store.getRun(missing), check);
      assert.equal(await store.findRun(missing), undefined);
      await assert.rejects(store.claimRun(missing, "w"), check);
      await assert.rejects(store.heartbeat(missing), check);
      await assert.rejects(store.finishRun(missing), check);
      await assert.rejects(store.failRun(missing, "x"), check);
      await assert.rejects(store.metrics({ runId: missing }), check);
      await assert.rejects(store.controlSums(missing), check);
      await assert.rejects(store.addMetrics([{ runId: missing, variant: "A", step: 0, name: "loss", value: 1 }]), check);
      await assert.rejects(store.addControlSums(missing, 0, [{ stream: "s", draws: 0, state: "x", chain: "y" }]), check);
      await assert.rejects(store.addCheckpoint({ runId: missing, step: 0, path: "p" }), check);
      // A known run without metrics is fine.
      const run = (await store.submitRun(runInput("mnist", "A", 1))).run.id;
      assert.deepEqual(await store.metrics({ runId: run }), []);
    } finally {
      await store.close();
    }
  });

  it("a failing write leaves no partial rows", async () => {
    const loc = await backend.fresh();
    const store = await open(loc);
    try {
      await withStudy(store);
      const run = (await store.submitRun(runInput("mnist", "A", 1))).run.id;
      await store.addMetrics([{ runId: run, variant: "A", step: 0, name: "loss", value: 1 }]);
      const before = await store.metrics({ runId: run });

      // One bad row (unknown run) among many good ones: nothing is written.
      const rows: MetricInput[] = Array.from({ length: 3000 }, (_, step) => ({ runId: run, variant: "A", step: step + 1, name: "loss", value: step }));
      rows.splice(1500, 0, { runId: "no-such-run", variant: "A", step: 5, name: "loss", value: 0 });
      await assert.rejects(store.addMetrics(rows), UnknownRunError);
      assert.deepEqual(await store.metrics({ runId: run }), before);
      // A bad value: rejected before anything is written.
      await assert.rejects(
        store.addMetrics([{ runId: run, variant: "A", step: 1, name: "loss", value: 1 }, { runId: run, variant: "A", step: -1, name: "loss", value: 1 }]),
        /metric step must be a non-negative integer/,
      );
      assert.deepEqual(await store.metrics({ runId: run }), before);

      // A transaction that throws half-way: its run, metrics and checkpoint all vanish.
      await assert.rejects(
        store.transaction(async (tx) => {
          const r = (await tx.submitRun(runInput("mnist", "B", 7))).run.id;
          await tx.addMetrics(rows.filter((m) => m.runId === run).map((m) => ({ ...m, runId: r })));
          await tx.addCheckpoint({ runId: r, step: 10, path: "x" });
          assert.equal((await tx.metrics({ runId: r })).length, 3000);
          throw new Error("crash in the middle");
        }),
        /crash in the middle/,
      );
      assert.deepEqual((await store.listRuns()).map((r) => r.id), [run]);
      assert.deepEqual(await store.metrics({ runId: run }), before);

      // A constraint violation inside a transaction rolls back the earlier statements too.
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.addMetrics([{ runId: run, variant: "A", step: 50, name: "loss", value: 9 }]);
          await tx.submitRun(runInput("mnist", "A", 1, { id: run, specHash: "other" })); // id taken by another run
        }),
        (err: unknown) => err instanceof StoreError && /already used by a different run/.test(err.message),
      );
      assert.deepEqual(await store.metrics({ runId: run }), before);

      // And a committed transaction keeps everything.
      await store.transaction(async (tx) => {
        await tx.addMetrics([{ runId: run, variant: "A", step: 60, name: "loss", value: 6 }]);
        assert.equal(await tx.claimRun(run, "w"), true);
        await tx.finishRun(run);
      });
      assert.equal((await store.metrics({ runId: run })).length, 2);
      assert.equal((await store.getRun(run)).status, "finished");
    } finally {
      await store.close();
    }
  });

  it("keeps per-example predictions (12-bit), replaces them on rewrite and removes them with the run", async () => {
    const loc = await backend.fresh();
    const store = await open(loc);
    try {
      await withStudy(store);
      const id = (await store.submitRun(runInput("mnist", ["A", "B"], 7))).run.id;
      const examples = 1000, classes = 10;
      const probs = new Float32Array(examples * classes);
      for (let e = 0; e < examples; e++) {
        let sum = 0;
        for (let c = 0; c < classes; c++) sum += (probs[e * classes + c] = Math.exp(Math.sin(7 * e + 3 * c) * 4));
        for (let c = 0; c < classes; c++) probs[e * classes + c]! /= sum;
      }
      const labels = Int32Array.from({ length: examples }, (_, e) => (e * 7) % classes);
      await store.addPredictions({ runId: id, variant: "B", split: "test", probabilities: probs, examples, classes, labels });
      await store.addPredictions({ runId: id, variant: "A", split: "validation", probabilities: probs, examples, classes, labels });
      await store.addPredictions({ runId: id, variant: "B", split: "validation", probabilities: probs.map((p) => p / 2), examples, classes, labels });
      await store.addPredictions({ runId: id, variant: "B", split: "validation", probabilities: probs, examples, classes, labels });
      const got = await store.predictions(id);
      assert.deepEqual(got.map((p) => `${p.variant}/${p.split}`), ["A/validation", "B/validation", "B/test"]);
      for (const p of got) {
        assert.deepEqual(Array.from(p.labels), Array.from(labels));
        for (let i = 0; i < probs.length; i++) assert.ok(Math.abs(p.probabilities[i]! - probs[i]!) <= 1.5 / 4095, `value ${i}`);
        assert.ok(p.bytes < examples * classes * 2, `compressed: ${p.bytes} bytes`);
      }
      assert.equal((await store.predictions(id, { variant: "B", split: "test" })).length, 1);
      await assert.rejects(store.addPredictions({ runId: id, variant: "A", split: "test", probabilities: probs, examples, classes: 9, labels }), /probabilities for 1000 examples × 9 classes/);
      await assert.rejects(store.predictions("no-such-run"), UnknownRunError);
      await (store as SqlStore).driver.query("DELETE FROM runs WHERE id = ?", [id]);
      const { rows } = await (store as SqlStore).driver.query<{ n: number }>("SELECT COUNT(*) AS n FROM predictions");
      assert.equal(Number(rows[0]!.n), 0);
    } finally {
      await store.close();
    }
  });

  it("applies migrations once: opening the store again changes nothing", async () => {
    const loc = await backend.fresh();
    const s1 = await open(loc);
    await withStudy(s1);
    const id = (await s1.submitRun(runInput("mnist", "A", 1))).run.id;
    await s1.close();
    // Two more opens, the second while the first is still open.
    const s2 = await open(loc);
    const s3 = await open(loc);
    try {
      const drv = (s3 as SqlStore).driver;
      const { rows } = await drv.query<{ version: number; name: string }>("SELECT version, name FROM schema_migrations ORDER BY version");
      assert.deepEqual(rows.map((r) => Number(r.version)), [1, 2]);
      assert.equal((await s2.getRun(id)).id, id);
      assert.equal((await s3.listRuns()).length, 1);
    } finally {
      await s2.close();
      await s3.close();
    }
  });
}
