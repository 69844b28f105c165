/**
 * A worker process of the local pool (started by executor-pool.ts). The parent
 * sends the session's run ids over IPC; this process claims them from the
 * store one at a time (compare-and-set: each run is taken by exactly one
 * worker), runs them and reports progress back as IPC messages. It stops
 * cleanly (checkpoint) when the parent asks or goes away.
 */
import { openStore } from "../store/index.ts";
import type { WorkerPool } from "../twin/hosts.ts";
import { executeRun, workerId } from "./executor.ts";
import type { ChildMessage, ParentMessage } from "./executor-pool.ts";

const send = (m: ChildMessage) => {
  if (process.connected) process.send!(m);
};

const stop = new AbortController();
process.on("disconnect", () => stop.abort());
process.on("SIGINT", () => stop.abort());

process.once("message", async (msg: ParentMessage) => {
  if (msg.type !== "start") return;
  process.on("message", (m: ParentMessage) => {
    if (m.type === "stop") stop.abort();
  });
  const me = workerId("pool");
  const pools = new Map<string, WorkerPool>();
  const specs = new Map();
  const data = new Map();
  let code = 0;
  try {
    const store = await openStore(msg.storeUrl, { cwd: msg.cwd });
    try {
      for (const id of msg.runIds) {
        if (stop.signal.aborted) break;
        if (!(await store.claimRun(id, me).catch(() => false))) continue;
        const run = await store.getRun(id);
        send({ type: "run-start", id });
        let last = 0;
        const outcome = await executeRun(store, run, me, {
          cwd: msg.cwd,
          checkpointDir: msg.checkpointDir,
          checkpointEvery: msg.checkpointEvery,
          logdir: msg.logdir,
          schedule: msg.schedule,
          workers: msg.workers,
          signal: stop.signal,
          onResume: (step) => send({ type: "note", text: `run ${id} continues from its checkpoint at step ${step}` }),
          onWarning: (text) => send({ type: "note", text }),
          pools,
          specs,
          data,
          onProgress: (p) => {
            const now = Date.now();
            if (now - last < 100 && p.step < p.totalSteps) return;
            last = now;
            send({ type: "progress", id, progress: p });
          },
        });
        send({ type: "run-end", id, status: outcome.status, error: outcome.error });
        if (outcome.status === "stopped") break;
      }
    } finally {
      await store.close();
    }
  } catch (e) {
    send({ type: "error", message: (e as Error).message ?? String(e) });
    code = 1;
  } finally {
    for (const p of pools.values()) await p.close().catch(() => {});
  }
  send({ type: "done" });
  process.exitCode = code;
  if (process.connected) process.disconnect();
});
