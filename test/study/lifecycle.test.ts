import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { goneOwner, isDeadLocalWorker, parseWorkerId, startHeartbeat, STALE_AFTER_MS, workerId } from "../../src/study/lifecycle.ts";

/** A pid that existed a moment ago and is gone now. */
function deadPid(): number {
  const r = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
  return Number(r.stdout.trim());
}

test("worker ids name kind, host and pid", () => {
  assert.equal(workerId("sweep"), `sweep:${hostname()}:${process.pid}`);
  assert.deepEqual(parseWorkerId("pool:gpu-3.lab:4242"), { kind: "pool", host: "gpu-3.lab", pid: 4242 });
  assert.equal(parseWorkerId("sweep-host-12"), undefined, "ids of another shape are judged by heartbeats alone");
});

test("a dead owner on this host is known at once; a live one, this process or another host's is not", () => {
  const now = Date.now();
  const dead = `sweep:${hostname()}:${deadPid()}`;
  assert.equal(isDeadLocalWorker(dead), true);
  assert.match(goneOwner({ status: "running", worker: dead, heartbeatAt: now }, now)!, /is dead/);
  assert.equal(goneOwner({ status: "running", worker: `sweep:${hostname()}:1`, heartbeatAt: now }, now), undefined, "pid 1 is alive");
  assert.equal(goneOwner({ status: "running", worker: workerId("sweep"), heartbeatAt: now }, now), undefined, "this process");
  assert.equal(goneOwner({ status: "running", worker: `sweep:elsewhere:${deadPid()}`, heartbeatAt: now - 1000 }, now), undefined, "another host: only silence counts");
  assert.match(goneOwner({ status: "running", worker: "sweep:elsewhere:7", heartbeatAt: now - STALE_AFTER_MS - 1 }, now)!, /no heartbeat for 60 s/);
  assert.equal(goneOwner({ status: "finished", worker: dead, heartbeatAt: now }, now), undefined, "only running runs have owners");
});

test("heartbeats: one every interval, onLost once when the store says the run is no longer ours, store errors retried", async () => {
  const answers = [true, new Error("store busy"), false, false];
  let calls = 0;
  let lost = 0;
  const store = {
    heartbeat: async () => {
      const a = answers[Math.min(calls++, answers.length - 1)]!;
      if (a instanceof Error) throw a;
      return a;
    },
  };
  const beat = startHeartbeat(store, "run-1", "sweep:h:1", { intervalMs: 10, onLost: () => lost++ });
  await new Promise((r) => setTimeout(r, 120));
  await beat.stop();
  const after = calls;
  await new Promise((r) => setTimeout(r, 40));
  assert.ok(after >= 4, `${after} beats`);
  assert.equal(calls, after, "no beat after stop()");
  assert.equal(lost, 1);
});
