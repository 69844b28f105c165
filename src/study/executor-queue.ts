/**
 * Distributed runs over a BullMQ queue on Redis, with a shared store
 * (PostgreSQL): the submitter stores the runs and adds one job per run (job
 * id = run id, so submitting the same run twice queues it once; the store's
 * dedup key does the same for the runs); `twin worker` processes take jobs,
 * claim the run in the store (compare-and-set), run it from its record and
 * record the results. A worker that dies mid-run stops renewing its job lock
 * and stops heartbeating: BullMQ's stalled-job check hands the job to another
 * worker, which requeues the stale run in the store and continues it (from
 * its checkpoint when the checkpoint folder is shared).
 */
import { connect } from "node:net";
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job } from "bullmq";
import { diffFingerprints, formatDifferences, type RunRecord, type Store } from "../store/index.ts";
import type { WorkerPool } from "../twin/hosts.ts";
import type { Progress } from "../twin/types.ts";
import { executeRun, setupRun, type ExecuteOptions } from "./executor.ts";
import { HEARTBEAT_MS, isDeadLocalWorker, workerId } from "./lifecycle.ts";
import { studyFingerprint, WORKER_FINGERPRINT_IGNORE, type StudyFingerprint } from "./study-fingerprint.ts";

export const DEFAULT_QUEUE_NAME = "twin-runs";

export interface QueueJobData {
  runId: string;
  study: string;
  /** The submitter accepted a changed fingerprint (--allow-changed). */
  allowChanged?: boolean;
}

export class QueueUnreachableError extends Error {
  override name = "QueueUnreachableError";
}

function maskRedis(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}

/** Connection options for BullMQ from redis://[user:password@]host:port[/db]. */
export function redisConnection(url: string): { host: string; port: number; username?: string; password?: string; db?: number; tls?: object; maxRetriesPerRequest: null } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueUnreachableError(`--queue '${url}' is not a URL; use redis://host:port (e.g. redis://127.0.0.1:6379)`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new QueueUnreachableError(`--queue '${maskRedis(url)}': only redis://host:port (or rediss:// for TLS) queues are supported`);
  }
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  return {
    host: u.hostname || "127.0.0.1",
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: db !== undefined && Number.isInteger(db) ? db : undefined,
    tls: u.protocol === "rediss:" ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

/**
 * Checks that a Redis server answers at url (a PING over plain TCP), so that an
 * unreachable queue is a clear error instead of endless reconnection attempts.
 */
export async function probeQueue(url: string, timeoutMs = 5000): Promise<void> {
  const c = redisConnection(url);
  const shown = maskRedis(url);
  if (c.tls) return; // TLS: let BullMQ connect (the probe speaks plain TCP)
  const advice = "Check that redis-server is running and reachable at that host and port (scripts/services.sh start redis starts a local one)";
  await new Promise<void>((resolvePing, reject) => {
    const socket = connect({ host: c.host, port: c.port });
    let answer = "";
    const fail = (reason: string) => {
      socket.destroy();
      reject(new QueueUnreachableError(`cannot reach the queue at ${shown}: ${reason}. ${advice}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(e.code ?? e.message);
    });
    socket.on("connect", () => {
      const auth = c.password ? `AUTH ${c.username ? `${c.username} ` : ""}${c.password}\r\n` : "";
      socket.write(`${auth}PING\r\n`);
    });
    socket.on("data", (d) => {
      answer += d.toString();
      if (/^-/m.test(answer)) {
        clearTimeout(timer);
        socket.destroy();
        reject(new QueueUnreachableError(`the queue at ${shown} refused: ${answer.trim().split("\n")[0]}. Check the user name and password in the URL`));
      } else if (answer.includes("+PONG")) {
        clearTimeout(timer);
        socket.end();
        resolvePing();
      }
    });
  });
}

/** Adds one job per run (job id = run id: a job already queued or running is not added again). */
export async function submitJobs(url: string, runs: readonly RunRecord[], options: { queueName?: string; allowChanged?: boolean } = {}): Promise<void> {
  await probeQueue(url);
  const queue = new Queue<QueueJobData>(options.queueName ?? DEFAULT_QUEUE_NAME, { connection: redisConnection(url) });
  try {
    for (const run of runs) {
      await queue.add(
        "run",
        { runId: run.id, study: run.study, allowChanged: options.allowChanged || undefined },
        { jobId: run.id, attempts: 5, backoff: { type: "exponential", delay: 2000 }, removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } },
      );
    }
  } finally {
    await queue.close();
  }
}

const FINAL = new Set(["finished", "failed", "diverged"]);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Follows runs until every one is finished or failed: live progress from the
 * workers (BullMQ progress events) and statuses from the store. A job that
 * BullMQ gave up on (attempts used up) fails its run in the store with the
 * job's reason, so nothing waits forever.
 */
export async function followJobs(
  store: Store,
  url: string,
  ids: readonly string[],
  options: {
    queueName?: string;
    signal?: AbortSignal;
    pollMs?: number;
    onProgress?: (id: string, p: Progress) => void;
    onRunEnd?: (id: string, status: string, error: string | null) => void;
  } = {},
): Promise<void> {
  const name = options.queueName ?? DEFAULT_QUEUE_NAME;
  const events = new QueueEvents(name, { connection: redisConnection(url) });
  const queue = new Queue<QueueJobData>(name, { connection: redisConnection(url) });
  const wanted = new Set(ids);
  events.on("progress", ({ jobId, data }) => {
    if (wanted.has(jobId) && data && typeof data === "object") options.onProgress?.(jobId, data as unknown as Progress);
  });
  const done = new Set<string>();
  try {
    let round = 0;
    while (done.size < wanted.size && !options.signal?.aborted) {
      for (const id of wanted) {
        if (done.has(id)) continue;
        const run = await store.getRun(id);
        if (FINAL.has(run.status)) {
          done.add(id);
          options.onRunEnd?.(id, run.status, run.error);
        } else if (round % 5 === 0) {
          const state = await queue.getJobState(id);
          if (state === "failed" || state === "unknown") {
            const job = state === "failed" ? await queue.getJob(id) : undefined;
            const again = await store.getRun(id);
            if (FINAL.has(again.status)) continue;
            if (state === "unknown") {
              // Removed from the queue (or never added): add it again.
              await queue.add("run", { runId: id, study: again.study }, { jobId: id, attempts: 5, backoff: { type: "exponential", delay: 2000 } });
            } else if (again.status === "queued") {
              await store.failRun(id, `the queue gave up on this run: ${job?.failedReason ?? "unknown reason"}`).catch(() => {});
            }
          }
        }
      }
      round++;
      if (done.size < wanted.size) await sleep(options.pollMs ?? 500);
    }
  } finally {
    await events.close();
    await queue.close();
  }
}

export interface WorkerOptions extends Omit<ExecuteOptions, "signal" | "onProgress" | "guard"> {
  queueUrl: string;
  queueName?: string;
  store: Store;
  /** Runs at once in this process (default 1). */
  concurrency?: number;
  /** BullMQ job lock (ms): a worker silent this long has its job handed to another (default 30 s). */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for (ms, default 30 s, or the lock duration when shorter). */
  stalledIntervalMs?: number;
  /** A run whose heartbeat is older than this is taken over (ms, default 15 s). */
  staleAfterMs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** The differences between this worker's fingerprint and the study's that would mix results. */
async function fingerprintDifferences(store: Store, fp: StudyFingerprint, run: RunRecord): Promise<string> {
  const study = await store.getStudy(run.study);
  if (!study?.fingerprintHash) return "";
  const before = await store.getFingerprint(study.fingerprintHash);
  const diffs = diffFingerprints(before?.fingerprint ?? {}, { ...fp, split: null }, { ignore: [...WORKER_FINGERPRINT_IGNORE, "split"] });
  return diffs.length ? formatDifferences(diffs) : "";
}

/**
 * A worker: takes jobs from the queue until the signal is aborted. Resolves
 * after the worker closed (the current run stops with a checkpoint).
 */
export async function runWorker(options: WorkerOptions): Promise<void> {
  await probeQueue(options.queueUrl);
  const me = workerId("worker");
  const store = options.store;
  const log = options.log ?? (() => {});
  const lockDuration = options.lockDurationMs ?? 30_000;
  const staleAfter = options.staleAfterMs ?? 15_000;
  const pools = new Map<string, WorkerPool>();
  const specs = new Map();
  const data = new Map();
  const stop = new AbortController();

  const takeOver = async (job: Job<QueueJobData>): Promise<RunRecord | "done"> => {
    const { runId } = job.data;
    for (;;) {
      const run = await store.findRun(runId);
      if (!run) throw new UnrecoverableError(`unknown run '${runId}' in the store at ${store.location}; start workers with the same --store as the command that submitted the study`);
      if (FINAL.has(run.status)) return "done";
      if (run.status === "queued") {
        if (await store.claimRun(runId, me)) return { ...run, status: "running", worker: me };
        continue;
      }
      // Running elsewhere: wait while its worker heartbeats; take it over when it stopped.
      const age = Date.now() - (run.heartbeatAt ?? 0);
      const dead = isDeadLocalWorker(run.worker);
      if ((dead && age > 3 * HEARTBEAT_MS) || age > staleAfter) {
        const threshold = dead ? 3 * HEARTBEAT_MS : staleAfter;
        const { requeued } = await store.requeueStale(threshold, { study: run.study });
        if (requeued.includes(runId)) log(`run ${runId}: worker ${run.worker} stopped (no heartbeat for ${Math.round(age / 1000)} s); taking it over`);
        continue;
      }
      if (stop.signal.aborted) throw new Error("worker stopping");
      await sleep(Math.min(1000, HEARTBEAT_MS));
    }
  };

  const processor = async (job: Job<QueueJobData>) => {
    const { runId } = job.data;
    const found = await store.findRun(runId);
    if (!found) throw new UnrecoverableError(`unknown run '${runId}' in the store at ${store.location}; start workers with the same --store as the command that submitted the study`);
    if (FINAL.has(found.status)) return { runId, status: found.status, skipped: true };
    // Refuse before claiming: a worker with other code or data leaves the run to the others.
    const setup = await setupRun(found, { ...options, specs, data });
    const fp = await studyFingerprint(setup.spec, setup.config.studyFile, setup.train, options.cwd);
    const differences = await fingerprintDifferences(store, fp, found);
    if (differences && !job.data.allowChanged) {
      throw new Error(`this worker (${me}) has other code, data or environment than study '${found.study}' began with:\n${differences}\nUpdate this machine's checkout (or data), or submit with --allow-changed`);
    }
    const run = await takeOver(job);
    if (run === "done") return { runId, status: "finished", skipped: true };
    log(`run ${runId}: started (attempt ${run.attempts + 1})`);
    let last = 0;
    const outcome = await executeRun(store, run, me, {
      ...options,
      pools,
      specs,
      data,
      signal: stop.signal,
      onResume: (step) => log(`run ${runId}: continues from its checkpoint at step ${step}`),
      onProgress: (p) => {
        const now = Date.now();
        if (now - last < 250 && p.step < p.totalSteps) return;
        last = now;
        void job.updateProgress(p as unknown as object).catch(() => {});
      },
    });
    log(`run ${runId}: ${outcome.status}${outcome.error ? `: ${outcome.error}` : ""}`);
    if (outcome.status === "failed") throw new UnrecoverableError(outcome.error ?? "the run failed");
    if (outcome.status === "stopped") throw new Error("the worker stopped; the run continues from its checkpoint on another worker");
    return { runId, status: outcome.status };
  };

  const worker = new Worker<QueueJobData>(options.queueName ?? DEFAULT_QUEUE_NAME, processor, {
    connection: redisConnection(options.queueUrl),
    concurrency: options.concurrency ?? 1,
    lockDuration,
    stalledInterval: options.stalledIntervalMs ?? Math.min(30_000, lockDuration),
    maxStalledCount: 5,
    autorun: false,
  });
  worker.on("failed", (job, err) => log(`job ${job?.id ?? "?"}: ${err.message}`));
  worker.on("error", (err) => log(`queue error: ${err.message}`));
  const onAbort = () => {
    stop.abort();
    void worker.close();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  log(`worker ${me} waiting for runs on ${maskRedis(options.queueUrl)} (queue ${options.queueName ?? DEFAULT_QUEUE_NAME}), store ${store.location}`);
  try {
    await worker.run();
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    for (const p of pools.values()) await p.close().catch(() => {});
  }
}
