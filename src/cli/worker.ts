/** `twin worker`: take runs from a BullMQ queue and record them in a shared store. */
import type { Command } from "commander";
import { resolve } from "node:path";
import { openStore } from "../store/index.ts";
import { parseSchedule } from "./schedule-option.ts";

interface WorkerFlags {
  queue: string;
  store: string;
  queueName?: string;
  concurrency: string;
  cwd: string;
  checkpoints?: string;
  checkpointEvery: string;
  logdir?: string;
  schedule: string;
  lockMs: string;
  staleAfter: string;
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number (got '${value}')`);
  return n;
}

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("take study runs from a BullMQ queue (Redis) and record them in a shared store; start one per machine (or per core group)")
    .requiredOption("--queue <url>", "the queue: redis://host:port")
    .requiredOption("--store <url>", "the shared store: postgres://user@host:port/db")
    .option("--queue-name <name>", "queue name (default twin-runs)")
    .option("--concurrency <n>", "runs at once in this process", "1")
    .option("--cwd <dir>", "the project folder (where the study files are, as on the submitting machine)", ".")
    .option("--checkpoints <dir>", "checkpoint folder; on a shared file system another worker continues a run where a dead one stopped (default <cwd>/.twin/checkpoints)")
    .option("--checkpoint-every <n>", "checkpoint every N steps", "100")
    .option("--logdir <dir>", "also write TensorBoard and JSON Lines logs here")
    .option("--schedule <s>", "sequential or parallel", "sequential")
    .option("--lock-ms <ms>", "job lock: a worker silent this long has its job handed to another", "30000")
    .option("--stale-after <s>", "take over a run whose worker sent no heartbeat for this many seconds", "15")
    .addHelpText(
      "after",
      "\nExamples:\n  $ twin worker --queue redis://10.0.0.5:6379 --store postgres://twin@10.0.0.5:5432/twin\n  $ twin compare study.ts --seeds 20 --queue redis://10.0.0.5:6379 --store postgres://twin@10.0.0.5:5432/twin",
    )
    .action(async (opts: WorkerFlags) => {
      const concurrency = positive(opts.concurrency, "--concurrency");
      const every = positive(opts.checkpointEvery, "--checkpoint-every");
      const lock = positive(opts.lockMs, "--lock-ms");
      const stale = positive(opts.staleAfter, "--stale-after");
      if (!/^postgres(ql)?:\/\//i.test(opts.store)) {
        process.stderr.write(`twin: warning: --store ${opts.store} is not PostgreSQL; workers on other machines cannot share it\n`);
      }
      // The queue client and the trainer (libtorch) load only when a worker starts, not for --help.
      const { probeQueue, runWorker } = await import("../study/executor-queue.ts");
      await probeQueue(opts.queue);
      const cwd = resolve(opts.cwd);
      const store = await openStore(opts.store, { cwd });
      const stop = new AbortController();
      const onSignal = () => {
        if (stop.signal.aborted) process.exit(130);
        process.stderr.write("twin worker: stopping after the current step (the run continues elsewhere from its checkpoint)\n");
        stop.abort();
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      try {
        await runWorker({
          queueUrl: opts.queue,
          queueName: opts.queueName,
          store,
          cwd,
          concurrency: Math.floor(concurrency),
          checkpointDir: opts.checkpoints ? resolve(opts.checkpoints) : undefined,
          checkpointEvery: Math.floor(every),
          logdir: opts.logdir ? resolve(opts.logdir) : undefined,
          schedule: parseSchedule(opts.schedule),
          lockDurationMs: lock,
          stalledIntervalMs: Math.min(30_000, lock / 2),
          staleAfterMs: stale * 1000,
          signal: stop.signal,
          log: (line) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`),
        });
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        await store.close();
      }
    });
}
