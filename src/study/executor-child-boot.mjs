// Entry of a local pool worker process: TypeScript through tsx ("twin" resolved to this installation), then the child loop.
import { Worker } from "node:worker_threads";
import { registerTwin } from "../boot/register.mjs";

// A watchdog thread ends this process once twin (its parent) has been gone for ORPHAN_GRACE_MS: a main thread
// busy in a variant's code that never yields cannot hear the IPC channel close (which otherwise stops it cleanly,
// with a checkpoint) and would run on, orphaned, after a kill -9 of twin. Its run is then continued by the next command.
const ORPHAN_GRACE_MS = 30_000;
new Worker(
  `const { workerData: w } = require("node:worker_threads");
   let goneAt = 0;
   setInterval(() => {
     if (process.ppid === w.parent) return;
     goneAt ||= Date.now();
     if (Date.now() - goneAt >= w.grace) process.kill(process.pid, "SIGKILL");
   }, 1000);`,
  { eval: true, workerData: { parent: process.ppid, grace: ORPHAN_GRACE_MS } },
).unref();

registerTwin();
await import("./executor-child.ts");
