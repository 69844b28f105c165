/**
 * Distributed workers: a real Redis (BullMQ) and a real PostgreSQL started by
 * scripts/services.sh; two `twin worker` processes on this machine. The study
 * is submitted twice (each run runs once), one worker is killed with SIGKILL
 * in the middle of a run, and the other takes the run over (BullMQ's stalled
 * job check, the store's heartbeat), continuing from the shared checkpoint;
 * `twin verify` then finds the taken-over run bit-identical to a fresh re-run.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { openStore, type Store } from "../../src/store/index.ts";
import { freshDatabase, startPostgres, stopPostgres } from "../store/helpers.ts";
import { REPO, studyProject } from "./fixtures/synthetic-study.ts";
import { sleep, startTwin, twin } from "./fixtures/store-dump.ts";

const SERVICES = join(REPO, "scripts", "services.sh");
let redis = "";
let pgServer = "";

before(() => {
  pgServer = startPostgres();
  const out = execFileSync("bash", [SERVICES, "start", "redis"], {
    env: { ...process.env, TWIN_SERVICES_WATCH_PID: String(process.pid) },
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 300_000,
  });
  redis = out.toString().trim().split("\n").pop()!;
  assert.match(redis, /^redis:\/\//);
});

after(() => {
  if (redis) execFileSync("bash", [SERVICES, "stop", "redis", redis], { stdio: ["ignore", "ignore", "inherit"], timeout: 60_000 });
  if (pgServer) stopPostgres(pgServer);
});

const STUDY = { name: "dist", steps: 1200, hidden: 64 };

test("two workers share a study through Redis; a worker killed mid-run has its run finished by the other", async () => {
  const project = studyProject(STUDY);
  const pg = await freshDatabase(pgServer);
  const queueName = `twin-test-${process.pid}`;
  const submit = ["compare", "study.mts", "--seeds", "3", "--queue", redis, "--queue-name", queueName, "--store", pg, "--checkpoint-every", "50"];
  const workerArgs = ["worker", "--queue", redis, "--queue-name", queueName, "--store", pg, "--cwd", project.dir, "--lock-ms", "3000", "--stale-after", "5", "--checkpoint-every", "50"];
  const workers: ReturnType<typeof startTwin>[] = [];
  let store: Store | undefined;
  try {
    // Submitted twice before any worker runs: three runs, three jobs.
    for (let i = 0; i < 2; i++) {
      const s = twin(project.dir, [...submit, "--no-wait"]);
      assert.equal(s.status, 0, s.stderr);
      assert.match(s.stderr, /submitted 3 run\(s\) of study 'dist'.*follow them with: twin runs --study dist --store/);
    }
    store = await openStore(pg);
    assert.deepEqual((await store.listRuns({ study: "dist" })).map((r) => r.status), ["queued", "queued", "queued"]);

    workers.push(startTwin(project.dir, workerArgs), startTwin(project.dir, workerArgs));
    // Kill the worker of the first run that is well under way (it has checkpoints).
    let victim: { id: string; worker: string } | undefined;
    const deadline = Date.now() + 120_000;
    while (!victim) {
      assert.ok(Date.now() < deadline, `no run got under way: ${workers.map((w) => w.err()).join("\n")}`);
      for (const run of await store.listRuns({ study: "dist", status: "running" })) {
        const curve = await store.metrics({ runId: run.id, variant: "sgd", name: "train/loss" });
        if (curve.length && curve[curve.length - 1]!.step >= 300) victim = { id: run.id, worker: run.worker! };
      }
      await sleep(100);
    }
    const pid = Number(victim.worker.split(":").pop());
    const killed = workers.find((w) => w.child.pid === pid);
    assert.ok(killed, `worker ${victim.worker} is one of ours`);
    killed.child.kill("SIGKILL");
    const survivor = workers.find((w) => w !== killed)!;

    // Following the study (from "another machine": just the store and the queue) ends with the verdict.
    const follow = twin(project.dir, [...submit, "--json"]);
    assert.equal(follow.status, 0, follow.stderr + survivor.err());
    const verdict = JSON.parse(follow.stdout);
    assert.equal(verdict.seeds, 3);

    const runs = await store.listRuns({ study: "dist" });
    assert.deepEqual(runs.map((r) => r.status), ["finished", "finished", "finished"]);
    const taken = runs.find((r) => r.id === victim!.id)!;
    assert.equal(taken.attempts, 2, "the killed worker's run was retried once");
    assert.equal(taken.worker, `worker:${victim.worker.split(":")[1]}:${survivor.child.pid}`);
    for (const r of runs) if (r.id !== victim.id) assert.equal(r.attempts, 1, `run ${r.id} ran once though submitted twice`);
    // The survivor took the stale run over, or the following command put it back in the queue first (both look for dead workers).
    assert.match(survivor.err() + follow.stderr, new RegExp(`run ${victim.id}: worker .* stopped \\(no heartbeat .*\\); taking it over|continuing 1 run\\(s\\) interrupted when their process stopped: ${victim.id}`));
    assert.match(survivor.err(), new RegExp(`run ${victim.id}: continues from its checkpoint at step [1-9]`));

    const list = twin(project.dir, ["runs", "--study", "dist", "--store", pg]);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /3 run\(s\): 3 finished/);

    // The taken-over run is bit-identical to a fresh run of its record.
    const v = twin(project.dir, ["verify", victim.id, "--store", pg]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /bit-identical \(1200 steps/);

    // A worker stops cleanly on SIGTERM.
    survivor.child.kill("SIGTERM");
    assert.equal(await survivor.exited, 0, survivor.err());
  } finally {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
    await store?.close();
    project.cleanup();
  }
});
