/**
 * A worker process of the local pool (started by executor-pool.ts). The parent
 * sends the session's run ids over IPC; this process claims them from the
 * store one at a time (compare-and-set: each run is taken by exactly one
 * worker), runs them and reports progress back as IPC messages. It stops
 * cleanly (checkpoint) when the parent asks or goes away.
 */
import { openStore } from "../store/index.ts";
import type { WorkerPool } from "../twin/hosts.ts";
import { executeClaimed } from "./executor.ts";
import { workerId } from "./lifecycle.ts";
import type { ChildMessage, ParentMessage } from "./executor-pool.ts";

const send = (m: ChildMessage) => {
  if (process.connected) process.send!(m);
};

const stop = new AbortController();
const skip = new Map<string, string>();
let halted = false;
process.on("disconnect", () => stop.abort());
process.on("SIGINT", () => stop.abort());

process.once("message", async (msg: ParentMessage) => {
  if (msg.type !== "start") return;
  process.on("message", (m: ParentMessage) => {
    if (m.type === "stop") stop.abort();
    else if (m.type === "skip") skip.set(m.variant, m.reason);
    else if (m.type === "halt") halted = true;
  });
  const me = workerId("pool");
  const pools = new Map<string, WorkerPool>();
  const specs = new Map();
  const data = new Map();
  let code = 0;
  try {
    const store = await openStore(msg.storeUrl, { cwd: msg.cwd });
    try {
      let last = 0;
      await executeClaimed(
        store,
        msg.runIds,
        me,
        {
          cwd: msg.cwd,
          checkpointDir: msg.checkpointDir,
          checkpointEvery: msg.checkpointEvery,
          logdir: msg.logdir,
          schedule: msg.schedule,
          workers: msg.workers,
          signal: stop.signal,
          skip,
          halted: () => halted,
          onWarning: (text) => send({ type: "note", text }),
          pools,
          specs,
          data,
        },
        {
          onRunStart: (run) => {
            send({ type: "run-start", id: run.id });
            last = 0;
            return {
              onResume: (step) => send({ type: "note", text: `run ${run.id} continues from its checkpoint at step ${step}` }),
              onProgress: (p) => {
                const now = Date.now();
                if (now - last < 100 && p.step < p.totalSteps) return;
                last = now;
                send({ type: "progress", id: run.id, progress: p });
              },
            };
          },
          onRunEnd: (run, outcome) => send({ type: "run-end", id: run.id, status: outcome.status, error: outcome.error }),
        },
      );
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
